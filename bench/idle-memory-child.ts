/**
 * One side of bench/idle-memory.ts in a process of its own (node --expose-gc): the accepting side
 * (`server`) or the connecting side (`client`), over bip324 or plain node:net. Holds its
 * connections open and idle, and reports what they cost this process.
 * Usage (by bench/child.ts's spawn): idle-memory-child.js bip324|tcp, then a 'listen' request
 * makes it the server, an 'open' the client.
 */

import { once } from 'node:events'
import net from 'node:net'

import { connectAsync, createServer } from '../lib'
import { serve } from './child'

type Kind = 'bip324' | 'tcp'

/** Bytes per connection of process.memoryUsage()'s fields, counting the connections and the
 *  memory added since the baseline. */
export interface Usage {
  rss: number
  heapUsed: number
  external: number
  arrayBuffers: number
}

export type Request =
  | { cmd: 'listen' }
  | { cmd: 'open', port: number, connections: number, concurrency: number }
  | { cmd: 'count', connections: number }
  | { cmd: 'baseline' }
  | { cmd: 'measure' }

interface Closable { once: (event: 'close', listener: () => void) => unknown }

const kind = process.argv[2] as Kind
const open = new Set<Closable>()
// One listener for every socket: a late reset (the other process exiting) must not throw.
const ignore = (): void => {}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function hold (c: Closable & { on: (event: 'error', listener: () => void) => unknown }): void {
  c.on('error', ignore)
  open.add(c)
  c.once('close', () => open.delete(c))
}

// Twice: the first collection's finalizers free what the second then collects. The settle lets
// the close callbacks and the allocator's trimming run.
async function usage (): Promise<Usage> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  gc()
  gc()
  await sleep(300)
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage()
  return { rss, heapUsed, external, arrayBuffers }
}

async function listen (): Promise<number> {
  // Defaults as they are (timeouts included), but room for every connection and the ramp-up.
  const server = kind === 'bip324'
    ? createServer({ maxConnections: 20_000, maxHandshakes: 200 }, hold)
    : net.createServer({ noDelay: true }, hold)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as net.AddressInfo).port
}

async function connectOne (port: number): Promise<void> {
  if (kind === 'bip324') {
    hold(await connectAsync({ host: '127.0.0.1', port }))
    return
  }
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true })
  await once(socket, 'connect')
  hold(socket)
}

/** `connections` more, `concurrency` in flight (handshakes for bip324). */
async function connectMany (port: number, connections: number, concurrency: number): Promise<void> {
  let started = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, connections) }, async () => {
    while (started < connections) {
      started++
      await connectOne(port)
    }
  }))
}

async function until (connections: number): Promise<void> {
  while (open.size !== connections) await sleep(20)
}

let baseline: { usage: Usage, connections: number } | undefined

serve(async (r: Request) => {
  switch (r.cmd) {
    case 'listen': return await listen()
    case 'open': return await connectMany(r.port, r.connections, r.concurrency)
    case 'count': return await until(r.connections)
    case 'baseline': baseline = { usage: await usage(), connections: open.size }; return undefined
    case 'measure': {
      const now = await usage()
      const b = baseline!
      const per = (k: keyof Usage): number => (now[k] - b.usage[k]) / (open.size - b.connections)
      return { rss: per('rss'), heapUsed: per('heapUsed'), external: per('external'), arrayBuffers: per('arrayBuffers') } satisfies Usage
    }
  }
})
