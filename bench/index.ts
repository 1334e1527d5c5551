/**
 * `npm run bench`: the native engine against its raw C floor, the wasm and pure-JS backends and node:crypto;
 * the in-process loopback; the two-process stream; memory per idle connection; big messages across
 * processes; a Peer's requests per second; a pool of 125 peers relaying transactions; and the goals, in one run. Prints markdown
 * tables with ratios (each the median of interleaved trials, with its spread) and, after a full
 * run, writes bench/results/{latest.md,latest.json,throughput.svg} and the README's tables.
 * Never part of `npm test`.
 * Usage: node .bench/bench/index.js [--quick] [--filter <substring of an implementation name>]
 *          [--only packets|loopback|stream|memory|big|requests|pool[,...]]
 *   --only   runs those parts alone (packets: the packet, batch and handshake tables) and writes
 *            nothing, so that one table can be measured again
 */

import fs from 'node:fs'
import path from 'node:path'

import { jsBackend, nativeBackend, nativeInfo, Protocol, type Backend, wasmBackend } from '../lib'
import { formatSize } from '../lib/cli/output'
import { RAW_BENCH, testingAddon } from '../test/helpers/testing-addon'
import { bigMessages, type BigMessageRow } from './big-messages'
import { chart } from './chart'
import { compare, elapsed, formatRatio, formatTiming, type HarnessOptions, type Loop, ratio, type Stat, type StreamRow, type Timing } from './harness'
import { idleMemory, type MemoryRow } from './idle-memory'
import { implementations, type Operation } from './implementations'
import { loopback, type LoopbackResults } from './loopback'
import { machine } from './machine'
import { poolBench, type PoolRow } from './pool'
import { requests, type RequestsResults } from './requests'
import { streams } from './stream'
import { updateReadme } from './readme'

const PARTS = ['packets', 'loopback', 'stream', 'memory', 'big', 'requests', 'pool'] as const
type Part = typeof PARTS[number]

const args = process.argv.slice(2)
const value = (flag: string): string | undefined => args.includes(flag) ? args[args.indexOf(flag) + 1] ?? '' : undefined
const quick = args.includes('--quick')
const filter = value('--filter') ?? ''
const only = value('--only')?.split(',')
for (const p of only ?? []) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`bench: --only takes ${PARTS.join(', ')} (comma-separated), got ${p}`)
const runs = (part: Part): boolean => only === undefined || only.includes(part)
// Why 15 trials of 30 ms: the README's Benchmarks section.
const options: HarnessOptions = quick ? { trials: 5, trialMs: 15, rounds: 3 } : { trials: 15, trialMs: 30, rounds: 6 }
const SIZES = quick ? [0, 32, 1 << 20] : [0, 32, 256, 1024, 65536, 1 << 20, 4_000_000]
const OPS: Operation[] = quick ? ['roundtrip'] : ['encrypt', 'decrypt', 'roundtrip']
const RESULTS = path.join(__dirname, '..', '..', 'bench', 'results')

const lines: string[] = []
const say = (line = ''): void => { lines.push(line); console.log(line) }

type PacketResults = Record<Operation, Record<number, Record<string, Timing>>>

function packets (): PacketResults {
  const results = {} as PacketResults
  const all = implementations().filter((i) => i.name.includes(filter))
  for (const op of OPS) {
    const impls = all.filter((i) => i.ops === undefined || i.ops.includes(op))
    results[op] = {}
    say(`\n### Packets: ${op === 'roundtrip' ? 'encrypt + decrypt' : op}, time per packet\n`)
    say(`| contents | ${impls.map((i) => i.name).join(' | ')} |`)
    say(`| ---: | ${impls.map(() => '---:').join(' | ')} |`)
    for (const size of SIZES) {
      // Packets made ahead for decrypt loops: keep them within 256 MiB.
      const cap = Math.max(2, Math.floor((256 << 20) / (size + 20)))
      results[op][size] = compare(Object.fromEntries(impls.map((i) => [i.name, i.loop(op, size)])), options, cap)
      say(`| ${formatSize(size)} | ${impls.map((i) => formatTiming(results[op][size]![i.name])).join(' | ')} |`)
    }
  }
  return results
}

