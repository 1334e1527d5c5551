/* bip324_decrypt_length + bip324_decrypt on arbitrary bytes under fixed keys, as a receiver reads
 * a stream: every outcome must match the reference model, a packet that fails authentication
 * must leave the output, the input and the cipher state untouched, and ASan checks that nothing
 * is read or written outside buffers of exactly the documented sizes.
 *
 * Input: flags (bits 0-3: starting packet count, bit 4: decrypt in place, contents = in + 1;
 * bit 5: lengths in plaintext), AAD length (one byte), the first packet's AAD, then packets.
 * With raw lengths the packets are read as sent, and reading stops where one is incomplete (a
 * reader would wait). With plaintext lengths each packet is a little-endian u16 length, which the
 * target encrypts so that the body of any size reaches the AEAD, followed by its body, repeated to
 * length when the input runs out. Arbitrary bodies fail authentication, so raw-length seeds also
 * hold valid packets, whose mutations are the near misses. */

#include "fuzz.h"

#define FLAG_IN_PLACE 0x10
#define FLAG_PLAIN_LENGTHS 0x20
#define SENTINEL 0xa5

static bip324_fuzz_start starts[BIP324_FUZZ_NSTARTS];

static void write_seeds(const char *dir);

BIP324_FUZZ_INITIALIZE_WITH_STARTS(starts, write_seeds)

/* The rest of one packet, body (len + 17 bytes, its own allocation). Returns 1 if accepted. */
static int decrypt_body(bip324_cipher *c, bip324_fuzz_ref *ref, unsigned char *body, uint32_t len, int in_place,
                        const unsigned char *aad, size_t aadlen) {
    size_t bodylen = (size_t)len + BIP324_HEADER_BYTES + BIP324_TAG_BYTES;
    unsigned char *before = bip324_fuzz_dup(body, bodylen), *want = malloc(1 + len), *contents;
    unsigned char header = SENTINEL;
    bip324_cipher saved;
    int ok, want_ok;
    BIP324_FUZZ_CHECK(want != NULL, "out of memory");
    memcpy(&saved, c, sizeof saved);
    want_ok = bip324_fuzz_ref_open(ref, want, body, len, aad, aadlen);
    if (in_place) {
        contents = body + 1;
    } else {
        contents = malloc(len);
        BIP324_FUZZ_CHECK(contents != NULL || len == 0, "out of memory");
        if (len) memset(contents, SENTINEL, len);
    }
    ok = bip324_decrypt(c, &header, contents, body, aad, aadlen);
    BIP324_FUZZ_CHECK(ok == want_ok, "%u-byte packet: engine says %d, reference %d", len, ok, want_ok);
    if (ok) {
        BIP324_FUZZ_CHECK(header == want[0] && (len == 0 || memcmp(contents, want + 1, len) == 0),
                          "%u-byte packet decrypted differently from the reference", len);
        BIP324_FUZZ_CHECK(!c->has_pending, "pending length kept after a packet");
    } else {
        BIP324_FUZZ_CHECK(header == SENTINEL, "header released on a bad tag");
        for (uint32_t i = 0; !in_place && i < len; i++) {
            BIP324_FUZZ_CHECK(contents[i] == SENTINEL, "plaintext released on a bad tag (byte %u)", i);
        }
        BIP324_FUZZ_CHECK(memcmp(&saved, c, sizeof saved) == 0, "a bad tag changed the cipher state");
    }
    if (!ok || !in_place) BIP324_FUZZ_CHECK(memcmp(body, before, bodylen) == 0, "input written to");
    if (!in_place) free(contents);
    free(before);
    free(want);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bip324_fuzz_reader in = {data, size};
    unsigned flags = bip324_fuzz_byte(&in);
    const bip324_fuzz_start *start = &starts[(flags & 0x0f) % BIP324_FUZZ_NSTARTS];
    bip324_cipher c = start->cipher;
    bip324_fuzz_ref ref = start->ref;
    const unsigned char *taken;
    size_t aadlen = bip324_fuzz_take(&in, &taken, bip324_fuzz_byte(&in));
    unsigned char *aad = bip324_fuzz_dup(taken, aadlen);
    for (;;) {
        unsigned char field[3], want3[3], *body;
        uint32_t len;
        size_t need;
        if (flags & FLAG_PLAIN_LENGTHS) {
            static const unsigned char zero3[3];
            unsigned wanted;
            uint32_t ks;
            bip324_cipher probe;
            if (in.left < 2) break;
            wanted = bip324_fuzz_u16(&in);
            memcpy(&probe, &c, sizeof probe);
            ks = bip324_decrypt_length(&probe, zero3); /* the length cipher's next 3 keystream bytes */
            bip324_cipher_clear(&probe);
            for (int i = 0; i < 3; i++) field[i] = (unsigned char)((wanted ^ ks) >> (8 * i));
        } else {
            if (in.left < BIP324_LENGTH_BYTES) break;
            bip324_fuzz_take(&in, &taken, BIP324_LENGTH_BYTES);
            memcpy(field, taken, sizeof field);
        }
        len = bip324_decrypt_length(&c, field);
        bip324_fuzz_ref_crypt3(&ref, want3, field);
        BIP324_FUZZ_CHECK(len == ((uint32_t)want3[0] | (uint32_t)want3[1] << 8 | (uint32_t)want3[2] << 16),
                          "length %u differs from the reference", len);
        need = (size_t)len + BIP324_HEADER_BYTES + BIP324_TAG_BYTES;
        if (flags & FLAG_PLAIN_LENGTHS) {
            size_t got = bip324_fuzz_take(&in, &taken, need);
            body = malloc(need);
            BIP324_FUZZ_CHECK(body != NULL, "out of memory");
            for (size_t i = 0; i < need; i++) body[i] = got ? taken[i % got] : 0;
        } else {
            if (in.left < need) break;
            bip324_fuzz_take(&in, &taken, need);
            body = bip324_fuzz_dup(taken, need);
        }
        if (!decrypt_body(&c, &ref, body, len, (flags & FLAG_IN_PLACE) != 0, aad, aadlen)) {
            free(body);
            break; /* the session is over */
        }
        free(body);
        aadlen = 0; /* only the first packet has AAD */
    }
    free(aad);
    bip324_cipher_clear(&c);
    return 0;
}

