#ifndef BIP324_BENCH_H
#define BIP324_BENCH_H

/* The raw C floor for benchmarks: the engine calls a JavaScript caller makes, looped in C. Built
 * into the testing addon only (testing.cc), never into the addon users load. */

#include <stddef.h>
#include <stdint.h>

#include "bip324_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BIP324_BENCH_ENCRYPT = 0,   /* bip324_encrypt of `size`-byte contents */
    BIP324_BENCH_DECRYPT = 1,   /* bip324_decrypt_length + bip324_decrypt of such a packet */
    BIP324_BENCH_ROUNDTRIP = 2, /* both */
    BIP324_BENCH_HANDSHAKE = 3, /* keygen + ECDH + key schedule, one side (size unused) */
    BIP324_BENCH_BASELINE_ROUNDTRIP = 4 /* ROUNDTRIP on the frozen pre-issue-17 path (bench_baseline.c) */
} bip324_bench_kind;

/** Run `iterations` operations in a C loop, for the floor that JavaScript callers compare against.
 *  Requires: bip324_init succeeded; bip324_provider_available(provider) unless kind is HANDSHAKE.
 *  Returns: elapsed nanoseconds (monotonic clock), or 0 if memory could not be allocated or an
 *  operation failed (the loop would then have timed something else). */
uint64_t bip324_bench(const secp256k1_context *ctx, bip324_bench_kind kind, bip324_provider_id provider,
                      size_t size, uint64_t iterations);

/* The frozen baseline (bench_baseline.c): one direction of today's engine as it was before issue
 * 17, with the same contracts as bip324_cipher_init, bip324_encrypt (no aad, header 0),
 * bip324_decrypt_length and bip324_decrypt (no aad), for the bench loop only. */
typedef struct bip324_baseline_cipher bip324_baseline_cipher;
size_t bip324_baseline_size(void);
void bip324_baseline_init(bip324_baseline_cipher *c, const unsigned char *length_key32,
                          const unsigned char *aead_key32, bip324_provider_id provider);
void bip324_baseline_encrypt(bip324_baseline_cipher *c, unsigned char *out, const unsigned char *contents,
                             size_t len);
uint32_t bip324_baseline_decrypt_length(bip324_baseline_cipher *c, const unsigned char *len3);
BIP324_WARN_UNUSED_RESULT int bip324_baseline_decrypt(bip324_baseline_cipher *c, unsigned char *header,
                                                      unsigned char *contents, const unsigned char *in);

#ifdef __cplusplus
}
#endif

#endif
