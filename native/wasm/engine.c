/* What the WebAssembly build puts where native/provider.c and native/info.c are: one provider (no
 * OpenSSL, no dlsym, no environment): ChaCha20 on SIMD128 vectors (chacha20_simd.c) where the
 * module is built with them, else libsodium's portable one, and libsodium's Poly1305, used without
 * sodium_init (which would pick among implementations not compiled here: libsodium starts on the
 * portable ones); and the randomized secp256k1 context. Randomness comes from the host (host.c). */

#include <string.h>

#include <sodium.h>

#include "../bip324_engine.h"
#include "../provider.h"
#include "chacha20_simd.h"

const unsigned char bip324_zeros[BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES + 32];

#ifdef __wasm_simd128__
#define chacha20 bip324_chacha20_simd
#else
static void chacha20(unsigned char *out, const unsigned char *in, size_t len, const unsigned char *key32,
                     const unsigned char *nonce12, uint32_t counter) {
    crypto_stream_chacha20_ietf_xor_ic(out, in, len, nonce12, counter, key32);
}
#endif

static void sodium_poly1305_init(bip324_poly1305_state *st, const unsigned char *key32) {
    crypto_onetimeauth_poly1305_init((crypto_onetimeauth_poly1305_state *)st->bytes, key32);
}

static void sodium_poly1305_update(bip324_poly1305_state *st, const unsigned char *in, size_t len) {
    crypto_onetimeauth_poly1305_update((crypto_onetimeauth_poly1305_state *)st->bytes, in, len);
}

static void sodium_poly1305_final(bip324_poly1305_state *st, unsigned char *tag16) {
    crypto_onetimeauth_poly1305_final((crypto_onetimeauth_poly1305_state *)st->bytes, tag16);
}

static void sodium_poly1305(unsigned char *tag16, const unsigned char *in, size_t len, const unsigned char *key32) {
    crypto_onetimeauth_poly1305(tag16, in, len, key32);
}

static const bip324_primitives primitives = {
    chacha20, sodium_poly1305_init, sodium_poly1305_update, sodium_poly1305_final, sodium_poly1305,
    sizeof(crypto_onetimeauth_poly1305_state), 0
};

int bip324_init(void) { return 1; }

const bip324_primitives *bip324_primitives_of(bip324_provider_id id) {
    (void)id;
    return &primitives;
}

int bip324_provider_available(bip324_provider_id id) { return id == BIP324_PROVIDER_LIBSODIUM; }

bip324_provider_id bip324_provider_default(void) { return BIP324_PROVIDER_LIBSODIUM; }

/* The one provider, by what its ChaCha20 runs on. */
const char *bip324_provider_name(bip324_provider_id id) {
    (void)id;
#ifdef __wasm_simd128__
    return "simd128";
#else
    return "scalar";
#endif
}

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
