/**
 * One side of bench/big-messages.ts in a process of its own: the `receiver` accepts bip324 and
 * plain node:net connections, counts what arrives and watches its event loop; the `sender` opens
 * connections of each kind to it and writes messages back to back, honouring backpressure.
 * Usage (by bench/child.ts's spawn): big-messages-child.js receiver|sender
 */

import { once } from 'node:events'
import net from 'node:net'

import { type Bip324Socket, connectAsync, createServer } from '../lib'
import { serve } from './child'
import { type LoopDelay, type LoopDelayMonitor, monitorLoopDelay } from './loop-delay'

export type Kind = 'bip324' | 'tcp'

export type Request =
  | { cmd: 'listen' }
  | { cmd: 'connect', ports: Record<Kind, number>, connections: number }
  /** Receiver: count `bytes` more on each of the first `connections` of `kind`, from now. */
  | { cmd: 'expect', kind: Kind, connections: number, bytes: number }
  /** Receiver: resolves when what 'expect' said has arrived, with the loop's delays since then. */
  | { cmd: 'wait' }
  /** Sender: `count` messages of `size` bytes on each of the first `connections` of `kind`. */
  | { cmd: 'send', kind: Kind, connections: number, size: number, count: number }

type Conn = Bip324Socket | net.Socket
const conns: Record<Kind, Conn[]> = { bip324: [], tcp: [] }

// Receiver state: bytes still due per connection, and who to tell when none are.
const due = new Map<Conn, number>()
let arrived: Promise<void> = Promise.resolve()
let allArrived = (): void => {}
// The receiver's only: the sender's loop is not what is measured.
let loop: LoopDelayMonitor | undefined

function receive (kind: Kind, c: Conn): void {
  conns[kind].push(c)
  c.on('data', (chunk: Uint8Array) => {
    const left = due.get(c)
    if (left === undefined) return
    if (left > chunk.length) { due.set(c, left - chunk.length); return }
    due.delete(c)
    if (due.size === 0) allArrived()
  })
}

async function listen (): Promise<Record<Kind, number>> {
  // 1 ms: a stall shorter than the sampling interval would hide inside it.
  loop = monitorLoopDelay(1)
  const v2 = createServer({}, (c) => receive('bip324', c))
  const tcp = net.createServer({ noDelay: true }, (c) => receive('tcp', c))
  const { port } = await v2.listenAsync(0, '127.0.0.1')
  tcp.listen(0, '127.0.0.1')
  await once(tcp, 'listening')
  return { bip324: port, tcp: (tcp.address() as net.AddressInfo).port }
}

async function connect (ports: Record<Kind, number>, connections: number): Promise<void> {
  for (let i = 0; i < connections; i++) {
    conns.bip324.push(await connectAsync({ host: '127.0.0.1', port: ports.bip324 }))
    const s = net.connect({ host: '127.0.0.1', port: ports.tcp, noDelay: true })
    await once(s, 'connect')
    conns.tcp.push(s)
  }
}

function expect (kind: Kind, connections: number, bytes: number): void {
  for (const c of conns[kind].slice(0, connections)) due.set(c, bytes)
  arrived = new Promise((resolve) => { allArrived = resolve })
  loop!.reset()
}

async function send (kind: Kind, connections: number, size: number, count: number): Promise<void> {
  const message = Buffer.alloc(size)
  await Promise.all(conns[kind].slice(0, connections).map(async (c) => {
    for (let i = 0; i < count; i++) {
      if (!c.write(message)) await once(c, 'drain')
    }
  }))
}

serve(async (r: Request): Promise<unknown> => {
  switch (r.cmd) {
    case 'listen': return await listen()
    case 'connect': return await connect(r.ports, r.connections)
    case 'expect': return expect(r.kind, r.connections, r.bytes)
    case 'wait': await arrived; return loop!.read() satisfies LoopDelay
    case 'send': return await send(r.kind, r.connections, r.size, r.count)
  }
})
