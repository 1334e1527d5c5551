/* ChaCha20 and Poly1305 from libsodium (always), or from the host process's OpenSSL.
 *
 * Node links OpenSSL statically and exports its symbols for addons, including the assembly
 * ChaCha20_ctr32 and Poly1305_* entry points that libcrypto uses internally (AVX-512 where the CPU
 * has it, well ahead of libsodium 1.0.18's AVX2 code). They are not a public API: a release may
 * change a signature or the Poly1305 state size, and a call with the old assumptions would
 * corrupt memory before any comparison of outputs could refuse it. So they are used only when,
 * in this order (docs/openssl-provider.md says why each):
 *  1. the switch BIP324_OPENSSL allows it; with "off" (or an invalid value) no symbol is looked up;
 *  2. OpenSSL_version_num() names a series on the allow list (or the switch is "force");
 *  3. all five entry points exist and come from the object that defines OpenSSL_version_num;
 *  4. Poly1305_ctx_size() fits bip324_poly1305_state, asked before any other call;
 *  5. they reproduce libsodium's output on known inputs, run in heap buffers with canary-filled
 *     slack around every buffer they see, and leave every canary intact.
 * Other runtimes (Electron, static builds, other OpenSSL versions) get libsodium. */

#if defined(__unix__) || defined(__APPLE__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, before any system header */
#endif
#include <dlfcn.h>
#define BIP324_HAVE_DLSYM 1
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "provider.h"
const unsigned char bip324_zeros[BIP324_REKEY_INTERVAL * BIP324_LENGTH_BYTES + 32];


/* ---- OpenSSL, resolved at run time ---- */

typedef unsigned long (*openssl_version_num_fn)(void);
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

#ifdef BIP324_HAVE_DLSYM
/* OpenSSL series (major, minor) whose entry points scripts/node-matrix.js found to pass every
 * check in the Node releases we support; docs/openssl-provider.md says how to add one. */
static const struct {
    unsigned major, minor;
} allowed_series[] = {{3, 0}, {3, 5}};
#endif

typedef enum { SWITCH_AUTO, SWITCH_OFF, SWITCH_FORCE, SWITCH_INVALID } openssl_switch;
static const char *const switch_names[] = {"auto", "off", "force", "invalid"};

typedef enum {
    VERDICT_USED,
    VERDICT_OFF,
    VERDICT_MISSING_SYMBOLS,
    VERDICT_UNKNOWN_VERSION,
    VERDICT_DIFFERENT_OBJECTS,
    VERDICT_STATE_TOO_LARGE,
    VERDICT_KNOWN_ANSWER_FAILED,
    VERDICT_CANARY_OVERWRITTEN
} openssl_verdict;
static const char *const verdict_names[] = {"used", "off", "missing-symbols", "unknown-version", "different-objects",
                                            "state-too-large", "known-answer-failed", "canary-overwritten"};

static openssl_switch switch_setting;
static openssl_verdict verdict = VERDICT_OFF;
static char version_text[32]; /* empty: OpenSSL_version_num was not looked up or not found */

static uint32_t load32_le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ChaCha20_ctr32 takes the key and the counter block (counter || nonce) as native words. */
static void openssl_words(unsigned int key[8], unsigned int ctr[4], const unsigned char *key32,
                          const unsigned char *nonce12, uint32_t counter) {
    for (int i = 0; i < 8; i++) key[i] = load32_le(key32 + 4 * i);
    ctr[0] = counter;
    for (int i = 0; i < 3; i++) ctr[i + 1] = load32_le(nonce12 + 4 * i);
}

static void openssl_chacha20(unsigned char *out, const unsigned char *in, size_t len, const unsigned char *key32,
                             const unsigned char *nonce12, uint32_t counter) {
    unsigned int key[8], ctr[4];
    if (len == 0) return;
    openssl_words(key, ctr, key32, nonce12, counter);
    openssl.chacha20(out, in, len, key, ctr);
    sodium_memzero(key, sizeof key);
}

static bip324_primitives openssl_primitives; /* defined below, once its functions are */

static void openssl_poly1305_init(bip324_poly1305_state *st, const unsigned char *key32) {
    openssl.poly1305_init(st->bytes, key32);
}

static void openssl_poly1305_update(bip324_poly1305_state *st, const unsigned char *in, size_t len) {
    openssl.poly1305_update(st->bytes, in, len);
}

static void openssl_poly1305_final(bip324_poly1305_state *st, unsigned char *tag16) {
    openssl.poly1305_final(st->bytes, tag16);
}

