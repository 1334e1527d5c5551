/* The baseline of the raw C bench (bench.h's BIP324_BENCH_BASELINE_ROUNDTRIP): the per-packet path
 * the engine had before issue 17, frozen here so that every run measures today's engine against it
 * side by side, on the same machine and under the same load. It is a comparator, not a cipher: it
 * must not change, and it must not be fixed or sped up when the engine is (a change would move
 * every "x of the baseline" figure). Built into the testing addon only.
 *
 * What it froze: the length cipher's 11 keystream blocks made at once per key; per packet one
 * provider ChaCha20 call for keystream blocks 0 and 1, the bulk ChaCha20 from block 2, and
 * Poly1305 fed in pieces (aad, pad, ciphertext, pad, lengths), its state wiped after. */

#include <string.h>

#include <sodium.h>

#include "bench.h"
#include "provider.h"

#define FIRST_BLOCK_CONTENTS 63
#define LENGTH_STREAM_BYTES (BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES + 32)

struct bip324_baseline_cipher {
    const bip324_primitives *p;
    unsigned char length_key[32];
    unsigned char length_stream[LENGTH_STREAM_BYTES];
    uint32_t length_chunk;
    uint64_t length_rekeys;
    unsigned char aead_key[32];
    uint64_t aead_packets;
    uint32_t pending;
};

static void nonce_of(unsigned char *nonce12, uint32_t first, uint64_t epoch) {
    for (int i = 0; i < 4; i++) nonce12[i] = (unsigned char)(first >> (8 * i));
    for (int i = 0; i < 8; i++) nonce12[4 + i] = (unsigned char)(epoch >> (8 * i));
}

static void length_start(bip324_baseline_cipher *c) {
    unsigned char nonce[12];
    nonce_of(nonce, 0, c->length_rekeys);
    c->p->chacha20(c->length_stream, bip324_zeros, sizeof c->length_stream, c->length_key, nonce, 0);
    c->length_chunk = 0;
}

static void crypt3(bip324_baseline_cipher *c, unsigned char *out3, const unsigned char *in3) {
    const unsigned char *ks = c->length_stream + BIP324_LENGTH_BYTES * c->length_chunk;
    for (int i = 0; i < BIP324_LENGTH_BYTES; i++) out3[i] = in3[i] ^ ks[i];
    if (++c->length_chunk == BIP324_REKEY_INTERVAL) {
        memcpy(c->length_key, c->length_stream + BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES, 32);
        c->length_rekeys++;
        length_start(c);
    }
}

static void packet_keystream(const bip324_baseline_cipher *c, unsigned char *ks128, unsigned char *nonce12) {
    nonce_of(nonce12, (uint32_t)(c->aead_packets % BIP324_REKEY_INTERVAL), c->aead_packets / BIP324_REKEY_INTERVAL);
    c->p->chacha20(ks128, bip324_zeros, 128, c->aead_key, nonce12, 0);
}

static void advance(bip324_baseline_cipher *c) {
    if (++c->aead_packets % BIP324_REKEY_INTERVAL == 0) {
        unsigned char nonce[12];
        nonce_of(nonce, 0xffffffffu, c->aead_packets / BIP324_REKEY_INTERVAL - 1);
        c->p->chacha20(c->aead_key, bip324_zeros, 32, c->aead_key, nonce, 1);
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

static void crypt_body(const bip324_baseline_cipher *c, unsigned char *out_header, unsigned char *out,
                       unsigned char header, const unsigned char *in, size_t len, const unsigned char *ks128,
                       const unsigned char *nonce12) {
    size_t head = len < FIRST_BLOCK_CONTENTS ? len : FIRST_BLOCK_CONTENTS;
    *out_header = header ^ ks128[64];
    for (size_t i = 0; i < head; i++) out[i] = in[i] ^ ks128[65 + i];
    if (len > head) c->p->chacha20(out + head, in + head, len - head, c->aead_key, nonce12, 2);
}

void bip324_baseline_init(bip324_baseline_cipher *c, const unsigned char *length_key32,
                          const unsigned char *aead_key32, bip324_provider_id provider) {
    memset(c, 0, sizeof *c);
    c->p = bip324_primitives_of(provider);
    memcpy(c->length_key, length_key32, 32);
    memcpy(c->aead_key, aead_key32, 32);
    length_start(c);
}

void bip324_baseline_encrypt(bip324_baseline_cipher *c, unsigned char *out, const unsigned char *contents,
                             size_t len) {
    const unsigned char len3[3] = {(unsigned char)len, (unsigned char)(len >> 8), (unsigned char)(len >> 16)};
    unsigned char ks[128], nonce[12];
    crypt3(c, out, len3);
    out += BIP324_LENGTH_BYTES;
    packet_keystream(c, ks, nonce);
    crypt_body(c, out, out + 1, 0, contents, len, ks, nonce);
    mac(c->p, out + 1 + len, ks, NULL, 0, out, 1 + len);
    sodium_memzero(ks, sizeof ks);
    advance(c);
}

uint32_t bip324_baseline_decrypt_length(bip324_baseline_cipher *c, const unsigned char *len3) {
    unsigned char plain[3];
    crypt3(c, plain, len3);
    c->pending = (uint32_t)plain[0] | (uint32_t)plain[1] << 8 | (uint32_t)plain[2] << 16;
    return c->pending;
}

int bip324_baseline_decrypt(bip324_baseline_cipher *c, unsigned char *header, unsigned char *contents,
                            const unsigned char *in) {
    unsigned char ks[128], nonce[12], tag[16];
    size_t len = c->pending;
    int ok;
    packet_keystream(c, ks, nonce);
    mac(c->p, tag, ks, NULL, 0, in, 1 + len);
    ok = crypto_verify_16(tag, in + 1 + len) == 0;
    if (ok) {
        crypt_body(c, header, contents, in[0], in + 1, len, ks, nonce);
        advance(c);
    }
    sodium_memzero(ks, sizeof ks);
    return ok;
}

size_t bip324_baseline_size(void) {
    return sizeof(bip324_baseline_cipher);
}
