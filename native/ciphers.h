#ifndef BIP324_CIPHERS_H
#define BIP324_CIPHERS_H

/* Internal: the two rekeying ciphers of a bip324_cipher, used by packet.c. */

#include "bip324_engine.h"

/** FSChaCha20 on one 3-byte chunk (the length field); rekeys after every 224 chunks. */
void bip324_fschacha20_crypt3(bip324_cipher *c, unsigned char *out3, const unsigned char *in3);

/** Start the length cipher's current key: makes its first keystream block. */
void bip324_fschacha20_start(bip324_cipher *c);

/** FSChaCha20Poly1305 encryption of header || contents with aad; rekeys after every 224 packets.
 *  Out: out, 1 + len + 16 bytes (ciphertext, then tag). */
void bip324_aead_encrypt(bip324_cipher *c, unsigned char *out, unsigned char header, const unsigned char *contents,
                         size_t len, const unsigned char *aad, size_t aadlen);

/** FSChaCha20Poly1305 decryption of in (1 + len + 16 bytes). On a wrong tag returns 0, writes
 *  nothing and leaves the state as it was. */
BIP324_WARN_UNUSED_RESULT int bip324_aead_decrypt(bip324_cipher *c, unsigned char *header, unsigned char *contents,
                                                  const unsigned char *in, size_t len, const unsigned char *aad,
                                                  size_t aadlen);

#endif