function batch (backend: Backend, provider: string | undefined, count: number, size: number): Loop {
  return (n) => {
    const key = new Uint8Array(32).fill(3)
    const send = backend.createCipher(key, key, provider)
    const recv = backend.createCipher(key, key, provider)
    const items = Array.from({ length: count }, () => new Uint8Array(size))
    const wire = new Uint8Array(count * (size + 20))
    const plain = new Uint8Array(count * size)
    return elapsed(() => {
      for (let i = 0; i < n; i++) {
        send.encryptBatch(wire, items)
        // The engine reports a bounded number of packets per call: the rest takes more calls.
        for (let at = 0; at < wire.length;) at += recv.decryptBatch(plain, wire.subarray(at), 4_000_013).consumed
      }
    })
  }
}

// A batch loop's time per batch, as time per packet.
const perPacket = (t: Timing, count: number): Timing => ({ ...t, median: t.median / count, trials: t.trials.map((x) => x / count) })

function batches (): Record<string, Timing> {
  say('\n### Batches: 1,000 packets of 32 B, encryptBatch + decryptBatch, time per packet\n')
  const loops: Record<string, Loop> = {}
  for (const p of nativeInfo().providers) {
    loops[`raw C (${p}), one call per packet`] = (n) => testingAddon().bench(RAW_BENCH.roundtrip, p, 32, n)
    loops[`native (${p})`] = batch(nativeBackend(), p, 1000, 32)
  }
  for (const p of wasmBackend().providers) loops[`wasm (${p})`] = batch(wasmBackend(), p, 1000, 32)
  loops['js (noble)'] = batch(jsBackend(), undefined, 1000, 32)
  const rows = Object.fromEntries(Object.entries(compare(loops, options)).map(([name, t]) => [name, name.startsWith('raw C') ? t : perPacket(t, 1000)]))
  say('| implementation | per packet |')
  say('| --- | ---: |')
  for (const [name, t] of Object.entries(rows)) say(`| ${name} | ${formatTiming(t)} |`)
  return rows
}

function fullHandshake (backend: 'native' | 'wasm' | 'js'): Loop {
  return (n) => elapsed(() => {
    for (let i = 0; i < n; i++) {
      const a = new Protocol({ role: 'initiator', backend, garbageLength: 0 })
      const b = new Protocol({ role: 'responder', backend, garbageLength: 0 })
      b.start()
      const r1 = b.receive(a.start())
      const a1 = a.receive(Buffer.concat(r1.send))
      b.receive(Buffer.concat(a1.send))
    }
  })
}

type HandshakeResults = Record<string, Record<string, Timing>>

function handshakes (): HandshakeResults {
  say('\n### Handshake\n')
  const magic = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9)
  const pieces = (b: Backend): Record<string, Loop> => {
    const peer = b.keygen()
    const ours = b.keygen()
    return {
      keygen: (n) => elapsed(() => { for (let i = 0; i < n; i++) b.keygen() }),
      'ECDH + key schedule': (n) => elapsed(() => {
        for (let i = 0; i < n; i++) b.keySchedule(b.ecdh(ours.ellswift, peer.ellswift, ours.secretKey, true)!, magic)
      })
    }
  }
  const steps: Record<string, Record<string, Loop>> = {
    'raw C': { 'keygen + ECDH + key schedule': (n) => testingAddon().bench(RAW_BENCH.handshake, undefined, 0, n) },
    native: { ...pieces(nativeBackend()), 'full handshake, both sides': fullHandshake('native') },
    wasm: { ...pieces(wasmBackend()), 'full handshake, both sides': fullHandshake('wasm') },
    js: { ...pieces(jsBackend()), 'full handshake, both sides': fullHandshake('js') }
  }
  // One round-robin over every step of every implementation: the native / js and wasm / js ratios are per trial.
  const key = (impl: string, step: string): string => `${impl}: ${step}`
  const timed = compare(Object.fromEntries(Object.entries(steps).flatMap(([impl, s]) => Object.entries(s).map(([step, loop]) => [key(impl, step), loop]))), options)
  const rows: HandshakeResults = Object.fromEntries(Object.entries(steps).map(([impl, s]) => [impl, Object.fromEntries(Object.keys(s).map((step) => [step, timed[key(impl, step)]!]))]))
  say('| implementation | step | time |')
  say('| --- | --- | ---: |')
  for (const [impl, s] of Object.entries(rows)) for (const [step, t] of Object.entries(s)) say(`| ${impl} | ${step} | ${formatTiming(t)} |`)
  return rows
}

