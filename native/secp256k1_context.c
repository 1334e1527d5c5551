/* The secp256k1 context every build makes once: randomized (blinding) from libsodium's generator,
 * the seed wiped. */

#include <sodium.h>

#include "bip324_engine.h"

secp256k1_context *bip324_secp256k1_context_create(void) {
    unsigned char seed32[32];
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (ctx == NULL) return NULL;
    randombytes_buf(seed32, sizeof seed32);
    if (!secp256k1_context_randomize(ctx, seed32)) {
        secp256k1_context_destroy(ctx);
        ctx = NULL;
    }
    sodium_memzero(seed32, sizeof seed32);
    return ctx;
}
