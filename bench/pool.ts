/**
 * A pool of 125 outbound peers (Core's -maxconnections) relaying transactions: the memory each
 * peer costs the pool's process, and the event-loop delay while transactions are announced to
 * every peer and fetched by each (inv by wtxid, getdata, tx). The stand-ins run in another process
 * (bench/pool-child.ts), each on its own 127.0.0.x; the pool in a child of its own too, with
 * --expose-gc, so that what is measured is the pool's alone.
 * Usage: node .bench/bench/pool.js [--quick]   (`npm run bench` runs it too)
 */

import fs from 'node:fs'
import path from 'node:path'

import { createPool, decodeTransaction } from '../lib'
import { serve, spawn } from './child'
import { monitorLoopDelay, type LoopDelay } from './loop-delay'

export interface PoolRow {
  peers: number
  /** Bytes per ready peer of the pool's process, after gc. */
  rssPerPeer: number
  heapPerPeer: number
  /** Milliseconds from start() to every peer ready. */
  connectMs: number
  transactions: number
  /** Transactions delivered (announced, asked for, sent) per second, over all peers. */
  deliveredPerSecond: number
  loopDelay: LoopDelay
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// Twice: the first collection's finalizers free what the second then collects.
async function usage (): Promise<{ rss: number, heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  gc()
  gc()
  await sleep(300)
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heapUsed }
}

// Distinct transactions: the fixture's lock time (its last 4 bytes) counted up.
function transactions (count: number): Uint8Array[] {
  const file = path.join(__dirname, '..', '..', 'test', 'fixtures', 'blocks', 'rust-bitcoin-segwit-tx.hex')
  const base = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex')
  return Array.from({ length: count }, (_, i) => {
    const tx = Buffer.from(base)
    tx.writeUInt32LE(i + 1, tx.length - 4)
    decodeTransaction(tx)
    return new Uint8Array(tx)
  })
}

const PEERS = 125

// In the pool's process.
async function measure (quick: boolean): Promise<PoolRow> {
  const peers = PEERS
  const count = quick ? 100 : 400
  const child = spawn('pool-child', [])
  try {
    const addresses = await child.ask<string[]>({ cmd: 'listen', count: peers })
    const txs = transactions(count)
    const before = await usage()
    const pool = createPool({ addresses, outbound: peers, blockRelayOnly: 0, dnsSeeds: false, maxAttemptsPerSecond: 1000, pingInterval: 0 })
    const started = performance.now()
    await new Promise<void>((resolve) => {
      pool.on('peer', () => { if (pool.stats().outboundFullRelay === peers) resolve() })
      pool.start()
    })
    const connectMs = performance.now() - started
    const after = await usage()
    const delay = monitorLoopDelay(10)
    const relayStart = performance.now()
    // A transaction every 2 ms, to all peers: the pool announces, and serves each peer's getdata.
    for (const tx of txs) {
      pool.announce(tx)
      await sleep(2)
    }
    while (await child.ask<number>({ cmd: 'received' }) < count * peers) await sleep(20)
    const relayMs = performance.now() - relayStart
    const loopDelay = delay.read()
    delay.stop()
    await new Promise<void>((resolve) => pool.close(resolve))
    return {
      peers,
      rssPerPeer: (after.rss - before.rss) / peers,
      heapPerPeer: (after.heapUsed - before.heapUsed) / peers,
      connectMs,
      transactions: count,
      deliveredPerSecond: count * peers / (relayMs / 1000),
      loopDelay
    }
  } finally {
    await child.ask({ cmd: 'close' }).catch(() => undefined)
    await child.close()
  }
}

export async function poolBench (say: (line?: string) => void, options: { quick: boolean }): Promise<PoolRow> {
  const child = spawn('pool', ['--run'], ['--expose-gc'])
  let row: PoolRow
  try {
    row = await child.ask<PoolRow>({ quick: options.quick })
  } finally {
    await child.close()
  }
  const { peers, transactions: count, loopDelay } = row
  say('\n### A pool of 125 peers relaying transactions\n')
  say(`One pool in a process of its own, ${peers} outbound v2 peers (stand-ins in another process, each on its own 127.0.0.x); ${count} transactions announced, one every 2 ms, each fetched by every peer (inv by wtxid, getdata, tx). Memory of the pool's process after gc, per ready peer; event-loop delay while relaying.\n`)
  say('| peers | RSS per peer | V8 heap per peer | all ready in | transactions delivered | per second | loop delay p50 / p99 / max |')
  say('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  say(`| ${peers} | ${(row.rssPerPeer / 1024).toFixed(1)} KiB | ${(row.heapPerPeer / 1024).toFixed(1)} KiB | ${Math.round(row.connectMs)} ms | ${(count * peers).toLocaleString('en-US')} | ${Math.round(row.deliveredPerSecond).toLocaleString('en-US')} | ${loopDelay.p50} / ${loopDelay.p99} / ${loopDelay.max} ms |`)
  return row
}

if (require.main === module) {
  if (process.argv.includes('--run')) {
    serve(async (r: { quick: boolean }) => await measure(r.quick))
  } else {
    poolBench((line = '') => console.log(line), { quick: process.argv.includes('--quick') }).catch((err: unknown) => {
      console.error(err)
      process.exitCode = 1
    })
  }
}
