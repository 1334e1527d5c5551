/* Engine set-up and the build facts nativeInfo() reports. */

#include <sodium.h>

#include "bip324_engine.h"
#include "provider.h"

/* scripts/fetch-deps.js --defines passes the pinned versions it verified in the sources. */
#define BIP324_STR_(x) #x
#define BIP324_STR(x) BIP324_STR_(x)

int bip324_init(void) {
    if (sodium_init() < 0) return 0;
    bip324_providers_init();
    return 1;
}

void bip324_get_info(bip324_info *info) {
    info->secp256k1_version = BIP324_STR(BIP324_SECP256K1_VERSION);
    info->sodium_version = sodium_version_string();
    info->provider = bip324_provider_name(bip324_provider_default());
    bip324_openssl_info(info);
    info->has_ssse3 = sodium_runtime_has_ssse3();
    info->has_avx2 = sodium_runtime_has_avx2();
    info->has_avx512f = sodium_runtime_has_avx512f();
#if defined(__x86_64__) || defined(_M_X64)
    /* deps/libsodium.gyp compiles libsodium's SIMD code on x64 only. libsodium keeps its pick
     * private, so this repeats the rule in stream_chacha20.c and onetimeauth_poly1305.c. */
    info->chacha20 = info->has_avx2 ? "avx2" : info->has_ssse3 ? "ssse3" : "ref";
    info->poly1305 = sodium_runtime_has_sse2() ? "sse2" : "donna";
#else
    info->chacha20 = "ref";
    info->poly1305 = "donna";
#endif
}
