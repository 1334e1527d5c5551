/* ElligatorSwift public keys and BIP-324's x-only ECDH, over libsecp256k1's ellswift module. */

#include <string.h>

#include <secp256k1_ellswift.h>
#include <sodium.h>

#include "bip324_engine.h"

void bip324_ellswift_decode(const secp256k1_context *ctx, unsigned char *x32, const unsigned char *ell64) {
    secp256k1_pubkey pubkey;
    unsigned char compressed33[33];
    size_t len = sizeof compressed33;
    /* Both calls return 1 for every input: decoding is total and the key is valid. */
    (void)secp256k1_ellswift_decode(ctx, &pubkey, ell64);
    (void)secp256k1_ec_pubkey_serialize(ctx, compressed33, &len, &pubkey, SECP256K1_EC_COMPRESSED);
    memcpy(x32, compressed33 + 1, 32);
}

int bip324_ellswift_create(const secp256k1_context *ctx, unsigned char *ell64,
                           const unsigned char *seckey32, const unsigned char *auxrnd32) {
    return secp256k1_ellswift_create(ctx, ell64, seckey32, auxrnd32);
}

void bip324_keygen(const secp256k1_context *ctx, unsigned char *seckey32, unsigned char *ell64) {
    unsigned char auxrnd32[32];
    /* A uniform 32-byte string is an invalid scalar with probability below 2^-127. */
    do {
        randombytes_buf(seckey32, 32);
        randombytes_buf(auxrnd32, sizeof auxrnd32);
    } while (!secp256k1_ellswift_create(ctx, ell64, seckey32, auxrnd32));
    sodium_memzero(auxrnd32, sizeof auxrnd32);
}

int bip324_ecdh(const secp256k1_context *ctx, unsigned char *secret32, const unsigned char *ell_ours64,
                const unsigned char *ell_theirs64, const unsigned char *seckey32, int initiator) {
    const unsigned char *ell_a64 = initiator ? ell_ours64 : ell_theirs64;
    const unsigned char *ell_b64 = initiator ? ell_theirs64 : ell_ours64;
    /* xdh alone reduces a key >= the group order instead of refusing it: refuse it as keygen does. */
    if (!secp256k1_ec_seckey_verify(ctx, seckey32)) return 0;
    return secp256k1_ellswift_xdh(ctx, secret32, ell_a64, ell_b64, seckey32, initiator ? 0 : 1,
                                  secp256k1_ellswift_xdh_hash_function_bip324, NULL);
}

/* An xdh "hash" that returns the shared X coordinate itself. */
static int copy_x(unsigned char *output, const unsigned char *x32, const unsigned char *ell_a64,
                  const unsigned char *ell_b64, void *data) {
    (void)ell_a64;
    (void)ell_b64;
    (void)data;
    memcpy(output, x32, 32);
    return 1;
}

int bip324_ecdh_x(const secp256k1_context *ctx, unsigned char *x32, const unsigned char *ell_theirs64,
                  const unsigned char *seckey32) {
    /* Our own encoding only feeds the hash, which copy_x ignores: the peer's stands in for it. */
    if (!secp256k1_ec_seckey_verify(ctx, seckey32)) return 0;
    return secp256k1_ellswift_xdh(ctx, x32, ell_theirs64, ell_theirs64, seckey32, 1, copy_x, NULL);
}
