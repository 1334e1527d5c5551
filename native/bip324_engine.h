#ifndef BIP324_ENGINE_H
#define BIP324_ENGINE_H

/* The BIP-324 packet engine: plain C over libsodium and libsecp256k1, no Node types.
 *
 * Conventions (after libsecp256k1's headers):
 *  - Sizes are in the names (x32 is 32 bytes, ell64 is 64 bytes); callers pass buffers of exactly
 *    those sizes. The engine never checks sizes or NULL pointers: the binding does, so misuse is a
 *    programmer error reported in JavaScript, never a peer error reported here.
 *  - Arguments are ordered: context or state, outputs, inputs; a length follows its pointer.
 *  - Functions that can fail because of what a peer sent return 1 on success and 0 on failure.
 */

#include <stddef.h>

#include <secp256k1.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Initialise libsodium (CPU feature detection, randomness). Safe to call more than once.
 *  Returns: 1 on success, 0 if libsodium could not initialise. */
int bip324_init(void);

/** Create a secp256k1 context randomized with 32 bytes from the CSPRNG, for side-channel
 *  protection of secret-key operations. One per process environment; free with
 *  secp256k1_context_destroy.
 *  Returns: the context, or NULL if allocation or randomization failed. */
secp256k1_context *bip324_secp256k1_context_create(void);

/** What the engine was built with and picked at run time. Every string is static. */
typedef struct {
    const char *secp256k1_version; /* pinned release compiled in */
    const char *sodium_version;    /* from libsodium at run time */
    const char *chacha20;          /* libsodium's ChaCha20 implementation: "avx2", "ssse3" or "ref" */
    const char *poly1305;          /* libsodium's Poly1305 implementation: "sse2" or "donna" */
    int has_ssse3, has_avx2, has_avx512f; /* CPU features as libsodium detected them */
} bip324_info;

/** Fill *info. Requires bip324_init() to have succeeded. */
void bip324_get_info(bip324_info *info);

/** Decode a 64-byte ElligatorSwift encoding to the X coordinate of its point.
 *  Every 64-byte input decodes (BIP-324: u and t are reduced mod p; 0 and the special case are
 *  remapped), so this cannot fail. Variable time: use on public data only.
 *  Args:  ctx:   secp256k1 context
 *  Out:   x32:   the 32-byte big-endian X coordinate
 *  In:    ell64: the encoding, u || t */
void bip324_ellswift_decode(const secp256k1_context *ctx, unsigned char *x32, const unsigned char *ell64);

#ifdef __cplusplus
}
#endif

#endif
