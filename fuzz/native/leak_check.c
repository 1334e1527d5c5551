/* Creates and destroys BIP-324 sessions the way the addon does, to show that nothing accumulates:
 * per session both sides draw keys, agree on a secret, run the key schedule, create their four
 * ciphers on the heap (the addon's cipherCreate), exchange a few packets (garbage as AAD, a decoy,
 * a batch, a refused tampered packet), then wipe and free everything. A secp256k1 context lives
 * for 1,000 sessions, as one per worker thread would.
 *
 * Built by `npm run leakcheck` (scripts/asan-test.sh --leakcheck) with AddressSanitizer, whose
 * LeakSanitizer reports unreachable memory and whose allocator counts the bytes in use: those
 * must be the same after the sessions as after a warm-up, so reachable growth (a cache, a list)
 * fails too. Under valgrind (--valgrind) the counts come from memcheck instead.
 * Usage: leak_check [sessions, default 100000]. Prints "leak_check: N passed, N failed". */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../native/bip324_engine.h"

#if defined(__SANITIZE_ADDRESS__)
#define BIP324_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIP324_HAVE_ASAN 1
#endif
#endif
#ifdef BIP324_HAVE_ASAN
/* From the sanitizer runtime (clang's sanitizer/allocator_interface.h, which gcc does not ship). */
size_t __sanitizer_get_current_allocated_bytes(void);
int __lsan_do_recoverable_leak_check(void);
#endif

#define SESSIONS_PER_CONTEXT 1000

static unsigned long passed, failed;

/* Counts quietly: 100,000 sessions would otherwise print millions of lines. */
#define CHECK(cond, what)                                                  \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else if (failed++ < 10) {                                        \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
        }                                                                  \
    } while (0)

static const unsigned char MAINNET[4] = {0xf9, 0xbe, 0xb4, 0xd9};

typedef struct {
    unsigned char seckey[32], ell[64], secret[32], keys[BIP324_KEYS_BYTES];
    bip324_cipher *send, *recv;
} side;

static bip324_cipher *cipher_create(const unsigned char *length_key32, const unsigned char *aead_key32) {
    bip324_cipher *c = malloc(sizeof *c);
    if (c == NULL) abort();
    bip324_cipher_init(c, length_key32, aead_key32, BIP324_PROVIDER_LIBSODIUM);
    return c;
}

static void cipher_destroy(bip324_cipher *c) {
    bip324_cipher_clear(c);
    free(c);
}

/* One packet from a to b, checked on arrival. */
static void send_packet(bip324_cipher *from, bip324_cipher *to, const unsigned char *contents, size_t len,
                        const unsigned char *aad, size_t aadlen, unsigned char header) {
    unsigned char *packet = malloc(len + BIP324_EXPANSION), *plain = malloc(len + 1), got_header;
    if (packet == NULL || plain == NULL) abort();
    bip324_encrypt(from, packet, contents, len, aad, aadlen, header);
    CHECK(bip324_decrypt_length(to, packet) == len, "length");
    CHECK(bip324_decrypt(to, &got_header, plain, packet + BIP324_LENGTH_BYTES, aad, aadlen) && got_header == header &&
              memcmp(plain, contents, len) == 0,
          "packet");
    free(packet);
    free(plain);
}

