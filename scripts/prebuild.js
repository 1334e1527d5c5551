#!/usr/bin/env node
'use strict'
// Builds prebuilds/<platform>-<arch>/bip324.napi.<libc>.node with prebuildify: one stripped binary
// per platform, arch and libc, for every Node with N-API 8 (node-gyp-build picks it at run time).
// The build runs in a staging copy of exactly the files the npm tarball ships, so the binary is
// proven to build from them, and ./build (maybe a Debug, ASan or CMake build) is left alone.
// Usage: node scripts/prebuild.js [--libc=glibc|musl]   (CC/CXX from the environment, as node-gyp)

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const prebuildify = require('prebuildify')

const ROOT = path.resolve(__dirname, '..')
const SOURCES = ['package.json', 'binding.gyp', 'native', 'deps/secp256k1.gyp', 'deps/libsodium.gyp',
  'deps/secp256k1', 'deps/libsodium', 'scripts/fetch-deps.js']

function fail (msg) {
  process.stderr.write(`bip324 prebuild: ${msg}\n`)
  process.exit(1)
}

// node-gyp downloads headers unless told where they are; every Node distribution carries them
// next to its binary, which keeps this working offline.
function nodedir () {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir
  const prefix = path.resolve(path.dirname(process.execPath), '..')
  return fs.existsSync(path.join(prefix, 'include/node/node_api.h')) ? prefix : undefined
}

// The highest GLIBC_x.y symbol version the binary needs: the oldest glibc it loads on.
function glibcFloor (file) {
  const r = spawnSync('objdump', ['-T', file], { encoding: 'utf8' })
  if (r.status !== 0) return 'unknown (no objdump)'
  const versions = [...new Set(r.stdout.match(/GLIBC_[0-9.]+/g) || [])].map((v) => v.slice(6))
  versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  return versions.length ? versions[versions.length - 1] : 'none'
}

function main () {
  const libcArg = process.argv.find((a) => a.startsWith('--libc='))
  const libc = libcArg ? libcArg.slice(7) : undefined

  if (spawnSync(process.execPath, [path.join(ROOT, 'scripts/fetch-deps.js')], { stdio: 'inherit' }).status !== 0) {
    fail('dependency sources are missing (see above)')
  }

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-prebuild-'))
  for (const rel of SOURCES) fs.cpSync(path.join(ROOT, rel), path.join(stage, rel), { recursive: true })
  // node-addon-api, node-gyp and node-gyp-build resolve from the real tree
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir')

  const dir = nodedir()
  if (dir) process.env.npm_config_nodedir = dir

  prebuildify({
    // prebuildify 6 names the file <name>.<tags>.node and leaves out the napi tag node-gyp-build
    // knows: put it in the name. No runtime tag, so Electron may load it too.
    name: 'bip324.napi',
    cwd: stage,
    out: ROOT,
    napi: true,
    strip: true,
    tagLibc: true,
    libc,
    targets: [{ runtime: 'node', target: process.versions.node }]
  }, (err) => {
    fs.rmSync(stage, { recursive: true, force: true })
    if (err) fail(err.message)
    const builds = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`)
    for (const name of fs.readdirSync(builds).filter((n) => n.endsWith('.node'))) {
      const file = path.join(builds, name)
      const size = (fs.statSync(file).size / 1024).toFixed(0)
      const floor = process.platform === 'linux' && name.includes('.glibc.') ? `, needs glibc >= ${glibcFloor(file)}` : ''
      process.stdout.write(`bip324 prebuild: ${path.relative(ROOT, file)} (${size} KiB${floor})\n`)
    }
  })
}

main()
