/* libsodium's ChaCha20 and Poly1305 as the engine's primitives (provider.h): the provider every
 * build has, the native one beside OpenSSL's (provider.c) and the WebAssembly one (wasm/engine.c). */

#include <sodium.h>

#include "provider.h"

static void sodium_chacha20(unsigned char *out, const unsigned char *in, size_t len, const unsigned char *key32,
                     const unsigned char *nonce12, uint32_t counter) {
    crypto_stream_chacha20_ietf_xor_ic(out, in, len, nonce12, counter, key32);
}

static void sodium_poly1305_init(bip324_poly1305_state *st, const unsigned char *key32) {
    crypto_onetimeauth_poly1305_init((crypto_onetimeauth_poly1305_state *)st->bytes, key32);
}

static void sodium_poly1305_update(bip324_poly1305_state *st, const unsigned char *in, size_t len) {
    crypto_onetimeauth_poly1305_update((crypto_onetimeauth_poly1305_state *)st->bytes, in, len);
}

static void sodium_poly1305_final(bip324_poly1305_state *st, unsigned char *tag16) {
    crypto_onetimeauth_poly1305_final((crypto_onetimeauth_poly1305_state *)st->bytes, tag16);
}

/* libsodium's one-shot wipes its own state. */
static void sodium_poly1305(unsigned char *tag16, const unsigned char *in, size_t len, const unsigned char *key32) {
    crypto_onetimeauth_poly1305(tag16, in, len, key32);
}

const bip324_primitives bip324_sodium_primitives = {
    sodium_chacha20, sodium_poly1305_init, sodium_poly1305_update, sodium_poly1305_final, sodium_poly1305,
    sizeof(crypto_onetimeauth_poly1305_state), 0
};
