#ifndef BIP324_ENGINE_H
#define BIP324_ENGINE_H

/* The BIP-324 packet engine: plain C over libsodium and libsecp256k1 (and, where the checks allow,
 * the host's OpenSSL primitives: see the providers below), no Node types.
 *
 * Conventions (after libsecp256k1's headers):
 *  - Sizes are in the names (x32 is 32 bytes, ell64 is 64 bytes); callers pass buffers of exactly
 *    those sizes. The engine never checks sizes, NULL pointers or call order: the binding does, so
 *    misuse is a programmer error reported in JavaScript, never a peer error reported here.
 *  - Arguments are ordered: context or state, outputs, inputs; a length follows its pointer.
 *  - Functions that can fail because of what a peer sent return 1 on success and 0 on failure
 *    (or a bip324_status); those results are BIP324_WARN_UNUSED_RESULT. Secrets on the stack are
 *    wiped before returning.
 *  - bip324_init runs first, once per process, and alone: it sets the process-wide provider
 *    choice that every cipher reads. After it returned, any function may run on several threads
 *    at once as long as no two calls share a bip324_cipher.
 *  - No output overlaps an input or another output, in any byte. The exceptions are
 *    bip324_decrypt's contents, which may be exactly in + 1, and bip324_decrypt_packet's, which
 *    may be exactly in + 4 (decrypting in place).
 */

#include <stddef.h>
#include <stdint.h>

#include <secp256k1.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BIP324_LENGTH_BYTES 3      /* encrypted contents length */
#define BIP324_HEADER_BYTES 1      /* encrypted header byte */
#define BIP324_TAG_BYTES 16        /* Poly1305 tag */
#define BIP324_EXPANSION (BIP324_LENGTH_BYTES + BIP324_HEADER_BYTES + BIP324_TAG_BYTES)
#define BIP324_IGNORE_BIT 0x80     /* header bit marking a decoy; the other bits are ignored */
#define BIP324_REKEY_INTERVAL 224  /* packets (AEAD) or chunks (length cipher) per key */
#define BIP324_MAX_CONTENTS 16777215u /* 2^24 - 1: what 3 length bytes can say */
#define BIP324_KEYS_BYTES 192      /* bip324_key_schedule output, see there */

/* A result the caller must look at: a MAC check, a key's validity, set-up success. */
#if defined(__GNUC__) || defined(__clang__)
#define BIP324_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define BIP324_WARN_UNUSED_RESULT
#endif

/* ---- set-up ---------------------------------------------------------------------------- */

/** Initialise libsodium and pick the ChaCha20/Poly1305 provider (bip324_info's openssl_* fields
 *  say how it decided). Call it once per process, before any other function here, and not while
 *  another thread may call into the engine: it is not thread-safe until it returned.
 *  Returns: 1 on success, 0 if libsodium could not initialise. */
BIP324_WARN_UNUSED_RESULT int bip324_init(void);

/** Create a secp256k1 context randomized with 32 bytes from the CSPRNG, for side-channel
 *  protection of secret-key operations. Free with secp256k1_context_destroy.
 *  Returns: the context, or NULL if allocation or randomization failed. */
BIP324_WARN_UNUSED_RESULT secp256k1_context *bip324_secp256k1_context_create(void);

/* ---- ChaCha20 / Poly1305 providers ------------------------------------------------------- */

/** Where the ChaCha20 and Poly1305 primitives come from: the bulk ChaCha20 (contents after their
 *  63rd byte), Poly1305, the length cipher's keystream and rekeying. Each packet's keystream blocks
 *  0 and 1 come from the engine's own multi-lane ChaCha20 whatever the provider. Both produce
 *  identical bytes. */
typedef enum {
    BIP324_PROVIDER_LIBSODIUM = 0, /* always available */
    BIP324_PROVIDER_OPENSSL = 1    /* the host process's OpenSSL (Node exports it), if it passed every check */
} bip324_provider_id;

/** Returns: 1 if `id` can be used in this process, 0 if not. */
int bip324_provider_available(bip324_provider_id id);

