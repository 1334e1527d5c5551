#!/usr/bin/env node
'use strict'
// npm's install script. Like node-gyp-build's: use a prebuilt or earlier build when one loads here,
// else build from the bundled sources with node-gyp. Unlike it, without a toolchain it says what to
// install instead of leaving node-gyp to fail with a page of gyp errors.
// `npm install --build-from-source` (npm_config_build_from_source=true) skips the prebuilt.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const TARGET = `${process.platform}-${process.arch}`

// node-gyp-build picks the file for this platform, arch and libc (prebuilds/<platform>-<arch>/
// bip324.napi.<glibc|musl>.node on Linux), or build/Release if there is one; true if it loads.
function loads () {
  const gypBuild = require('node-gyp-build')
  let file
  try {
    file = gypBuild.path(ROOT)
  } catch {
    // none for this platform/arch/libc: build instead, saying why when there are prebuilts at all
    const dir = path.join(ROOT, 'prebuilds')
    const have = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => fs.statSync(path.join(dir, n)).isDirectory()) : []
    if (have.length) process.stderr.write(`bip324: no prebuilt binary for ${TARGET}${process.platform === 'linux' ? ` (${libc()})` : ''} (there are ${have.join(', ')}); a source build is needed\n`)
    return false
  }
  try {
    require(file)
    return true
  } catch (err) {
    // one that does not load here (a glibc older than it needs, a foreign libc): build instead
    process.stderr.write(`bip324: ${path.relative(ROOT, file)} does not load here (${String(err.message).split('\n')[0]}); a source build is needed\n`)
    return false
  }
}

// What node-gyp-build looks for (it tells musl from glibc the same way).
function libc () {
  return process.env.LIBC || (fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc')
}

function executable (file) {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath (name) {
  if (path.isAbsolute(name)) return executable(name)
  return (process.env.PATH || '').split(path.delimiter).some((dir) => dir && executable(path.join(dir, name)))
}

// What node-gyp needs on a Unix and is missing. Windows is left to node-gyp, which finds Visual
// Studio by itself and names what it lacks.
function missingTools () {
  if (process.platform === 'win32') return []
  const has = (env, names) => (process.env[env] && onPath(process.env[env].split(' ')[0])) || names.some(onPath)
  const missing = []
  if (!has('CC', ['cc', 'gcc', 'clang'])) missing.push('a C compiler')
  if (!has('CXX', ['c++', 'g++', 'clang++'])) missing.push('a C++ compiler')
  if (!onPath('make')) missing.push('make')
  if (!has('npm_config_python', ['python3', 'python'])) missing.push('python3')
  return missing
}

const HOW_TO_INSTALL = [
  'Debian/Ubuntu:  apt-get install build-essential python3',
  'Fedora/RHEL:    dnf install gcc gcc-c++ make python3',
  'Alpine:         apk add build-base python3',
  'macOS:          xcode-select --install',
  'Windows:        Visual Studio Build Tools ("Desktop development with C++") and Python 3'
]

// npm hands install scripts its bundled node-gyp in npm_config_node_gyp; outside npm, a local one.
function nodeGyp () {
  if (process.env.npm_config_node_gyp) return [process.execPath, process.env.npm_config_node_gyp]
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')]
  } catch {
    return [process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp']
  }
}

function main () {
  if (process.env.npm_config_build_from_source !== 'true' && loads()) return

  const missing = missingTools()
  if (missing.length) {
    process.stderr.write(`bip324: no prebuilt binary for ${TARGET} loads here and there is no C/C++ toolchain to ` +
      `build one (missing: ${missing.join(', ')}).\nInstall the toolchain, then run \`npm rebuild bip324\`:\n` +
      HOW_TO_INSTALL.map((line) => `  ${line}\n`).join('') +
      'Or install with --ignore-scripts and use the pure-JavaScript backend (Node >= 20.19).\n')
    process.exit(1)
  }

  const [cmd, ...args] = nodeGyp()
  const r = spawnSync(cmd, [...args, 'rebuild'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.error) process.stderr.write(`bip324: cannot run node-gyp: ${r.error.message}\n`)
  process.exit(r.status ?? 1)
}

main()
