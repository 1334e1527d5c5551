/**
 * `npm run fuzz:js`: fuzzes the TypeScript side (Protocol.receive() and every message decoder) with
 * random and mutated inputs, deterministic from a printed seed. Stops at --inputs or --seconds,
 * whichever comes first; exits 1 on a finding, printing the input (hex), the seed and a replay command.
 *
 * Usage: node .fuzz/fuzz/js/index.js [--inputs N] [--seconds S] [--seed X] [--targets a,b]
 *          [--replay target:index] [--no-js] [--check-retention] [--keep-going] [--max-rss-mb M]
 *   --inputs N         total inputs over all targets (default 1,000,000)
 *   --seconds S        stop after S seconds (default: no limit)
 *   --seed X           32-bit seed (default: random, printed)
 *   --targets a,b      only targets whose name contains one of these
 *   --replay t:i       regenerate and run input i of target t (same --seed)
 *   --no-js            skip the pure-JS backend target (slow: a handshake costs ~12 ms)
 *   --check-retention  also feed mutated streams through one reused buffer (receive() must not
 *                      keep referring to a chunk after it returned)
 *   --keep-going       count findings instead of stopping at the first
 *   --max-rss-mb M     a finding if the process RSS exceeds M MiB (default 768)
 */

import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import { nativeInfo } from '../../lib'
import { toHex } from '../../test/helpers/bytes'
import { type Case, Finding, type Target } from './case'
import { messageTargets, payloadTypeCounts } from './messages'
import { minimize } from './minimize'
import { backendTargets } from './backends'
import { bufferedSeen, protocolTargets, selfTest, setRetentionCheck } from './protocol'
import { recordAll } from './recording'
import { nameHash, Rng } from './rng'

interface Args {
  inputs: number
  seconds: number
  seed: number
  targets: string[]
  replay: string | null
  js: boolean
  retention: boolean
  keepGoing: boolean
  maxRssMb: number
}

function parse (argv: string[]): Args {
  const args: Args = { inputs: 1_000_000, seconds: 0, seed: crypto.randomBytes(4).readUInt32LE(0), targets: [], replay: null, js: true, retention: false, keepGoing: false, maxRssMb: 768 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined) usage(`${a} takes a value`)
      return v
    }
    if (a === '--inputs') args.inputs = Number(value())
    else if (a === '--seconds') args.seconds = Number(value())
    else if (a === '--seed') args.seed = Number(value()) >>> 0
    else if (a === '--targets') args.targets = value().split(',')
    else if (a === '--replay') args.replay = value()
    else if (a === '--no-js') args.js = false
    else if (a === '--check-retention') args.retention = true
    else if (a === '--keep-going') args.keepGoing = true
    else if (a === '--max-rss-mb') args.maxRssMb = Number(value())
    else usage(`unknown argument ${String(a)}`)
  }
  if (!(args.inputs > 0) || !(args.seconds >= 0)) usage('--inputs and --seconds take positive numbers')
  return args
}

function usage (why: string): never {
  console.error(`fuzz:js: ${why}\nusage: npm run fuzz:js -- [--inputs N] [--seconds S] [--seed X] [--targets a,b] [--replay target:index] [--no-js] [--check-retention] [--keep-going] [--max-rss-mb M]`)
  process.exit(2)
}

interface Stats {
  inputs: number
  ns: bigint
  outcomes: Map<string, number>
  findings: number
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0)
const FINDINGS = path.join(__dirname, '..', '..', 'findings')

function generate (target: Target, seed: number, index: number): Case {
  return target.gen(new Rng(seed, nameHash(target.name), index))
}

function report (target: Target, args: Args, index: number, c: Case, err: unknown): void {
  const finding = err instanceof Finding ? err : new Finding('uncaught exception', String((err as Error)?.stack ?? err))
  console.error(`\n*** FINDING in ${target.name}, input ${index}, seed ${args.seed}: ${finding.message}`)
  console.error(`params: ${JSON.stringify(c.params).slice(0, 2000)}`)
  console.error(`cuts: ${JSON.stringify(c.cuts.slice(0, 200))}${c.cuts.length > 200 ? ` ... (${c.cuts.length})` : ''}`)
  fs.mkdirSync(FINDINGS, { recursive: true })
  const file = path.join(FINDINGS, `${target.name}-${args.seed}-${index}.json`)
  const { minimal, runs } = minimize(target, c, finding.kind)
  fs.writeFileSync(file, JSON.stringify({ target: target.name, seed: args.seed, index, finding: finding.message, params: c.params, cuts: c.cuts, hex: toHex(c.bytes), minimal: { cuts: minimal.cuts, hex: toHex(minimal.bytes) } }, null, 1))
  console.error(`input (${c.bytes.length} bytes): ${c.bytes.length <= 4096 ? toHex(c.bytes) : `${toHex(c.bytes.subarray(0, 256))}... (whole input in ${file})`}`)
  console.error(`minimized in ${runs} runs (${minimal.bytes.length} bytes, cuts ${JSON.stringify(minimal.cuts)}): ${minimal.bytes.length <= 4096 ? toHex(minimal.bytes) : `in ${file}`}`)
  console.error(`replay: npm run fuzz:js -- --seed ${args.seed} --replay ${target.name}:${index}\n`)
}

