{
  "targets": [
    {
      "target_name": "bip324_engine",
      "type": "static_library",
      "dependencies": [
        "deps/secp256k1.gyp:secp256k1",
        "deps/libsodium.gyp:libsodium"
      ],
      "export_dependent_settings": [
        "deps/secp256k1.gyp:secp256k1",
        "deps/libsodium.gyp:libsodium"
      ],
      "defines": [
        "<!@(node scripts/fetch-deps.js --quiet --defines)"
      ],
      "cflags": [
        "-fvisibility=hidden"
      ],
      "xcode_settings": {
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES"
      },
      "conditions": [
        [
          "OS=='linux'",
          {
            "link_settings": {
              "libraries": [
                "-ldl"
              ]
            }
          }
        ]
      ],
      "sources": [
        "native/chacha20_lanes.c",
        "native/ellswift.c",
        "native/fschacha20.c",
        "native/fschacha20poly1305.c",
        "native/info.c",
        "native/key_schedule.c",
        "native/packet.c",
        "native/provider.c",
        "native/secp256k1_context.c",
        "native/sodium_primitives.c"
      ]
    },
    {
      "target_name": "bip324",
      "dependencies": [
        "bip324_engine",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_maybe"
      ],
      "defines": [
        "NAPI_VERSION=8"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fvisibility=hidden"
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
            ]
          }
        ]
      ],
      "sources": [
        "native/binding.cc"
      ]
    },
    {
      "target_name": "bip324_testing",
      "dependencies": [
        "bip324_engine",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_maybe"
      ],
      "defines": [
        "NAPI_VERSION=8"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fvisibility=hidden"
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
            ]
          }
        ]
      ],
      "sources": [
        "native/bench.c",
        "native/bench_baseline.c",
        "native/testing.cc"
      ],
      "target_conditions": [
        [
          "_type=='loadable_module'",
          {
            "product_extension": "addon"
          }
        ]
      ]
    },
    {
      "target_name": "engine_test",
      "type": "executable",
      "dependencies": [
        "bip324_engine"
      ],
      "sources": [
        "native/test/engine_test.c"
      ]
    },
    {
      "target_name": "provider_probe",
      "type": "executable",
      "dependencies": [
        "bip324_engine"
      ],
      "sources": [
        "native/test/provider_probe.c"
      ]
    }
  ]
}
