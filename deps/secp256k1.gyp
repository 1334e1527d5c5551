{
  "targets": [
    {
      "target_name": "secp256k1",
      "type": "static_library",
      "standalone_static_library": 1,
      "defines": [
        "ENABLE_MODULE_ELLSWIFT=1",
        "SECP256K1_API=extern"
      ],
      "include_dirs": ["secp256k1/include"],
      "cflags": ["-fvisibility=hidden", "-Wno-unused-function", "-Wno-unused-parameter"],
      "xcode_settings": {"GCC_SYMBOLS_PRIVATE_EXTERN": "YES"},
      "direct_dependent_settings": {
        "defines": ["SECP256K1_API=extern"],
        "include_dirs": ["secp256k1/include"],
        "conditions": [["OS=='win'", {"defines": ["SECP256K1_STATIC"]}]]
      },
      "sources": [
        "secp256k1/src/secp256k1.c",
        "secp256k1/src/precomputed_ecmult.c",
        "secp256k1/src/precomputed_ecmult_gen.c"
      ]
    }
  ]
}
