#ifndef BIP324_FUZZ_H
#define BIP324_FUZZ_H

/* Shared by the libFuzzer targets in this folder (built by CMakeLists.txt with -DBIP324_FUZZ=ON,
 * run by scripts/fuzz.js). The targets use the engine's public header only; libsodium and
 * libsecp256k1 serve as independent references, so that a bug the sending and receiving sides
 * share cannot hide behind a passing round trip. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../native/bip324_engine.h"

/* A finding must stop libFuzzer with a crash, so that it saves the input. */
#define BIP324_FUZZ_CHECK(cond, ...)                                        \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz check failed at %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* Fixed keys: the fuzzer explores inputs, not keys. */
static const unsigned char bip324_fuzz_length_key[32] = {
    0x0a, 0x31, 0x5e, 0x7c, 0x21, 0x9b, 0x44, 0xd0, 0x13, 0x8f, 0x66, 0xe2, 0x05, 0xb7, 0x3a, 0xc9,
    0x52, 0x1d, 0xf4, 0x88, 0x6b, 0x27, 0x90, 0xae, 0x3c, 0xd5, 0x71, 0x0e, 0xbb, 0x49, 0xf6, 0x82};
static const unsigned char bip324_fuzz_aead_key[32] = {
    0xe1, 0x47, 0x2c, 0x9d, 0x58, 0x03, 0xb6, 0x7a, 0xc4, 0x1f, 0x8e, 0x35, 0xda, 0x60, 0x97, 0x2b,
    0x74, 0xcf, 0x19, 0xa3, 0x4e, 0xf0, 0x0d, 0x86, 0x6c, 0xb1, 0x38, 0xe5, 0x12, 0x9a, 0x57, 0xfd};

static inline void bip324_fuzz_init(void) {
    BIP324_FUZZ_CHECK(bip324_init() == 1, "bip324_init");
}

/* The LLVMFuzzerInitialize of the targets that start from fixed cipher states around the rekeys:
 * make those states, or, with BIP324_FUZZ_SEEDS set, write the target's seeds and exit. */
#define BIP324_FUZZ_INITIALIZE_WITH_STARTS(starts, write_seeds) \
    int LLVMFuzzerInitialize(int *argc, char ***argv) {         \
        (void)argc;                                             \
        (void)argv;                                             \
        bip324_fuzz_init();                                     \
        bip324_fuzz_make_starts(starts);                        \
        if (bip324_fuzz_seed_dir()) {                           \
            write_seeds(bip324_fuzz_seed_dir());                \
            exit(0);                                            \
        }                                                       \
        return 0;                                               \
    }

/* A copy of n input bytes in a buffer of exactly n bytes, so that AddressSanitizer reports any read
 * past the end (libFuzzer's own buffer may be followed by more of its memory). */
static inline unsigned char *bip324_fuzz_dup(const unsigned char *data, size_t n) {
    unsigned char *copy = malloc(n);
    BIP324_FUZZ_CHECK(copy != NULL || n == 0, "out of memory");
    if (n) memcpy(copy, data, n);
    return copy;
}

/* `npm run fuzz -- --seeds` runs each target with BIP324_FUZZ_SEEDS=<dir>: the target writes its
 * seed inputs there and exits, since only it knows its input format and the fixed keys. */
static inline const char *bip324_fuzz_seed_dir(void) {
    return getenv("BIP324_FUZZ_SEEDS");
}

static inline void bip324_fuzz_write_seed(const char *dir, const char *name, const unsigned char *data, size_t n) {
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    BIP324_FUZZ_CHECK(f != NULL && fwrite(data, 1, n, f) == n && fclose(f) == 0, "cannot write %s", path);
}

/* Reads the fuzzer's input front to back; past the end every read yields zeros. */
typedef struct {
    const unsigned char *p;
    size_t left;
} bip324_fuzz_reader;

static inline unsigned bip324_fuzz_byte(bip324_fuzz_reader *r) {
    if (r->left == 0) return 0;
    r->left--;
    return *r->p++;
}

static inline unsigned bip324_fuzz_u16(bip324_fuzz_reader *r) {
    unsigned lo = bip324_fuzz_byte(r);
    return lo | bip324_fuzz_byte(r) << 8;
}

/* Up to n bytes: returns how many were taken. */
static inline size_t bip324_fuzz_take(bip324_fuzz_reader *r, const unsigned char **out, size_t n) {
    if (n > r->left) n = r->left;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return n;
}

/* ---- reference model of one direction, on libsodium's RFC 8439 code ---- */

/* Written from BIP-324's pseudocode ("FSChaCha20", "FSChaCha20Poly1305"), not from the engine:
 * keystream per chunk rather than 11 blocks at once, and libsodium's own AEAD rather than the
 * engine's split of header and contents. */
typedef struct {
    unsigned char length_stream[BIP324_REKEY_INTERVAL * 3 + 32]; /* the current length key's keystream */
    uint64_t length_chunks; /* chunks done in total */
    unsigned char aead_key[32];
    uint64_t packets;
} bip324_fuzz_ref;

static inline void bip324_fuzz_nonce(unsigned char *nonce12, uint32_t first, uint64_t rest) {
    for (int i = 0; i < 4; i++) nonce12[i] = (unsigned char)(first >> (8 * i));
    for (int i = 0; i < 8; i++) nonce12[4 + i] = (unsigned char)(rest >> (8 * i));
}