interface Measured {
  packets?: PacketResults
  handshakes?: HandshakeResults
  memory?: MemoryRow[]
  /** The two-process stream (bench/stream.ts), when it ran. */
  streams?: StreamRow[]
}

/** A goal row; a row without a goal (met null) gives context to the one above it. */
type Goal = [name: string, measured: Stat, goal: string, met: ((x: number) => boolean) | null]

function goals (m: Measured): void {
  const best = nativeInfo().provider
  const wasm = `wasm (${wasmBackend().providers[0]!})`
  const rt = m.packets?.roundtrip
  const trials = (size: number, name: string): number[] | undefined => rt?.[size]?.[name]?.trials
  const stream = (size: number): StreamRow | undefined => m.streams?.find((s) => s.size === size)
  const none: Stat = { median: NaN, spread: NaN }
  // Memory at the most connections measured: fixed costs spread over more connections.
  const memory = (side: MemoryRow['side']): Stat => {
    const rows = (m.memory ?? []).filter((r) => r.side === side)
    return rows.sort((a, b) => b.connections - a.connections)[0]?.ratio ?? none
  }
  const fullHandshake = (impl: string): number[] | undefined => m.handshakes?.[impl]?.['full handshake, both sides']?.trials
  const at = (x: number): (y: number) => boolean => (y) => y >= x
  const upTo = (x: number): (y: number) => boolean => (y) => y <= x
  const checks: Goal[] = [
    ['two-process stream, 1 MiB, bip324 / plain TCP', stream(1 << 20)?.ratio ?? none, '>= 0.5x', at(0.5)],
    ['two-process stream, 1 MiB, bip324 / measured pipeline limit', stream(1 << 20)?.ofLimit ?? none, '>= 0.8x', at(0.8)],
    ['two-process stream, 64 B, bip324 / plain TCP', stream(64)?.ratio ?? none, '>= 1.0x', at(1)],
    ['memory per idle connection (RSS), accepting side, bip324 / plain TCP', memory('server'), '<= 2x', upTo(2)],
    ['memory per idle connection (RSS), connecting side, bip324 / plain TCP', memory('client'), '<= 2x', upTo(2)],
    ['32 B packet via the JS API / raw C loop (time)', ratio(trials(32, `native (${best})`), trials(32, `raw C (${best})`)), '<= 1.5x', upTo(1.5)],
    ['(context) N-API floor at 32 B, two calls of that shape that call no engine / raw C loop', ratio(trials(32, 'N-API floor'), trials(32, `raw C (${best})`)), '-', null],
    ['raw C round trip, 0 B / today\'s engine (time)', ratio(trials(0, `raw C (${best})`), trials(0, `raw C baseline (${best})`)), '<= 0.5x', upTo(0.5)],
    ['raw C round trip, 32 B / today\'s engine (time)', ratio(trials(32, `raw C (${best})`), trials(32, `raw C baseline (${best})`)), '<= 0.5x', upTo(0.5)],
    ['JS API / raw C, 1 MiB (throughput)', ratio(trials(1 << 20, `raw C (${best})`), trials(1 << 20, `native (${best})`)), '>= 0.95x', at(0.95)],
    ['native / js, 32 B', ratio(trials(32, 'js (noble)'), trials(32, `native (${best})`)), '>= 20x', at(20)],
    ['native / js, 1 MiB', ratio(trials(1 << 20, 'js (noble)'), trials(1 << 20, `native (${best})`)), '>= 10x', at(10)],
    ['native / js, full handshake', ratio(fullHandshake('js'), fullHandshake('native')), '>= 40x', at(40)],
    ['wasm / js, 32 B', ratio(trials(32, 'js (noble)'), trials(32, wasm)), '>= 10x', at(10)],
    ['wasm / js, full handshake', ratio(fullHandshake('js'), fullHandshake('wasm')), '>= 10x', at(10)],
    ['wasm / native, 1 MiB (throughput)', ratio(trials(1 << 20, `native (${best})`), trials(1 << 20, wasm)), '>= 0.3x', at(0.3)],
    ['native / node:crypto, 32 B', ratio(trials(32, 'node:crypto'), trials(32, `native (${best})`)), '>= 8x', at(8)]
  ]
  say('\n### Goals (ratios measured in this run)\n')
  say('Each the median of the per-trial ratios, ± its spread (max - min) / median.\n')
  say('| ratio | measured | goal | met |')
  say('| --- | ---: | --- | --- |')
  for (const [name, s, goal, met] of checks) say(`| ${name} | ${formatRatio(s, 3)} | ${goal} | ${met === null || Number.isNaN(s.median) ? '-' : met(s.median) ? 'yes' : 'no'} |`)
}

