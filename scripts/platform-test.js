#!/usr/bin/env node
'use strict'
// npm run test:platforms: proves every prebuilt binary in the npm tarball in its platform's real
// Node. Packs the work tree (npm pack: prepare, then prepack = `prebuild.js --pack`, which builds
// any prebuild that is missing or stale), checks the tarball holds one prebuild per target in
// scripts/targets/, installs it with --ignore-scripts into a fresh app with no compiler, make or
// python on PATH, then for each target calls its prove() (scripts/prebuild.js documents the
// interface): scripts/platform-smoke.js in that platform's Node (loader, every packet vector per
// provider, loopback echo 0 B..1 MiB) plus the binary's own checks (glibc floor).
// One line per target: target, PASS/FAIL, what its proof saw (node, provider, glibc floor,
// vectors, echo), time; then 'N passed, N failed'. Exit status 1 if any failed.
// BIP324_TARBALL=path proves a given tarball instead of packing; KEEP=1 keeps the temp folder.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT, loadTargets } = require('./prebuild')

const VECTORS = path.join(ROOT, 'test/fixtures/bip324/packet_encoding_test_vectors.csv')
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-platform-test-'))

function sh (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  fs.appendFileSync(path.join(WORK, 'commands.log'), `$ ${cmd} ${args.join(' ')}\n${r.stdout || ''}${r.stderr || ''}\n`)
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`}):\n${((r.stdout || '') + (r.stderr || '')).trim().split('\n').slice(-15).join('\n')}`)
  return r.stdout
}

// A PATH with node and npm but no compiler, make or python: what a slim container has.
function barePath () {
  const bare = path.join(WORK, 'bare-bin')
  fs.mkdirSync(bare)
  const which = (t) => (process.env.PATH || '').split(path.delimiter).map((d) => path.join(d, t)).find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })
  fs.symlinkSync(process.execPath, path.join(bare, 'node'))
  for (const t of ['npm', 'npx', 'sh', 'bash', 'env', 'tar', 'gzip']) {
    const p = which(t)
    if (p) fs.symlinkSync(p, path.join(bare, t))
  }
  for (const t of ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python3', 'python', 'zig']) {
    if (fs.existsSync(path.join(bare, t))) throw new Error(`${t} is on the bare PATH`)
  }
  return bare
}

async function main () {
  const targets = loadTargets()
  let tgz = process.env.BIP324_TARBALL && path.resolve(process.env.BIP324_TARBALL)
  if (!tgz) {
    const started = Date.now()
    const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', WORK], { cwd: ROOT }))
    tgz = path.join(WORK, packed[0].filename)
    console.log(`packed ${path.basename(tgz)} (${(fs.statSync(tgz).size / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  }
  const listing = sh('tar', ['tzf', tgz]).split('\n')
  const prebuilds = listing.filter((f) => /^package\/prebuilds\/.+\.node$/.test(f)).map((f) => f.slice('package/'.length))
  console.log(`tarball ${tgz}: ${prebuilds.join(', ') || 'no prebuilds'}`)

  const app = path.join(WORK, 'app')
  fs.mkdirSync(app)
  fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "bip324-platform-test", "version": "1.0.0", "private": true }\n')
  sh('npm', ['install', tgz, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, env: { ...process.env, PATH: barePath() } })
  if (fs.existsSync(path.join(app, 'node_modules/bip324/build'))) throw new Error('the install built something')
  // require('bip324') resolves from the script's own folder: the smoke lives in the app
  const smoke = path.join(app, 'platform-smoke.js')
  fs.copyFileSync(path.join(__dirname, 'platform-smoke.js'), smoke)

  let passed = 0
  let failed = 0
  const report = (target, ok, line, ms) => {
    if (ok) passed++
    else failed++
    console.log(`${target.padEnd(12)} ${ok ? 'PASS' : 'FAIL'}  ${line}  [${(ms / 1000).toFixed(1)} s]`)
  }
  for (const t of targets) {
    const started = Date.now()
    if (!prebuilds.some((f) => f.startsWith(`prebuilds/${t.target}/`))) {
      report(t.target, false, 'no prebuild in the tarball', 0)
      continue
    }
    const out = path.join(WORK, t.target)
    fs.mkdirSync(out)
    try {
      const { ok, line } = await t.prove({ app, smoke, vectors: VECTORS, out })
      report(t.target, ok === true, line, Date.now() - started)
    } catch (err) {
      report(t.target, false, `prove() threw: ${err.message}`, Date.now() - started)
    }
  }
  const stray = prebuilds.filter((f) => !targets.some((t) => f.startsWith(`prebuilds/${t.target}/`)))
  if (stray.length) report('(tarball)', false, `prebuilds no target proves: ${stray.join(', ')}`, 0)
  console.log(`${passed} passed, ${failed} failed`)
  return failed === 0
}

main().then((ok) => {
  if (ok && process.env.KEEP !== '1') fs.rmSync(WORK, { recursive: true, force: true })
  else console.log(`files kept in ${WORK}`)
  process.exitCode = ok ? 0 : 1
}, (err) => {
  console.log(`FAIL setup: ${err.message}\nfiles kept in ${WORK}`)
  console.log('0 passed, 1 failed')
  process.exitCode = 1
})