/** Returns: the provider new ciphers use by default: OpenSSL when available, else libsodium. */
bip324_provider_id bip324_provider_default(void);

/** Returns: the static name of `id`: "libsodium" or "openssl". */
const char *bip324_provider_name(bip324_provider_id id);

/* ---- build facts ------------------------------------------------------------------------- */

/** What the engine was built with and picked at run time. Every string is static. */
typedef struct {
    const char *secp256k1_version; /* pinned release compiled in */
    const char *sodium_version;    /* from libsodium at run time */
    const char *chacha20;          /* libsodium's ChaCha20 implementation: "avx2", "ssse3" or "ref" */
    const char *poly1305;          /* libsodium's Poly1305 implementation: "sse2" or "donna" */
    const char *provider;          /* bip324_provider_name(bip324_provider_default()) */
    /* OpenSSL, as bip324_init decided from the environment variable BIP324_OPENSSL and checks:
     * the switch: "auto" (unset), "off", "force", or "invalid" (any other value, taken as off);
     * the version OpenSSL_version_num() reported ("3.0.19"), or NULL if it was not looked up or
     * not found; the verdict: "used", or why not: "off", "missing-symbols", "unknown-version"
     * (not on the allow list, and no "force"), "different-objects", "state-too-large",
     * "known-answer-failed", "canary-overwritten". docs/openssl-provider.md explains each. */
    const char *openssl_switch, *openssl_version, *openssl_verdict;
    int has_ssse3, has_avx2, has_avx512f; /* CPU features as libsodium detected them */
} bip324_info;

/** Fill *info. Requires bip324_init() to have succeeded. */
void bip324_get_info(bip324_info *info);

/* ---- ElligatorSwift key exchange ----------------------------------------------------------- */

/** Decode a 64-byte ElligatorSwift encoding to the X coordinate of its point.
 *  Every 64-byte input decodes (u and t are reduced mod p; 0 and the special case are remapped),
 *  so this cannot fail. Variable time: use on public data only.
 *  Out: x32: the 32-byte big-endian X coordinate.  In: ell64: the encoding, u || t. */
void bip324_ellswift_decode(const secp256k1_context *ctx, unsigned char *x32, const unsigned char *ell64);

/** Compute the ElligatorSwift public key of a given secret key.
 *  Returns: 1, or 0 if seckey32 is not a valid scalar (zero or >= the group order).
 *  Out: ell64.  In: seckey32; auxrnd32: 32 fresh random bytes (entropy for the encoding). */
BIP324_WARN_UNUSED_RESULT int bip324_ellswift_create(const secp256k1_context *ctx, unsigned char *ell64,
                                                     const unsigned char *seckey32, const unsigned char *auxrnd32);

/** Generate a key pair from the CSPRNG, drawing again until the scalar is valid.
 *  Out: seckey32 (secret: the caller wipes it), ell64 (the public key to send). */
void bip324_keygen(const secp256k1_context *ctx, unsigned char *seckey32, unsigned char *ell64);

/** x-only ECDH as BIP-324 defines it: the tagged hash "bip324_ellswift_xonly_ecdh" of the
 *  initiator's encoding, the responder's encoding and the shared X coordinate.
 *  Returns: 1, or 0 if seckey32 is not a valid scalar.
 *  Out: secret32.  In: ell_ours64, ell_theirs64, seckey32 (ours), initiator (1 if we initiated). */
BIP324_WARN_UNUSED_RESULT int bip324_ecdh(const secp256k1_context *ctx, unsigned char *secret32,
                                          const unsigned char *ell_ours64, const unsigned char *ell_theirs64,
                                          const unsigned char *seckey32, int initiator);

/** Plain x-only ECDH: the X coordinate of seckey32 times the point ell_theirs64 decodes to, before
 *  BIP-324's hashing; for checking test vectors (mid_x_shared) and diagnostics.
 *  Returns: 1, or 0 if seckey32 is not a valid scalar.  Out: x32. */
BIP324_WARN_UNUSED_RESULT int bip324_ecdh_x(const secp256k1_context *ctx, unsigned char *x32,
                                            const unsigned char *ell_theirs64, const unsigned char *seckey32);