/* ---- seeds ---- */

/* Appends a valid packet from the reference model to out at *n. */
static void seal(bip324_fuzz_ref *ref, unsigned char *out, size_t *n, unsigned char header, size_t len,
                 const unsigned char *aad, size_t aadlen) {
    unsigned char len3[3] = {(unsigned char)len, (unsigned char)(len >> 8), (unsigned char)(len >> 16)};
    unsigned char contents[256];
    for (size_t i = 0; i < len; i++) contents[i] = (unsigned char)(i * 7);
    bip324_fuzz_ref_crypt3(ref, out + *n, len3);
    bip324_fuzz_ref_seal(ref, out + *n + 3, header, contents, len, aad, aadlen);
    *n += len + BIP324_EXPANSION;
}

static void write_seeds(const char *dir) {
    static const unsigned char garbage[5] = {'g', 'a', 'r', 'b', 'g'};
    unsigned char seed[1024];
    size_t n;
    bip324_fuzz_ref ref;

    /* From packet 0, with AAD on the first: three packets of 0, 5 and 70 bytes. */
    ref = starts[0].ref;
    seed[0] = 0;
    seed[1] = sizeof garbage;
    memcpy(seed + 2, garbage, sizeof garbage);
    n = 2 + sizeof garbage;
    seal(&ref, seed, &n, 0, 0, garbage, sizeof garbage);
    seal(&ref, seed, &n, 0, 5, NULL, 0);
    seal(&ref, seed, &n, 0, 70, NULL, 0);
    bip324_fuzz_write_seed(dir, "valid-3-packets", seed, n);

    /* In place, across the rekey after packet 223: a 63-byte decoy, then a 64-byte packet. */
    ref = starts[3].ref;
    seed[0] = 3 | FLAG_IN_PLACE;
    seed[1] = 0;
    n = 2;
    seal(&ref, seed, &n, BIP324_IGNORE_BIT, 63, NULL, 0);
    seal(&ref, seed, &n, 0, 64, NULL, 0);
    bip324_fuzz_write_seed(dir, "valid-rekey-in-place", seed, n);

    /* Plaintext lengths 65 and 0 with arbitrary bodies. */
    n = 0;
    seed[n++] = FLAG_PLAIN_LENGTHS;
    seed[n++] = 0;
    seed[n++] = 65;
    seed[n++] = 0;
    for (int i = 0; i < 82; i++) seed[n++] = (unsigned char)(i * 13 + 1);
    bip324_fuzz_write_seed(dir, "plain-lengths", seed, n);

    for (n = 0; n < 48; n++) seed[n] = (unsigned char)(n * 37 + 11);
    bip324_fuzz_write_seed(dir, "raw-bytes", seed, n);
}
