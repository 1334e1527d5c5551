{
  "target_defaults": {
    "defines": [
      "SODIUM_STATIC",
      "CONFIGURED=1",
      "NATIVE_LITTLE_ENDIAN=1",
      "HAVE_TI_MODE=1"
    ],
    "include_dirs": [
      "libsodium/src/libsodium/include",
      "libsodium/src/libsodium/include/sodium"
    ],
    "cflags": ["-fvisibility=hidden", "-Wno-unused-function", "-Wno-unused-parameter", "-Wno-unknown-pragmas", "-Wno-sign-compare", "-Wno-type-limits", "-Wno-missing-field-initializers"],
    "xcode_settings": {"GCC_SYMBOLS_PRIVATE_EXTERN": "YES"},
    "conditions": [
      ["OS!='win'", {
        "defines": [
          "HAVE_PTHREAD=1",
          "HAVE_WEAK_SYMBOLS=1",
          "HAVE_SYS_MMAN_H=1",
          "HAVE_MMAP=1",
          "HAVE_MPROTECT=1",
          "HAVE_MLOCK=1",
          "HAVE_MADVISE=1",
          "HAVE_POSIX_MEMALIGN=1",
          "HAVE_GETPID=1",
          "HAVE_NANOSLEEP=1"
        ]
      }],
      ["target_arch=='x64' and OS!='win'", {
        "defines": ["HAVE_AVX_ASM=1"]
      }],
      ["target_arch=='x64' and OS=='win'", {
        "defines": ["HAVE_INTRIN_H=1", "HAVE__XGETBV=1"],
        "cflags": ["-mxsave"]
      }],
      ["target_arch=='x64'", {
        "defines": [
          "HAVE_CPUID=1",
          "HAVE_MMINTRIN_H=1",
          "HAVE_EMMINTRIN_H=1",
          "HAVE_PMMINTRIN_H=1",
          "HAVE_TMMINTRIN_H=1",
          "HAVE_SMMINTRIN_H=1",
          "HAVE_AVXINTRIN_H=1",
          "HAVE_AVX2INTRIN_H=1",
          "HAVE_AVX512FINTRIN_H=1",
          "HAVE_WMMINTRIN_H=1"
        ]
      }]
    ]
  },
  "targets": [
    {
      "target_name": "libsodium",
      "type": "static_library",
      "standalone_static_library": 1,
      "dependencies": ["libsodium_sse2", "libsodium_ssse3", "libsodium_sse41", "libsodium_avx2", "libsodium_avx512f", "libsodium_aesni"],
      "direct_dependent_settings": {
        "defines": ["SODIUM_STATIC"],
        "include_dirs": ["libsodium/src/libsodium/include"]
      },
      "sources": [
        "libsodium/src/libsodium/crypto_aead/chacha20poly1305/sodium/aead_chacha20poly1305.c",
        "libsodium/src/libsodium/crypto_aead/xchacha20poly1305/sodium/aead_xchacha20poly1305.c",
        "libsodium/src/libsodium/crypto_auth/crypto_auth.c",
        "libsodium/src/libsodium/crypto_auth/hmacsha256/auth_hmacsha256.c",
        "libsodium/src/libsodium/crypto_auth/hmacsha512/auth_hmacsha512.c",
        "libsodium/src/libsodium/crypto_auth/hmacsha512256/auth_hmacsha512256.c",
        "libsodium/src/libsodium/crypto_box/crypto_box.c",
        "libsodium/src/libsodium/crypto_box/crypto_box_easy.c",
        "libsodium/src/libsodium/crypto_box/crypto_box_seal.c",
        "libsodium/src/libsodium/crypto_box/curve25519xsalsa20poly1305/box_curve25519xsalsa20poly1305.c",
        "libsodium/src/libsodium/crypto_core/ed25519/ref10/ed25519_ref10.c",
        "libsodium/src/libsodium/crypto_core/hchacha20/core_hchacha20.c",
        "libsodium/src/libsodium/crypto_core/hsalsa20/ref2/core_hsalsa20_ref2.c",
        "libsodium/src/libsodium/crypto_core/hsalsa20/core_hsalsa20.c",
        "libsodium/src/libsodium/crypto_core/salsa/ref/core_salsa_ref.c",
        "libsodium/src/libsodium/crypto_generichash/crypto_generichash.c",
        "libsodium/src/libsodium/crypto_generichash/blake2b/generichash_blake2.c",
        "libsodium/src/libsodium/crypto_generichash/blake2b/ref/blake2b-compress-ref.c",
        "libsodium/src/libsodium/crypto_generichash/blake2b/ref/blake2b-ref.c",
        "libsodium/src/libsodium/crypto_generichash/blake2b/ref/generichash_blake2b.c",
        "libsodium/src/libsodium/crypto_hash/crypto_hash.c",
        "libsodium/src/libsodium/crypto_hash/sha256/hash_sha256.c",
        "libsodium/src/libsodium/crypto_hash/sha256/cp/hash_sha256_cp.c",
        "libsodium/src/libsodium/crypto_hash/sha512/hash_sha512.c",
        "libsodium/src/libsodium/crypto_hash/sha512/cp/hash_sha512_cp.c",
        "libsodium/src/libsodium/crypto_kdf/blake2b/kdf_blake2b.c",
        "libsodium/src/libsodium/crypto_kdf/crypto_kdf.c",
        "libsodium/src/libsodium/crypto_kx/crypto_kx.c",
        "libsodium/src/libsodium/crypto_onetimeauth/crypto_onetimeauth.c",
        "libsodium/src/libsodium/crypto_onetimeauth/poly1305/onetimeauth_poly1305.c",
        "libsodium/src/libsodium/crypto_onetimeauth/poly1305/donna/poly1305_donna.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/argon2-core.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/argon2-encoding.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/argon2-fill-block-ref.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/argon2.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/blake2b-long.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/pwhash_argon2i.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/pwhash_argon2id.c",
        "libsodium/src/libsodium/crypto_pwhash/crypto_pwhash.c",
        "libsodium/src/libsodium/crypto_scalarmult/crypto_scalarmult.c",
        "libsodium/src/libsodium/crypto_scalarmult/curve25519/ref10/x25519_ref10.c",
        "libsodium/src/libsodium/crypto_scalarmult/curve25519/scalarmult_curve25519.c",
        "libsodium/src/libsodium/crypto_secretbox/crypto_secretbox.c",
        "libsodium/src/libsodium/crypto_secretbox/crypto_secretbox_easy.c",
        "libsodium/src/libsodium/crypto_secretbox/xsalsa20poly1305/secretbox_xsalsa20poly1305.c",
        "libsodium/src/libsodium/crypto_secretstream/xchacha20poly1305/secretstream_xchacha20poly1305.c",
        "libsodium/src/libsodium/crypto_shorthash/crypto_shorthash.c",
        "libsodium/src/libsodium/crypto_shorthash/siphash24/shorthash_siphash24.c",
        "libsodium/src/libsodium/crypto_shorthash/siphash24/ref/shorthash_siphash24_ref.c",
        "libsodium/src/libsodium/crypto_sign/crypto_sign.c",
        "libsodium/src/libsodium/crypto_sign/ed25519/sign_ed25519.c",
        "libsodium/src/libsodium/crypto_sign/ed25519/ref10/keypair.c",
        "libsodium/src/libsodium/crypto_sign/ed25519/ref10/open.c",
        "libsodium/src/libsodium/crypto_sign/ed25519/ref10/sign.c",
        "libsodium/src/libsodium/crypto_stream/chacha20/stream_chacha20.c",
        "libsodium/src/libsodium/crypto_stream/chacha20/ref/chacha20_ref.c",
        "libsodium/src/libsodium/crypto_stream/crypto_stream.c",
        "libsodium/src/libsodium/crypto_stream/salsa20/stream_salsa20.c",
        "libsodium/src/libsodium/crypto_stream/salsa20/ref/salsa20_ref.c",
        "libsodium/src/libsodium/crypto_stream/xsalsa20/stream_xsalsa20.c",
        "libsodium/src/libsodium/crypto_verify/sodium/verify.c",
        "libsodium/src/libsodium/randombytes/randombytes.c",
        "libsodium/src/libsodium/randombytes/internal/randombytes_internal_random.c",
        "libsodium/src/libsodium/randombytes/sysrandom/randombytes_sysrandom.c",
        "libsodium/src/libsodium/sodium/codecs.c",
        "libsodium/src/libsodium/sodium/core.c",
        "libsodium/src/libsodium/sodium/runtime.c",
        "libsodium/src/libsodium/sodium/utils.c",
        "libsodium/src/libsodium/sodium/version.c"
      ],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", {
          "sources": [
            "libsodium/src/libsodium/crypto_scalarmult/curve25519/sandy2x/curve25519_sandy2x.c",
            "libsodium/src/libsodium/crypto_scalarmult/curve25519/sandy2x/fe51_invert.c",
            "libsodium/src/libsodium/crypto_scalarmult/curve25519/sandy2x/fe_frombytes_sandy2x.c",
            "libsodium/src/libsodium/crypto_scalarmult/curve25519/sandy2x/sandy2x.S"
          ]
        }]
      ]
    },
    {
      "target_name": "libsodium_sse2",
      "type": "static_library",
      "standalone_static_library": 1,
      "conditions": [["target_arch=='x64'", {"cflags": ["-msse2"]}]],
      "sources": [
        "libsodium/src/libsodium/crypto_onetimeauth/poly1305/sse2/poly1305_sse2.c",
        "libsodium/src/libsodium/crypto_stream/salsa20/xmm6int/salsa20_xmm6int-sse2.c"
      ]
    },
    {
      "target_name": "libsodium_ssse3",
      "type": "static_library",
      "standalone_static_library": 1,
      "conditions": [["target_arch=='x64'", {"cflags": ["-msse2", "-mssse3"]}]],
      "sources": [
        "libsodium/src/libsodium/crypto_generichash/blake2b/ref/blake2b-compress-ssse3.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/argon2-fill-block-ssse3.c",
        "libsodium/src/libsodium/crypto_stream/chacha20/dolbeau/chacha20_dolbeau-ssse3.c"
      ]
    },
    {
      "target_name": "libsodium_sse41",
      "type": "static_library",
      "standalone_static_library": 1,
      "conditions": [["target_arch=='x64'", {"cflags": ["-msse2", "-mssse3", "-msse4.1"]}]],
      "sources": [
        "libsodium/src/libsodium/crypto_generichash/blake2b/ref/blake2b-compress-sse41.c"
      ]
    },
    {
      "target_name": "libsodium_avx2",
      "type": "static_library",
      "standalone_static_library": 1,
      "conditions": [["target_arch=='x64'", {"cflags": ["-msse2", "-mssse3", "-msse4.1", "-mavx", "-mavx2"]}]],
      "sources": [
        "libsodium/src/libsodium/crypto_generichash/blake2b/ref/blake2b-compress-avx2.c",
        "libsodium/src/libsodium/crypto_pwhash/argon2/argon2-fill-block-avx2.c",
        "libsodium/src/libsodium/crypto_stream/chacha20/dolbeau/chacha20_dolbeau-avx2.c",
        "libsodium/src/libsodium/crypto_stream/salsa20/xmm6int/salsa20_xmm6int-avx2.c"
      ]
    },
    {
      "target_name": "libsodium_avx512f",
      "type": "static_library",
      "standalone_static_library": 1,
      "conditions": [["target_arch=='x64'", {"cflags": ["-msse2", "-mssse3", "-msse4.1", "-mavx", "-mavx2", "-mavx512f"]}]],
      "sources": [
        "libsodium/src/libsodium/crypto_pwhash/argon2/argon2-fill-block-avx512f.c"
      ]
    },
    {
      "target_name": "libsodium_aesni",
      "type": "static_library",
      "standalone_static_library": 1,
      "conditions": [["target_arch=='x64'", {"cflags": ["-msse2", "-mssse3", "-maes", "-mpclmul", "-mavx"]}]],
      "sources": [
        "libsodium/src/libsodium/crypto_aead/aes256gcm/aesni/aead_aes256gcm_aesni.c"
      ]
    }
  ]
}
