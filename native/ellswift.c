/* ElligatorSwift (BIP-324 "ellswift" public keys) over libsecp256k1's ellswift module. */

#include <string.h>

#include <secp256k1_ellswift.h>

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
