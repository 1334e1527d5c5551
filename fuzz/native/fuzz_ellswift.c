/* ElligatorSwift decoding and ECDH on arbitrary 64-byte encodings, against a fixed key of ours.
 * Input: the peer's encoding (64 bytes, zero-padded), a flag byte (bit 0: we initiate), and
 * optionally a second secret key and its aux randomness (32 bytes each) for a key agreement.
 *
 * Independent checks: a decoded X must be on the curve; ecdh_x must equal the X of a plain
 * secp256k1 tweak-multiplication; ecdh must equal BIP-324's tagged hash computed with libsodium's
 * SHA-256; ellswift_create must refuse exactly the keys secp256k1 refuses, encode the same point
 * as ec_pubkey_create, and both sides of an exchange must agree. */

#include <secp256k1_ellswift.h>

#include "fuzz.h"

static secp256k1_context *ctx;
static const unsigned char our_seckey[32] = {
    0x61, 0x06, 0x2e, 0xa5, 0x07, 0x1d, 0x80, 0x0b, 0xbf, 0xd5, 0x9e, 0x2e, 0x8b, 0x53, 0xd4, 0x7d,
    0x19, 0x4b, 0x09, 0x5a, 0xe5, 0xa4, 0xdf, 0x04, 0x93, 0x6b, 0x49, 0x77, 0x2e, 0xf0, 0xd4, 0xd7};
static unsigned char our_ell[64];
static unsigned char hash_tag[32]; /* SHA-256("bip324_ellswift_xonly_ecdh") */

static void write_seeds(const char *dir);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    static const unsigned char aux[32] = {7};
    static const char tag[] = "bip324_ellswift_xonly_ecdh";
    (void)argc;
    (void)argv;
    bip324_fuzz_init();
    ctx = bip324_secp256k1_context_create();
    BIP324_FUZZ_CHECK(ctx != NULL, "context");
    BIP324_FUZZ_CHECK(bip324_ellswift_create(ctx, our_ell, our_seckey, aux), "our key");
    crypto_hash_sha256(hash_tag, (const unsigned char *)tag, sizeof tag - 1);
    if (bip324_fuzz_seed_dir()) {
        write_seeds(bip324_fuzz_seed_dir());
        exit(0);
    }
    return 0;
}

/* X of seckey32 times the point with X coordinate x32, by tweak-multiplying a parsed public key.
 * Either lift of x32 gives the same X. */
static void reference_ecdh_x(unsigned char *out32, const unsigned char *x32, const unsigned char *seckey32) {
    unsigned char ser[33];
    size_t len = sizeof ser;
    secp256k1_pubkey p;
    ser[0] = 0x02;
    memcpy(ser + 1, x32, 32);
    BIP324_FUZZ_CHECK(secp256k1_ec_pubkey_parse(ctx, &p, ser, sizeof ser), "decoded X is not on the curve");
    BIP324_FUZZ_CHECK(secp256k1_ec_pubkey_tweak_mul(ctx, &p, seckey32), "tweak_mul");
    secp256k1_ec_pubkey_serialize(ctx, ser, &len, &p, SECP256K1_EC_COMPRESSED);
    memcpy(out32, ser + 1, 32);
}

/* BIP-324: SHA256(tag || tag || ell_initiator || ell_responder || x). */
static void reference_secret(unsigned char *out32, const unsigned char *ell_initiator64,
                             const unsigned char *ell_responder64, const unsigned char *x32) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, hash_tag, 32);
    crypto_hash_sha256_update(&st, hash_tag, 32);
    crypto_hash_sha256_update(&st, ell_initiator64, 64);
    crypto_hash_sha256_update(&st, ell_responder64, 64);
    crypto_hash_sha256_update(&st, x32, 32);
    crypto_hash_sha256_final(&st, out32);
}