static void openssl_poly1305(unsigned char *tag16, const unsigned char *in, size_t len, const unsigned char *key32) {
    bip324_poly1305_state st;
    openssl.poly1305_init(st.bytes, key32);
    openssl.poly1305_update(st.bytes, in, len);
    openssl.poly1305_final(st.bytes, tag16);
    if (!openssl_primitives.poly1305_final_wipes) sodium_memzero(&st, openssl_primitives.poly1305_state_bytes);
}

/* poly1305_state_bytes is set from Poly1305_ctx_size() when the symbols resolve, and
 * poly1305_final_wipes by the known-answer test (OpenSSL's Poly1305_Final cleanses its context). */
static bip324_primitives openssl_primitives = {
    openssl_chacha20, openssl_poly1305_init, openssl_poly1305_update, openssl_poly1305_final, openssl_poly1305, 0, 0
};

static openssl_switch read_switch(void) {
    const char *value = getenv("BIP324_OPENSSL");
    if (value == NULL || strcmp(value, "auto") == 0) return SWITCH_AUTO;
    if (strcmp(value, "off") == 0) return SWITCH_OFF;
    if (strcmp(value, "force") == 0) return SWITCH_FORCE;
    return SWITCH_INVALID;
}

#ifdef BIP324_HAVE_DLSYM /* without dlsym (Windows) nothing is looked up, so nothing is tested */

/* ---- the known-answer test ---- */

/* The KAT's buffers: each `size` bytes inside KAT_SLACK bytes of canary on both sides, so that an
 * entry point reading or writing past what we assumed stays inside our allocation, and a write is
 * seen. Far more than a changed signature plausibly shifts (a field, a block, a struct member). */
#define KAT_MAX 4097
#define KAT_SLACK 4096
#define KAT_ALIGN 64

typedef struct {
    unsigned char *data; /* the usable bytes; KAT_SLACK before and after are ours */
    size_t size;
} kat_buffer;

static unsigned char canary_byte(const unsigned char *p) {
    uintptr_t i = (uintptr_t)p;
    return (unsigned char)(0xa5 ^ (i * 0x3b) ^ (i >> 7));
}

/* Fills the slack before b and everything after its first `used` bytes with canary. */
static void arm(const kat_buffer *b, size_t used) {
    for (unsigned char *p = b->data - KAT_SLACK; p < b->data; p++) *p = canary_byte(p);
    for (unsigned char *p = b->data + used; p < b->data + b->size + KAT_SLACK; p++) *p = canary_byte(p);
}

static int intact(const kat_buffer *b, size_t used) {
    int ok = 1;
    for (const unsigned char *p = b->data - KAT_SLACK; p < b->data; p++) ok &= *p == canary_byte(p);
    for (const unsigned char *p = b->data + used; p < b->data + b->size + KAT_SLACK; p++) ok &= *p == canary_byte(p);
    return ok;
}

static size_t kat_span(size_t size) {
    return (KAT_SLACK + size + KAT_SLACK + KAT_ALIGN - 1) / KAT_ALIGN * KAT_ALIGN;
}

/* Lengths that cross the code paths of vectorised implementations (tails, one block, several
 * blocks at once), at non-zero counters, with Poly1305 fed in uneven pieces; every output
 * compared with libsodium's. A changed signature could also make an input an output, so the
 * inputs count as canaries too: the message is canary bytes, the keys are compared after.
 * Also records whether Poly1305_Final left the whole state zero every time (*final_wipes). */
