/**
 * Big messages between two processes, bip324 next to plain node:net: how long the receiving
 * process's event loop stalls while one connection takes 4,000,000-byte messages back to back
 * (perf_hooks.monitorEventLoopDelay in the receiver), and the throughput of 8 connections at once
 * into one receiving process, for 1 MiB and 64 KiB messages. The parent's clock times each transfer,
 * from the sender's 'go' to the receiver's word that everything arrived. Trials alternate bip324,
 * tcp, bip324, tcp ..., on the same connections.
 * Usage: node .bench/bench/big-messages.js [--quick]   (`npm run bench` runs it too)
 */

import { performance } from 'node:perf_hooks'

import { formatSize } from '../lib/cli/output'
import type { Kind, Request } from './big-messages-child'
import { type Child, spawn } from './child'
import { formatSpread, interleave, ratio, type Stat, stat } from './harness'
import type { LoopDelay } from './loop-delay'

interface Case {
  connections: number
  size: number
  /** Messages per connection. */
  count: number
}

/** One transport's trials of a case: aggregate bytes per second, and the receiver's loop delay. */
export interface BigMessageStats {
  bytesPerSecond: Stat
  delayP99: Stat
  delayMax: Stat
}

export interface BigMessageRow extends Case {
  bip324: BigMessageStats
  tcp: BigMessageStats
  /** Throughput, bip324 / tcp, per pair of trials. */
  ratio: Stat
}

interface Run { bytesPerSecond: number, delay: LoopDelay }

const ask = <T = void>(child: Child, r: Request): Promise<T> => child.ask<T>(r)

async function transfer (receiver: Child, sender: Child, kind: Kind, c: Case): Promise<Run> {
  await ask(receiver, { cmd: 'expect', kind, connections: c.connections, bytes: c.size * c.count })
  const start = performance.now()
  const sent = ask(sender, { cmd: 'send', kind, ...c })
  const delay = await ask<LoopDelay>(receiver, { cmd: 'wait' })
  const seconds = (performance.now() - start) / 1000
  await sent
  return { bytesPerSecond: c.connections * c.size * c.count / seconds, delay }
}

function stats (runs: Run[]): BigMessageStats {
  return { bytesPerSecond: stat(runs.map((r) => r.bytesPerSecond)), delayP99: stat(runs.map((r) => r.delay.p99)), delayMax: stat(runs.map((r) => r.delay.max)) }
}

export async function bigMessages (say: (line?: string) => void, options: { quick: boolean }): Promise<BigMessageRow[]> {
  const q = options.quick
  // About 1 GB per transfer (a quarter in quick mode): near a second over bip324, long enough to
  // time from another process and for the loop-delay histogram to hold a p99 below its max.
  const cases: Case[] = [
    { connections: 1, size: 4_000_000, count: q ? 64 : 256 },
    { connections: 8, size: 1 << 20, count: q ? 32 : 128 },
    { connections: 8, size: 64 << 10, count: q ? 512 : 2048 }
  ]
  const trials = q ? 2 : 5
  const receiver = spawn('big-messages-child', ['receiver'])
  const sender = spawn('big-messages-child', ['sender'])
  const rows: BigMessageRow[] = []
  try {
    const ports = await ask<Record<Kind, number>>(receiver, { cmd: 'listen' })
    await ask(sender, { cmd: 'connect', ports, connections: Math.max(...cases.map((c) => c.connections)) })
    for (const c of cases) {
      // Warm-up: a transfer of each kind, not counted.
      for (const kind of ['bip324', 'tcp'] as const) await transfer(receiver, sender, kind, c)
      const runs = await interleave(trials, { bip324: () => transfer(receiver, sender, 'bip324', c), tcp: () => transfer(receiver, sender, 'tcp', c) })
      const speed = (kind: Kind): number[] => runs[kind].map((r) => r.bytesPerSecond)
      rows.push({ ...c, bip324: stats(runs.bip324), tcp: stats(runs.tcp), ratio: ratio(speed('bip324'), speed('tcp')) })
    }
  } finally {
    await Promise.all([sender.close(), receiver.close()])
  }
  const mbps = (s: Stat): string => `${(s.median / 1e6).toFixed(0)} MB/s ${formatSpread(s)}`
  const delay = (s: BigMessageStats): string => `${s.delayP99.median.toFixed(1)} / ${s.delayMax.median.toFixed(1)} ms`
  say('\n### Big messages: two processes, bip324 next to plain TCP\n')
  say(`A sender process writes messages back to back on each connection into one receiving process; throughput of all connections together, timed by the parent from 'go' to the receiver's last byte, and the receiver's event-loop delay beyond the 1 ms sampling interval (medians of p99 and max). Medians of ${trials} trials per transport, interleaved.\n`)
  say('| connections | message | messages each | bip324 | plain TCP | bip324 / TCP | loop delay p99 / max, bip324 | loop delay p99 / max, TCP |')
  say('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of rows) {
    say(`| ${r.connections} | ${formatSize(r.size)} | ${r.count} | ${mbps(r.bip324.bytesPerSecond)} | ${mbps(r.tcp.bytesPerSecond)} | ${r.ratio.median.toFixed(2)}x ${formatSpread(r.ratio)} | ${delay(r.bip324)} | ${delay(r.tcp)} |`)
  }
  return rows
}

if (require.main === module) {
  bigMessages((line = '') => console.log(line), { quick: process.argv.includes('--quick') }).catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
