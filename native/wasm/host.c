/* What the WebAssembly module takes from its host, and what a hosted C library would otherwise
 * provide: randomness, and the few libsodium and libsecp256k1 hooks whose hosted versions print or
 * abort through WASI. The module's one import is WASI's random_get, which wasi-libc's malloc
 * imports anyway: lib/crypto/wasm.ts answers it with the host's CSPRNG (crypto.getRandomValues,
 * or node:crypto's in Node). Nothing here seeds a generator of its own. */

#include <stddef.h>
#include <stdint.h>

#include <wasi/api.h>

void randombytes_buf(void *const buf, const size_t size) {
    /* The host's random_get cannot fail short of a broken runtime, where nothing may go on. */
    if (__wasi_random_get(buf, size) != 0) __builtin_trap();
}

/* libsodium calls it on an argument no caller of ours can pass (a stream over 2^38 bytes). */
void sodium_misuse(void) { __builtin_trap(); }

/* libsodium's wipe, as utils.c does it without memset_s: a volatile pointer the compiler cannot
 * drop. */
void sodium_memzero(void *const pnt, const size_t len) {
    volatile unsigned char *volatile p = (volatile unsigned char *volatile)pnt;
    for (size_t i = 0; i < len; i++) p[i] = 0;
}

/* libsecp256k1's callbacks for an illegal argument or an internal error (USE_EXTERNAL_DEFAULT_CALLBACKS):
 * the engine passes none, so these never run; a trap rather than a print. */
void secp256k1_default_illegal_callback_fn(const char *str, void *data) {
    (void)str;
    (void)data;
    __builtin_trap();
}

void secp256k1_default_error_callback_fn(const char *str, void *data) {
    (void)str;
    (void)data;
    __builtin_trap();
}
