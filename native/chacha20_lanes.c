/* ChaCha20 (RFC 8439, section 2.3) on BIP324_CHACHA20_LANES blocks at once (chacha20_lanes.h).
 *
 * The state is kept "vertically": word i of several lanes in one vector, so each quarter round is a
 * few vector adds, xors and rotations over all of them, and the lanes differ only in their counter
 * and first nonce word. GCC's and Clang's vector extensions say this once for every target: the
 * same body is compiled for vectors of 8 lanes (AVX2 registers, or two SSE2 or NEON registers),
 * run in two passes, and on x86-64 for vectors of 16 lanes (AVX-512 registers), run in one; the
 * widest the CPU has is picked at run time. Compilers without the extensions (MSVC) get plain
 * loops over the lanes.
 *
 * Checked against libsodium's ChaCha20 for every lane and implementation, random counters and
 * nonces, and the RFC's vectors, in native/test/engine_test.c. */

#include "chacha20_lanes.h"
#include "chacha20_rounds.h"

#include <sodium.h>

#define LANES BIP324_CHACHA20_LANES

static uint32_t load32_le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32_le(unsigned char *p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One store: byte by byte, GCC vectorises the transposition below into a maze of unpacks. */
    __builtin_memcpy(p, &v, 4);
    return;
#endif
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* What makes the 16 input words of every lane: "expand 32-byte k", the key, the counter, the nonce;
 * all but the counter and the nonce's first word the same in every lane. */
typedef struct {
    uint32_t key[8], nonce1, nonce2;
    uint32_t counter[LANES], nonce0[LANES];
} lanes_input;

static const uint32_t sigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

/* RFC 8439's quarter round, on uint32_t or on vectors of them alike, with the rotations by 16 and
 * by 8 as `rot16` and `rot8` (bodies without a faster way pass ROTL16 and ROTL8). */
#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define ROTL16(v) ROTL(v, 16)
#define ROTL8(v) ROTL(v, 8)
#define QUARTER_WITH(rot16, rot8, a, b, c, d)      \
    a += b; d ^= a; d = rot16(d);                  \
    c += d; b ^= c; b = ROTL(b, 12);               \
    a += b; d ^= a; d = rot8(d);                   \
    c += d; b ^= c; b = ROTL(b, 7)
#define QUARTER(a, b, c, d) QUARTER_WITH(ROTL16, ROTL8, a, b, c, d)

#if defined(__GNUC__) || defined(__clang__)

typedef uint32_t lanes8 __attribute__((vector_size(4 * 8)));
typedef uint32_t lanes16 __attribute__((vector_size(4 * 16)));

/* Lanes first .. first + (width of vec_t) - 1: 20 rounds (10 column + diagonal pairs) and the final
 * addition of the input, into out's words (one row per word, as in), rotating by 16 and 8 with
 * rot16 and rot8. A macro, not a function, so that each instantiation below is compiled for its own
 * instruction set. The vectors stay in registers (or spill slots the next call overwrites), as
 * libsodium's own SIMD ChaCha20 leaves them. */
#define CHACHA20_BODY(vec_t, out, in, first, rot16, rot8)                                \
    do {                                                                                 \
        const vec_t zero = {0};                                                          \
        vec_t x[16], s[16];                                                              \
        for (int i = 0; i < 4; i++) s[i] = zero + sigma[i];                              \
        for (int i = 0; i < 8; i++) s[4 + i] = zero + (in)->key[i];                      \
        __builtin_memcpy(&s[12], (in)->counter + (first), sizeof s[12]);                 \
        __builtin_memcpy(&s[13], (in)->nonce0 + (first), sizeof s[13]);                  \
        s[14] = zero + (in)->nonce1;                                                     \
        s[15] = zero + (in)->nonce2;                                                     \
        for (int i = 0; i < 16; i++) x[i] = s[i];                                        \
        for (int r = 0; r < 10; r++) {                                                   \
            QUARTER_WITH(rot16, rot8, x[0], x[4], x[8], x[12]);                          \
            QUARTER_WITH(rot16, rot8, x[1], x[5], x[9], x[13]);                          \
            QUARTER_WITH(rot16, rot8, x[2], x[6], x[10], x[14]);                         \
            QUARTER_WITH(rot16, rot8, x[3], x[7], x[11], x[15]);                         \
            QUARTER_WITH(rot16, rot8, x[0], x[5], x[10], x[15]);                         \
            QUARTER_WITH(rot16, rot8, x[1], x[6], x[11], x[12]);                         \
            QUARTER_WITH(rot16, rot8, x[2], x[7], x[8], x[13]);                          \
            QUARTER_WITH(rot16, rot8, x[3], x[4], x[9], x[14]);                          \
        }                                                                                \
        for (int i = 0; i < 16; i++) {                                                   \
            x[i] += s[i];                                                                \
            __builtin_memcpy((out)[i] + (first), &x[i], sizeof x[i]);                    \
        }                                                                                \
    } while (0)

static void blocks_portable(uint32_t out[16][LANES], const lanes_input *in) {
    for (int first = 0; first < LANES; first += 8) CHACHA20_BODY(lanes8, out, in, first, ROTL16, ROTL8);
}

/* mingw-w64's GCC does not align the stack for the 32- and 64-byte vectors it spills (GCC bug
 * 54412), so AVX code would fault there: Windows builds with it keep the portable body. */
#if (defined(__x86_64__) || defined(_M_X64)) && !(defined(_WIN32) && !defined(__clang__))
#define HAVE_X86_BODIES 1
/* AVX2 has no vector rotation: by 16 and by 8, a byte shuffle within each word (one vpshufb) does
 * what two shifts and an or do for 12 and 7. A fifth fewer instructions per round, and 15-20% less
 * time for the blocks on Zen 3. AVX-512 rotates in one instruction (vprold), as ROTL compiles. */
typedef uint8_t bytes32 __attribute__((vector_size(32)));
#ifdef __clang__
#define BYTE_SHUFFLE(v, ...) __builtin_shufflevector((bytes32)(v), (bytes32)(v), __VA_ARGS__)
#else
#define BYTE_SHUFFLE(v, ...) __builtin_shuffle((bytes32)(v), (bytes32){__VA_ARGS__})
#endif
#define ROT16_BYTES(v) ((lanes8)BYTE_SHUFFLE(v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, \
                                             18, 19, 16, 17, 22, 23, 20, 21, 26, 27, 24, 25, 30, 31, 28, 29))
