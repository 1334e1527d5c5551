/* How bip324_init decided about OpenSSL in this process, for test/openssl-provider.test.ts, which
 * runs it with fake OpenSSL entry points preloaded (LD_PRELOAD). The fakes need a host of their
 * own: Node's binary defines the real symbols, and a preloaded library cannot replace what the
 * executable itself defines, so in node a fake is never found.
 * After init it encrypts and decrypts packets on the chosen default provider and compares them
 * with libsodium's: a provider that was refused must have left the engine working. It also prints
 * the SHA-256 of those packets, which the test compares with the same packets made by its
 * node:crypto reference (test/reference/fschacha.ts): on libsodium the comparison above is with
 * itself.
 * Prints one JSON line: {"switch","version","verdict","provider","packets","digest"}; exits 0 if
 * the packets were right, 1 if not. */

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../bip324_engine.h"

static crypto_hash_sha256_state digest;

static void print_string(const char *name, const char *value, const char *after) {
    if (value == NULL) printf("\"%s\":null%s", name, after);
    else printf("\"%s\":\"%s\"%s", name, value, after);
}

/* Packets of several sizes (across ChaCha20 block boundaries and a rekey) on the default
 * provider, byte for byte as on libsodium, and back. */
static int packets_right(void) {
    static unsigned char contents[1000], packet[1000 + BIP324_EXPANSION], plain[1000];
    unsigned char key[32], header;
    bip324_cipher ours, sodium, recv;
    int ok = 1;
    for (size_t i = 0; i < sizeof key; i++) key[i] = (unsigned char)(3 * i + 1);
    for (size_t i = 0; i < sizeof contents; i++) contents[i] = (unsigned char)(7 * i);
    bip324_cipher_init(&ours, key, key, bip324_provider_default());
    bip324_cipher_init(&sodium, key, key, BIP324_PROVIDER_LIBSODIUM);
    bip324_cipher_init(&recv, key, key, bip324_provider_default());
    for (size_t n = 0; n < 300 && ok; n++) {
        size_t len = (n * 37) % sizeof contents;
        unsigned char want[sizeof packet];
        bip324_encrypt(&ours, packet, contents, len, NULL, 0, 0);
        bip324_encrypt(&sodium, want, contents, len, NULL, 0, 0);
        crypto_hash_sha256_update(&digest, packet, len + BIP324_EXPANSION);
        ok &= memcmp(packet, want, len + BIP324_EXPANSION) == 0;
        ok &= bip324_decrypt_length(&recv, packet) == len;
        ok &= bip324_decrypt(&recv, &header, plain, packet + BIP324_LENGTH_BYTES, NULL, 0);
        ok &= header == 0 && memcmp(plain, contents, len) == 0;
    }
    bip324_cipher_clear(&ours);
    bip324_cipher_clear(&sodium);
    bip324_cipher_clear(&recv);
    return ok;
}

int main(void) {
    bip324_info info;
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hash_hex[2 * crypto_hash_sha256_BYTES + 1];
    int ok;
    if (!bip324_init()) {
        fprintf(stderr, "provider_probe: bip324_init failed\n");
        return 2;
    }
    bip324_get_info(&info);
    crypto_hash_sha256_init(&digest);
    ok = packets_right();
    crypto_hash_sha256_final(&digest, hash);
    sodium_bin2hex(hash_hex, sizeof hash_hex, hash, sizeof hash);
    printf("{");
    print_string("switch", info.openssl_switch, ",");
    print_string("version", info.openssl_version, ",");
    print_string("verdict", info.openssl_verdict, ",");
    print_string("provider", info.provider, ",");
    print_string("packets", ok ? "right" : "wrong", ",");
    print_string("digest", hash_hex, "}\n");
    return ok ? 0 : 1;
}
