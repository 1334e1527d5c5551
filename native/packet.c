/* BIP-324 packets: encrypted 3-byte length || AEAD(header || contents) || tag, one direction at a
 * time, singly or in batches. */

#include <string.h>

#include <sodium.h>

#include "ciphers.h"

void bip324_cipher_init(bip324_cipher *c, const unsigned char *length_key32, const unsigned char *aead_key32,
                        bip324_provider_id provider) {
    memset(c, 0, sizeof *c);
    c->provider = provider;
    memcpy(c->length_key, length_key32, 32);
    memcpy(c->aead_key, aead_key32, 32);
    bip324_fschacha20_start(c);
}

void bip324_cipher_clear(bip324_cipher *c) {
    sodium_memzero(c, sizeof *c);
}

void bip324_encrypt(bip324_cipher *c, unsigned char *out, const unsigned char *contents, size_t len,
                    const unsigned char *aad, size_t aadlen, unsigned char header) {
    const unsigned char len3[3] = {(unsigned char)len, (unsigned char)(len >> 8), (unsigned char)(len >> 16)};
    bip324_fschacha20_crypt3(c, out, len3);
    bip324_aead_encrypt(c, out + BIP324_LENGTH_BYTES, header, contents, len, aad, aadlen);
}

uint32_t bip324_decrypt_length(bip324_cipher *c, const unsigned char *len3) {
    unsigned char plain[3];
    bip324_fschacha20_crypt3(c, plain, len3);
    c->pending = (uint32_t)plain[0] | (uint32_t)plain[1] << 8 | (uint32_t)plain[2] << 16;
    c->has_pending = 1;
    return c->pending;
}

int bip324_decrypt(bip324_cipher *c, unsigned char *header, unsigned char *contents, const unsigned char *in,
                   const unsigned char *aad, size_t aadlen) {
    if (!bip324_aead_decrypt(c, header, contents, in, c->pending, aad, aadlen)) return 0;
    c->has_pending = 0;
    c->pending = 0;
    return 1;
}

bip324_packet_status bip324_decrypt_packet(bip324_cipher *c, unsigned char *header, unsigned char *contents,
                                           const unsigned char *in, size_t len, const unsigned char *aad,
                                           size_t aadlen) {
    if (bip324_decrypt_length(c, in) != len) return BIP324_PACKET_WRONG_LENGTH;
    if (!bip324_decrypt(c, header, contents, in + BIP324_LENGTH_BYTES, aad, aadlen)) return BIP324_PACKET_BAD_MAC;
    return BIP324_PACKET_OK;
}

void bip324_encrypt_batch(bip324_cipher *c, unsigned char *out, const bip324_slice *items, size_t n,
                          const unsigned char *headers) {
    for (size_t i = 0; i < n; i++) {
        bip324_encrypt(c, out, items[i].data, items[i].len, NULL, 0, headers ? headers[i] : 0);
        out += items[i].len + BIP324_EXPANSION;
    }
}

void bip324_decrypt_batch(bip324_cipher *c, unsigned char *plain, size_t plain_cap,
                          bip324_packet_info *packets, size_t max_packets, size_t *npackets,
                          size_t *consumed, bip324_batch_status *status,
                          const unsigned char *in, size_t inlen, uint32_t max_contents) {
    size_t pos = 0, used = 0, n = 0;
    *status = BIP324_BATCH_MORE;
    for (;;) {
        size_t need;
        unsigned char header;
        if (!c->has_pending) {
            if (inlen - pos < BIP324_LENGTH_BYTES) break;
            if (n == max_packets) { *status = BIP324_BATCH_FULL; break; }
            bip324_decrypt_length(c, in + pos);
            pos += BIP324_LENGTH_BYTES;
        }
        if (c->pending > max_contents) { *status = BIP324_BATCH_OVERSIZED; break; }
        need = (size_t)c->pending + BIP324_HEADER_BYTES + BIP324_TAG_BYTES;
        if (inlen - pos < need) break;
        if (n == max_packets || plain_cap - used < c->pending) { *status = BIP324_BATCH_FULL; break; }
        packets[n].offset = (uint32_t)used;
        packets[n].len = c->pending;
        if (!bip324_decrypt(c, &header, plain + used, in + pos, NULL, 0)) { *status = BIP324_BATCH_BAD_MAC; break; }
        packets[n].header = header;
        used += packets[n].len;
        pos += need;
        n++;
    }
    *npackets = n;
    *consumed = pos;
}
