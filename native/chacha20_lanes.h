#ifndef BIP324_CHACHA20_LANES_H
#define BIP324_CHACHA20_LANES_H

/* Internal: the RFC 8439 ChaCha20 block function on several blocks at once, one block per SIMD
 * lane, for the packet AEAD's keystream cache (fschacha20poly1305.c). Each packet needs only its
 * blocks 0 and 1, and one call of a provider's ChaCha20 for them is latency bound: sixteen blocks
 * side by side cost little more than one. */

#include <stddef.h>
#include <stdint.h>

#define BIP324_CHACHA20_LANES 16

/** The ChaCha20 blocks of BIP324_CHACHA20_LANES (counter, nonce) pairs under one key: lane l is
 *  the block with counter counter[l] and nonce LE32(nonce0[l]) || nonce8, the nonce's last 8 bytes
 *  being the same in every lane. Picks the widest implementation the CPU has.
 *  Out: out, BIP324_CHACHA20_LANES blocks of 64 bytes, lane 0's first (secret: the caller wipes). */
void bip324_chacha20_lanes(unsigned char *out, const unsigned char *key32, const uint32_t *counter,
                           const uint32_t *nonce0, const unsigned char *nonce8);

/** The same, on the implementation numbered `impl` (0: portable C, always there; 1: AVX2 and 2:
 *  AVX-512F, where built and the CPU has them), for tests that check each against libsodium.
 *  Returns: 1, or 0 (nothing written) if that implementation cannot run here. */
int bip324_chacha20_lanes_impl(int impl, unsigned char *out, const unsigned char *key32, const uint32_t *counter,
                               const uint32_t *nonce0, const unsigned char *nonce8);

#endif
