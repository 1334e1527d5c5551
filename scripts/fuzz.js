#!/usr/bin/env node
'use strict'
// Builds the libFuzzer targets in fuzz/native/ with clang (ASan + UBSan + coverage, CMake option
// BIP324_FUZZ, in build-fuzz/) and runs them one after the other: the machine is small and shared,
// so one fuzzing job at a time. Each target starts from its committed seeds in
// fuzz/native/corpus/<target>/ and writes what it learns to build-fuzz/corpus/<target>/, never to
// the committed seeds.
// Prints each target's executions and the total; exits 1 on any finding, with the crashing input
// kept in build-fuzz/findings/. Needs clang and libFuzzer: scripts/install-fuzz-toolchain.sh.
// Usage: npm run fuzz -- [--seconds N] [--targets a,b] [--build-only] [--seeds] [--check]
//   --seconds N   fuzzing time per target (default 60)
//   --targets     a subset of TARGETS, by name
//   --check       only check the toolchain: exit 0 if clang links a libFuzzer target, else 2
//   --build-only  configure and build, run nothing
//   --seeds       rewrite fuzz/native/corpus/ from the targets' own seed generators, run nothing

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const BUILD = path.join(ROOT, 'build-fuzz')
const SEEDS = path.join(ROOT, 'fuzz', 'native', 'corpus')
const INSTALL = 'sh scripts/install-fuzz-toolchain.sh'
// The same list as BIP324_FUZZ_TARGETS in CMakeLists.txt, with each input format's useful size.
const TARGETS = {
  fuzz_length: { maxLen: 4096 },
  fuzz_packet: { maxLen: 4096 },
  fuzz_roundtrip: { maxLen: 4096 },
  fuzz_ellswift: { maxLen: 160 },
  fuzz_batch: { maxLen: 4096 }
}

function parseArgs (argv) {
  const opts = { seconds: 60, targets: Object.keys(TARGETS), buildOnly: false, seeds: false, check: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--seconds') opts.seconds = Number(argv[++i])
    else if (arg === '--targets') opts.targets = String(argv[++i]).split(',')
    else if (arg === '--build-only') opts.buildOnly = true
    else if (arg === '--seeds') opts.seeds = true
    else if (arg === '--check') opts.check = true
    else throw new Error(`fuzz: unknown argument ${arg}`)
  }
  if (!(opts.seconds > 0)) throw new Error('fuzz: --seconds takes a positive number')
  const unknown = opts.targets.filter((t) => !(t in TARGETS))
  if (unknown.length) throw new Error(`fuzz: unknown target ${unknown.join(', ')} (known: ${Object.keys(TARGETS).join(', ')})`)
  return opts
}

function run (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`fuzz: ${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`)
  return r
}

