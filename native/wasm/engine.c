/* What the WebAssembly build puts where native/provider.c and native/info.c are: one provider (no
 * OpenSSL, no dlsym, no environment): ChaCha20 on SIMD128 vectors (chacha20_simd.c) where the
 * module is built with them, else libsodium's portable one, and libsodium's Poly1305, used without
 * sodium_init (which would pick among implementations not compiled here: libsodium starts on the
 * portable ones). Randomness comes from the host (host.c). */

#include <string.h>

#include <sodium.h>

#include "../bip324_engine.h"
#include "../provider.h"
#include "chacha20_simd.h"

const unsigned char bip324_zeros[BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES + 32];

/* libsodium's primitives, with ChaCha20 on SIMD128 vectors where the module has them. */
static bip324_primitives primitives;

int bip324_init(void) {
    primitives = bip324_sodium_primitives;
#ifdef __wasm_simd128__
    primitives.chacha20 = bip324_chacha20_simd;
#endif
    return 1;
}

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