#define ROT8_BYTES(v) ((lanes8)BYTE_SHUFFLE(v, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, \
                                            19, 16, 17, 18, 23, 20, 21, 22, 27, 24, 25, 26, 31, 28, 29, 30))
__attribute__((target("avx2"))) static void blocks_avx2(uint32_t out[16][LANES], const lanes_input *in) {
    for (int first = 0; first < LANES; first += 8) CHACHA20_BODY(lanes8, out, in, first, ROT16_BYTES, ROT8_BYTES);
}
__attribute__((target("avx512f"))) static void blocks_avx512(uint32_t out[16][LANES], const lanes_input *in) {
    CHACHA20_BODY(lanes16, out, in, 0, ROTL16, ROTL8);
}
#endif

#else /* no vector extensions: the same rounds, lane by lane */

static void blocks_portable(uint32_t out[16][LANES], const lanes_input *in) {
    for (int l = 0; l < LANES; l++) {
        uint32_t s[16], x[16];
        for (int i = 0; i < 4; i++) s[i] = sigma[i];
        for (int i = 0; i < 8; i++) s[4 + i] = in->key[i];
        s[12] = in->counter[l];
        s[13] = in->nonce0[l];
        s[14] = in->nonce1;
        s[15] = in->nonce2;
        for (int i = 0; i < 16; i++) x[i] = s[i];
        BIP324_CHACHA20_ROUNDS(x)
        for (int i = 0; i < 16; i++) out[i][l] = x[i] + s[i];
        sodium_memzero(s, sizeof s);
        sodium_memzero(x, sizeof x);
    }
}

#endif

typedef void (*blocks_fn)(uint32_t out[16][LANES], const lanes_input *in);

/* The implementations by number (chacha20_lanes.h), or NULL where one cannot run. */
static blocks_fn implementation(int impl) {
    switch (impl) {
    case 0: return blocks_portable;
#ifdef HAVE_X86_BODIES
    case 1: return sodium_runtime_has_avx2() ? blocks_avx2 : NULL;
    case 2: return sodium_runtime_has_avx512f() ? blocks_avx512 : NULL;
#endif
    default: return NULL;
    }
}

int bip324_chacha20_lanes_impl(int impl, unsigned char *out, const unsigned char *key32, const uint32_t *counter,
                               const uint32_t *nonce0, const unsigned char *nonce8) {
    lanes_input in;
    uint32_t words[16][LANES]; /* the keystream: wiped */
    blocks_fn blocks = implementation(impl);
    if (blocks == NULL) return 0;
    for (int i = 0; i < 8; i++) in.key[i] = load32_le(key32 + 4 * i);
    in.nonce1 = load32_le(nonce8);
    in.nonce2 = load32_le(nonce8 + 4);
    for (int l = 0; l < LANES; l++) {
        in.counter[l] = counter[l];
        in.nonce0[l] = nonce0[l];
    }
    blocks(words, &in);
    /* Word i of lane l is bytes 4i..4i+3 of block l. */
    for (int l = 0; l < LANES; l++) {
        for (int i = 0; i < 16; i++) store32_le(out + 64 * l + 4 * i, words[i][l]);
    }
    sodium_memzero(&in, sizeof in);
    sodium_memzero(words, sizeof words);
    return 1;
}

void bip324_chacha20_lanes(unsigned char *out, const unsigned char *key32, const uint32_t *counter,
                           const uint32_t *nonce0, const unsigned char *nonce8) {
    for (int impl = 2; impl > 0; impl--) {
        if (bip324_chacha20_lanes_impl(impl, out, key32, counter, nonce0, nonce8)) return;
    }
    (void)bip324_chacha20_lanes_impl(0, out, key32, counter, nonce0, nonce8);
}