static void session(const secp256k1_context *ctx) {
    side a, b;
    unsigned char contents[1000], garbage[4095], batch[3 * (100 + BIP324_EXPANSION)], plain[300], got_header;
    size_t garbage_len, npackets, consumed;
    bip324_slice items[3];
    bip324_packet_info infos[3];
    bip324_batch_status status;

    bip324_keygen(ctx, a.seckey, a.ell);
    bip324_keygen(ctx, b.seckey, b.ell);
    CHECK(bip324_ecdh(ctx, a.secret, a.ell, b.ell, a.seckey, 1), "initiator ecdh");
    CHECK(bip324_ecdh(ctx, b.secret, b.ell, a.ell, b.seckey, 0), "responder ecdh");
    CHECK(memcmp(a.secret, b.secret, 32) == 0, "shared secret");
    bip324_key_schedule(a.keys, a.secret, MAINNET);
    bip324_key_schedule(b.keys, b.secret, MAINNET);
    a.send = cipher_create(a.keys, a.keys + 32);
    a.recv = cipher_create(a.keys + 64, a.keys + 96);
    b.send = cipher_create(b.keys + 64, b.keys + 96);
    b.recv = cipher_create(b.keys, b.keys + 32);

    randombytes_buf(contents, sizeof contents);
    garbage_len = randombytes_uniform(sizeof garbage + 1);
    randombytes_buf(garbage, garbage_len);
    send_packet(a.send, b.recv, contents, 0, garbage, garbage_len, BIP324_IGNORE_BIT); /* decoy with the AAD */
    send_packet(a.send, b.recv, contents, 0, NULL, 0, 0);                               /* version */
    send_packet(a.send, b.recv, contents, sizeof contents, NULL, 0, 0);

    for (int i = 0; i < 3; i++) {
        items[i].data = contents + 100 * i;
        items[i].len = 100;
    }
    bip324_encrypt_batch(b.send, batch, items, 3, NULL);
    bip324_decrypt_batch(a.recv, plain, sizeof plain, infos, 3, &npackets, &consumed, &status, batch, sizeof batch,
                         BIP324_MAX_CONTENTS);
    CHECK(status == BIP324_BATCH_MORE && npackets == 3 && consumed == sizeof batch &&
              memcmp(plain, contents, 300) == 0,
          "batch");

    bip324_encrypt(b.send, batch, contents, 10, NULL, 0, 0);
    batch[BIP324_LENGTH_BYTES + 2] ^= 1;
    CHECK(bip324_decrypt_length(a.recv, batch) == 10 && !bip324_decrypt(a.recv, &got_header, plain, batch + 3, NULL, 0),
          "tampered packet refused");

    cipher_destroy(a.send);
    cipher_destroy(a.recv);
    cipher_destroy(b.send);
    cipher_destroy(b.recv);
    sodium_memzero(&a, sizeof a);
    sodium_memzero(&b, sizeof b);
}

int main(int argc, char **argv) {
    unsigned long sessions = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, done = 0;
    secp256k1_context *ctx = NULL;
    if (bip324_init() != 1) {
        fprintf(stderr, "leak_check: bip324_init failed\n");
        return 2;
    }
#ifdef BIP324_HAVE_ASAN
    size_t warm = 0, end;
#endif
    for (; done < sessions; done++) {
        if (done % SESSIONS_PER_CONTEXT == 0) {
            if (ctx) secp256k1_context_destroy(ctx);
            ctx = bip324_secp256k1_context_create();
            if (ctx == NULL) abort();
        }
        session(ctx);
#ifdef BIP324_HAVE_ASAN
        /* Measured with a context alive, as at the end, after libsodium's lazy set-up. */
        if (done == SESSIONS_PER_CONTEXT / 2) warm = __sanitizer_get_current_allocated_bytes();
#endif
    }
#ifdef BIP324_HAVE_ASAN
    end = __sanitizer_get_current_allocated_bytes();
    if (sessions > SESSIONS_PER_CONTEXT / 2) {
        printf("leak_check: heap in use %zu bytes after %d sessions, %zu after %lu\n", warm,
               SESSIONS_PER_CONTEXT / 2 + 1, end, sessions);
        CHECK(end <= warm, "heap in use grew");
    }
#endif
    if (ctx) secp256k1_context_destroy(ctx);
#ifdef BIP324_HAVE_ASAN
    {
        int leaks = __lsan_do_recoverable_leak_check();
        CHECK(!leaks, "LeakSanitizer found leaks (reported above)");
        printf("leak_check: LeakSanitizer found %s\n", leaks ? "leaks" : "no leak");
    }
#endif
    printf("leak_check: %lu sessions\n", sessions);
    printf("leak_check: %lu passed, %lu failed\n", passed, failed);
    return failed != 0;
}