/* ---- key schedule ------------------------------------------------------------------------ */

/** HKDF-SHA256 with salt "bitcoin_v2_shared_secret" || magic4 and the shared secret as IKM.
 *  Out: keys192, six 32-byte outputs in this order: initiator_L, initiator_P, responder_L,
 *       responder_P, garbage_terminators (initiator's 16 bytes, then responder's), session_id.
 *  In:  secret32 (from bip324_ecdh); magic4 (the network magic, as sent on the wire). */
void bip324_key_schedule(unsigned char *keys192, const unsigned char *secret32, const unsigned char *magic4);

/* ---- packet cipher (one direction) -------------------------------------------------------- */

#define BIP324_KEYSTREAM_PACKETS 8  /* packets whose first keystream blocks are made at once */

/** One direction of a session: the FSChaCha20 length cipher and the FSChaCha20Poly1305 AEAD.
 *  Opaque in use; the layout is here so callers can embed it. Holds key material and keystream:
 *  wipe with bip324_cipher_clear. */
typedef struct {
    bip324_provider_id provider;
    unsigned char length_key[32];
    /* The length cipher uses 224 * 3 bytes of keystream per key, then 32 more as the next key:
     * 11 ChaCha20 blocks, made one at a time as the chunks reach them. */
    unsigned char length_block[64]; /* the block that holds keystream byte length_pos */
    uint32_t length_pos;            /* keystream bytes used under the current length key */
    uint64_t length_rekeys;         /* length keys used before the current one */
    unsigned char aead_key[32];
    uint64_t aead_packets;          /* packets processed, the AEAD nonce's source */
    /* The Poly1305 key (block 0's first 32 bytes) and keystream block 1 (the header and the first
     * 63 contents bytes) of the BIP324_KEYSTREAM_PACKETS packets from aead_packets rounded down
     * to a multiple of it, made in one multi-lane ChaCha20 call; a packet's 96 bytes are wiped once
     * it is done. */
    unsigned char aead_keystream[BIP324_KEYSTREAM_PACKETS][96];
    int has_aead_keystream;         /* aead_keystream holds aead_packets' group */
    uint32_t pending;               /* contents length decrypted but not yet consumed (receiving only) */
    int has_pending;
} bip324_cipher;

/** Start a direction with its two keys from bip324_key_schedule.
 *  Requires: bip324_provider_available(provider); the cipher then uses that provider for life. */
void bip324_cipher_init(bip324_cipher *c, const unsigned char *length_key32, const unsigned char *aead_key32,
                        bip324_provider_id provider);

/** Wipe every key and keystream byte (the cached keystream of packets not yet sent included). */
void bip324_cipher_clear(bip324_cipher *c);

/** Encrypt one packet: 3-byte encrypted length || encrypted header || encrypted contents || tag.
 *  Out: out, exactly len + BIP324_EXPANSION bytes; must not overlap the inputs.
 *  In:  contents, len (at most BIP324_MAX_CONTENTS); aad, aadlen (the garbage for the first
 *       packet, else empty); header (BIP324_IGNORE_BIT for a decoy, else 0). */
void bip324_encrypt(bip324_cipher *c, unsigned char *out, const unsigned char *contents, size_t len,
                    const unsigned char *aad, size_t aadlen, unsigned char header);

/** Decrypt the 3-byte length that starts a packet, so that the caller can refuse it before
 *  allocating. The length is kept as pending for bip324_decrypt. Requires that no length is
 *  pending (c->has_pending == 0): a second call would desynchronise the length cipher.
 *  Returns: the contents length (0 .. BIP324_MAX_CONTENTS). */
uint32_t bip324_decrypt_length(bip324_cipher *c, const unsigned char *len3);

/** Authenticate and decrypt the rest of the packet whose length is pending. Requires a pending
 *  length (c->has_pending == 1, from bip324_decrypt_length or a batch that stopped after one).
 *  Returns: 1, or 0 if the tag is wrong, in which case nothing has been written and the length
 *  stays pending.
 *  Out: header (the decrypted header byte); contents (pending bytes: either exactly in + 1, to
 *       decrypt in place, or overlapping neither in nor aad).
 *  In:  in, pending + BIP324_HEADER_BYTES + BIP324_TAG_BYTES bytes; aad, aadlen as sent. */
