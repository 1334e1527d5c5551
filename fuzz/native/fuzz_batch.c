/* bip324_encrypt_batch and bip324_decrypt_batch. A stream, either the fuzzer's bytes as they are
 * or packets the target encrypts with encrypt_batch (optionally with one bit flipped), arrives in
 * fuzzer-chosen pieces and is decrypted with fuzzer-chosen output capacities, the way a reader
 * calls decrypt_batch: again with the unconsumed rest once more bytes have arrived.
 *
 * After every call: the packets lie back to back inside the capacity; no plaintext is written
 * past them (so none from a packet that failed); the consumed bytes replay in the reference model
 * as exactly these packets plus, maybe, a pending length; the status agrees with what is left.
 * With no flip every packet comes back as sent.
 *
 * Input: flags (bits 0-3: starting packet count, bit 4: raw stream, bit 5: flip a bit), max_contents
 * (u16; 0xffff for BIP324_MAX_CONTENTS), four call settings used in turn (u16 bytes arriving
 * before the call, 0 for all; u16 plaintext capacity, 0xffff for all; max_packets, 0xff for all),
 * then the raw stream, or the flipped bit (u16 byte offset, bit number) if any, and packets
 * (contents length, header, contents repeated to length when the input runs short). */

#include "fuzz.h"

#define FLAG_RAW 0x10
#define FLAG_FLIP 0x20
#define SENTINEL 0x5a
#define MAX_CALLS 4096

static bip324_fuzz_start starts[BIP324_FUZZ_NSTARTS];

static void write_seeds(const char *dir);

BIP324_FUZZ_INITIALIZE_WITH_STARTS(starts, write_seeds)

typedef struct {
    unsigned arrive, plain_cap, max_packets;
} call_settings;

typedef struct {
    bip324_fuzz_ref ref;
    int has_pending;
    uint32_t pending;
} reference_reader;

typedef struct {
    const unsigned char *contents; /* each packet's contents, back to back, or NULL if unknown */
    const size_t *lens;
    const unsigned char *headers;
    size_t n, next, offset; /* packets sent, the next to come back, its contents offset */
} expected_packets;

/* Replays in[0..consumed) in the reference reader and checks it yields the call's packets. */
static void replay(reference_reader *r, const unsigned char *in, size_t consumed, const unsigned char *plain,
                   const bip324_packet_info *packets, size_t npackets, expected_packets *sent) {
    size_t pos = 0, n = 0;
    while (pos < consumed) {
        unsigned char len3[3], *want;
        size_t need;
        if (!r->has_pending) {
            BIP324_FUZZ_CHECK(consumed - pos >= 3, "consumed a partial length");
            bip324_fuzz_ref_crypt3(&r->ref, len3, in + pos);
            r->pending = (uint32_t)len3[0] | (uint32_t)len3[1] << 8 | (uint32_t)len3[2] << 16;
            r->has_pending = 1;
            pos += 3;
            if (pos == consumed) break;
        }
        need = (size_t)r->pending + BIP324_HEADER_BYTES + BIP324_TAG_BYTES;
        BIP324_FUZZ_CHECK(consumed - pos >= need, "consumed a partial packet");
        BIP324_FUZZ_CHECK(n < npackets, "consumed more packets than returned");
        want = malloc(1 + r->pending);
        BIP324_FUZZ_CHECK(want != NULL, "out of memory");
        BIP324_FUZZ_CHECK(bip324_fuzz_ref_open(&r->ref, want, in + pos, r->pending, NULL, 0),
                          "returned a packet the reference refuses");
        BIP324_FUZZ_CHECK(packets[n].len == r->pending && packets[n].header == want[0] &&
                              (r->pending == 0 || memcmp(plain + packets[n].offset, want + 1, r->pending) == 0),
                          "packet %zu differs from the reference", n);
        if (sent->contents) {
            BIP324_FUZZ_CHECK(sent->next < sent->n && sent->lens[sent->next] == r->pending &&
                                  sent->headers[sent->next] == want[0] &&
                                  (r->pending == 0 ||
                                   memcmp(want + 1, sent->contents + sent->offset, r->pending) == 0),
                              "packet %zu did not come back as sent", sent->next);
            sent->offset += sent->lens[sent->next++];
        }
        free(want);
        r->has_pending = 0;
        pos += need;
        n++;
    }
    BIP324_FUZZ_CHECK(n == npackets, "returned %zu packets, consumed %zu", npackets, n);
}

