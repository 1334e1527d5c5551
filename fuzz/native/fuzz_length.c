/* bip324_decrypt_length on a sequence of arbitrary 3-byte inputs under fixed keys.
 * Input: one byte picking a starting packet count (around the rekey boundaries), then the length
 * fields, 3 bytes each (a short tail is ignored). Every result must equal the reference model's
 * FSChaCha20 and fit in 24 bits, across as many length rekeys as the input is long.
 *
 * The binding requires no pending length before bip324_decrypt_length; here the calls follow one
 * another directly, which is enough for the length cipher (it does not read the pending length). */

#include "fuzz.h"

static bip324_fuzz_start starts[BIP324_FUZZ_NSTARTS];

static void write_seeds(const char *dir);

BIP324_FUZZ_INITIALIZE_WITH_STARTS(starts, write_seeds)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bip324_fuzz_reader in = {data, size};
    const bip324_fuzz_start *start = &starts[bip324_fuzz_byte(&in) % BIP324_FUZZ_NSTARTS];
    bip324_cipher c = start->cipher;
    bip324_fuzz_ref ref = start->ref;
    const unsigned char *field;
    while (in.left >= BIP324_LENGTH_BYTES) {
        unsigned char *len3, want3[3];
        uint32_t got, want;
        bip324_fuzz_take(&in, &field, BIP324_LENGTH_BYTES);
        len3 = bip324_fuzz_dup(field, BIP324_LENGTH_BYTES);
        got = bip324_decrypt_length(&c, len3);
        bip324_fuzz_ref_crypt3(&ref, want3, len3);
        want = (uint32_t)want3[0] | (uint32_t)want3[1] << 8 | (uint32_t)want3[2] << 16;
        BIP324_FUZZ_CHECK(got == want, "chunk %llu: length %u, reference %u", (unsigned long long)ref.length_chunks - 1,
                          got, want);
        BIP324_FUZZ_CHECK(got <= BIP324_MAX_CONTENTS && c.has_pending && c.pending == got, "pending length not kept");
        BIP324_FUZZ_CHECK(memcmp(len3, field, BIP324_LENGTH_BYTES) == 0, "the input was written to");
        free(len3);
    }
    bip324_cipher_clear(&c);
    return 0;
}

/* ---- seeds ---- */

static void write_seeds(const char *dir) {
    unsigned char seed[1 + 3 * 230];
    /* 230 zero fields from packet 0: the keystream itself, across the first length rekey. */
    memset(seed, 0, sizeof seed);
    bip324_fuzz_write_seed(dir, "zeros-across-rekey", seed, sizeof seed);
    /* From packet 223 (the last chunk of a key) and from 671: a few fields. */
    for (size_t i = 0; i < 16; i++) seed[i] = (unsigned char)(i * 17 + 3);
    seed[0] = 3;
    bip324_fuzz_write_seed(dir, "from-223", seed, 16);
    seed[0] = 9;
    memset(seed + 1, 0xff, 9);
    bip324_fuzz_write_seed(dir, "from-671-ones", seed, 10);
}
