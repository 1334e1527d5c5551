/**
 * `npm run bench`: the native engine against its raw C floor, the pure-JS backend and node:crypto,
 * in one run. Prints markdown tables with ratios and writes bench/results/{latest.md,latest.json,
 * throughput.svg}. Never part of `npm test`.
 * Usage: node .bench/bench/index.js [--quick] [--filter <substring of an implementation name>]
 */

import fs from 'node:fs'
import path from 'node:path'

import { jsBackend, nativeBackend, nativeInfo, Protocol, type Backend } from '../lib'
import { formatSize } from '../lib/cli/output'
import { RAW_BENCH, testingAddon } from '../test/helpers/testing-addon'
import { chart } from './chart'
import { elapsed, formatTime, type HarnessOptions, time, type Timing } from './harness'
import { implementations, type Operation } from './implementations'
import { loopback, type LoopbackResults } from './loopback'
import { machine } from './machine'
import { updateReadme } from './readme'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] ?? '' : ''
const options: HarnessOptions = quick ? { samples: 3, sampleMs: 15 } : { samples: 7, sampleMs: 60 }
const SIZES = quick ? [32, 1024, 1 << 20] : [0, 32, 256, 1024, 65536, 1 << 20, 4_000_000]
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
      results[op][size] = Object.fromEntries(impls.map((i) => [i.name, time(i.loop(op, size), options, cap)]))
      say(`| ${formatSize(size)} | ${impls.map((i) => formatTime(results[op][size]![i.name]!.median)).join(' | ')} |`)
    }
  }
  return results
}

