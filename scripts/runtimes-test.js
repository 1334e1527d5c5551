#!/usr/bin/env node
'use strict'
// The npm tarball under Bun and Deno 2, which load the native addon through their Node-API support.
// Both come from the npm registry (packages `bun` and `@deno/<platform>`), installed once into a
// cache outside the repo and reused. The tarball is packed from the work tree and installed into
// a fresh app the way users get it; per runtime:
//   smoke   scripts/platform-smoke.js as it is (CommonJS, require('bip324')): the loader, every
//           packet vector per provider and on the wasm backend, a loopback echo of 0 B .. 1 MiB
//   demo    `bip324 demo --json` (dist/cli/index.js) on the native backend
//   import  an ES module app: `import bip324, { connect, ... } from 'bip324'`
//   file    an ES module importing esm/index.mjs by path, from an unpacked tarball outside
//           node_modules (as from a checkout): Deno reads .js files there as ESM
// One line per runtime: runtime, version, PASS/FAIL, provider, time; then 'N passed, N failed'.
// Not part of `npm test`: it needs the registry.
//
// The addon: a prebuild in the tarball for this platform if there is one (installed with scripts,
// as users get it: scripts/install.js finds it and builds nothing); else the work tree's build/,
// linked into the installed package (installed with --ignore-scripts): the same sources built by
// the same node-gyp, and what is tested here is Bun's and Deno's loading of it, not the install
// script (`npm run test:install` is about that); a source build costs 35-60 s on 2 cores. With no
// build/ either, or with --build-from-source, the install script builds it from the tarball.
//
// Usage: node scripts/runtimes-test.js [bun] [deno] [--build-from-source] [--update]
//   --update      look up the newest releases again instead of reusing the cached ones
// Environment: BIP324_RUNTIMES_CACHE (default ~/.cache/bip324-runtimes), BIP324_BUN_VERSION and
// BIP324_DENO_VERSION (an npm version or range; default: the cached one, else latest),
// BIP324_TARBALL (test that tarball instead of packing the work tree), BIP324_RUNTIMES_KEEP=1
// (keep the temp dir with the app and each smoke's result JSON).

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const CACHE = process.env.BIP324_RUNTIMES_CACHE || path.join(os.homedir(), '.cache', 'bip324-runtimes')
const VECTORS = path.join(ROOT, 'test/fixtures/bip324/packet_encoding_test_vectors.csv')
const args = process.argv.slice(2)
const FROM_SOURCE = args.includes('--build-from-source')
const UPDATE = args.includes('--update')
const WANTED = args.filter((a) => !a.startsWith('--'))
const PLATFORM = `${process.platform}-${process.arch}`

// What the smoke's Deno needs: files (vectors, result, the addon), loopback sockets, the addon
// itself (Node-API goes through --allow-ffi), and BIP324_* variables. No --allow-run, no -A.
const DENO_PERMISSIONS = ['--allow-read', '--allow-write', '--allow-net', '--allow-ffi', '--allow-env']

function run (cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300000, ...opts })
  if ((r.status !== 0 || r.error) && !opts.allowFail) {
    throw new Error(`${path.basename(cmd)} ${argv.join(' ')} failed: ` +
      (r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-5).join('\n'))
  }
  return r
}

const byVersion = (a, b) => a.localeCompare(b, 'en', { numeric: true })

