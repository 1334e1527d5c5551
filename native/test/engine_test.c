/* C-level tests of the engine, run by `npm test` (test/engine-c.test.ts) on the libsodium provider:
 * every row of BIP-324's packet vectors, every encoding the xswiftec_inv vectors list decoded back to
 * its x, the multi-lane ChaCha20 against libsodium's, a long session against a reference built on
 * libsodium's AEAD, then batches against single calls.
 * Usage: engine_test <path to packet_encoding_test_vectors.csv>; xswiftec_inv_test_vectors.csv is read
 * from the same directory.
 * Prints "engine_test: N passed, N failed" and exits non-zero on any failure. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../bip324_engine.h"
#include "../chacha20_lanes.h"

static int passed, failed;

#define CHECK(cond, ...)                                       \
    do {                                                       \
        if (cond) {                                            \
            passed++;                                          \
        } else {                                               \
            failed++;                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                      \
            fputc('\n', stderr);                               \
        }                                                      \
    } while (0)

static const unsigned char MAINNET[4] = {0xf9, 0xbe, 0xb4, 0xd9};

/* ---- CSV ---- */

#define MAX_COLUMNS 32

typedef struct {
    char *names[MAX_COLUMNS];
    int n;
} header_row;

static int split(char *line, char **cells) {
    int n = 0;
    cells[n++] = line;
    for (char *p = line; *p; p++) {
        if (*p == ',' && n < MAX_COLUMNS) {
            *p = 0;
            cells[n++] = p + 1;
        }
    }
    return n;
}

static const char *cell(const header_row *h, char **cells, const char *name) {
    for (int i = 0; i < h->n; i++) {
        if (strcmp(h->names[i], name) == 0) return cells[i];
    }
    fprintf(stderr, "no column %s\n", name);
    exit(2);
}

static unsigned char *unhex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n + 1);
    if (out == NULL || sodium_hex2bin(out, n, hex, 2 * n, NULL, len, NULL) != 0) exit(2);
    return out;
}

static int equals_hex(const unsigned char *bytes, size_t len, const char *hex) {
    size_t n;
    unsigned char *want = unhex(hex, &n);
    int ok = n == len && memcmp(want, bytes, len) == 0;
    free(want);
    return ok;
}

/* ---- the vectors ---- */

