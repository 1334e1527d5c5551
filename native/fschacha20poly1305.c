/* FSChaCha20Poly1305, the packet AEAD (BIP-324 "Rekeying wrappers: FSChaCha20Poly1305"):
 * RFC 8439 ChaCha20-Poly1305 with nonce LE32(packet % 224) || LE64(packet / 224); after every
 * 224th packet the key becomes the first 32 bytes of ChaCha20 (block 1) under the nonce
 * 0xffffffff || LE64(packet / 224).
 *
 * The plaintext is header || contents, with the header kept apart so that no copy is needed:
 * keystream blocks 0 (Poly1305 key) and 1 (header and the first 63 contents bytes) come from the
 * cipher's cache, and the rest of the contents starts exactly at block 2, where the provider's
 * bulk ChaCha20 takes over.
 *
 * The cache: one provider call for blocks 0 and 1 of a single packet is latency bound (most of a
 * small packet's time), while the multi-lane block function (chacha20_lanes.c) makes those blocks
 * for BIP324_KEYSTREAM_PACKETS packets at once for little more. A group starts at a packet number
 * divisible by BIP324_KEYSTREAM_PACKETS, which divides 224: a group never spans a rekey. */

#include <string.h>

#include <sodium.h>

#include "chacha20_lanes.h"
#include "ciphers.h"
#include "provider.h"

#define FIRST_BLOCK_CONTENTS 63
/* aad + ciphertext up to this many bytes reach Poly1305 as one message, copied with its padding
 * and lengths onto the stack: one call instead of init, up to five updates and final. Measured
 * with both providers: the copy costs less than the calls it saves up to about 2 KiB (a round trip
 * of 1,000 contents bytes is 20% faster than with a 256-byte bound, one of 1,024 bytes 7% faster
 * than with a 1 KiB bound). */
#define MAC_ONE_PIECE 2048

_Static_assert(BIP324_CHACHA20_LANES == 2 * BIP324_KEYSTREAM_PACKETS, "one lane per block, two blocks per packet");
_Static_assert(BIP324_REKEY_INTERVAL % BIP324_KEYSTREAM_PACKETS == 0, "a keystream group never spans a rekey");

