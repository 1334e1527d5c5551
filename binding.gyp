{
  "targets": [
    {
      "target_name": "bip324",
      "dependencies": [
        "deps/secp256k1.gyp:secp256k1",
        "deps/libsodium.gyp:libsodium",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_maybe"
      ],
      "defines": ["NAPI_VERSION=8", "<!@(node scripts/fetch-deps.js --quiet --defines)"],
      "cflags": ["-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17"],
      "xcode_settings": {"GCC_SYMBOLS_PRIVATE_EXTERN": "YES"},
      "conditions": [
        ["OS=='linux'", {"ldflags": ["-Wl,--exclude-libs,ALL"]}]
      ],
      "sources": [
        "native/binding.cc",
        "native/ellswift.c",
        "native/info.c"
      ]
    }
  ]
}
