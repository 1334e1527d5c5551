/* bip324_encrypt then bip324_decrypt_length + bip324_decrypt of fuzzer-chosen packets: contents,
 * header byte (the ignore bit and the ignored bits), AAD, decryption in place or not, runs of
 * empty packets across the 224-packet rekeys, and tampering. Every ciphertext must equal the
 * reference model's, every packet must come back as sent, and a tampered packet must be refused
 * without changing the receiver, which then accepts the intact packet.
 *
 * Input: the starting packet count (one byte), then records. A record is an op byte and its
 * arguments: op & 3 == 1 is a run of N empty packets (N: one byte); otherwise a packet of
 * op & 3 == 2 ? u16 : one byte contents length, followed by its header byte, its AAD (if op &
 * 0x40: a length byte and the bytes), the tampered bit (if op & 0x10: a u16 byte offset into
 * the body and a bit number) and its contents, repeated to length when the input runs short. op & 0x20 decrypts in
 * place. */

#include "fuzz.h"

#define OP_EMPTY_RUN 1
#define OP_LONG 2
#define OP_TAMPER 0x10
#define OP_IN_PLACE 0x20
#define OP_AAD 0x40
/* Keep each run quick (long packets repeat their contents): 300 packets cross a rekey from any
 * starting point. */
#define MAX_BYTES_PER_INPUT (1u << 18)
#define MAX_PACKETS_PER_INPUT 300

static bip324_fuzz_start starts[BIP324_FUZZ_NSTARTS];

static void write_seeds(const char *dir);

BIP324_FUZZ_INITIALIZE_WITH_STARTS(starts, write_seeds)

typedef struct {
    bip324_cipher send, recv;
    bip324_fuzz_ref ref;
} session;

static void roundtrip(session *s, unsigned char header, const unsigned char *contents, size_t len,
                      const unsigned char *aad, size_t aadlen, int in_place, long tamper_bit) {
    size_t total = len + BIP324_EXPANSION, bodylen = total - BIP324_LENGTH_BYTES;
    unsigned char *packet = malloc(total), *want = malloc(total), *body, *plain, got_header = 0;
    bip324_cipher saved;
    uint64_t index = s->ref.packets;
    BIP324_FUZZ_CHECK(packet != NULL && want != NULL, "out of memory");
    bip324_encrypt(&s->send, packet, contents, len, aad, aadlen, header);
    bip324_fuzz_ref_crypt3(&s->ref, want, (const unsigned char[3]){(unsigned char)len, (unsigned char)(len >> 8),
                                                                   (unsigned char)(len >> 16)});
    bip324_fuzz_ref_seal(&s->ref, want + 3, header, contents, len, aad, aadlen);
    BIP324_FUZZ_CHECK(memcmp(packet, want, total) == 0, "packet %llu (%zu bytes) differs from the reference",
                      (unsigned long long)index, len);

    BIP324_FUZZ_CHECK(bip324_decrypt_length(&s->recv, packet) == len, "packet %llu: length", (unsigned long long)index);
    body = bip324_fuzz_dup(packet + BIP324_LENGTH_BYTES, bodylen);
    plain = in_place ? body + 1 : malloc(len);
    BIP324_FUZZ_CHECK(plain != NULL || len == 0, "out of memory");
    if (tamper_bit >= 0) {
        size_t at = (size_t)tamper_bit / 8 % bodylen;
        body[at] ^= (unsigned char)(1u << (tamper_bit % 8));
        memcpy(&saved, &s->recv, sizeof saved);
        BIP324_FUZZ_CHECK(!bip324_decrypt(&s->recv, &got_header, plain, body, aad, aadlen),
                          "packet %llu accepted with body byte %zu changed", (unsigned long long)index, at);
        BIP324_FUZZ_CHECK(memcmp(&saved, &s->recv, sizeof saved) == 0, "a bad tag changed the receiver");
        body[at] ^= (unsigned char)(1u << (tamper_bit % 8));
        BIP324_FUZZ_CHECK(memcmp(body, packet + BIP324_LENGTH_BYTES, bodylen) == 0, "a bad tag wrote to the input");
    }
    BIP324_FUZZ_CHECK(bip324_decrypt(&s->recv, &got_header, plain, body, aad, aadlen), "packet %llu refused",
                      (unsigned long long)index);
    BIP324_FUZZ_CHECK(got_header == header && (len == 0 || memcmp(plain, contents, len) == 0),
                      "packet %llu (%zu bytes) came back different", (unsigned long long)index, len);
    BIP324_FUZZ_CHECK(s->send.aead_packets == s->recv.aead_packets && s->recv.aead_packets == s->ref.packets,
                      "packet counts diverge");
    if (!in_place) free(plain);
    free(body);
    free(want);
    free(packet);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bip324_fuzz_reader in = {data, size};
    const bip324_fuzz_start *start = &starts[bip324_fuzz_byte(&in) % BIP324_FUZZ_NSTARTS];
    session s;
    size_t budget = MAX_BYTES_PER_INPUT;
    uint64_t first = start->ref.packets;
    memcpy(&s.send, &start->cipher, sizeof s.send);
    memcpy(&s.recv, &start->cipher, sizeof s.recv);
    s.ref = start->ref;
    while (in.left > 0 && s.ref.packets - first < MAX_PACKETS_PER_INPUT) {
        unsigned op = bip324_fuzz_byte(&in);
        if ((op & 3) == OP_EMPTY_RUN) {
            for (unsigned n = bip324_fuzz_byte(&in); n > 0; n--) roundtrip(&s, 0, NULL, 0, NULL, 0, 0, -1);
        } else {
            size_t len = (op & 3) == OP_LONG ? bip324_fuzz_u16(&in) : bip324_fuzz_byte(&in);
            unsigned char header = (unsigned char)bip324_fuzz_byte(&in), *contents, *aad;
            const unsigned char *taken = NULL;
            size_t aadlen = 0, got;
            long tamper_bit = -1;
            if (len > budget) break;
            budget -= len;
            if (op & OP_AAD) aadlen = bip324_fuzz_take(&in, &taken, bip324_fuzz_byte(&in));
            aad = bip324_fuzz_dup(taken, aadlen);
            if (op & OP_TAMPER) {
                tamper_bit = (long)bip324_fuzz_u16(&in) * 8;
                tamper_bit += bip324_fuzz_byte(&in) & 7;
            }
            got = bip324_fuzz_take(&in, &taken, len);
            contents = malloc(len);
            BIP324_FUZZ_CHECK(contents != NULL || len == 0, "out of memory");
            for (size_t i = 0; i < len; i++) contents[i] = got ? taken[i % got] : (unsigned char)i;
            roundtrip(&s, header, contents, len, aad, aadlen, (op & OP_IN_PLACE) != 0, tamper_bit);
            free(contents);
            free(aad);
        }
    }
    bip324_cipher_clear(&s.send);
    bip324_cipher_clear(&s.recv);
    return 0;
}