/* Feeds stream (len bytes) to c; returns the final status. */
static bip324_batch_status feed(bip324_cipher *c, reference_reader *r, const unsigned char *stream, size_t len,
                                const call_settings *settings, uint32_t max_contents, expected_packets *sent) {
    size_t pos = 0, arrived = 0;
    int unbounded = 0;
    bip324_batch_status status = BIP324_BATCH_MORE;
    for (unsigned call = 0; call < MAX_CALLS; call++) {
        const call_settings *s = &settings[call % 4];
        int late = call >= MAX_CALLS / 2; /* then the rest arrives at once, so that every stream ends */
        size_t avail, plain_cap, max_packets, npackets = 7, consumed = 7, used = 0;
        unsigned char *in, *plain;
        bip324_packet_info *packets;
        unbounded |= late;
        arrived = late || s->arrive == 0 || len - arrived < s->arrive ? len : arrived + s->arrive;
        avail = arrived - pos;
        plain_cap = unbounded || s->plain_cap == 0xffff ? avail : s->plain_cap;
        /* A packet whose length is pending takes 17 more bytes at least. */
        max_packets = unbounded || s->max_packets == 0xff ? avail / (BIP324_HEADER_BYTES + BIP324_TAG_BYTES) + 1
                                                          : s->max_packets;
        in = bip324_fuzz_dup(stream + pos, avail);
        plain = malloc(plain_cap);
        packets = malloc(max_packets * sizeof *packets);
        BIP324_FUZZ_CHECK((plain != NULL || plain_cap == 0) && (packets != NULL || max_packets == 0), "out of memory");
        if (plain_cap) memset(plain, SENTINEL, plain_cap);

        bip324_decrypt_batch(c, plain, plain_cap, packets, max_packets, &npackets, &consumed, &status, in, avail,
                             max_contents);

        BIP324_FUZZ_CHECK(consumed <= avail && npackets <= max_packets, "consumed %zu of %zu, %zu packets of %zu",
                          consumed, avail, npackets, max_packets);
        for (size_t i = 0; i < npackets; i++) {
            BIP324_FUZZ_CHECK(packets[i].offset == used && packets[i].header <= 0xff, "packet %zu misplaced", i);
            used += packets[i].len;
        }
        BIP324_FUZZ_CHECK(used <= plain_cap, "packets overrun the capacity");
        for (size_t i = used; i < plain_cap; i++) {
            BIP324_FUZZ_CHECK(plain[i] == SENTINEL, "plaintext written past the packets (byte %zu)", i);
        }
        BIP324_FUZZ_CHECK(memcmp(in, stream + pos, avail) == 0, "the input was written to");
        replay(r, in, consumed, plain, packets, npackets, sent);
        BIP324_FUZZ_CHECK(c->has_pending == r->has_pending && (!r->has_pending || c->pending == r->pending),
                          "pending length differs from the reference");
        {
            size_t rest = avail - consumed, need = (size_t)c->pending + BIP324_HEADER_BYTES + BIP324_TAG_BYTES;
            switch (status) {
            case BIP324_BATCH_MORE:
                BIP324_FUZZ_CHECK(c->has_pending ? rest < need : rest < 3, "MORE with a whole packet left");
                break;
            case BIP324_BATCH_FULL:
                BIP324_FUZZ_CHECK(npackets == max_packets || (c->has_pending && plain_cap - used < c->pending),
                                  "FULL with room left");
                break;
            case BIP324_BATCH_OVERSIZED:
                BIP324_FUZZ_CHECK(c->has_pending && c->pending > max_contents, "OVERSIZED under the limit");
                break;
            case BIP324_BATCH_BAD_MAC: {
                unsigned char *want = malloc(1 + c->pending);
                BIP324_FUZZ_CHECK(want != NULL, "out of memory");
                BIP324_FUZZ_CHECK(c->has_pending && rest >= need && !bip324_fuzz_ref_open(&r->ref, want, in + consumed,
                                                                                      c->pending, NULL, 0),
                                  "BAD_MAC on a packet the reference accepts");
                free(want);
                break;
            }
            default:
                BIP324_FUZZ_CHECK(0, "unknown status %d", (int)status);
            }
        }
        free(in);
        free(plain);
        free(packets);
        pos += consumed;
        if (status == BIP324_BATCH_BAD_MAC || status == BIP324_BATCH_OVERSIZED) return status;
        /* A reader whose outputs are too small for the next packet makes them larger. */
        if (status == BIP324_BATCH_FULL && npackets == 0) unbounded = 1;
        if (status == BIP324_BATCH_MORE && arrived == len) return status;
    }
    BIP324_FUZZ_CHECK(0, "no end after %d calls", MAX_CALLS);
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bip324_fuzz_reader in = {data, size};
    unsigned flags = bip324_fuzz_byte(&in);
    const bip324_fuzz_start *start = &starts[(flags & 0x0f) % BIP324_FUZZ_NSTARTS];
    unsigned max16 = bip324_fuzz_u16(&in);
    uint32_t max_contents = max16 == 0xffff ? BIP324_MAX_CONTENTS : max16;
    call_settings settings[4];
    bip324_cipher c;
    reference_reader r = {start->ref, 0, 0};
    expected_packets sent = {NULL, NULL, NULL, 0, 0, 0};
    memcpy(&c, &start->cipher, sizeof c);
    for (int i = 0; i < 4; i++) {
        settings[i].arrive = bip324_fuzz_u16(&in);
        settings[i].plain_cap = bip324_fuzz_u16(&in);
        settings[i].max_packets = bip324_fuzz_byte(&in);
    }
    if (flags & FLAG_RAW) {
        feed(&c, &r, in.p, in.left, settings, max_contents, &sent);
    } else {
        size_t flip_at = 0, total = 0, contents_len = 0, n = 0;
        unsigned flip_bit = 0;
        bip324_slice items[64];
        size_t lens[64];
        unsigned char headers[64], *contents, *stream, *pos;
        bip324_cipher sender;
        bip324_fuzz_ref sender_ref = start->ref;
        bip324_batch_status status;
        if (flags & FLAG_FLIP) {
            flip_at = bip324_fuzz_u16(&in);
            flip_bit = bip324_fuzz_byte(&in) & 7;
        }
        contents = malloc(64 * 255);
        BIP324_FUZZ_CHECK(contents != NULL, "out of memory");
        while (in.left > 0 && n < 64) {
            const unsigned char *taken;
            size_t got;
            lens[n] = bip324_fuzz_byte(&in);
            headers[n] = (unsigned char)bip324_fuzz_byte(&in);
            got = bip324_fuzz_take(&in, &taken, lens[n]);
            for (size_t i = 0; i < lens[n]; i++) contents[contents_len + i] = got ? taken[i % got] : (unsigned char)i;
            items[n].data = contents + contents_len;
            items[n].len = lens[n];
            contents_len += lens[n];
            total += lens[n] + BIP324_EXPANSION;
            n++;
        }
        stream = malloc(total);
        BIP324_FUZZ_CHECK(stream != NULL || total == 0, "out of memory");
        memcpy(&sender, &start->cipher, sizeof sender);
        bip324_encrypt_batch(&sender, stream, items, n, headers);
        pos = stream;
        for (size_t i = 0; i < n; i++) {
            unsigned char *want = malloc(lens[i] + BIP324_EXPANSION);
            const unsigned char len3[3] = {(unsigned char)lens[i], 0, 0};
            BIP324_FUZZ_CHECK(want != NULL, "out of memory");
            bip324_fuzz_ref_crypt3(&sender_ref, want, len3);
            bip324_fuzz_ref_seal(&sender_ref, want + 3, headers[i], items[i].data, lens[i], NULL, 0);
            BIP324_FUZZ_CHECK(memcmp(pos, want, lens[i] + BIP324_EXPANSION) == 0, "encrypt_batch packet %zu differs", i);
            pos += lens[i] + BIP324_EXPANSION;
            free(want);
        }
        if ((flags & FLAG_FLIP) && total > 0) stream[flip_at % total] ^= (unsigned char)(1u << flip_bit);
        sent.contents = contents;
        sent.lens = lens;
        sent.headers = headers;
        sent.n = n;
        status = feed(&c, &r, stream, total, settings, max_contents, &sent);
        if (!(flags & FLAG_FLIP)) {
            size_t biggest = 0;
            for (size_t i = 0; i < n; i++) biggest = lens[i] > biggest ? lens[i] : biggest;
            if (biggest <= max_contents) {
                BIP324_FUZZ_CHECK(status == BIP324_BATCH_MORE && sent.next == n, "%zu of %zu packets came back (status %d)",
                                  sent.next, n, (int)status);
            }
        }
        bip324_cipher_clear(&sender);
        free(stream);
        free(contents);
    }
    bip324_cipher_clear(&c);
    return 0;
}