// Each runtime: its npm package for this platform and where the binary lands in it.
const RUNTIMES = {
  bun: {
    pkg: () => 'bun', // its postinstall puts the @oven/bun-<platform> binary in bin/bun.exe
    bin: (dir) => path.join(dir, 'node_modules', 'bun', 'bin', 'bun.exe'), // bun.exe on every platform
    version: (bin) => run(bin, ['--version']).stdout.trim(),
    cmd: (bin, file) => [bin, [file]],
    env: {}
  },
  deno: {
    pkg: () => {
      const name = { 'linux-x64': 'linux-x64-glibc', 'linux-arm64': 'linux-arm64-glibc', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64', 'win32-x64': 'win32-x64', 'win32-arm64': 'win32-arm64' }[PLATFORM]
      if (!name) throw new Error(`no Deno package for ${PLATFORM}`)
      return `@deno/${name}`
    },
    bin: (dir, pkg) => path.join(dir, 'node_modules', ...pkg.split('/'), process.platform === 'win32' ? 'deno.exe' : 'deno'),
    version: (bin) => run(bin, ['--version']).stdout.split('\n')[0].split(' ')[1],
    // --no-lock: no deno.lock written into the app. (Not --no-config: Deno then ignores the app's
    // package.json, and with it node_modules: "Import "bip324" not a dependency".)
    cmd: (bin, file) => [bin, ['run', ...DENO_PERMISSIONS, '--no-lock', file]],
    env: { DENO_DIR: path.join(CACHE, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }
  }
}

// The runtime's install dir under the cache: <name>-<version>, reused; the newest cached one
// unless a version is asked for or --update.
function install (name) {
  const rt = RUNTIMES[name]
  const pkg = rt.pkg()
  const spec = process.env[`BIP324_${name.toUpperCase()}_VERSION`]
  const cached = fs.readdirSync(CACHE).filter((d) => d.startsWith(`${name}-`) && fs.existsSync(rt.bin(path.join(CACHE, d), pkg)))
    .map((d) => d.slice(name.length + 1)).sort(byVersion)
  let version
  if (!spec && !UPDATE && cached.length) {
    version = cached[cached.length - 1]
  } else {
    const out = JSON.parse(run('npm', ['view', `${pkg}@${spec || 'latest'}`, 'version', '--json']).stdout)
    const versions = [].concat(out).filter((v) => !v.includes('-')).sort(byVersion)
    if (!versions.length) throw new Error(`no ${pkg} release matches ${spec}`)
    version = versions[versions.length - 1]
  }
  const dir = path.join(CACHE, `${name}-${version}`)
  const bin = rt.bin(dir, pkg)
  if (!fs.existsSync(bin)) {
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n')
    run('npm', ['install', `${pkg}@${version}`, '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir })
  }
  return { bin, version: rt.version(bin) }
}

// A fresh app with the tarball installed; returns its dir and where its addon came from.
function project (work) {
  let tgz = process.env.BIP324_TARBALL && path.resolve(process.env.BIP324_TARBALL)
  if (!tgz) {
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT }).stdout)
    tgz = path.join(work, packed[0].filename)
  }
  const app = path.join(work, 'app')
  fs.mkdirSync(app)
  // type commonjs: Deno runs the .js smoke as CommonJS only when package.json says so.
  fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "bip324-runtimes-app", "private": true, "type": "commonjs" }\n')
  const listed = run('tar', ['-tzf', tgz]).stdout.split('\n')
  const prebuilt = listed.some((f) => f.startsWith(`package/prebuilds/${PLATFORM}/`) && f.endsWith('.node'))
  const installed = path.join(app, 'node_modules', 'bip324')
  let addon
  if (!FROM_SOURCE && !prebuilt && fs.existsSync(path.join(ROOT, 'build/Release/bip324.node'))) {
    run('npm', ['install', tgz, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app })
    fs.symlinkSync(path.join(ROOT, 'build'), path.join(installed, 'build'), 'dir')
    addon = 'the work tree\'s build/Release, linked in (no prebuild in the tarball)'
  } else {
    const env = { ...process.env, ...(FROM_SOURCE ? { npm_config_build_from_source: 'true' } : {}) }
    run('npm', ['install', tgz, '--no-audit', '--no-fund'], { cwd: app, env })
    addon = prebuilt && !FROM_SOURCE ? `prebuilds/${PLATFORM} from the tarball` : 'built from source by the install script'
  }
  fs.copyFileSync(path.join(ROOT, 'scripts/platform-smoke.js'), path.join(app, 'platform-smoke.js'))

  // The tarball unpacked outside node_modules, its dependencies and addon taken from the app's.
  const checkout = path.join(work, 'checkout')
  fs.mkdirSync(checkout)
  run('tar', ['-xzf', tgz, '-C', checkout, '--strip-components=1'])
  fs.symlinkSync(path.join(app, 'node_modules'), path.join(checkout, 'node_modules'), 'dir')
  if (fs.existsSync(path.join(installed, 'build'))) fs.symlinkSync(fs.realpathSync(path.join(installed, 'build')), path.join(checkout, 'build'), 'dir')

  fs.writeFileSync(path.join(app, 'esm-import.mjs'), esmCheck("'bip324'", "'bip324'"))
  const esm = JSON.stringify(new URL(`file://${path.join(checkout, 'esm/index.mjs')}`).href)
  fs.writeFileSync(path.join(work, 'esm-file.mjs'), esmCheck(esm, JSON.stringify(path.join(checkout, 'dist/index.js'))))
  return { app, addon }
}

// An ES module that imports the package (default and named), checks that it is the module
// require() gives (one instance), and echoes a message over loopback. Prints JSON.
function esmCheck (specifier, requireSpecifier) {
  return `import { createRequire } from 'node:module'
import { once } from 'node:events'
import bip324, { connectAsync, createServer, Bip324Error, nativeInfo } from ${specifier}
import * as ns from ${specifier}
const cjs = createRequire(import.meta.url)(${requireSpecifier})
const names = Object.keys(cjs)
const errors = []
if (bip324 !== cjs) errors.push('default export is not require()\\'s module')
const missing = names.filter((k) => ns[k] !== cjs[k])
if (missing.length) errors.push('named exports missing or different: ' + missing.join(', '))
try { bip324.magicOf('nonet') } catch (err) { if (!(err instanceof Bip324Error)) errors.push('error is not a Bip324Error') }
const server = createServer((c) => { c.on('data', (m) => c.write(m)); c.on('error', () => {}) })
const { port } = await server.listenAsync(0, '127.0.0.1')
const client = await connectAsync(port, '127.0.0.1')
const message = new Uint8Array(65536).map((_, i) => i & 0xff)
client.write(message)
const [back] = await once(client, 'data')
if (Buffer.compare(Buffer.from(back), Buffer.from(message)) !== 0) errors.push('echo differs')
client.end()
await server[Symbol.asyncDispose]()
console.log(JSON.stringify({ ok: errors.length === 0, names: names.length, provider: nativeInfo().provider, errors }))
`
}