/* A second party with a fuzzer-chosen secret key. */
static void agreement(const unsigned char *seckey_in, const unsigned char *aux_in) {
    unsigned char *seckey = bip324_fuzz_dup(seckey_in, 32), *aux = bip324_fuzz_dup(aux_in, 32);
    unsigned char ell[64], x[32], ser[33], ours[32], theirs[32];
    size_t len = sizeof ser;
    secp256k1_pubkey p;
    int valid = secp256k1_ec_seckey_verify(ctx, seckey);
    BIP324_FUZZ_CHECK(bip324_ellswift_create(ctx, ell, seckey, aux) == valid, "ellswift_create on a %s key",
                      valid ? "valid" : "invalid");
    if (!valid) {
        BIP324_FUZZ_CHECK(!bip324_ecdh(ctx, theirs, ell, our_ell, seckey, 0), "ecdh accepted an invalid key");
        BIP324_FUZZ_CHECK(!bip324_ecdh_x(ctx, theirs, our_ell, seckey), "ecdh_x accepted an invalid key");
    } else {
        bip324_ellswift_decode(ctx, x, ell);
        BIP324_FUZZ_CHECK(secp256k1_ec_pubkey_create(ctx, &p, seckey), "pubkey_create");
        secp256k1_ec_pubkey_serialize(ctx, ser, &len, &p, SECP256K1_EC_COMPRESSED);
        BIP324_FUZZ_CHECK(memcmp(x, ser + 1, 32) == 0, "the encoding decodes to another point");
        BIP324_FUZZ_CHECK(bip324_ecdh(ctx, ours, our_ell, ell, our_seckey, 1), "ecdh, initiator");
        BIP324_FUZZ_CHECK(bip324_ecdh(ctx, theirs, ell, our_ell, seckey, 0), "ecdh, responder");
        BIP324_FUZZ_CHECK(memcmp(ours, theirs, 32) == 0, "the two sides disagree");
    }
    sodium_memzero(seckey, 32);
    free(seckey);
    free(aux);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *ell = malloc(64), x[32], got[32], want_x[32], want[32];
    int initiator;
    BIP324_FUZZ_CHECK(ell != NULL, "out of memory");
    memset(ell, 0, 64);
    memcpy(ell, data, size < 64 ? size : 64);
    initiator = size > 64 && (data[64] & 1);

    bip324_ellswift_decode(ctx, x, ell);
    reference_ecdh_x(want_x, x, our_seckey);
    BIP324_FUZZ_CHECK(bip324_ecdh_x(ctx, got, ell, our_seckey) && memcmp(got, want_x, 32) == 0, "ecdh_x");
    BIP324_FUZZ_CHECK(bip324_ecdh(ctx, got, our_ell, ell, our_seckey, initiator), "ecdh");
    reference_secret(want, initiator ? our_ell : ell, initiator ? ell : our_ell, want_x);
    BIP324_FUZZ_CHECK(memcmp(got, want, 32) == 0, "ecdh differs from BIP-324's hash (initiator %d)", initiator);
    if (size >= 64 + 1 + 64) agreement(data + 65, data + 97);
    free(ell);
    return 0;
}

/* ---- seeds ---- */

static void write_seeds(const char *dir) {
    /* The group order n: the smallest invalid key above zero. */
    static const unsigned char order[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    unsigned char seed[129];
    memset(seed, 0, 64);
    bip324_fuzz_write_seed(dir, "u0-t0", seed, 64); /* both remapped special cases */
    memset(seed, 0xff, 64);
    bip324_fuzz_write_seed(dir, "u-t-above-p", seed, 64);
    memcpy(seed, our_ell, 64);
    seed[64] = 1;
    memset(seed + 65, 0, 64);
    seed[65 + 31] = 1; /* key 1 */
    bip324_fuzz_write_seed(dir, "ours-key-1", seed, sizeof seed);
    memcpy(seed + 65, order, 32);
    seed[64] = 0;
    bip324_fuzz_write_seed(dir, "key-n", seed, sizeof seed);
    seed[65 + 31] -= 1; /* n - 1 */
    bip324_fuzz_write_seed(dir, "key-n-minus-1", seed, sizeof seed);
}
