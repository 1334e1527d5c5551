#ifndef BIP324_PROVIDER_H
#define BIP324_PROVIDER_H

/* Internal: the ChaCha20 and Poly1305 primitives behind a bip324_provider_id. */

#include <stddef.h>
#include <stdint.h>

#include "bip324_engine.h"

/* Large and aligned enough for libsodium's Poly1305 state and OpenSSL's (checked at load). */
typedef union {
    unsigned char bytes[512];
    long double align_ld;
    uint64_t align_u64;
} bip324_poly1305_state;

typedef struct {
    /* RFC 8439 ChaCha20 (32-bit block counter, 96-bit nonce): out = in XOR keystream from block
     * `counter`. in and out may be equal. */
    void (*chacha20)(unsigned char *out, const unsigned char *in, size_t len, const unsigned char *key32,
                     const unsigned char *nonce12, uint32_t counter);
    void (*poly1305_init)(bip324_poly1305_state *st, const unsigned char *key32);
    void (*poly1305_update)(bip324_poly1305_state *st, const unsigned char *in, size_t len);
    void (*poly1305_final)(bip324_poly1305_state *st, unsigned char *tag16);
    /* All of Poly1305 on one contiguous message: fewer calls than init, update, final. */
    void (*poly1305)(unsigned char *tag16, const unsigned char *in, size_t len, const unsigned char *key32);
    size_t poly1305_state_bytes; /* what poly1305_init writes: the part of the state to wipe */
    int poly1305_final_wipes;    /* poly1305_final zeroes those bytes itself, as seen at load: no second wipe */
} bip324_primitives;

/** libsodium's ChaCha20 and Poly1305 (sodium_primitives.c). */
extern const bip324_primitives bip324_sodium_primitives;

/** Zeros to make keystream from (ChaCha20 of zeros is the keystream), as long as the longest use. */
extern const unsigned char bip324_zeros[BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES + 32];

/** Resolve and verify the providers. Called by bip324_init, which the caller runs once. */
void bip324_providers_init(void);

/** The OpenSSL fields of *info: the switch, the version found, the verdict. */
void bip324_openssl_info(bip324_info *info);

/** The primitives of an available provider. */
const bip324_primitives *bip324_primitives_of(bip324_provider_id id);

#endif