// A failed command's error line (Deno's 'error: ...', a thrown Error) and its last line.
function lastLines (r) {
  const lines = (r.stderr || r.stdout || (r.error && String(r.error)) || `exit ${r.status}`).trim().split('\n')
  const error = lines.find((l) => /^error:|\w*Error\b/.test(l.trim()))
  return [...new Set([error, lines[lines.length - 1]].filter(Boolean))].map((l) => l.trim()).join(' / ')
}

function test (name, bin, app, work) {
  const rt = RUNTIMES[name]
  const env = { ...process.env, ...rt.env }
  const exec = (file, cwd, extra = []) => {
    const [cmd, argv] = rt.cmd(bin, file)
    return run(cmd, [...argv, ...extra], { cwd, env, allowFail: true, stdio: ['ignore', 'pipe', 'pipe'] })
  }
  const json = (r) => { try { return JSON.parse(r.stdout) } catch { return null } }
  const checks = {}
  const failures = []
  let provider = '?'

  const out = path.join(work, `smoke-${name}.json`)
  const smoke = exec('platform-smoke.js', app, [VECTORS, out])
  const result = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : null
  if (result?.ok && smoke.status === 0) {
    checks.smoke = `ok (${result.vectors} vectors on ${result.providers.join('+')}, ${result.wasmVectors} on wasm/${result.wasm.join('+')}, echo ${result.echo.length} sizes)`
    provider = result.provider
  } else {
    checks.smoke = 'FAIL'
    failures.push(`smoke: ${result ? result.errors.join('; ') : lastLines(smoke)}`)
  }

  const demo = exec(path.join('node_modules', 'bip324', 'dist', 'cli', 'index.js'), app, ['demo', '--json'])
  const d = json(demo)
  checks.demo = d?.ok && d.backend === 'native' ? 'ok' : 'FAIL'
  if (checks.demo !== 'ok') failures.push(`demo: ${d ? `ok=${d.ok} backend=${d.backend}` : lastLines(demo)}`)

  for (const [check, file, cwd] of [['import', 'esm-import.mjs', app], ['file', path.join(work, 'esm-file.mjs'), app]]) {
    const r = exec(file, cwd)
    const j = json(r)
    checks[check] = j?.ok ? 'ok' : 'FAIL'
    if (!j?.ok) failures.push(`${check}: ${j ? j.errors.join('; ') : lastLines(r)}`)
  }
  return { checks, failures, provider }
}

function main () {
  fs.mkdirSync(CACHE, { recursive: true })
  const names = WANTED.length ? WANTED : Object.keys(RUNTIMES)
  for (const n of names) if (!RUNTIMES[n]) throw new Error(`unknown runtime ${n} (bun, deno)`)
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-runtimes-'))
  let passed = 0
  try {
    const t0 = Date.now()
    const runtimes = names.map((n) => {
      const t = Date.now()
      try {
        return { name: n, ...install(n), ms: Date.now() - t }
      } catch (err) {
        return { name: n, error: err.message }
      }
    })
    const t1 = Date.now()
    const { app, addon } = project(work)
    const t2 = Date.now()
    process.stdout.write(`runtimes ${((t1 - t0) / 1000).toFixed(1)} s (cache ${CACHE}); pack + install ${((t2 - t1) / 1000).toFixed(1)} s, addon: ${addon}\n`)
    for (const r of runtimes) {
      if (r.error) {
        process.stdout.write(`${r.name} ? FAIL - 0.0s: ${r.error}\n`)
        continue
      }
      const t = Date.now()
      const { checks, failures, provider } = test(r.name, r.bin, app, work)
      const s = ((Date.now() - t) / 1000).toFixed(1)
      if (!failures.length) passed++
      process.stdout.write(`${r.name} ${r.version} ${failures.length ? 'FAIL' : 'PASS'} ${provider} ${s}s: ` +
        Object.entries(checks).map(([k, v]) => `${k} ${v}`).join(', ') + '\n')
      for (const f of failures) process.stdout.write(`  ${f}\n`)
    }
    process.stdout.write(`${passed} passed, ${names.length - passed} failed\n`)
  } finally {
    if (!process.env.BIP324_RUNTIMES_KEEP) fs.rmSync(work, { recursive: true, force: true })
    else process.stdout.write(`kept ${work}\n`)
  }
  process.exitCode = passed === names.length ? 0 : 1
}

main()
