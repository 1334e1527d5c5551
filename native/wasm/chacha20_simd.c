/* RFC 8439 ChaCha20 (out = in XOR keystream from block `counter`) for the WebAssembly build with
 * SIMD128: four blocks at a time, word i of the four blocks in one 128-bit vector, the same
 * "vertical" layout as native/chacha20_lanes.c, but transposed back in registers and XORed 16
 * bytes at a time, since here it carries the whole of every packet's contents (libsodium's
 * portable ChaCha20 does one block at a time in scalar code). Checked against libsodium's by
 * test/wasm-backend.test.ts through the packet vectors and the native engine's packets. */

#include <stdint.h>
#include <string.h>

#include "chacha20_simd.h"
#include "../chacha20_rounds.h"

typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));

static uint32_t load32_le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Rotations by 16 and 8 are byte shuffles (one i8x16.shuffle); 12 and 7 take two shifts and an or. */
#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define ROT16(v) ((u32x4)__builtin_shufflevector((u8x16)(v), (u8x16)(v), 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13))
#define ROT8(v) ((u32x4)__builtin_shufflevector((u8x16)(v), (u8x16)(v), 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14))
#define QUARTER(a, b, c, d)                  \
    a += b; d ^= a; d = ROT16(d);            \
    c += d; b ^= c; b = ROTL(b, 12);         \
    a += b; d ^= a; d = ROT8(d);             \
    c += d; b ^= c; b = ROTL(b, 7)

/* The four keystream blocks from s[12]'s counters, as four rows of 16 words (row b is block b). */
static void blocks4(u32x4 rows[4][4], const u32x4 s[16]) {
    u32x4 x[16];
    for (int i = 0; i < 16; i++) x[i] = s[i];
    BIP324_CHACHA20_ROUNDS(x)
    for (int i = 0; i < 16; i++) x[i] += s[i];
    /* Words 4g .. 4g+3 of the four blocks, from columns to rows: a 4x4 transpose. */
    for (int g = 0; g < 4; g++) {
        u32x4 t0 = __builtin_shufflevector(x[4 * g], x[4 * g + 1], 0, 4, 1, 5);
        u32x4 t1 = __builtin_shufflevector(x[4 * g + 2], x[4 * g + 3], 0, 4, 1, 5);
        u32x4 t2 = __builtin_shufflevector(x[4 * g], x[4 * g + 1], 2, 6, 3, 7);
        u32x4 t3 = __builtin_shufflevector(x[4 * g + 2], x[4 * g + 3], 2, 6, 3, 7);
        rows[0][g] = __builtin_shufflevector(t0, t1, 0, 1, 4, 5);
        rows[1][g] = __builtin_shufflevector(t0, t1, 2, 3, 6, 7);
        rows[2][g] = __builtin_shufflevector(t2, t3, 0, 1, 4, 5);
        rows[3][g] = __builtin_shufflevector(t2, t3, 2, 3, 6, 7);
    }
    /* The vectors stay in registers or spill slots the next call overwrites, as in chacha20_lanes.c. */
}

void bip324_chacha20_simd(unsigned char *out, const unsigned char *in, size_t len, const unsigned char *key32,
                          const unsigned char *nonce12, uint32_t counter) {
    static const uint32_t sigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    const u32x4 zero = {0}, step = {0, 1, 2, 3};
    u32x4 s[16], rows[4][4];
    for (int i = 0; i < 4; i++) s[i] = zero + sigma[i];
    for (int i = 0; i < 8; i++) s[4 + i] = zero + load32_le(key32 + 4 * i);
    s[12] = zero + counter + step;
    for (int i = 0; i < 3; i++) s[13 + i] = zero + load32_le(nonce12 + 4 * i);
    for (; len >= 256; len -= 256, in += 256, out += 256) {
        blocks4(rows, s);
        for (int b = 0; b < 4; b++) {
            for (int g = 0; g < 4; g++) {
                u32x4 v;
                memcpy(&v, in + 64 * b + 16 * g, 16);
                v ^= rows[b][g];
                memcpy(out + 64 * b + 16 * g, &v, 16);
            }
        }
        s[12] += 4;
    }
    if (len > 0) {
        const unsigned char *ks = (const unsigned char *)rows;
        blocks4(rows, s);
        for (size_t i = 0; i < len; i++) out[i] = in[i] ^ ks[i];
    }
    /* The key and the keystream: wiped as libsodium wipes its own. */
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) s[i] = zero;
    __builtin_memset(rows, 0, sizeof rows);
    __asm__ __volatile__("" : : "r"(s), "r"(rows) : "memory");
}