BIP324_WARN_UNUSED_RESULT int bip324_decrypt(bip324_cipher *c, unsigned char *header, unsigned char *contents,
                                             const unsigned char *in, const unsigned char *aad, size_t aadlen);

/** What bip324_decrypt_packet found. */
typedef enum {
    BIP324_PACKET_OK = 0,          /* authenticated and decrypted; no length pending */
    BIP324_PACKET_BAD_MAC = 1,     /* the tag is wrong: nothing written, the length stays pending */
    BIP324_PACKET_WRONG_LENGTH = 2 /* the length field does not say len: nothing else read, it stays pending */
} bip324_packet_status;

/** Decrypt one whole packet in one call, for a caller that holds all of it: the 3 length bytes as
 *  bip324_decrypt_length would, then, if they say exactly len (the bound, checked before any other
 *  byte is read), header, contents and tag as bip324_decrypt would. Requires that no length is
 *  pending (c->has_pending == 0). On either failure the state is what those two calls would leave:
 *  the decrypted length pending.
 *  Returns: a bip324_packet_status.
 *  Out: header; contents (len bytes: either exactly in + 4, to decrypt in place, or overlapping
 *       neither in nor aad).
 *  In:  in, len + BIP324_EXPANSION bytes (len at most BIP324_MAX_CONTENTS); aad, aadlen as sent. */
BIP324_WARN_UNUSED_RESULT bip324_packet_status bip324_decrypt_packet(bip324_cipher *c, unsigned char *header,
                                                                     unsigned char *contents, const unsigned char *in,
                                                                     size_t len, const unsigned char *aad, size_t aadlen);

/* ---- batches ------------------------------------------------------------------------------ */

typedef struct {
    const unsigned char *data;
    size_t len;
} bip324_slice;

/** Encrypt n packets (no AAD) back to back into out, as n bip324_encrypt calls would.
 *  Out: out, sum of (len + BIP324_EXPANSION) bytes, overlapping no item and not headers.
 *  In:  items[n] (they may overlap one another); headers[n], or NULL for all 0. */
void bip324_encrypt_batch(bip324_cipher *c, unsigned char *out, const bip324_slice *items, size_t n,
                          const unsigned char *headers);

typedef enum {
    BIP324_BATCH_MORE = 0,      /* stopped at a partial packet (or the end): feed more input */
    BIP324_BATCH_BAD_MAC = 1,   /* a packet failed authentication: the session is over */
    BIP324_BATCH_OVERSIZED = 2, /* a length above max_contents: the session is over */
    BIP324_BATCH_FULL = 3       /* the outputs are full: call again with the rest of the input */
} bip324_batch_status;

typedef struct {
    uint32_t offset; /* where the contents start in the plaintext output */
    uint32_t len;
    uint32_t header;
} bip324_packet_info;

/** Decrypt every complete packet at the start of in (no AAD), in order, stopping cleanly at a
 *  partial packet, at a failure, or when an output is full. A length decrypted for a packet that is
 *  not complete yet is kept as pending, and the next call's input starts after it.
 *  Out: plain (contents, back to back, plain_cap bytes at most); packets (max_packets at most);
 *       *npackets; *consumed (input bytes used: whole packets, plus a pending length's 3 bytes);
 *       *status. plain, packets and in do not overlap one another (no in-place case here).
 *  In:  in, inlen; max_contents (lengths above it stop the batch with BIP324_BATCH_OVERSIZED
 *       before anything is allocated or decrypted). */
void bip324_decrypt_batch(bip324_cipher *c, unsigned char *plain, size_t plain_cap,
                          bip324_packet_info *packets, size_t max_packets, size_t *npackets,
                          size_t *consumed, bip324_batch_status *status,
                          const unsigned char *in, size_t inlen, uint32_t max_contents);

#ifdef __cplusplus
}
#endif

#endif