static inline void bip324_fuzz_ref_length_key(bip324_fuzz_ref *r, const unsigned char *key32) {
    unsigned char nonce[12];
    bip324_fuzz_nonce(nonce, 0, r->length_chunks / BIP324_REKEY_INTERVAL);
    crypto_stream_chacha20_ietf(r->length_stream, sizeof r->length_stream, nonce, key32);
}

static inline void bip324_fuzz_ref_init(bip324_fuzz_ref *r) {
    r->length_chunks = 0;
    r->packets = 0;
    bip324_fuzz_ref_length_key(r, bip324_fuzz_length_key);
    memcpy(r->aead_key, bip324_fuzz_aead_key, 32);
}

/* FSChaCha20 on one 3-byte chunk. */
static inline void bip324_fuzz_ref_crypt3(bip324_fuzz_ref *r, unsigned char *out3, const unsigned char *in3) {
    uint32_t chunk = (uint32_t)(r->length_chunks % BIP324_REKEY_INTERVAL);
    for (int i = 0; i < 3; i++) out3[i] = in3[i] ^ r->length_stream[3 * chunk + i];
    if (++r->length_chunks % BIP324_REKEY_INTERVAL == 0) {
        unsigned char next[32];
        memcpy(next, r->length_stream + BIP324_REKEY_INTERVAL * 3, 32);
        bip324_fuzz_ref_length_key(r, next);
    }
}

static inline void bip324_fuzz_ref_advance(bip324_fuzz_ref *r) {
    if (++r->packets % BIP324_REKEY_INTERVAL == 0) {
        unsigned char nonce[12], zeros[32] = {0}, rekey[32 + 16];
        bip324_fuzz_nonce(nonce, 0xffffffffu, r->packets / BIP324_REKEY_INTERVAL - 1);
        crypto_aead_chacha20poly1305_ietf_encrypt(rekey, NULL, zeros, 32, NULL, 0, NULL, nonce, r->aead_key);
        memcpy(r->aead_key, rekey, 32);
    }
}

/* FSChaCha20Poly1305 encryption of header || contents: out gets 1 + len + 16 bytes. */
static inline void bip324_fuzz_ref_seal(bip324_fuzz_ref *r, unsigned char *out, unsigned char header,
                                        const unsigned char *contents, size_t len, const unsigned char *aad,
                                        size_t aadlen) {
    unsigned char nonce[12];
    unsigned char *plain = malloc(1 + len);
    BIP324_FUZZ_CHECK(plain != NULL, "out of memory");
    plain[0] = header;
    if (len) memcpy(plain + 1, contents, len);
    bip324_fuzz_nonce(nonce, (uint32_t)(r->packets % BIP324_REKEY_INTERVAL), r->packets / BIP324_REKEY_INTERVAL);
    crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, plain, 1 + len, aad, aadlen, NULL, nonce, r->aead_key);
    free(plain);
    bip324_fuzz_ref_advance(r);
}

/* The matching decryption of in (1 + len + 16 bytes) into plain (1 + len bytes: header, then
 * contents). Returns 1, or 0 on a wrong tag, leaving the model as it was. */
static inline int bip324_fuzz_ref_open(bip324_fuzz_ref *r, unsigned char *plain, const unsigned char *in, size_t len,
                                       const unsigned char *aad, size_t aadlen) {
    unsigned char nonce[12];
    bip324_fuzz_nonce(nonce, (uint32_t)(r->packets % BIP324_REKEY_INTERVAL), r->packets / BIP324_REKEY_INTERVAL);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(plain, NULL, NULL, in, 1 + len + 16, aad, aadlen, nonce,
                                                  r->aead_key) != 0) {
        return 0;
    }
    bip324_fuzz_ref_advance(r);
    return 1;
}

/* ---- starting points around the rekey boundaries ---- */

/* Ciphers are plain structs, so a state can be copied: the targets start at a chosen packet count
 * without paying for the packets before it on every run. */
static const unsigned bip324_fuzz_starts[] = {0, 1, 222, 223, 224, 225, 446, 447, 448, 671};
#define BIP324_FUZZ_NSTARTS (sizeof bip324_fuzz_starts / sizeof bip324_fuzz_starts[0])

typedef struct {
    bip324_cipher cipher; /* after bip324_fuzz_starts[i] empty packets sent (or received) */
    bip324_fuzz_ref ref;  /* the same, in the reference model */
} bip324_fuzz_start;

static inline void bip324_fuzz_make_starts(bip324_fuzz_start *starts) {
    bip324_cipher c;
    bip324_fuzz_ref r;
    unsigned char packet[BIP324_EXPANSION], want[BIP324_EXPANSION];
    unsigned done = 0;
    bip324_cipher_init(&c, bip324_fuzz_length_key, bip324_fuzz_aead_key, BIP324_PROVIDER_LIBSODIUM);
    bip324_fuzz_ref_init(&r);
    for (size_t i = 0; i < BIP324_FUZZ_NSTARTS; i++) {
        for (; done < bip324_fuzz_starts[i]; done++) {
            static const unsigned char zero3[3];
            bip324_encrypt(&c, packet, NULL, 0, NULL, 0, 0);
            bip324_fuzz_ref_crypt3(&r, want, zero3);
            bip324_fuzz_ref_seal(&r, want + 3, 0, NULL, 0, NULL, 0);
            BIP324_FUZZ_CHECK(memcmp(packet, want, sizeof packet) == 0, "empty packet %u differs from the reference", done);
        }
        starts[i].cipher = c;
        starts[i].ref = r;
    }
    bip324_cipher_clear(&c);
}

#endif