static void run_row(const secp256k1_context *ctx, const header_row *h, char **cells, int row) {
    size_t n, unit_len, aadlen;
    unsigned char *priv = unhex(cell(h, cells, "in_priv_ours"), &n);
    unsigned char *ours = unhex(cell(h, cells, "in_ellswift_ours"), &n);
    unsigned char *theirs = unhex(cell(h, cells, "in_ellswift_theirs"), &n);
    unsigned char *unit = unhex(cell(h, cells, "in_contents"), &unit_len);
    unsigned char *aad = unhex(cell(h, cells, "in_aad"), &aadlen);
    int initiating = atoi(cell(h, cells, "in_initiating"));
    long idx = atol(cell(h, cells, "in_idx"));
    size_t multiply = (size_t)atol(cell(h, cells, "in_multiply"));
    unsigned char header = atoi(cell(h, cells, "in_ignore")) ? BIP324_IGNORE_BIT : 0;
    size_t len = unit_len * multiply;
    unsigned char x[32], secret[32], keys[BIP324_KEYS_BYTES], empty[BIP324_EXPANSION], got_header;
    unsigned char *contents = malloc(len + 1), *packet = malloc(len + BIP324_EXPANSION), *plain = malloc(len + 1);
    bip324_cipher send, recv;
    if (!contents || !packet || !plain) exit(2);
    for (size_t i = 0; i < multiply; i++) memcpy(contents + i * unit_len, unit, unit_len);

    bip324_ellswift_decode(ctx, x, ours);
    CHECK(equals_hex(x, 32, cell(h, cells, "mid_x_ours")), "row %d: mid_x_ours", row);
    bip324_ellswift_decode(ctx, x, theirs);
    CHECK(equals_hex(x, 32, cell(h, cells, "mid_x_theirs")), "row %d: mid_x_theirs", row);
    CHECK(bip324_ecdh_x(ctx, x, theirs, priv) && equals_hex(x, 32, cell(h, cells, "mid_x_shared")), "row %d: mid_x_shared", row);
    CHECK(bip324_ecdh(ctx, secret, ours, theirs, priv, initiating) &&
              equals_hex(secret, 32, cell(h, cells, "mid_shared_secret")), "row %d: shared secret", row);
    bip324_key_schedule(keys, secret, MAINNET);
    CHECK(equals_hex(keys, 32, cell(h, cells, "mid_initiator_l")), "row %d: initiator_L", row);
    CHECK(equals_hex(keys + 32, 32, cell(h, cells, "mid_initiator_p")), "row %d: initiator_P", row);
    CHECK(equals_hex(keys + 64, 32, cell(h, cells, "mid_responder_l")), "row %d: responder_L", row);
    CHECK(equals_hex(keys + 96, 32, cell(h, cells, "mid_responder_p")), "row %d: responder_P", row);
    CHECK(equals_hex(keys + 128 + (initiating ? 0 : 16), 16, cell(h, cells, "mid_send_garbage_terminator")), "row %d: send terminator", row);
    CHECK(equals_hex(keys + 128 + (initiating ? 16 : 0), 16, cell(h, cells, "mid_recv_garbage_terminator")), "row %d: recv terminator", row);
    CHECK(equals_hex(keys + 160, 32, cell(h, cells, "out_session_id")), "row %d: session id", row);

    bip324_cipher_init(&send, keys + (initiating ? 0 : 64), keys + (initiating ? 32 : 96), BIP324_PROVIDER_LIBSODIUM);
    bip324_cipher_init(&recv, keys + (initiating ? 0 : 64), keys + (initiating ? 32 : 96), BIP324_PROVIDER_LIBSODIUM);
    for (long i = 0; i < idx; i++) {
        bip324_encrypt(&send, empty, NULL, 0, NULL, 0, 0);
        if (bip324_decrypt_length(&recv, empty) != 0 || !bip324_decrypt(&recv, &got_header, plain, empty + 3, NULL, 0)) {
            CHECK(0, "row %d: empty packet %ld", row, i);
        }
    }
    bip324_encrypt(&send, packet, contents, len, aad, aadlen, header);
    if (*cell(h, cells, "out_ciphertext")) {
        CHECK(equals_hex(packet, len + BIP324_EXPANSION, cell(h, cells, "out_ciphertext")), "row %d: ciphertext", row);
    } else {
        CHECK(equals_hex(packet + len + BIP324_EXPANSION - 128, 128, cell(h, cells, "out_ciphertext_endswith")), "row %d: ciphertext end", row);
    }
    CHECK(bip324_decrypt_length(&recv, packet) == len, "row %d: decrypted length", row);
    packet[len + BIP324_EXPANSION - 1] ^= 1;
    memset(plain, 0x5a, len);
    CHECK(!bip324_decrypt(&recv, &got_header, plain, packet + 3, aad, aadlen) && (len == 0 || plain[0] == 0x5a),
          "row %d: flipped tag bit accepted or plaintext released", row);
    packet[len + BIP324_EXPANSION - 1] ^= 1;
    CHECK(bip324_decrypt(&recv, &got_header, plain, packet + 3, aad, aadlen) && got_header == header &&
              memcmp(plain, contents, len) == 0, "row %d: peer decryption", row);

    bip324_cipher_clear(&send);
    bip324_cipher_clear(&recv);
    free(priv); free(ours); free(theirs); free(unit); free(aad); free(contents); free(packet); free(plain);
}

typedef void (*row_fn)(const secp256k1_context *ctx, const header_row *h, char **cells, int row);

/* Calls fn on every row of a CRLF CSV whose first line names the columns; returns the row count. */
static int for_each_row(const secp256k1_context *ctx, const char *path, row_fn fn) {
    FILE *f = fopen(path, "rb");
    long size;
    char *text, *line, *next;
    char *cells[MAX_COLUMNS];
    header_row h;
    int row = 0;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) exit(2);
    text = malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) exit(2);
    text[size] = 0;
    fclose(f);
    line = text;
    next = strstr(line, "\r\n");
    *next = 0;
    h.n = split(line, h.names);
    for (line = next + 2; *line; line = next + 2) {
        next = strstr(line, "\r\n");
        *next = 0;
        if (split(line, cells) != h.n) exit(2);
        fn(ctx, &h, cells, ++row);
    }
    free(text);
    return row;
}

