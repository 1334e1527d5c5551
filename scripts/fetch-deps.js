#!/usr/bin/env node
'use strict'
// The one dependency fetcher every build path calls (binding.gyp, CMakeLists.txt, npm scripts).
// Third-party sources are never committed: they come, in this order, from
//   1. sources already in deps/<name> (a checked-out submodule or an unpacked npm tarball),
//   2. `git submodule update --init`, where this is a git work tree and the remote is reachable,
//   3. Debian stable source packages, fetched with a private apt configuration in a temporary
//      directory (the system's apt configuration is never touched), the upstream tarball checked
//      against the SHA-256 pinned below.
// Every path must yield the same upstream release, so the version found is always checked.
// Usage: node scripts/fetch-deps.js [--quiet] [--defines]
//   --defines prints, on stdout, the preprocessor definitions the native build takes from here
//   (the pinned versions just verified), for binding.gyp and CMakeLists.txt.

const { spawnSync } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const DEBIAN_SUITE = 'trixie' // Debian 13, stable since 2025-08; pinned by name so the version cannot drift
const DEBIAN_MIRROR = process.env.BIP324_DEBIAN_MIRROR || 'http://deb.debian.org/debian'
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'

const DEPS = [
  {
    name: 'secp256k1',
    dir: 'deps/secp256k1',
    version: '0.5.0',
    commit: 'e3a885d42a7800c1ccebad94ad1e2b82c4df5c65', // tag v0.5.0
    marker: 'include/secp256k1_ellswift.h',
    define: 'BIP324_SECP256K1_VERSION', // libsecp256k1 has no run-time version call
    versionFile: 'CMakeLists.txt',
    versionPattern: /project\(libsecp256k1[\s\S]*?\bVERSION\s+([0-9.]+)/,
    debianSource: 'libsecp256k1',
    debianOrig: 'libsecp256k1_0.5.0.orig.tar.xz',
    sha256: '13b70138be52d7a23bdf0ea39ed79799a30eb855f2ed82c028357f6432cd536b'
  },
  {
    name: 'libsodium',
    dir: 'deps/libsodium',
    version: '1.0.18',
    commit: '940ef42797baa0278df6b7fd9e67c7590f87744b', // tag 1.0.18-RELEASE
    marker: 'src/libsodium/include/sodium.h',
    versionFile: 'configure.ac',
    versionPattern: /AC_INIT\(\[libsodium\],\s*\[([0-9.]+)\]/,
    debianSource: 'libsodium',
    debianOrig: 'libsodium_1.0.18.orig.tar.gz', // a git export of the tag: same C sources, no generated autotools files
    sha256: 'd59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4',
    prepare: writeSodiumVersionHeader
  }
]

const quiet = process.argv.includes('--quiet')
const log = (msg) => { if (!quiet) process.stderr.write(`bip324 deps: ${msg}\n`) }

class FetchError extends Error {}

function run (cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 300000, ...opts })
}

function present (dep) {
  return fs.existsSync(path.join(ROOT, dep.dir, dep.marker))
}

function checkVersion (dep) {
  const file = path.join(ROOT, dep.dir, dep.versionFile)
  const match = fs.existsSync(file) && dep.versionPattern.exec(fs.readFileSync(file, 'utf8'))
  const found = match ? match[1] : 'unknown'
  if (found !== dep.version) {
    throw new FetchError(`${dep.dir} holds ${dep.name} ${found}, but ${dep.version} is pinned. ` +
      `Remove ${dep.dir} and run this script again.`)
  }
}

function trySubmodule (dep) {
  if (!fs.existsSync(path.join(ROOT, '.git')) || !fs.existsSync(path.join(ROOT, '.gitmodules'))) {
    return 'not a git work tree'
  }
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' }
  const r = run('git', ['submodule', 'update', '--init', '--', dep.dir], { cwd: ROOT, env, timeout: 120000 })
  if (r.error) return `git: ${r.error.message}`
  if (r.status !== 0) return `git submodule update failed: ${lastLine(r.stderr)}`
  return present(dep) ? null : 'git submodule update left no sources'
}