// clang alone is not enough: Debian ships libFuzzer and the sanitizer runtimes in libclang-rt-dev,
// which clang only recommends. Linking a trivial fuzz target tells both apart from a working set.
function checkToolchain () {
  const version = spawnSync('clang', ['--version'], { encoding: 'utf8' })
  if (version.error || version.status !== 0) {
    return `clang is not installed. Install clang, libFuzzer and the sanitizer runtimes with:\n  ${INSTALL}\n(as root, or with sudo)`
  }
  fs.mkdirSync(BUILD, { recursive: true })
  const probe = path.join(BUILD, 'probe.c')
  fs.writeFileSync(probe, '#include <stddef.h>\n#include <stdint.h>\n' +
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n')
  const link = spawnSync('clang', ['-fsanitize=fuzzer,address,undefined', probe, '-o', path.join(BUILD, 'probe')], { encoding: 'utf8' })
  if (link.status !== 0) {
    return `clang cannot link a libFuzzer target:\n${link.stderr.trim()}\nInstall libFuzzer and the sanitizer runtimes with:\n  ${INSTALL}\n(as root, or with sudo)`
  }
  return null
}

function build (targets) {
  run('cmake', ['-S', ROOT, '-B', BUILD, '-DBIP324_FUZZ=ON', '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
    '-DCMAKE_C_COMPILER=clang', '-DCMAKE_CXX_COMPILER=clang++', '-DCMAKE_ASM_COMPILER=clang'],
  { stdio: ['ignore', 'ignore', 'inherit'] })
  run('cmake', ['--build', BUILD, '--parallel', '2', '--target', ...targets], { stdio: ['ignore', 'ignore', 'inherit'] })
}

function writeSeeds (targets) {
  for (const target of targets) {
    const dir = path.join(SEEDS, target)
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    // -max_total_time: a target without a seed writer would otherwise fuzz on, into dir.
    run(path.join(BUILD, target), ['-max_total_time=1', '-runs=0'], { env: { ...process.env, BIP324_FUZZ_SEEDS: dir } })
    console.log(`fuzz: ${target}: ${fs.readdirSync(dir).length} seeds in ${path.relative(ROOT, dir)}`)
  }
}

function fuzz (target, seconds) {
  const corpus = path.join(BUILD, 'corpus', target)
  const findings = path.join(BUILD, 'findings')
  const log = path.join(BUILD, 'logs', `${target}.log`)
  for (const dir of [corpus, findings, path.dirname(log)]) fs.mkdirSync(dir, { recursive: true })
  const args = [
    `-max_total_time=${seconds}`, `-max_len=${TARGETS[target].maxLen}`, '-timeout=30', '-print_final_stats=1',
    `-artifact_prefix=${findings}${path.sep}${target}-`, corpus, path.join(SEEDS, target)
  ]
  const before = new Set(fs.readdirSync(findings))
  const r = spawnSync(path.join(BUILD, target), args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, UBSAN_OPTIONS: 'print_stacktrace=1', ASAN_OPTIONS: 'detect_leaks=1' }
  })
  const output = (r.stdout || '') + (r.stderr || '')
  fs.writeFileSync(log, output)
  const stat = (name) => Number((new RegExp(`^stat::${name}:\\s*(\\d+)`, 'm').exec(output) || [])[1] || 0)
  const artifacts = fs.readdirSync(findings).filter((f) => !before.has(f)).map((f) => path.join(findings, f))
  return {
    target,
    executions: stat('number_of_executed_units'),
    perSecond: stat('average_exec_per_sec'),
    corpus: fs.readdirSync(corpus).length,
    ok: r.status === 0 && artifacts.length === 0,
    status: r.status ?? r.signal,
    artifacts,
    log,
    tail: output.trim().split('\n').slice(-40).join('\n')
  }
}

function main () {
  const opts = parseArgs(process.argv.slice(2))
  const problem = checkToolchain()
  if (problem) {
    console.error(`fuzz: ${problem}`)
    process.exit(2)
  }
  if (opts.check) return console.log('fuzz: clang links libFuzzer targets with ASan and UBSan')
  build(opts.targets)
  if (opts.seeds) return writeSeeds(opts.targets)
  if (opts.buildOnly) return
  const results = []
  for (const target of opts.targets) {
    console.log(`fuzz: ${target}: ${opts.seconds} s ...`)
    const r = fuzz(target, opts.seconds)
    results.push(r)
    console.log(`fuzz: ${target}: ${r.executions.toLocaleString('en')} executions (${r.perSecond}/s), ` +
      `corpus ${r.corpus}, ${r.ok ? 'no finding' : `FINDING (exit ${r.status})`}`)
    if (!r.ok) {
      console.log(r.tail)
      console.log(`fuzz: ${target}: full log ${path.relative(ROOT, r.log)}` +
        (r.artifacts.length ? `; reproduce with ${path.relative(ROOT, path.join(BUILD, target))} ${r.artifacts.map((a) => path.relative(ROOT, a)).join(' ')}` : ''))
    }
  }
  const total = results.reduce((sum, r) => sum + r.executions, 0)
  const failed = results.filter((r) => !r.ok)
  console.log(`fuzz: total ${total.toLocaleString('en')} executions in ${results.length} targets, ` +
    `${failed.length ? `findings in ${failed.map((r) => r.target).join(', ')}` : 'no finding'}`)
  process.exit(failed.length ? 1 : 0)
}

if (require.main === module) {
  try {
    main()
  } catch (err) {
    console.error(err.message)
    process.exit(2)
  }
}
