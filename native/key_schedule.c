/* The BIP-324 key schedule: HKDF-SHA256 (RFC 5869) built on libsodium's HMAC-SHA256.
 * Every output is 32 bytes, so each expand step is the single block T(1) = HMAC(PRK, info || 0x01). */

#include <string.h>

#include <sodium.h>

#include "bip324_engine.h"

static const char salt_prefix[] = "bitcoin_v2_shared_secret";
static const char *const infos[6] = {
    "initiator_L", "initiator_P", "responder_L", "responder_P", "garbage_terminators", "session_id"
};

void bip324_key_schedule(unsigned char *keys192, const unsigned char *secret32, const unsigned char *magic4) {
    unsigned char salt[sizeof salt_prefix - 1 + 4], prk[32];
    static const unsigned char one = 1;
    crypto_auth_hmacsha256_state st;
    memcpy(salt, salt_prefix, sizeof salt_prefix - 1);
    memcpy(salt + sizeof salt_prefix - 1, magic4, 4);
    crypto_auth_hmacsha256_init(&st, salt, sizeof salt);
    crypto_auth_hmacsha256_update(&st, secret32, 32);
    crypto_auth_hmacsha256_final(&st, prk);
    for (int i = 0; i < 6; i++) {
        crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)infos[i], strlen(infos[i]));
        crypto_auth_hmacsha256_update(&st, &one, 1);
        crypto_auth_hmacsha256_final(&st, keys192 + 32 * i);
    }
    sodium_memzero(prk, sizeof prk);
    sodium_memzero(&st, sizeof st);
}
