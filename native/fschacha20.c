/* FSChaCha20, the length cipher (BIP-324 "Rekeying wrappers: FSChaCha20").
 * One ChaCha20 stream per key with nonce LE32(0) || LE64(rekey counter); each 3-byte chunk takes
 * the next keystream bytes; after 224 chunks the next 32 keystream bytes become the key and the
 * block counter restarts. 224 * 3 + 32 = 704 bytes = exactly 11 blocks, made in one call. */

#include <string.h>

#include "ciphers.h"
#include "provider.h"

static void store64_le(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

void bip324_fschacha20_start(bip324_cipher *c) {
    unsigned char nonce[12] = {0};
    store64_le(nonce + 4, c->length_rekeys);
    bip324_primitives_of(c->provider)->chacha20(c->length_stream, bip324_zeros, sizeof c->length_stream,
                                                c->length_key, nonce, 0);
    c->length_chunk = 0;
}

void bip324_fschacha20_crypt3(bip324_cipher *c, unsigned char *out3, const unsigned char *in3) {
    const unsigned char *ks = c->length_stream + BIP324_LENGTH_BYTES * c->length_chunk;
    for (int i = 0; i < BIP324_LENGTH_BYTES; i++) out3[i] = in3[i] ^ ks[i];
    if (++c->length_chunk == BIP324_REKEY_INTERVAL) {
        memcpy(c->length_key, c->length_stream + BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES, 32);
        c->length_rekeys++;
        bip324_fschacha20_start(c);
    }
}