function batch (backend: Backend, provider: string | undefined, count: number, size: number) {
  return (n: number): number => {
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

function batches (): Record<string, Timing> {
  say('\n### Batches: 1,000 packets of 32 B, encryptBatch + decryptBatch, time per packet\n')
  const rows: Record<string, Timing> = {}
  const perPacket = (t: Timing): Timing => ({ ...t, median: t.median / 1000, min: t.min / 1000, max: t.max / 1000 })
  for (const p of nativeInfo().providers) {
    rows[`raw C (${p}), one call per packet`] = time((n) => testingAddon().bench(RAW_BENCH.roundtrip, p, 32, n), options)
    rows[`native (${p})`] = perPacket(time(batch(nativeBackend(), p, 1000, 32), options))
  }
  rows['js (noble)'] = perPacket(time(batch(jsBackend(), undefined, 1000, 32), options))
  say('| implementation | per packet |')
  say('| --- | ---: |')
  for (const [name, t] of Object.entries(rows)) say(`| ${name} | ${formatTime(t.median)} |`)
  return rows
}

function fullHandshake (backend: 'native' | 'js') {
  return (n: number): number => elapsed(() => {
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

function handshakes (): Record<string, Record<string, Timing>> {
  say('\n### Handshake\n')
  const magic = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9)
  const pieces = (b: Backend): Record<string, Timing> => {
    const peer = b.keygen()
    const ours = b.keygen()
    return {
      keygen: time((n) => elapsed(() => { for (let i = 0; i < n; i++) b.keygen() }), options),
      'ECDH + key schedule': time((n) => elapsed(() => {
        for (let i = 0; i < n; i++) b.keySchedule(b.ecdh(ours.ellswift, peer.ellswift, ours.secretKey, true)!, magic)
      }), options)
    }
  }
  const rows: Record<string, Record<string, Timing>> = {
    'raw C': { 'keygen + ECDH + key schedule': time((n) => testingAddon().bench(RAW_BENCH.handshake, undefined, 0, n), options) },
    native: { ...pieces(nativeBackend()), 'full handshake, both sides': time(fullHandshake('native'), options) },
    js: { ...pieces(jsBackend()), 'full handshake, both sides': time(fullHandshake('js'), options) }
  }
  say('| implementation | step | time |')
  say('| --- | --- | ---: |')
  for (const [impl, steps] of Object.entries(rows)) for (const [step, t] of Object.entries(steps)) say(`| ${impl} | ${step} | ${formatTime(t.median)} |`)
  return rows
}

function ratio (a: Timing | undefined, b: Timing | undefined): number {
  return a && b ? b.median / a.median : NaN
}

function goals (p: PacketResults, hs: ReturnType<typeof handshakes>, lo: LoopbackResults): void {
  const best = nativeInfo().provider
  const rt = p.roundtrip
  const at = (size: number, name: string): Timing | undefined => rt[size]?.[name]
  const checks: Array<[string, number, string, boolean]> = []
  const add = (name: string, value: number, goal: string, ok: boolean): void => { checks.push([name, value, goal, ok]) }
  const native32 = at(32, `native (${best})`)
  const native1m = at(1 << 20, `native (${best})`)
  add('native / js, 32 B', ratio(native32, at(32, 'js (noble)')), '>= 20x', ratio(native32, at(32, 'js (noble)')) >= 20)
  add('native / js, 1 MiB', ratio(native1m, at(1 << 20, 'js (noble)')), '>= 10x', ratio(native1m, at(1 << 20, 'js (noble)')) >= 10)
  const hsRatio = ratio(hs.native!['full handshake, both sides'], hs.js!['full handshake, both sides'])
  add('native / js, full handshake', hsRatio, '>= 40x', hsRatio >= 40)
  add('native / node:crypto, 32 B', ratio(native32, at(32, 'node:crypto')), '>= 8x', ratio(native32, at(32, 'node:crypto')) >= 8)
  const api32 = (native32?.median ?? NaN) / (at(32, `raw C (${best})`)?.median ?? NaN)
  add('JS API / raw C, 32 B (time)', api32, '<= 1.8x', api32 <= 1.8)
  const api1m = (at(1 << 20, `raw C (${best})`)?.median ?? NaN) / (native1m?.median ?? NaN)
  add('JS API / raw C, 1 MiB (throughput)', api1m, '>= 0.95x', api1m >= 0.95)
  const [big, small] = lo.throughput
  add('loopback / plain TCP, 1 MiB messages', big!.ratio, '>= 0.35x', big!.ratio >= 0.35)
  add('loopback / plain TCP, 64 B messages', small!.ratio, '>= 0.6x', small!.ratio >= 0.6)
  say('\n### Goals (ratios measured in this run)\n')
  say('| ratio | measured | goal | met |')
  say('| --- | ---: | --- | --- |')
  for (const [name, value, goal, ok] of checks) say(`| ${name} | ${Number.isNaN(value) ? 'not measured' : `${value.toFixed(3)}x`} | ${goal} | ${Number.isNaN(value) ? '-' : ok ? 'yes' : 'no'} |`)
}

async function main (): Promise<void> {
  const m = machine()
  say(`# bip324 benchmark${quick ? ' (quick)' : ''}\n`)
  say(`${m.cpu}, ${m.cores} cores, flags: ${m.flags.join(' ')}; Node ${m.node} (OpenSSL ${m.openssl}); ` +
    `libsecp256k1 ${m.native.secp256k1}, libsodium ${m.native.sodium} (ChaCha20 ${m.native.chacha20}, Poly1305 ${m.native.poly1305}); ` +
    `native providers: ${m.native.providers.join(', ')}; ${Object.entries(m.libraries).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  say(`Medians of ${options.samples} samples of about ${options.sampleMs} ms each.`)
  const p = packets()
  const b = quick || filter ? {} : batches()
  const hs = handshakes()
  const lo = await loopback(say, quick)
  if (!filter) goals(p, hs, lo)
  if (quick || filter) return
  fs.mkdirSync(RESULTS, { recursive: true })
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), lines.join('\n') + '\n')
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), machine: m, options, packets: p, batches: b, handshakes: hs, loopback: lo }, null, 1) + '\n')
  const series = Object.keys(p.roundtrip[SIZES[1]!]!).map((name) => ({
    name,
    points: SIZES.filter((s) => s > 0).map((s): [number, number] => [s, (s / p.roundtrip[s]![name]!.median) * 1e3])
  }))
  fs.writeFileSync(path.join(RESULTS, 'throughput.svg'), chart('BIP-324 packets: encrypt + decrypt throughput', series))
  updateReadme(path.join(RESULTS, '..', '..', 'README.md'), lines.join('\n'))
  console.log(`\nwrote ${path.relative(process.cwd(), RESULTS)}/latest.md, latest.json, throughput.svg and the README's tables`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
