/**
 * Memory per idle connection, bip324 next to plain node:net. The accepting side runs in one process
 * and the connecting side in another, each its own cost (and one process could not hold 10,000
 * pairs under a 20,000-descriptor limit); each reports its growth per connection once every
 * connection is established (bip324: handshake done) and idle. Trials alternate bip324, tcp,
 * bip324, tcp ..., each in fresh processes.
 * Usage: node .bench/bench/idle-memory.js [--quick]   (`npm run bench` runs it too)
 */

import { formatSpread, interleave, ratio, type Stat, stat } from './harness'
import { spawn } from './child'
import type { Request, Usage } from './idle-memory-child'

type Kind = 'bip324' | 'tcp'
type Side = 'server' | 'client'
const FIELDS = ['rss', 'heapUsed', 'external', 'arrayBuffers'] as const

/** Connections opened before the baseline and held open: the code compiled and the pools made
 *  for the first ones are the process's, not a connection's (held, not closed, so that no memory
 *  they freed is reused by the measured ones). */
const WARM_UP = 200
/** Connections (bip324: handshakes) in flight while opening. */
const CONCURRENCY = 100

export interface MemoryRow {
  connections: number
  side: Side
  /** Bytes per connection of each process.memoryUsage() field. */
  bip324: Record<keyof Usage, Stat>
  tcp: Record<keyof Usage, Stat>
  /** RSS per connection, bip324 / tcp, per pair of trials. */
  ratio: Stat
}

async function trial (kind: Kind, connections: number): Promise<Record<Side, Usage>> {
  const server = spawn('idle-memory-child', [kind], ['--expose-gc'])
  const client = spawn('idle-memory-child', [kind], ['--expose-gc'])
  const ask = <T = void>(child: typeof server, r: Request): Promise<T> => child.ask<T>(r)
  try {
    const port = await ask<number>(server, { cmd: 'listen' })
    await ask(client, { cmd: 'open', port, connections: WARM_UP, concurrency: CONCURRENCY })
    await ask(server, { cmd: 'count', connections: WARM_UP })
    await Promise.all([ask(server, { cmd: 'baseline' }), ask(client, { cmd: 'baseline' })])
    await ask(client, { cmd: 'open', port, connections, concurrency: CONCURRENCY })
    await ask(server, { cmd: 'count', connections: WARM_UP + connections })
    const [s, c] = await Promise.all([ask<Usage>(server, { cmd: 'measure' }), ask<Usage>(client, { cmd: 'measure' })])
    return { server: s, client: c }
  } finally {
    await Promise.all([client.close(), server.close()])
  }
}

const kib = (bytes: number): string => (bytes / 1024).toFixed(1)
const cell = (s: Stat): string => `${kib(s.median)} ${formatSpread(s)}`

export async function idleMemory (say: (line?: string) => void, options: { quick: boolean }): Promise<MemoryRow[]> {
  const plan: Array<[connections: number, trials: number]> = options.quick ? [[1000, 2]] : [[1000, 3], [10_000, 3]]
  const rows: MemoryRow[] = []
  for (const [connections, trials] of plan) {
    const runs = await interleave(trials, { bip324: () => trial('bip324', connections), tcp: () => trial('tcp', connections) })
    for (const side of ['server', 'client'] as const) {
      const of = (kind: Kind, field: keyof Usage): number[] => runs[kind].map((r) => r[side][field])
      const fields = (kind: Kind): Record<keyof Usage, Stat> => Object.fromEntries(FIELDS.map((f) => [f, stat(of(kind, f))])) as Record<keyof Usage, Stat>
      rows.push({ connections, side, bip324: fields('bip324'), tcp: fields('tcp'), ratio: ratio(of('bip324', 'rss'), of('tcp', 'rss')) })
    }
  }
  const trialCounts = plan.map(([c, t]) => `${t} trials per transport at ${c.toLocaleString('en-US')} connections`).join(', ')
  say('\n### Memory per idle connection: bip324 next to plain TCP\n')
  say(`KiB per connection in each process (accepting side and connecting side apart), after gc, every connection established and idle; medians of ${trialCounts}, interleaved (bip324, TCP, bip324, ...), each in fresh processes. External includes ArrayBuffers.\n`)
  say('| connections | side | transport | RSS | V8 heap used | external | ArrayBuffers |')
  say('| ---: | --- | --- | ---: | ---: | ---: | ---: |')
  for (const r of rows) {
    for (const kind of ['bip324', 'tcp'] as const) {
      const u = r[kind]
      say(`| ${r.connections.toLocaleString('en-US')} | ${r.side} | ${kind === 'tcp' ? 'plain TCP' : kind} | ${cell(u.rss)} | ${cell(u.heapUsed)} | ${cell(u.external)} | ${cell(u.arrayBuffers)} |`)
    }
  }
  say('\n| connections | side | RSS, bip324 / TCP |')
  say('| ---: | --- | ---: |')
  for (const r of rows) say(`| ${r.connections.toLocaleString('en-US')} | ${r.side} | ${r.ratio.median.toFixed(2)}x ${formatSpread(r.ratio)} |`)
  return rows
}

if (require.main === module) {
  idleMemory((line = '') => console.log(line), { quick: process.argv.includes('--quick') }).catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
