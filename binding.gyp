{
  "targets": [
    {
      "target_name": "bip324",
      "dependencies": [
        "deps/secp256k1.gyp:secp256k1",
        "deps/libsodium.gyp:libsodium",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_maybe"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "<!@(node scripts/fetch-deps.js --quiet --defines)"
      ],
      "cflags": [
        "-fvisibility=hidden"
      ],
      "cflags_cc": [
        "-std=c++17"
      ],
      "xcode_settings": {
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES"
      },
      "conditions": [
        [
          "OS=='linux'",
          {
            "ldflags": [
              "-Wl,--exclude-libs,ALL"
            ],
            "libraries": [
              "-ldl"
            ]
          }
        ]
      ],
      "sources": [
        "native/binding.cc",
        "native/bench.c",
        "native/ellswift.c",
        "native/fschacha20.c",
        "native/fschacha20poly1305.c",
        "native/info.c",
        "native/key_schedule.c",
        "native/packet.c",
        "native/provider.c"
      ]
    }
  ]
}