static void run_vectors(const secp256k1_context *ctx, const char *path) {
    int rows = for_each_row(ctx, path, run_row);
    CHECK(rows == 7, "expected 7 vector rows, read %d", rows);
}

/* ---- the xswiftec_inv vectors, forwards ---- */

/* libsecp256k1 keeps its inverse map (secp256k1_ellswift_xswiftec_inv_var) static, reachable only by
 * compiling the library into the test as its own tests.c does; the engine reaches it only through
 * secp256k1_ellswift_create. What the engine does expose is decoding: each (u, t) a row lists for a
 * case must decode to that row's x. */
static int inverse_encodings;

static void run_inverse_row(const secp256k1_context *ctx, const header_row *h, char **cells, int row) {
    static const char *const cases[8] = {"case0_t", "case1_t", "case2_t", "case3_t", "case4_t", "case5_t", "case6_t", "case7_t"};
    size_t n;
    unsigned char ell64[64], x[32];
    unsigned char *u = unhex(cell(h, cells, "u"), &n);
    if (n != 32) exit(2);
    memcpy(ell64, u, 32);
    free(u);
    for (int c = 0; c < 8; c++) {
        unsigned char *t;
        if (*cell(h, cells, cases[c]) == 0) continue;
        t = unhex(cell(h, cells, cases[c]), &n);
        if (n != 32) exit(2);
        memcpy(ell64 + 32, t, 32);
        free(t);
        bip324_ellswift_decode(ctx, x, ell64);
        CHECK(equals_hex(x, 32, cell(h, cells, "x")), "xswiftec_inv row %d case %d: u || t does not decode to x", row, c);
        inverse_encodings++;
    }
}

static void run_inverse_vectors(const secp256k1_context *ctx, const char *packet_path) {
    const char *slash = strrchr(packet_path, '/');
    size_t dir = slash == NULL ? 0 : (size_t)(slash - packet_path + 1);
    static const char name[] = "xswiftec_inv_test_vectors.csv";
    char *path = malloc(dir + sizeof name);
    int rows;
    if (path == NULL) exit(2);
    memcpy(path, packet_path, dir);
    memcpy(path + dir, name, sizeof name);
    rows = for_each_row(ctx, path, run_inverse_row);
    CHECK(rows == 32, "expected 32 xswiftec_inv rows, read %d", rows);
    /* The file lists a t for 98 of its 256 (row, case) pairs. */
    CHECK(inverse_encodings == 98, "expected 98 xswiftec_inv encodings, checked %d", inverse_encodings);
    free(path);
}

/* ---- the multi-lane ChaCha20 block function ---- */

/* Every implementation that runs here against libsodium, lane by lane: RFC 8439's block vectors
 * (2.3.2, and A.1 #1 and #4 with a counter wrapping past 2^32 - 1 in the next lane) and random keys,
 * counters and nonces, including the patterns the packet cache uses (counters 0 and 1, nonce words
 * up to 223 and 0xffffffff). */
static void check_lanes(int impl, const unsigned char *key, const uint32_t *counter, const uint32_t *nonce0,
                        const unsigned char *nonce8, const char *what) {
    unsigned char got[BIP324_CHACHA20_LANES * 64], want[64], nonce[12];
    static const unsigned char zeros[64];
    if (!bip324_chacha20_lanes_impl(impl, got, key, counter, nonce0, nonce8)) return;
    for (int l = 0; l < BIP324_CHACHA20_LANES; l++) {
        for (int i = 0; i < 4; i++) nonce[i] = (unsigned char)(nonce0[l] >> (8 * i));
        memcpy(nonce + 4, nonce8, 8);
        crypto_stream_chacha20_ietf_xor_ic(want, zeros, 64, nonce, counter[l], key);
        CHECK(memcmp(got + 64 * l, want, 64) == 0, "chacha20 lanes impl %d, %s, lane %d", impl, what, l);
    }
}