async function main (): Promise<void> {
  const started = Date.now()
  const m = machine()
  say(`# bip324 benchmark${quick ? ' (quick)' : ''}\n`)
  say(`${m.cpu}, ${m.cores} cores, flags: ${m.flags.join(' ')}; Node ${m.node} (OpenSSL ${m.openssl}); ` +
    `libsecp256k1 ${m.native.secp256k1}, libsodium ${m.native.sodium} (ChaCha20 ${m.native.chacha20}, Poly1305 ${m.native.poly1305}); ` +
    `native providers: ${m.native.providers.join(', ')}; ${Object.entries(m.libraries).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  say(`Packet, batch and handshake times: medians of ${options.trials} interleaved trials of about ${options.trialMs} ms per implementation; ±x% is the spread (max - min) / median of the trials.`)
  const measured: Measured = {}
  let b: Record<string, Timing> | undefined
  let lo: LoopbackResults | undefined
  let big: BigMessageRow[] | undefined
  let pool: PoolRow | undefined
  if (runs('packets')) {
    measured.packets = packets()
    if (!quick && filter === '') b = batches()
    measured.handshakes = handshakes()
  }
  if (runs('loopback')) lo = await loopback(say, quick)
  const s = runs('stream') ? await streams(say, { quick }) : undefined
  if (s !== undefined) measured.streams = s
  if (runs('memory')) measured.memory = await idleMemory(say, { quick })
  if (runs('big')) big = await bigMessages(say, { quick })
  let req: RequestsResults | undefined
  if (runs('requests')) req = await requests(say, quick)
  if (runs('pool')) pool = await poolBench(say, { quick })
  if (filter === '') goals(measured)
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`)
  if (quick || filter !== '' || only !== undefined) return
  const p = measured.packets!
  fs.mkdirSync(RESULTS, { recursive: true })
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), lines.join('\n') + '\n')
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify({
    date: new Date().toISOString(), machine: m, options, packets: p, batches: b, handshakes: measured.handshakes, loopback: lo, streams: measured.streams, memory: measured.memory, bigMessages: big, requests: req, pool
  }, null, 1) + '\n')
  // The N-API floor encrypts nothing: it has no throughput to draw.
  const series = Object.keys(p.roundtrip[SIZES[1]!]!).filter((name) => name !== 'N-API floor').map((name) => ({
    name,
    points: SIZES.filter((s) => s > 0).map((s): [number, number] => [s, (s / p.roundtrip[s]![name]!.median) * 1e3])
  }))
  fs.writeFileSync(path.join(RESULTS, 'throughput.svg'), chart('BIP-324 packets: encrypt + decrypt throughput', series))
  updateReadme(path.join(RESULTS, '..', '..', 'README.md'), lines.join('\n'))
  console.log(`wrote ${path.relative(process.cwd(), RESULTS)}/latest.md, latest.json, throughput.svg and the README's tables`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