/* ---- seeds ---- */

static size_t put_settings(unsigned char *seed, size_t n, unsigned flags, unsigned max16, const unsigned *calls12) {
    seed[n++] = (unsigned char)flags;
    seed[n++] = (unsigned char)max16;
    seed[n++] = (unsigned char)(max16 >> 8);
    for (int i = 0; i < 4; i++) {
        seed[n++] = (unsigned char)calls12[3 * i];
        seed[n++] = (unsigned char)(calls12[3 * i] >> 8);
        seed[n++] = (unsigned char)calls12[3 * i + 1];
        seed[n++] = (unsigned char)(calls12[3 * i + 1] >> 8);
        seed[n++] = (unsigned char)calls12[3 * i + 2];
    }
    return n;
}

static void write_seeds(const char *dir) {
    static const unsigned all[12] = {0, 0xffff, 0xff, 0, 0xffff, 0xff, 0, 0xffff, 0xff, 0, 0xffff, 0xff};
    static const unsigned tight[12] = {25, 10, 2, 7, 0xffff, 1, 100, 40, 0, 0, 3, 0xff};
    unsigned char seed[1024];
    size_t n;

    /* Ten packets of 0..90 bytes, all at once. */
    n = put_settings(seed, 0, 0, 0xffff, all);
    for (int i = 0; i < 10; i++) {
        seed[n++] = (unsigned char)(i * 10);
        seed[n++] = i % 3 ? 0 : BIP324_IGNORE_BIT;
        seed[n++] = (unsigned char)(0x30 + i);
    }
    bip324_fuzz_write_seed(dir, "ten-packets", seed, n);

    /* The same from packet 222, in small pieces into small outputs, with max_contents 64. */
    n = put_settings(seed, 0, 2, 64, tight);
    for (int i = 0; i < 10; i++) {
        seed[n++] = (unsigned char)(i * 7);
        seed[n++] = 0;
        seed[n++] = (unsigned char)(0x30 + i);
    }
    bip324_fuzz_write_seed(dir, "pieces-across-rekey", seed, n);

    /* One flipped bit in the third packet's body. */
    n = put_settings(seed, 0, FLAG_FLIP, 0xffff, all);
    seed[n++] = 90; /* packets take 40 bytes: byte 7 of the third packet's body */
    seed[n++] = 0;
    seed[n++] = 4;
    for (int i = 0; i < 4; i++) {
        seed[n++] = 20;
        seed[n++] = 0;
        seed[n++] = (unsigned char)i;
    }
    bip324_fuzz_write_seed(dir, "flipped-bit", seed, n);

    /* Arbitrary bytes. */
    n = put_settings(seed, 0, FLAG_RAW, 0xffff, tight);
    for (int i = 0; i < 64; i++) seed[n++] = (unsigned char)(i * 29 + 3);
    bip324_fuzz_write_seed(dir, "raw-bytes", seed, n);
}
