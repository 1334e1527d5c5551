import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.join(__dirname, '..')
/* eslint-disable @typescript-eslint/no-require-imports */
const { targets } = require('../scripts/gyp-to-cmake.js') as {
  targets: (gyp: string, vars: Record<string, string>) => Array<{ name: string, sources: string[], cflags: string[], defines: string[] }>
}
const { DEPS } = require('../scripts/fetch-deps.js') as { DEPS: Array<{ dir: string, commit: string }> }
/* eslint-enable @typescript-eslint/no-require-imports */

const x64 = { OS: 'linux', target_arch: 'x64' }
const arm64 = { OS: 'linux', target_arch: 'arm64' }
const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' })

test.each([['x64', x64], ['arm64', arm64]])('every dependency source listed for linux-%s exists', (_arch, vars) => {
  const sources = ['deps/secp256k1.gyp', 'deps/libsodium.gyp'].flatMap((f) => targets(f, vars)).flatMap((t) => t.sources)
  expect(sources.length).toBeGreaterThan(70)
  expect(sources.filter((s) => !fs.existsSync(s))).toEqual([])
})

test('libsodium\'s SIMD ChaCha20 and Poly1305 are compiled, each with its own -m flags, on x64 only', () => {
  const byName = (vars: Record<string, string>) => Object.fromEntries(targets('deps/libsodium.gyp', vars).map((t) => [t.name, t]))
  const onX64 = byName(x64)
  expect(onX64.libsodium_avx2!.sources.some((s) => s.endsWith('chacha20_dolbeau-avx2.c'))).toBe(true)
  expect(onX64.libsodium_avx2!.cflags).toContain('-mavx2')
  expect(onX64.libsodium_ssse3!.sources.some((s) => s.endsWith('chacha20_dolbeau-ssse3.c'))).toBe(true)
  expect(onX64.libsodium_ssse3!.cflags).toContain('-mssse3')
  expect(onX64.libsodium_sse2!.sources.some((s) => s.endsWith('poly1305_sse2.c'))).toBe(true)
  expect(onX64.libsodium!.defines).toEqual(expect.arrayContaining(['HAVE_AVX2INTRIN_H=1', 'HAVE_TMMINTRIN_H=1', 'HAVE_CPUID=1']))
  const onArm = byName(arm64)
  expect(onArm.libsodium_avx2!.cflags.filter((f) => f.startsWith('-m'))).toEqual([])
  expect(onArm.libsodium!.defines.filter((d) => d.startsWith('HAVE_AVX'))).toEqual([])
})

const sourcesIn = (dir: string, skip?: RegExp): string[] => fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(c|cc)$/.test(f) && !(skip?.test(f) ?? false)).map((f) => path.join(ROOT, dir, f))

test('binding.gyp compiles every engine, binding and test source in native/ (native/wasm/ is the WebAssembly build\'s)', () => {
  const listed = targets('binding.gyp', x64).flatMap((t) => t.sources)
  expect(listed.sort()).toEqual(sourcesIn('native', /^wasm\//).sort())
})

test('scripts/build-wasm.js compiles every source in native/wasm/, and of the engine all but its OpenSSL provider and build facts', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SOURCES } = require('../scripts/build-wasm') as { SOURCES: string[] }
  const listed = SOURCES.map((s) => path.join(ROOT, s))
  for (const s of sourcesIn('native/wasm')) expect(listed).toContain(s)
  const engine = targets('binding.gyp', x64).find((t) => t.name === 'bip324_engine')!.sources
  expect(engine.filter((s) => !listed.includes(s)).map((s) => path.basename(s)).sort()).toEqual(['info.c', 'provider.c'])
})

test('deps/ commits only our build files and the two gitlinks, at the pinned release commits', () => {
  const entries = git('ls-files', '-s', 'deps').trim().split('\n').map((l) => {
    const [mode, object, , file] = l.split(/\s+/)
    return { mode, object, file }
  })
  const gitlinks = entries.filter((e) => e.mode === '160000')
  expect(gitlinks.map((e) => [e.file, e.object]).sort()).toEqual(DEPS.map((d) => [d.dir, d.commit]).sort())
  expect(entries.filter((e) => e.mode !== '160000').map((e) => e.file).sort()).toEqual(['deps/libsodium.gyp', 'deps/secp256k1.gyp'])
})

test('.gitmodules points each submodule at its upstream repository', () => {
  const urls = git('config', '-f', '.gitmodules', '--get-regexp', 'url').trim().split('\n').sort()
  expect(urls).toEqual([
    'submodule.deps/libsodium.url https://github.com/jedisct1/libsodium.git',
    'submodule.deps/secp256k1.url https://github.com/bitcoin-core/secp256k1.git'
  ])
})
