#ifndef BIP324_CHACHA20_SIMD_H
#define BIP324_CHACHA20_SIMD_H

/* Internal to the WebAssembly build: ChaCha20 on SIMD128 vectors (chacha20_simd.c). */

#include <stddef.h>
#include <stdint.h>

/** RFC 8439 ChaCha20 (32-bit block counter, 96-bit nonce): out = in XOR keystream from block
 *  `counter`. in and out may be equal. */
void bip324_chacha20_simd(unsigned char *out, const unsigned char *in, size_t len, const unsigned char *key32,
                          const unsigned char *nonce12, uint32_t counter);

#endif