static void run_chacha20_lanes(void) {
    /* RFC 8439 2.3.2: key 00..1f, counter 1, nonce 00000009 0000004a 00000000. */
    static const char *const rfc_2_3_2 = "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
                                         "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e";
    /* RFC 8439 A.1 #1: zero key and nonce, counter 0. */
    static const char *const rfc_a_1_1 = "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                                         "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586";
    unsigned char key[32], nonce8[8], block[BIP324_CHACHA20_LANES * 64];
    uint32_t counter[BIP324_CHACHA20_LANES], nonce0[BIP324_CHACHA20_LANES];
    int ran = 0;
    for (int impl = 0; impl < 4; impl++) {
        if (!bip324_chacha20_lanes_impl(impl, block, key, counter, nonce0, nonce8)) continue;
        ran++;
        for (size_t i = 0; i < 32; i++) key[i] = (unsigned char)i;
        memset(nonce8, 0, 8);
        nonce8[3] = 0x4a;
        for (int l = 0; l < BIP324_CHACHA20_LANES; l++) {
            counter[l] = 1;
            nonce0[l] = 0x09000000;
        }
        CHECK(bip324_chacha20_lanes_impl(impl, block, key, counter, nonce0, nonce8) &&
                  equals_hex(block + 64 * (BIP324_CHACHA20_LANES - 1), 64, rfc_2_3_2),
              "chacha20 lanes impl %d: RFC 8439 2.3.2", impl);
        memset(key, 0, 32);
        memset(nonce8, 0, 8);
        for (int l = 0; l < BIP324_CHACHA20_LANES; l++) {
            counter[l] = l == 0 ? 0 : 0xffffffffu - (uint32_t)(l % 2);
            nonce0[l] = 0;
        }
        CHECK(bip324_chacha20_lanes_impl(impl, block, key, counter, nonce0, nonce8) && equals_hex(block, 64, rfc_a_1_1),
              "chacha20 lanes impl %d: RFC 8439 A.1 #1", impl);
        check_lanes(impl, key, counter, nonce0, nonce8, "zero key, counters near 2^32");
        for (int round = 0; round < 2000; round++) {
            randombytes_buf(key, sizeof key);
            randombytes_buf(nonce8, sizeof nonce8);
            randombytes_buf(counter, sizeof counter);
            randombytes_buf(nonce0, sizeof nonce0);
            if (round % 2 == 0) {
                /* The packet cache's pattern: a group of packets of an epoch, blocks 0 and 1 each. */
                uint32_t first = randombytes_uniform(BIP324_REKEY_INTERVAL / BIP324_KEYSTREAM_PACKETS) * BIP324_KEYSTREAM_PACKETS;
                for (int l = 0; l < BIP324_CHACHA20_LANES; l++) {
                    counter[l] = (uint32_t)l % 2;
                    nonce0[l] = round % 4 == 0 ? first + (uint32_t)l / 2 : 0xffffffffu;
                }
            }
            check_lanes(impl, key, counter, nonce0, nonce8, "random");
        }
    }
    CHECK(ran >= 1, "no multi-lane ChaCha20 implementation ran");
}

/* ---- long sessions against libsodium's AEAD ---- */

/* A reference direction from BIP-324's pseudocode on libsodium's ChaCha20 and ChaCha20-Poly1305,
 * nothing shared with the engine: a whole length key's keystream at once, and the AEAD in one call. */
typedef struct {
    unsigned char length_key[32], length_stream[BIP324_REKEY_INTERVAL * 3 + 32], aead_key[32];
    uint64_t chunks, packets;
} reference;

static void reference_nonce(unsigned char *nonce12, uint32_t first, uint64_t rest) {
    for (int i = 0; i < 4; i++) nonce12[i] = (unsigned char)(first >> (8 * i));
    for (int i = 0; i < 8; i++) nonce12[4 + i] = (unsigned char)(rest >> (8 * i));
}

static void reference_seal(reference *r, unsigned char *out, const unsigned char *contents, size_t len,
                           const unsigned char *aad, size_t aadlen, unsigned char header) {
    unsigned char nonce[12], *plain = malloc(len + 1);
    if (plain == NULL) exit(2);
    if (r->chunks % BIP324_REKEY_INTERVAL == 0) {
        if (r->chunks > 0) memcpy(r->length_key, r->length_stream + BIP324_REKEY_INTERVAL * 3, 32);
        reference_nonce(nonce, 0, r->chunks / BIP324_REKEY_INTERVAL);
        crypto_stream_chacha20_ietf(r->length_stream, sizeof r->length_stream, nonce, r->length_key);
    }
    for (int i = 0; i < 3; i++) out[i] = (unsigned char)(len >> (8 * i)) ^ r->length_stream[3 * (r->chunks % BIP324_REKEY_INTERVAL) + i];
    r->chunks++;
    plain[0] = header;
    memcpy(plain + 1, contents, len);
    reference_nonce(nonce, (uint32_t)(r->packets % BIP324_REKEY_INTERVAL), r->packets / BIP324_REKEY_INTERVAL);
    crypto_aead_chacha20poly1305_ietf_encrypt(out + 3, NULL, plain, len + 1, aad, aadlen, NULL, nonce, r->aead_key);
    if (++r->packets % BIP324_REKEY_INTERVAL == 0) {
        static const unsigned char zeros[64];
        unsigned char block[64];
        reference_nonce(nonce, 0xffffffffu, r->packets / BIP324_REKEY_INTERVAL - 1);
        crypto_stream_chacha20_ietf_xor_ic(block, zeros, 64, nonce, 1, r->aead_key);
        memcpy(r->aead_key, block, 32);
    }
    free(plain);
}