/* ---- seeds ---- */

static void write_seeds(const char *dir) {
    unsigned char seed[512];
    size_t n = 0;

    /* From packet 0: the first packet with AAD, then the sizes around ChaCha20's first block. */
    seed[n++] = 0;
    seed[n++] = OP_AAD;
    seed[n++] = 3;
    seed[n++] = 0;
    seed[n++] = 4;
    memcpy(seed + n, "aad!", 4);
    n += 4;
    memcpy(seed + n, "abc", 3);
    n += 3;
    for (int len = 62; len <= 65; len++) {
        seed[n++] = 0;
        seed[n++] = (unsigned char)len;
        seed[n++] = 0;
        for (int i = 0; i < len; i++) seed[n++] = (unsigned char)(len + i);
    }
    bip324_fuzz_write_seed(dir, "sizes", seed, n);

    /* From packet 223: a tampered decoy in place across the rekey, then a 4000-byte packet. */
    n = 0;
    seed[n++] = 3;
    seed[n++] = OP_TAMPER | OP_IN_PLACE;
    seed[n++] = 10;
    seed[n++] = BIP324_IGNORE_BIT | 0x15;
    seed[n++] = 5;
    seed[n++] = 0;
    seed[n++] = 3;
    for (int i = 0; i < 10; i++) seed[n++] = (unsigned char)(0xc0 + i);
    seed[n++] = OP_LONG;
    seed[n++] = 4000 & 0xff;
    seed[n++] = 4000 >> 8;
    seed[n++] = 0;
    for (int i = 0; i < 100; i++) seed[n++] = (unsigned char)(i * 3);
    bip324_fuzz_write_seed(dir, "rekey-tamper-long", seed, n);

    /* From packet 0: 230 empty packets, then a packet; 250 more, then another (its body byte 18
     * tampered), one record a line. */
    static const unsigned char empty_runs[] = {
        0,
        OP_EMPTY_RUN, 230,
        0, 1, 0, 0x42,
        OP_EMPTY_RUN, 250,
        OP_TAMPER, 2, 0, 18, 0, 7, 'h', 'i',
    };
    bip324_fuzz_write_seed(dir, "empty-runs", empty_runs, sizeof empty_runs);
}