static openssl_verdict known_answers(size_t state_bytes, int *final_wipes) {
    static const size_t lengths[] = {1, 63, 64, 65, 255, 256, 257, 1000, 4097};
    enum { IN, OUT, KEY, CTR, POLY_KEY, STATE, TAG, NBUF };
    const size_t sizes[NBUF] = {KAT_MAX, KAT_MAX, 8 * sizeof(unsigned int), 4 * sizeof(unsigned int), 32,
                                sizeof(bip324_poly1305_state), 16};
    kat_buffer buf[NBUF];
    unsigned char key32[32], nonce12[12], want[KAT_MAX], tag_want[16];
    unsigned int key_words[8], ctr_words[4];
    bip324_poly1305_state st;
    size_t total = 0;
    unsigned char *arena;
    openssl_verdict result = VERDICT_USED;
    *final_wipes = 1;
    for (int i = 0; i < NBUF; i++) total += kat_span(sizes[i]);
    /* malloc's alignment (16 or more) and KAT_ALIGN offsets keep every buffer as aligned as ours. */
    arena = malloc(total);
    if (arena == NULL) return VERDICT_KNOWN_ANSWER_FAILED; /* not run is not passed */
    total = 0;
    for (int i = 0; i < NBUF; i++) {
        buf[i].data = arena + total + KAT_SLACK;
        buf[i].size = sizes[i];
        total += kat_span(sizes[i]);
    }
    for (size_t i = 0; i < sizeof key32; i++) key32[i] = (unsigned char)(i * 7 + 1);
    for (size_t i = 0; i < sizeof nonce12; i++) nonce12[i] = (unsigned char)(0xa0 + i);
    arm(&buf[IN], 0);
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0] && result == VERDICT_USED; l++) {
        size_t len = lengths[l];
        uint32_t counter = (uint32_t)l * 3;
        bip324_sodium_primitives.chacha20(want, buf[IN].data, len, key32, nonce12, counter);
        openssl_words(key_words, ctr_words, key32, nonce12, counter);
        memcpy(buf[KEY].data, key_words, sizeof key_words);
        memcpy(buf[CTR].data, ctr_words, sizeof ctr_words);
        arm(&buf[KEY], sizeof key_words);
        arm(&buf[CTR], sizeof ctr_words);
        arm(&buf[OUT], len);
        openssl.chacha20(buf[OUT].data, buf[IN].data, len, (const unsigned int *)buf[KEY].data,
                         (const unsigned int *)buf[CTR].data);
        if (!intact(&buf[IN], 0) || !intact(&buf[OUT], len) || !intact(&buf[KEY], sizeof key_words) ||
            !intact(&buf[CTR], sizeof ctr_words) || memcmp(buf[KEY].data, key_words, sizeof key_words) != 0 ||
            memcmp(buf[CTR].data, ctr_words, sizeof ctr_words) != 0) {
            result = VERDICT_CANARY_OVERWRITTEN;
            break;
        }
        if (memcmp(want, buf[OUT].data, len) != 0) result = VERDICT_KNOWN_ANSWER_FAILED;

        bip324_sodium_primitives.poly1305_init(&st, want);
        bip324_sodium_primitives.poly1305_update(&st, buf[IN].data, len);
        bip324_sodium_primitives.poly1305_final(&st, tag_want);
        memcpy(buf[POLY_KEY].data, want, 32);
        arm(&buf[POLY_KEY], 32);
        arm(&buf[STATE], state_bytes);
        arm(&buf[TAG], 16);
        openssl.poly1305_init(buf[STATE].data, buf[POLY_KEY].data);
        openssl.poly1305_update(buf[STATE].data, buf[IN].data, len / 3);
        openssl.poly1305_update(buf[STATE].data, buf[IN].data + len / 3, len - len / 3);
        openssl.poly1305_final(buf[STATE].data, buf[TAG].data);
        *final_wipes &= sodium_is_zero(buf[STATE].data, state_bytes);
        if (!intact(&buf[IN], 0) || !intact(&buf[POLY_KEY], 32) || !intact(&buf[STATE], state_bytes) ||
            !intact(&buf[TAG], 16) || memcmp(buf[POLY_KEY].data, want, 32) != 0) {
            result = VERDICT_CANARY_OVERWRITTEN;
            break;
        }
        if (memcmp(tag_want, buf[TAG].data, 16) != 0) result = VERDICT_KNOWN_ANSWER_FAILED;
    }
    sodium_memzero(&st, sizeof st);
    free(arena);
    return result;
}

/* ---- resolution ---- */

static void format_version(unsigned long v) {
    unsigned major = (unsigned)(v >> 28) & 0xf, minor = (unsigned)(v >> 20) & 0xff;
    if (major >= 3) {
        snprintf(version_text, sizeof version_text, "%u.%u.%u", major, minor, (unsigned)(v >> 4) & 0xff);
    } else { /* 0xMNNFFPPS, as 1.1.1 and BoringSSL report: a patch letter after the fix number */
        unsigned patch = (unsigned)(v >> 4) & 0xff;
        char letter[2] = {patch >= 1 && patch <= 26 ? (char)('a' + patch - 1) : '\0', '\0'};
        snprintf(version_text, sizeof version_text, "%u.%u.%u%s", major, minor, (unsigned)(v >> 12) & 0xff, letter);
    }
}