/* 1,500 packets (six AEAD and seven length keys) of sizes around the cache's and the one-piece
 * MAC's edges, some with aad, some decrypted in place, every fifth first refused for a flipped bit
 * (which must leave the receiver able to take the right packet next). */
static void run_long_session(bip324_provider_id provider) {
    static const size_t sizes[] = {0, 1, 15, 16, 62, 63, 64, 65, 127, 128, 200, 239, 240, 241, 255, 256, 1000, 5000};
    unsigned char key_l[32], key_p[32], aad[40], header, *contents = malloc(5000), *want = malloc(5000 + 20),
                  *got = malloc(5000 + 20), *plain = malloc(5000);
    bip324_cipher send, recv;
    reference r;
    if (!contents || !want || !got || !plain) exit(2);
    randombytes_buf(key_l, 32);
    randombytes_buf(key_p, 32);
    memcpy(r.length_key, key_l, 32);
    memcpy(r.aead_key, key_p, 32);
    r.chunks = r.packets = 0;
    bip324_cipher_init(&send, key_l, key_p, provider);
    bip324_cipher_init(&recv, key_l, key_p, provider);
    for (int i = 0; i < 1500; i++) {
        size_t len = sizes[randombytes_uniform(sizeof sizes / sizeof sizes[0])], aadlen = i % 7 == 0 ? randombytes_uniform(40) : 0;
        unsigned char hdr = i % 3 == 0 ? BIP324_IGNORE_BIT : 0;
        int ok = 1;
        randombytes_buf(contents, len);
        randombytes_buf(aad, aadlen);
        bip324_encrypt(&send, got, contents, len, aad, aadlen, hdr);
        reference_seal(&r, want, contents, len, aad, aadlen, hdr);
        ok &= memcmp(got, want, len + BIP324_EXPANSION) == 0;
        ok &= bip324_decrypt_length(&recv, got) == len;
        if (i % 5 == 0) {
            got[3 + randombytes_uniform((uint32_t)len + 17)] ^= 0x20;
            ok &= !bip324_decrypt(&recv, &header, plain, got + 3, aad, aadlen) && recv.has_pending;
            memcpy(got, want, len + BIP324_EXPANSION);
        }
        if (i % 2 == 0) {
            ok &= bip324_decrypt(&recv, &header, got + 4, got + 3, aad, aadlen) && memcmp(got + 4, contents, len) == 0;
        } else {
            ok &= bip324_decrypt(&recv, &header, plain, got + 3, aad, aadlen) && memcmp(plain, contents, len) == 0;
        }
        ok &= header == hdr;
        CHECK(ok, "%s long session: packet %d (%zu bytes, aad %zu)", bip324_provider_name(provider), i, len, aadlen);
        if (!ok) break;
    }
    bip324_cipher_clear(&send);
    bip324_cipher_clear(&recv);
    free(contents); free(want); free(got); free(plain);
}

/* ---- batches ---- */

