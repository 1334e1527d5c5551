/* FSChaCha20, the length cipher (BIP-324 "Rekeying wrappers: FSChaCha20").
 * One ChaCha20 stream per key with nonce LE32(0) || LE64(rekey counter); each 3-byte chunk takes
 * the next keystream bytes; after 224 chunks the next 32 keystream bytes become the key and the
 * block counter restarts. 224 * 3 + 32 = 704 bytes = exactly 11 blocks, made one at a time when a
 * chunk first reaches one: 64 bytes of state instead of 704 (an idle connection holds two), for one
 * 64-byte provider call every 21 or 22 packets. */

#include <string.h>

#include "ciphers.h"
#include "provider.h"

#define BLOCK 64
#define KEY_AT (BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES) /* where the next key starts: 672 */

static void store64_le(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Makes the block that holds keystream byte length_pos. */
static void next_block(bip324_cipher *c) {
    unsigned char nonce[12] = {0};
    store64_le(nonce + 4, c->length_rekeys);
    bip324_primitives_of(c->provider)->chacha20(c->length_block, bip324_zeros, BLOCK, c->length_key, nonce,
                                                c->length_pos / BLOCK);
}

void bip324_fschacha20_start(bip324_cipher *c) {
    c->length_pos = 0;
    next_block(c);
}

void bip324_fschacha20_crypt3(bip324_cipher *c, unsigned char *out3, const unsigned char *in3) {
    uint32_t at = c->length_pos % BLOCK;
    if (at + BIP324_LENGTH_BYTES < BLOCK) { /* most chunks: all three bytes inside this block */
        for (int i = 0; i < BIP324_LENGTH_BYTES; i++) out3[i] = in3[i] ^ c->length_block[at + i];
        c->length_pos += BIP324_LENGTH_BYTES;
    } else {
        for (int i = 0; i < BIP324_LENGTH_BYTES; i++) {
            out3[i] = in3[i] ^ c->length_block[c->length_pos % BLOCK];
            if (++c->length_pos % BLOCK == 0) next_block(c);
        }
    }
    if (c->length_pos == KEY_AT) {
        /* Byte 672 is 32 bytes into block 10, which ends the stream: the key is its second half. */
        memcpy(c->length_key, c->length_block + KEY_AT % BLOCK, 32);
        c->length_rekeys++;
        bip324_fschacha20_start(c);
    }
}
