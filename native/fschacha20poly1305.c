/* FSChaCha20Poly1305, the packet AEAD (BIP-324 "Rekeying wrappers: FSChaCha20Poly1305"):
 * RFC 8439 ChaCha20-Poly1305 with nonce LE32(packet % 224) || LE64(packet / 224); after every
 * 224th packet the key becomes the first 32 bytes of ChaCha20 (block 1) under the nonce
 * 0xffffffff || LE64(packet / 224).
 *
 * The plaintext is header || contents, with the header kept apart so that no copy is needed:
 * one call makes keystream blocks 0 (Poly1305 key) and 1 (header and the first 63 contents
 * bytes); the rest of the contents starts exactly at block 2. */

#include <string.h>

#include <sodium.h>

#include "ciphers.h"
#include "provider.h"

#define FIRST_BLOCK_CONTENTS 63

static void aead_nonce(unsigned char *nonce12, uint32_t first, uint64_t epoch) {
    for (int i = 0; i < 4; i++) nonce12[i] = (unsigned char)(first >> (8 * i));
    for (int i = 0; i < 8; i++) nonce12[4 + i] = (unsigned char)(epoch >> (8 * i));
}

/* ks128: keystream blocks 0 and 1 for this packet's nonce; nonce12 for the later blocks. */
static void packet_keystream(const bip324_cipher *c, unsigned char *ks128, unsigned char *nonce12) {
    aead_nonce(nonce12, (uint32_t)(c->aead_packets % BIP324_REKEY_INTERVAL), c->aead_packets / BIP324_REKEY_INTERVAL);
    bip324_primitives_of(c->provider)->chacha20(ks128, bip324_zeros, 128, c->aead_key, nonce12, 0);
}

static void advance(bip324_cipher *c) {
    if (++c->aead_packets % BIP324_REKEY_INTERVAL == 0) {
        unsigned char nonce[12];
        aead_nonce(nonce, 0xffffffffu, c->aead_packets / BIP324_REKEY_INTERVAL - 1);
        bip324_primitives_of(c->provider)->chacha20(c->aead_key, bip324_zeros, 32, c->aead_key, nonce, 1);
    }
}

static void mac(const bip324_primitives *p, unsigned char *tag16, const unsigned char *poly_key32,
                const unsigned char *aad, size_t aadlen, const unsigned char *ciphertext, size_t ctlen) {
    static const unsigned char zeros[16];
    unsigned char lengths[16];
    bip324_poly1305_state st;
    for (int i = 0; i < 8; i++) {
        lengths[i] = (unsigned char)((uint64_t)aadlen >> (8 * i));
        lengths[8 + i] = (unsigned char)((uint64_t)ctlen >> (8 * i));
    }
    p->poly1305_init(&st, poly_key32);
    if (aadlen > 0) p->poly1305_update(&st, aad, aadlen);
    p->poly1305_update(&st, zeros, (16 - aadlen % 16) % 16);
    p->poly1305_update(&st, ciphertext, ctlen);
    p->poly1305_update(&st, zeros, (16 - ctlen % 16) % 16);
    p->poly1305_update(&st, lengths, sizeof lengths);
    p->poly1305_final(&st, tag16);
    sodium_memzero(&st, p->poly1305_state_bytes);
}

/* XOR header || contents with the keystream, from ks128's block 1 and then from block 2 on. */
static void crypt_body(const bip324_cipher *c, unsigned char *out_header, unsigned char *out, unsigned char header,
                       const unsigned char *in, size_t len, const unsigned char *ks128, const unsigned char *nonce12) {
    size_t head = len < FIRST_BLOCK_CONTENTS ? len : FIRST_BLOCK_CONTENTS;
    *out_header = header ^ ks128[64];
    for (size_t i = 0; i < head; i++) out[i] = in[i] ^ ks128[65 + i];
    if (len > head) {
        bip324_primitives_of(c->provider)->chacha20(out + head, in + head, len - head, c->aead_key, nonce12, 2);
    }
}

void bip324_aead_encrypt(bip324_cipher *c, unsigned char *out, unsigned char header, const unsigned char *contents,
                         size_t len, const unsigned char *aad, size_t aadlen) {
    unsigned char ks[128], nonce[12];
    packet_keystream(c, ks, nonce);
    crypt_body(c, out, out + 1, header, contents, len, ks, nonce);
    mac(bip324_primitives_of(c->provider), out + 1 + len, ks, aad, aadlen, out, 1 + len);
    sodium_memzero(ks, sizeof ks);
    advance(c);
}

int bip324_aead_decrypt(bip324_cipher *c, unsigned char *header, unsigned char *contents, const unsigned char *in,
                        size_t len, const unsigned char *aad, size_t aadlen) {
    unsigned char ks[128], nonce[12], tag[16];
    int ok;
    packet_keystream(c, ks, nonce);
    mac(bip324_primitives_of(c->provider), tag, ks, aad, aadlen, in, 1 + len);
    ok = crypto_verify_16(tag, in + 1 + len) == 0;
    if (ok) {
        crypt_body(c, header, contents, in[0], in + 1, len, ks, nonce);
        advance(c);
    }
    sodium_memzero(ks, sizeof ks);
    return ok;
}