static void run_batches(void) {
    unsigned char key_l[32], key_p[32];
    bip324_cipher a, b, c;
    bip324_slice items[50];
    unsigned char headers[50], data[50][40], batch[50 * 60], single[50 * 60], plain[50 * 40];
    bip324_packet_info infos[50];
    size_t total = 0, npackets, consumed, offset = 0;
    bip324_batch_status status;
    randombytes_buf(key_l, 32);
    randombytes_buf(key_p, 32);
    bip324_cipher_init(&a, key_l, key_p, BIP324_PROVIDER_LIBSODIUM);
    bip324_cipher_init(&b, key_l, key_p, BIP324_PROVIDER_LIBSODIUM);
    bip324_cipher_init(&c, key_l, key_p, BIP324_PROVIDER_LIBSODIUM);
    for (int i = 0; i < 50; i++) {
        randombytes_buf(data[i], sizeof data[i]);
        items[i].data = data[i];
        items[i].len = (size_t)i % 40;
        headers[i] = i % 5 == 0 ? BIP324_IGNORE_BIT : 0;
        bip324_encrypt(&a, single + total, data[i], items[i].len, NULL, 0, headers[i]);
        total += items[i].len + BIP324_EXPANSION;
    }
    bip324_encrypt_batch(&b, batch, items, 50, headers);
    CHECK(memcmp(batch, single, total) == 0, "encrypt_batch differs from single calls");

    /* In two pieces, cut two bytes into packet 4's body: packets 0-3 (20..23 bytes) come out and
     * packet 4's length (4) stays pending. */
    bip324_decrypt_batch(&c, plain, sizeof plain, infos, 50, &npackets, &consumed, &status, batch, 86 + 3 + 2,
                         BIP324_MAX_CONTENTS);
    CHECK(status == BIP324_BATCH_MORE && npackets == 4 && consumed == 86 + 3 && c.has_pending && c.pending == 4,
          "first piece: status %d, %zu packets, %zu consumed", (int)status, npackets, consumed);
    for (size_t i = 0; i < npackets; i++) {
        CHECK(infos[i].len == i && infos[i].header == headers[i] && memcmp(plain + infos[i].offset, data[i], i) == 0,
              "first piece packet %zu", i);
    }
    offset = consumed;
    bip324_decrypt_batch(&c, plain, sizeof plain, infos, 50, &npackets, &consumed, &status, batch + offset,
                         total - offset, BIP324_MAX_CONTENTS);
    CHECK(status == BIP324_BATCH_MORE && npackets == 46 && consumed == total - offset && !c.has_pending,
          "second piece: status %d, %zu packets", (int)status, npackets);
    for (size_t i = 0; i < npackets; i++) {
        CHECK(infos[i].len == (i + 4) % 40 && infos[i].header == headers[i + 4] &&
                  memcmp(plain + infos[i].offset, data[i + 4], infos[i].len) == 0,
              "second piece packet %zu", i);
    }

    /* A bad tag and an oversized length end a batch. */
    bip324_encrypt(&a, single, data[0], 10, NULL, 0, 0);
    single[20] ^= 0x10;
    bip324_decrypt_batch(&c, plain, sizeof plain, infos, 50, &npackets, &consumed, &status, single, 30, BIP324_MAX_CONTENTS);
    CHECK(status == BIP324_BATCH_BAD_MAC && npackets == 0, "bad tag: status %d", (int)status);
    bip324_encrypt(&b, single, data[0], 10, NULL, 0, 0);
    bip324_cipher_init(&c, key_l, key_p, BIP324_PROVIDER_LIBSODIUM);
    bip324_decrypt_batch(&c, plain, sizeof plain, infos, 50, &npackets, &consumed, &status, batch, total, 9);
    CHECK(status == BIP324_BATCH_OVERSIZED && npackets == 10 && c.pending == 10, "oversized: status %d, %zu packets",
          (int)status, npackets);
    bip324_cipher_clear(&a);
    bip324_cipher_clear(&b);
    bip324_cipher_clear(&c);
    CHECK(sodium_is_zero((const unsigned char *)&a, sizeof a), "cipher_clear left state behind");
}

int main(int argc, char **argv) {
    secp256k1_context *ctx;
    if (argc != 2) {
        fprintf(stderr, "usage: %s packet_encoding_test_vectors.csv\n", argv[0]);
        return 2;
    }
    CHECK(bip324_init() == 1, "bip324_init");
    ctx = bip324_secp256k1_context_create();
    CHECK(ctx != NULL, "context");
    CHECK(bip324_provider_available(BIP324_PROVIDER_LIBSODIUM), "libsodium provider");
    CHECK(bip324_provider_available(bip324_provider_default()), "default provider is available");
    run_vectors(ctx, argv[1]);
    run_inverse_vectors(ctx, argv[1]);
    run_chacha20_lanes();
    run_long_session(BIP324_PROVIDER_LIBSODIUM);
    run_batches();
    secp256k1_context_destroy(ctx);
    printf("engine_test: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
