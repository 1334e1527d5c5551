/* The WebAssembly module's exports: a small C ABI over bip324_engine.h for lib/crypto/wasm.ts.
 * Every pointer is an offset into the module's memory that the caller allocated with alloc() and
 * filled; sizes and overlaps are checked by the caller before any call, as the native binding
 * checks them. One randomized secp256k1 context serves the instance (wasm runs one thread). */

#include <stdlib.h>

#include <sodium.h>

#include "../bip324_engine.h"

#define EXPORT(name) __attribute__((export_name(name)))

static secp256k1_context *ctx;

/* Returns 1 once the context is made (randomized with the host's bytes), 0 if it cannot be. */
EXPORT("init") int bip324_wasm_init(void) {
    if (ctx == NULL && bip324_init()) ctx = bip324_secp256k1_context_create();
    return ctx != NULL;
}

/* The provider's name (a NUL-terminated string in memory): "simd128" or "scalar". */
EXPORT("provider") const char *bip324_wasm_provider(void) { return bip324_provider_name(bip324_provider_default()); }

/* size bytes of the module's memory (a block of at least 1 byte), or 0 when it cannot grow. */
EXPORT("alloc") void *bip324_wasm_alloc(size_t size) { return malloc(size != 0 ? size : 1); }

/* Wipes the first `size` bytes of what alloc() returned, then frees it. */
EXPORT("release") void bip324_wasm_release(void *p, size_t size) {
    sodium_memzero(p, size);
    free(p);
}

EXPORT("ellswift_decode") void bip324_wasm_ellswift_decode(unsigned char *x32, const unsigned char *ell64) {
    bip324_ellswift_decode(ctx, x32, ell64);
}

EXPORT("ellswift_create") int bip324_wasm_ellswift_create(unsigned char *ell64, const unsigned char *seckey32,
                                                          const unsigned char *auxrnd32) {
    return bip324_ellswift_create(ctx, ell64, seckey32, auxrnd32);
}

EXPORT("keygen") void bip324_wasm_keygen(unsigned char *seckey32, unsigned char *ell64) {
    bip324_keygen(ctx, seckey32, ell64);
}

EXPORT("ecdh") int bip324_wasm_ecdh(unsigned char *secret32, const unsigned char *ell_ours64,
                                    const unsigned char *ell_theirs64, const unsigned char *seckey32, int initiator) {
    return bip324_ecdh(ctx, secret32, ell_ours64, ell_theirs64, seckey32, initiator);
}

EXPORT("ecdh_x") int bip324_wasm_ecdh_x(unsigned char *x32, const unsigned char *ell_theirs64,
                                        const unsigned char *seckey32) {
    return bip324_ecdh_x(ctx, x32, ell_theirs64, seckey32);
}

EXPORT("key_schedule") void bip324_wasm_key_schedule(unsigned char *keys192, const unsigned char *secret32,
                                                     const unsigned char *magic4) {
    bip324_key_schedule(keys192, secret32, magic4);
}

/* A cipher state in the module's memory, or 0 when it cannot grow. */
EXPORT("cipher_create") bip324_cipher *bip324_wasm_cipher_create(const unsigned char *length_key32,
                                                                 const unsigned char *aead_key32) {
    bip324_cipher *c = malloc(sizeof *c);
    if (c != NULL) bip324_cipher_init(c, length_key32, aead_key32, BIP324_PROVIDER_LIBSODIUM);
    return c;
}

/* Wipes every key and keystream byte of c, then frees it. */
EXPORT("cipher_destroy") void bip324_wasm_cipher_destroy(bip324_cipher *c) {
    bip324_cipher_clear(c);
    free(c);
}

/* The pending contents length, or -1 when none is pending. */
EXPORT("pending") int32_t bip324_wasm_pending(const bip324_cipher *c) {
    return c->has_pending ? (int32_t)c->pending : -1;
}

EXPORT("encrypt") void bip324_wasm_encrypt(bip324_cipher *c, unsigned char *out, const unsigned char *contents,
                                           size_t len, const unsigned char *aad, size_t aadlen, unsigned header) {
    bip324_encrypt(c, out, contents, len, aad, aadlen, (unsigned char)header);
}

EXPORT("decrypt_length") uint32_t bip324_wasm_decrypt_length(bip324_cipher *c, const unsigned char *len3) {
    return bip324_decrypt_length(c, len3);
}

/* The header byte, or -1 if authentication failed. */
EXPORT("decrypt") int bip324_wasm_decrypt(bip324_cipher *c, unsigned char *contents, const unsigned char *in,
                                          const unsigned char *aad, size_t aadlen) {
    unsigned char header;
    return bip324_decrypt(c, &header, contents, in, aad, aadlen) ? header : -1;
}

/* items: n (pointer, length) pairs. */
EXPORT("encrypt_batch") void bip324_wasm_encrypt_batch(bip324_cipher *c, unsigned char *out, const bip324_slice *items,
                                                       size_t n) {
    bip324_encrypt_batch(c, out, items, n, NULL);
}

/* Returns the bip324_batch_status; counts2 receives the packets decrypted and the input consumed. */
EXPORT("decrypt_batch") int bip324_wasm_decrypt_batch(bip324_cipher *c, unsigned char *plain, size_t plain_cap,
                                                      bip324_packet_info *packets, size_t max_packets,
                                                      uint32_t *counts2, const unsigned char *in, size_t inlen,
                                                      uint32_t max_contents) {
    size_t npackets, consumed;
    bip324_batch_status status;
    bip324_decrypt_batch(c, plain, plain_cap, packets, max_packets, &npackets, &consumed, &status, in, inlen,
                         max_contents);
    counts2[0] = (uint32_t)npackets;
    counts2[1] = (uint32_t)consumed;
    return (int)status;
}