static int allowed_version(unsigned long v) {
    for (size_t i = 0; i < sizeof allowed_series / sizeof allowed_series[0]; i++) {
        if ((v >> 28) == allowed_series[i].major && ((v >> 20) & 0xff) == allowed_series[i].minor) return 1;
    }
    return 0;
}

/* Whether function pointer f lies in the object loaded at base from file name. */
static int same_object(void *f, const Dl_info *origin) {
    Dl_info info;
    return dladdr(f, &info) != 0 && info.dli_fbase == origin->dli_fbase && info.dli_fname != NULL &&
           strcmp(info.dli_fname, origin->dli_fname) == 0;
}

static openssl_verdict resolve_openssl(void) {
    openssl_version_num_fn version_num;
    openssl_poly1305_size_fn poly1305_size;
    Dl_info origin;
    unsigned long version;
    size_t state_bytes;
    if (switch_setting == SWITCH_OFF || switch_setting == SWITCH_INVALID) return VERDICT_OFF;
    version_num = (openssl_version_num_fn)dlsym(RTLD_DEFAULT, "OpenSSL_version_num");
    if (version_num == NULL) return VERDICT_MISSING_SYMBOLS;
    version = version_num();
    format_version(version);
    if (!allowed_version(version) && switch_setting != SWITCH_FORCE) return VERDICT_UNKNOWN_VERSION;
    poly1305_size = (openssl_poly1305_size_fn)dlsym(RTLD_DEFAULT, "Poly1305_ctx_size");
    openssl.chacha20 = (openssl_chacha20_fn)dlsym(RTLD_DEFAULT, "ChaCha20_ctr32");
    openssl.poly1305_init = (openssl_poly1305_init_fn)dlsym(RTLD_DEFAULT, "Poly1305_Init");
    openssl.poly1305_update = (openssl_poly1305_update_fn)dlsym(RTLD_DEFAULT, "Poly1305_Update");
    openssl.poly1305_final = (openssl_poly1305_final_fn)dlsym(RTLD_DEFAULT, "Poly1305_Final");
    if (poly1305_size == NULL || openssl.chacha20 == NULL || openssl.poly1305_init == NULL ||
        openssl.poly1305_update == NULL || openssl.poly1305_final == NULL) {
        return VERDICT_MISSING_SYMBOLS;
    }
    /* Function pointers as data pointers: what dladdr takes, and fine on every POSIX system. */
    if (dladdr((void *)version_num, &origin) == 0 || origin.dli_fname == NULL ||
        !same_object((void *)poly1305_size, &origin) || !same_object((void *)openssl.chacha20, &origin) ||
        !same_object((void *)openssl.poly1305_init, &origin) || !same_object((void *)openssl.poly1305_update, &origin) ||
        !same_object((void *)openssl.poly1305_final, &origin)) {
        return VERDICT_DIFFERENT_OBJECTS;
    }
    state_bytes = poly1305_size();
    if (state_bytes > sizeof(bip324_poly1305_state)) return VERDICT_STATE_TOO_LARGE;
    openssl_primitives.poly1305_state_bytes = state_bytes;
    return known_answers(state_bytes, &openssl_primitives.poly1305_final_wipes);
}
#else
static openssl_verdict resolve_openssl(void) {
    return switch_setting == SWITCH_OFF || switch_setting == SWITCH_INVALID ? VERDICT_OFF : VERDICT_MISSING_SYMBOLS;
}
#endif

void bip324_providers_init(void) {
    switch_setting = read_switch();
    verdict = resolve_openssl();
}

void bip324_openssl_info(bip324_info *info) {
    info->openssl_switch = switch_names[switch_setting];
    info->openssl_version = version_text[0] != '\0' ? version_text : NULL;
    info->openssl_verdict = verdict_names[verdict];
}

const bip324_primitives *bip324_primitives_of(bip324_provider_id id) {
    return id == BIP324_PROVIDER_OPENSSL ? &openssl_primitives : &bip324_sodium_primitives;
}

int bip324_provider_available(bip324_provider_id id) {
    return id == BIP324_PROVIDER_LIBSODIUM || (id == BIP324_PROVIDER_OPENSSL && verdict == VERDICT_USED);
}

bip324_provider_id bip324_provider_default(void) {
    return verdict == VERDICT_USED ? BIP324_PROVIDER_OPENSSL : BIP324_PROVIDER_LIBSODIUM;
}

const char *bip324_provider_name(bip324_provider_id id) {
    return id == BIP324_PROVIDER_OPENSSL ? "openssl" : "libsodium";
}
