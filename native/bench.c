/* The raw C floor for benchmarks (bench.h): the same engine calls a JavaScript caller makes, looped in C. */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bench.h"

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t bench_handshake(const secp256k1_context *ctx, uint64_t iterations) {
    unsigned char seckey[32], ell_ours[64], ell_theirs[64], secret[32], keys[BIP324_KEYS_BYTES];
    static const unsigned char magic[4] = {0xf9, 0xbe, 0xb4, 0xd9};
    uint64_t start;
    int ok = 1;
    randombytes_buf(ell_theirs, sizeof ell_theirs);
    start = now_ns();
    for (uint64_t i = 0; i < iterations; i++) {
        bip324_keygen(ctx, seckey, ell_ours);
        ok &= bip324_ecdh(ctx, secret, ell_ours, ell_theirs, seckey, 1);
        bip324_key_schedule(keys, secret, magic);
    }
    start = now_ns() - start;
    sodium_memzero(seckey, sizeof seckey);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(keys, sizeof keys);
    return ok ? start : 0;
}

/* What every packet loop uses: its keys, and buffers for `size`-byte contents, a packet and the
 * plaintext that comes back. */
static const unsigned char key_l[32] = {1}, key_p[32] = {2};

typedef struct {
    unsigned char *contents, *packet, *plain;
} packet_buffers;

/* Returns: 1, or 0 if memory ran out (then freed with buffers_free all the same). */
static int buffers_alloc(packet_buffers *b, size_t size) {
    b->contents = calloc(1, size + 1);
    b->packet = malloc(size + BIP324_EXPANSION);
    b->plain = malloc(size + 1);
    return b->contents && b->packet && b->plain;
}

static void buffers_free(packet_buffers *b) {
    free(b->contents);
    free(b->packet);
    free(b->plain);
}

/* The roundtrip loop on the frozen baseline, timed as bip324_bench times BIP324_BENCH_ROUNDTRIP. */
static uint64_t bench_baseline(bip324_provider_id provider, size_t size, uint64_t iterations) {
    unsigned char header;
    packet_buffers b;
    bip324_baseline_cipher *send = malloc(bip324_baseline_size()), *recv = malloc(bip324_baseline_size());
    uint64_t elapsed = 0;
    int ok = 1;
    if (buffers_alloc(&b, size) && send && recv) {
        uint64_t start;
        bip324_baseline_init(send, key_l, key_p, provider);
        bip324_baseline_init(recv, key_l, key_p, provider);
        start = now_ns();
        for (uint64_t i = 0; i < iterations; i++) {
            bip324_baseline_encrypt(send, b.packet, b.contents, size);
            (void)bip324_baseline_decrypt_length(recv, b.packet);
            ok &= bip324_baseline_decrypt(recv, &header, b.plain, b.packet + BIP324_LENGTH_BYTES);
        }
        elapsed = now_ns() - start;
        if (!ok) elapsed = 0;
        sodium_memzero(send, bip324_baseline_size());
        sodium_memzero(recv, bip324_baseline_size());
    }
    buffers_free(&b);
    free(send);
    free(recv);
    return elapsed;
}

uint64_t bip324_bench(const secp256k1_context *ctx, bip324_bench_kind kind, bip324_provider_id provider,
                      size_t size, uint64_t iterations) {
    unsigned char header;
    packet_buffers b;
    bip324_cipher *send, *recv;
    uint64_t elapsed = 0;
    int ok = 1;
    if (kind == BIP324_BENCH_HANDSHAKE) return bench_handshake(ctx, iterations);
    if (kind == BIP324_BENCH_BASELINE_ROUNDTRIP) return bench_baseline(provider, size, iterations);
    send = malloc(sizeof *send);
    recv = malloc(sizeof *recv);
    if (buffers_alloc(&b, size) && send && recv) {
        uint64_t start;
        bip324_cipher_init(send, key_l, key_p, provider);
        bip324_cipher_init(recv, key_l, key_p, provider);
        if (kind == BIP324_BENCH_DECRYPT) {
            /* Decrypting needs a fresh valid packet each time: time the pair, minus encryption alone. */
            bip324_cipher enc_only;
            bip324_cipher_init(&enc_only, key_l, key_p, provider);
            start = now_ns();
            for (uint64_t i = 0; i < iterations; i++) bip324_encrypt(&enc_only, b.packet, b.contents, size, NULL, 0, 0);
            elapsed = now_ns() - start;
            bip324_cipher_clear(&enc_only);
        }
        start = now_ns();
        for (uint64_t i = 0; i < iterations; i++) {
            bip324_encrypt(send, b.packet, b.contents, size, NULL, 0, 0);
            if (kind != BIP324_BENCH_ENCRYPT) {
                (void)bip324_decrypt_length(recv, b.packet);
                ok &= bip324_decrypt(recv, &header, b.plain, b.packet + BIP324_LENGTH_BYTES, NULL, 0);
            }
        }
        start = now_ns() - start;
        elapsed = !ok ? 0 : start > elapsed ? start - elapsed : 1;
        bip324_cipher_clear(send);
        bip324_cipher_clear(recv);
    }
    buffers_free(&b);
    free(send);
    free(recv);
    return elapsed;
}