static void store_le(unsigned char *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* One 8-byte store where the host is little-endian: bytes stored one by one, or a temporary copied
 * in, make the wide load that reads them wait for every store (no store forwarding). */
static void store64_le(unsigned char *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    store_le(p, v, 8);
#endif
}

static void aead_nonce(unsigned char *nonce12, uint32_t first, uint64_t epoch) {
    store_le(nonce12, first, 4);
    store_le(nonce12 + 4, epoch, 8);
}

/* This packet's Poly1305 key (block 0's first 32 bytes) and block 1: from the cache, filled for the
 * packet's group if need be. The rest of block 0 is never used, so it is not kept. */
static const unsigned char *packet_keystream(bip324_cipher *c) {
    if (!c->has_aead_keystream) {
        uint32_t counter[BIP324_CHACHA20_LANES], nonce0[BIP324_CHACHA20_LANES];
        uint32_t first = (uint32_t)(c->aead_packets % BIP324_REKEY_INTERVAL);
        unsigned char epoch8[8], blocks[BIP324_CHACHA20_LANES * 64];
        for (int l = 0; l < BIP324_CHACHA20_LANES; l++) {
            counter[l] = (uint32_t)l % 2;
            nonce0[l] = first + (uint32_t)l / 2;
        }
        store_le(epoch8, c->aead_packets / BIP324_REKEY_INTERVAL, 8);
        bip324_chacha20_lanes(blocks, c->aead_key, counter, nonce0, epoch8);
        for (int i = 0; i < BIP324_KEYSTREAM_PACKETS; i++) {
            memcpy(c->aead_keystream[i], blocks + 128 * i, 32);
            memcpy(c->aead_keystream[i] + 32, blocks + 128 * i + 64, 64);
        }
        sodium_memzero(blocks, sizeof blocks);
        c->has_aead_keystream = 1;
    }
    return c->aead_keystream[c->aead_packets % BIP324_KEYSTREAM_PACKETS];
}

/* Done with this packet: its keystream is wiped, and the key replaced after every 224th. */
static void advance(bip324_cipher *c) {
    sodium_memzero(c->aead_keystream[c->aead_packets % BIP324_KEYSTREAM_PACKETS], sizeof c->aead_keystream[0]);
    if (++c->aead_packets % BIP324_KEYSTREAM_PACKETS == 0) c->has_aead_keystream = 0;
    if (c->aead_packets % BIP324_REKEY_INTERVAL == 0) {
        unsigned char nonce[12];
        aead_nonce(nonce, 0xffffffffu, c->aead_packets / BIP324_REKEY_INTERVAL - 1);
        bip324_primitives_of(c->provider)->chacha20(c->aead_key, bip324_zeros, 32, c->aead_key, nonce, 1);
    }
}

/* RFC 8439 section 2.8's MAC: aad, zeros to 16, ciphertext, zeros to 16, LE64 lengths of both. */
static void mac(const bip324_primitives *p, unsigned char *tag16, const unsigned char *poly_key32,
                const unsigned char *aad, size_t aadlen, const unsigned char *ciphertext, size_t ctlen) {
    static const unsigned char zeros[16];
    size_t aad_pad = (16 - aadlen % 16) % 16, ct_pad = (16 - ctlen % 16) % 16;
    unsigned char lengths[16];
    bip324_poly1305_state st;
    if (aadlen + ctlen <= MAC_ONE_PIECE) {
        /* Public bytes only (the aad and the ciphertext): nothing here to wipe. */
        unsigned char msg[MAC_ONE_PIECE + 15 + 15 + 16];
        size_t n = 0;
        if (aadlen > 0) memcpy(msg, aad, aadlen);
        n += aadlen;
        memset(msg + n, 0, aad_pad);
        n += aad_pad;
        memcpy(msg + n, ciphertext, ctlen);
        n += ctlen;
        memset(msg + n, 0, ct_pad);
        n += ct_pad;
        store64_le(msg + n, aadlen);
        store64_le(msg + n + 8, ctlen);
        p->poly1305(tag16, msg, n + 16, poly_key32);
        return;
    }
    store_le(lengths, aadlen, 8);
    store_le(lengths + 8, ctlen, 8);
    p->poly1305_init(&st, poly_key32);
    if (aadlen > 0) p->poly1305_update(&st, aad, aadlen);
    p->poly1305_update(&st, zeros, aad_pad);
    p->poly1305_update(&st, ciphertext, ctlen);
    p->poly1305_update(&st, zeros, ct_pad);
    p->poly1305_update(&st, lengths, sizeof lengths);
    p->poly1305_final(&st, tag16);
    if (!p->poly1305_final_wipes) sodium_memzero(&st, p->poly1305_state_bytes);
}

/* XOR header || contents with the keystream, from ks96's block 1 and then from block 2 on. */
static void crypt_body(const bip324_cipher *c, unsigned char *out_header, unsigned char *out, unsigned char header,
                       const unsigned char *in, size_t len, const unsigned char *ks96) {
    const unsigned char *block1 = ks96 + 32;
    size_t head = len < FIRST_BLOCK_CONTENTS ? len : FIRST_BLOCK_CONTENTS;
    *out_header = header ^ block1[0];
    for (size_t i = 0; i < head; i++) out[i] = in[i] ^ block1[1 + i];
    if (len > head) {
        unsigned char nonce[12];
        aead_nonce(nonce, (uint32_t)(c->aead_packets % BIP324_REKEY_INTERVAL), c->aead_packets / BIP324_REKEY_INTERVAL);
        bip324_primitives_of(c->provider)->chacha20(out + head, in + head, len - head, c->aead_key, nonce, 2);
    }
}

void bip324_aead_encrypt(bip324_cipher *c, unsigned char *out, unsigned char header, const unsigned char *contents,
                         size_t len, const unsigned char *aad, size_t aadlen) {
    const unsigned char *ks = packet_keystream(c);
    crypt_body(c, out, out + 1, header, contents, len, ks);
    mac(bip324_primitives_of(c->provider), out + 1 + len, ks, aad, aadlen, out, 1 + len);
    advance(c);
}

int bip324_aead_decrypt(bip324_cipher *c, unsigned char *header, unsigned char *contents, const unsigned char *in,
                        size_t len, const unsigned char *aad, size_t aadlen) {
    int made = !c->has_aead_keystream;
    const unsigned char *ks = packet_keystream(c);
    unsigned char tag[16];
    mac(bip324_primitives_of(c->provider), tag, ks, aad, aadlen, in, 1 + len);
    if (crypto_verify_16(tag, in + 1 + len) != 0) {
        /* The state is left as it was, byte for byte (ciphers.h): keystream this call made goes
         * again; the group's entries were all wiped before it. */
        if (made) {
            sodium_memzero(c->aead_keystream, sizeof c->aead_keystream);
            c->has_aead_keystream = 0;
        }
        return 0;
    }
    crypt_body(c, header, contents, in[0], in + 1, len, ks);
    advance(c);
    return 1;
}