function tryDebian (dep) {
  if (run('apt-get', ['--version']).status !== 0) return 'apt-get is not available'
  if (!fs.existsSync(DEBIAN_KEYRING)) return `${DEBIAN_KEYRING} is missing (install debian-archive-keyring)`
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-apt-'))
  try {
    for (const d of ['lists/partial', 'cache/archives/partial', 'work']) fs.mkdirSync(path.join(tmp, d), { recursive: true })
    const sources = path.join(tmp, 'sources.list')
    fs.writeFileSync(sources, `deb-src [signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} ${DEBIAN_SUITE} main\n`)
    const opts = [
      '-o', `Dir::Etc::SourceList=${sources}`,
      '-o', 'Dir::Etc::SourceParts=/nonexistent',
      '-o', `Dir::State::Lists=${path.join(tmp, 'lists')}`,
      '-o', `Dir::Cache=${path.join(tmp, 'cache')}`,
      '-o', 'Dir::Etc::Preferences=/nonexistent',
      '-o', 'Dir::Etc::PreferencesParts=/nonexistent',
      '-o', 'APT::Sandbox::User=root',
      '-qq'
    ]
    let r = run('apt-get', [...opts, 'update'])
    if (r.status !== 0) return `apt-get update (private config, ${DEBIAN_SUITE}) failed: ${lastLine(r.stderr || r.stdout)}`
    const work = path.join(tmp, 'work')
    r = run('apt-get', [...opts, 'source', '--download-only', `${dep.debianSource}/${DEBIAN_SUITE}`], { cwd: work })
    if (r.status !== 0) return `apt-get source ${dep.debianSource} failed: ${lastLine(r.stderr || r.stdout)}`
    const orig = path.join(work, dep.debianOrig)
    if (!fs.existsSync(orig)) return `Debian ${DEBIAN_SUITE} no longer ships ${dep.debianOrig}`
    const digest = crypto.createHash('sha256').update(fs.readFileSync(orig)).digest('hex')
    if (digest !== dep.sha256) {
      throw new FetchError(`${dep.debianOrig} has SHA-256 ${digest}, expected ${dep.sha256}: refusing to use it.`)
    }
    const dest = path.join(ROOT, dep.dir)
    fs.mkdirSync(dest, { recursive: true })
    r = run('tar', ['-xf', orig, '--strip-components=1', '-C', dest])
    if (r.status !== 0) return `tar failed: ${lastLine(r.stderr)}`
    return present(dep) ? null : `${dep.debianOrig} did not contain ${dep.marker}`
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

// configure generates version.h; the Debian tarball has no configure, and our builds run none.
// deps/libsodium.gyp compiles the --enable-minimal source set, so the header says so.
function writeSodiumVersionHeader (dep) {
  const include = path.join(ROOT, dep.dir, 'src/libsodium/include/sodium')
  const target = path.join(include, 'version.h')
  if (fs.existsSync(target)) return
  const configure = fs.readFileSync(path.join(ROOT, dep.dir, 'configure.ac'), 'utf8')
  const major = /SODIUM_LIBRARY_VERSION_MAJOR=(\d+)/.exec(configure)[1]
  const minor = /SODIUM_LIBRARY_VERSION_MINOR=(\d+)/.exec(configure)[1]
  const header = fs.readFileSync(path.join(include, 'version.h.in'), 'utf8')
    .replace(/@VERSION@/g, dep.version)
    .replace(/@SODIUM_LIBRARY_VERSION_MAJOR@/g, major)
    .replace(/@SODIUM_LIBRARY_VERSION_MINOR@/g, minor)
    .replace(/@SODIUM_LIBRARY_MINIMAL_DEF@/g, '#define SODIUM_LIBRARY_MINIMAL 1')
  fs.writeFileSync(target, header)
}

function lastLine (text) {
  const lines = String(text || '').trim().split('\n')
  return lines[lines.length - 1] || 'no output'
}

function ensure (dep) {
  const tried = []
  if (present(dep)) {
    log(`${dep.name}: using sources in ${dep.dir}`)
  } else {
    for (const [how, attempt] of [['git submodule', trySubmodule], [`Debian ${DEBIAN_SUITE} source package`, tryDebian]]) {
      const failure = attempt(dep)
      if (failure === null) { log(`${dep.name}: fetched by ${how}`); break }
      tried.push(`${how}: ${failure}`)
    }
    if (!present(dep)) {
      throw new FetchError(`cannot obtain ${dep.name} ${dep.version} sources for ${dep.dir}. Tried:\n` +
        [`sources already present: ${dep.dir}/${dep.marker} not found`, ...tried].map((t) => `  - ${t}`).join('\n'))
    }
  }
  checkVersion(dep)
  if (dep.prepare) dep.prepare(dep)
}

function main () {
  try {
    DEPS.forEach(ensure)
    if (process.argv.includes('--defines')) {
      process.stdout.write(DEPS.filter((d) => d.define).map((d) => `${d.define}=${d.version}`).join(' ') + '\n')
    }
  } catch (err) {
    if (!(err instanceof FetchError)) throw err
    process.stderr.write(`bip324 deps: ${err.message}\n`)
    process.exit(1)
  }
}

if (require.main === module) main()

module.exports = { DEPS }