async function main (): Promise<void> {
  const args = parse(process.argv.slice(2))
  const info = nativeInfo()
  console.log(`fuzz:js seed ${args.seed} (node ${process.version}, native ${info.provider}/${info.chacha20}, pid ${process.pid})`)
  setRetentionCheck(args.retention)
  const setupStart = performance.now()
  const scenarios = recordAll(args.seed, args.js ? ['native', 'wasm', 'js'] : ['native', 'wasm'])
  const all = [...protocolTargets(scenarios, args.js), ...backendTargets(), ...messageTargets()]
  try {
    selfTest(scenarios, new Rng(args.seed, 1))
  } catch (err) {
    console.error(`self-test of the recorded streams failed: ${String((err as Error).stack)}`)
    process.exit(1)
  }
  console.log(`recorded ${scenarios.size} valid streams and replayed them in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`)

  if (args.replay !== null) {
    const [name, index] = args.replay.split(':')
    const target = all.find((t) => t.name === name)
    if (target === undefined) usage(`no target ${String(name)} (targets: ${all.map((t) => t.name).join(', ')})`)
    const c = generate(target, args.seed, Number(index))
    console.log(`params ${JSON.stringify(c.params).slice(0, 2000)}\ncuts ${JSON.stringify(c.cuts)}\ninput ${toHex(c.bytes)}`)
    try {
      console.log(`outcome: ${target.run(c)}`)
    } catch (err) {
      report(target, args, Number(index), c, err)
      process.exit(1)
    }
    return
  }

  const targets = all.filter((t) => args.targets.length === 0 || args.targets.some((f) => t.name.includes(f)))
  if (targets.length === 0) usage(`no target matches ${args.targets.join(',')}`)
  const stats = new Map<Target, Stats>(targets.map((t) => [t, { inputs: 0, ns: 0n, outcomes: new Map(), findings: 0 }]))
  const credit = new Map<Target, number>(targets.map((t) => [t, 0]))
  const rss = { start: process.memoryUsage.rss(), peak: 0, samples: 0 }
  const started = performance.now()
  let total = 0
  let findings = 0
  let nextProgress = started + 10_000
  const deadline = args.seconds > 0 ? started + args.seconds * 1000 : Infinity

  outer:
  for (;;) {
    for (const t of targets) {
      credit.set(t, credit.get(t)! + t.weight)
      const s = stats.get(t)!
      while (credit.get(t)! >= 1) {
        credit.set(t, credit.get(t)! - 1)
        const index = s.inputs
        const c = generate(t, args.seed, index)
        const t0 = process.hrtime.bigint()
        let outcome: string
        try {
          outcome = t.run(c)
        } catch (err) {
          report(t, args, index, c, err)
          s.findings++
          findings++
          if (!args.keepGoing) break outer
          outcome = 'FINDING'
        }
        s.ns += process.hrtime.bigint() - t0
        s.inputs++
        s.outcomes.set(outcome, (s.outcomes.get(outcome) ?? 0) + 1)
        total++
        if ((total & 255) === 0) {
          // Let the loop turn: N-API finalizers (which free native cipher state) run from
          // SetImmediate, so a loop that never yields would measure them, not the library.
          await new Promise(setImmediate)
          const now = process.memoryUsage.rss()
          rss.peak = Math.max(rss.peak, now)
          rss.samples++
          if (now > args.maxRssMb * 2 ** 20) {
            console.error(`\n*** FINDING: RSS ${mib(now)} MiB over the ${args.maxRssMb} MiB bound after ${total} inputs (last: ${t.name} input ${index}, seed ${args.seed})`)
            findings++
            break outer
          }
          const clock = performance.now()
          if (clock >= nextProgress) {
            nextProgress = clock + 10_000
            const m = process.memoryUsage()
            console.log(`  ${total.toLocaleString('en-US')} inputs, ${((clock - started) / 1000).toFixed(0)} s, ${(total / ((clock - started) / 1000)).toFixed(0)}/s, rss ${mib(now)} MiB (heap ${mib(m.heapUsed)}/${mib(m.heapTotal)}, external ${mib(m.external)} MiB)`)
          }
          if (clock >= deadline) break outer
        }
        if (total >= args.inputs) break outer
      }
    }
  }

  const seconds = (performance.now() - started) / 1000
  rss.peak = Math.max(rss.peak, process.memoryUsage.rss())
  console.log(`\n### fuzz:js, seed ${args.seed}\n`)
  console.log('| target | inputs | seconds | inputs/s | outcomes |')
  console.log('| --- | ---: | ---: | ---: | --- |')
  for (const [t, s] of stats) {
    const secs = Number(s.ns) / 1e9
    const outcomes = [...s.outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')
    console.log(`| ${t.name} | ${s.inputs.toLocaleString('en-US')} | ${secs.toFixed(1)} | ${(s.inputs / Math.max(secs, 1e-9)).toFixed(0)} | ${outcomes} |`)
  }
  console.log(`| **total** | **${total.toLocaleString('en-US')}** | ${seconds.toFixed(1)} (wall) | ${(total / seconds).toFixed(0)} | ${findings} finding(s) |`)
  if (payloadTypeCounts.size > 0) {
    console.log(`\ndecode.payload inputs per type: ${[...payloadTypeCounts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  }
  const b = bufferedSeen
  console.log(`\nProtocol.buffered, bound max(4095 + 16 - 1, maxContents + 1 + 16): largest seen ${b.most.toLocaleString('en-US')} (bound ${b.mostBound.toLocaleString('en-US')}); ` +
    `closest to its bound ${b.shareBuffered.toLocaleString('en-US')} of ${b.shareBound.toLocaleString('en-US')} (${(b.share * 100).toFixed(1)} %)`)
  console.log(`RSS: ${mib(rss.start)} MiB after setup, peak ${mib(rss.peak)} MiB (bound ${args.maxRssMb} MiB, ${rss.samples} samples), ${mib(process.memoryUsage.rss())} MiB at the end`)
  console.log(findings === 0 ? `no findings in ${total.toLocaleString('en-US')} inputs` : `${findings} finding(s): inputs in ${FINDINGS}`)
  process.exitCode = findings === 0 ? 0 : 1
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 2
})
