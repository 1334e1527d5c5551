/* ChaCha20 and Poly1305 from libsodium (always), or from the host process's OpenSSL.
 *
 * Node links OpenSSL statically and exports its symbols for addons, including the assembly
 * ChaCha20_ctr32 and Poly1305_* entry points that libcrypto uses internally (AVX-512 where the CPU
 * has it, well ahead of libsodium 1.0.18's AVX2 code). They are not a public API, so they are only
 * used after they reproduce libsodium's output on known inputs; other runtimes (Electron, static
 * builds, other OpenSSL versions) get libsodium. */

#include <string.h>

#include <sodium.h>

#include "provider.h"

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define BIP324_HAVE_DLSYM 1
#endif

const unsigned char bip324_zeros[BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES + 32];

/* ---- libsodium ---- */

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

static const bip324_primitives sodium_primitives = {
    sodium_chacha20, sodium_poly1305_init, sodium_poly1305_update, sodium_poly1305_final,
    sizeof(crypto_onetimeauth_poly1305_state)
};

/* ---- OpenSSL, resolved at run time ---- */

typedef void (*openssl_chacha20_fn)(unsigned char *out, const unsigned char *in, size_t len,
                                    const unsigned int key[8], const unsigned int counter[4]);
typedef size_t (*openssl_poly1305_size_fn)(void);
typedef void (*openssl_poly1305_init_fn)(void *ctx, const unsigned char key[32]);
typedef void (*openssl_poly1305_update_fn)(void *ctx, const unsigned char *in, size_t len);
typedef void (*openssl_poly1305_final_fn)(void *ctx, unsigned char mac[16]);

static struct {
    openssl_chacha20_fn chacha20;
    openssl_poly1305_init_fn poly1305_init;
    openssl_poly1305_update_fn poly1305_update;
    openssl_poly1305_final_fn poly1305_final;
} openssl;
static int openssl_ok;

static uint32_t load32_le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void openssl_chacha20(unsigned char *out, const unsigned char *in, size_t len, const unsigned char *key32,
                             const unsigned char *nonce12, uint32_t counter) {
    unsigned int key[8], ctr[4];
    if (len == 0) return;
    for (int i = 0; i < 8; i++) key[i] = load32_le(key32 + 4 * i);
    ctr[0] = counter;
    for (int i = 0; i < 3; i++) ctr[i + 1] = load32_le(nonce12 + 4 * i);
    openssl.chacha20(out, in, len, key, ctr);
    sodium_memzero(key, sizeof key);
}

static void openssl_poly1305_init(bip324_poly1305_state *st, const unsigned char *key32) {
    openssl.poly1305_init(st->bytes, key32);
}

static void openssl_poly1305_update(bip324_poly1305_state *st, const unsigned char *in, size_t len) {
    openssl.poly1305_update(st->bytes, in, len);
}

static void openssl_poly1305_final(bip324_poly1305_state *st, unsigned char *tag16) {
    openssl.poly1305_final(st->bytes, tag16);
}

/* poly1305_state_bytes is set from Poly1305_ctx_size() when the symbols resolve. */
static bip324_primitives openssl_primitives = {
    openssl_chacha20, openssl_poly1305_init, openssl_poly1305_update, openssl_poly1305_final, 0
};

/* Known answers: both primitives must match libsodium on lengths that cross the code paths of
 * vectorised implementations (tails, one block, several blocks at once, a non-zero counter), with
 * Poly1305 fed in uneven pieces. */
static int primitives_agree(const bip324_primitives *candidate) {
    static const size_t lengths[] = {1, 63, 64, 65, 255, 256, 257, 1000, 4097};
    unsigned char key[32], nonce[12], in[4097], want[4097], got[4097], tag_want[16], tag_got[16];
    bip324_poly1305_state st;
    int ok = 1;
    for (size_t i = 0; i < sizeof key; i++) key[i] = (unsigned char)(i * 7 + 1);
    for (size_t i = 0; i < sizeof nonce; i++) nonce[i] = (unsigned char)(0xa0 + i);
    for (size_t i = 0; i < sizeof in; i++) in[i] = (unsigned char)(i * 131 + 17);
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        size_t len = lengths[l];
        sodium_primitives.chacha20(want, in, len, key, nonce, (uint32_t)l * 3);
        candidate->chacha20(got, in, len, key, nonce, (uint32_t)l * 3);
        ok &= memcmp(want, got, len) == 0;
        sodium_primitives.poly1305_init(&st, want);
        sodium_primitives.poly1305_update(&st, in, len);
        sodium_primitives.poly1305_final(&st, tag_want);
        candidate->poly1305_init(&st, want);
        candidate->poly1305_update(&st, in, len / 3);
        candidate->poly1305_update(&st, in + len / 3, len - len / 3);
        candidate->poly1305_final(&st, tag_got);
        ok &= memcmp(tag_want, tag_got, sizeof tag_want) == 0;
    }
    return ok;
}

static void resolve_openssl(void) {
#ifdef BIP324_HAVE_DLSYM
    openssl_poly1305_size_fn poly1305_size = (openssl_poly1305_size_fn)dlsym(RTLD_DEFAULT, "Poly1305_ctx_size");
    openssl.chacha20 = (openssl_chacha20_fn)dlsym(RTLD_DEFAULT, "ChaCha20_ctr32");
    openssl.poly1305_init = (openssl_poly1305_init_fn)dlsym(RTLD_DEFAULT, "Poly1305_Init");
    openssl.poly1305_update = (openssl_poly1305_update_fn)dlsym(RTLD_DEFAULT, "Poly1305_Update");
    openssl.poly1305_final = (openssl_poly1305_final_fn)dlsym(RTLD_DEFAULT, "Poly1305_Final");
    if (poly1305_size == NULL || openssl.chacha20 == NULL || openssl.poly1305_init == NULL ||
        openssl.poly1305_update == NULL || openssl.poly1305_final == NULL) {
        return;
    }
    openssl_primitives.poly1305_state_bytes = poly1305_size();
    if (openssl_primitives.poly1305_state_bytes > sizeof(bip324_poly1305_state)) return;
    openssl_ok = primitives_agree(&openssl_primitives);
#endif
}

void bip324_providers_init(void) {
    resolve_openssl();
}

const bip324_primitives *bip324_primitives_of(bip324_provider_id id) {
    return id == BIP324_PROVIDER_OPENSSL ? &openssl_primitives : &sodium_primitives;
}

int bip324_provider_available(bip324_provider_id id) {
    return id == BIP324_PROVIDER_LIBSODIUM || (id == BIP324_PROVIDER_OPENSSL && openssl_ok);
}

bip324_provider_id bip324_provider_default(void) {
    return openssl_ok ? BIP324_PROVIDER_OPENSSL : BIP324_PROVIDER_LIBSODIUM;
}

const char *bip324_provider_name(bip324_provider_id id) {
    return id == BIP324_PROVIDER_OPENSSL ? "openssl" : "libsodium";
}
