/**
 * Two-process streams over 127.0.0.1: a sender process and a receiver process (the realistic setup,
 * each end on its own core), moving messages of one size one way, as fast as backpressure allows.
 * Four kinds, run interleaved trial by trial so that machine noise hits them alike:
 *  - bip324: our connection (connect() in the sender, createServer() in the receiver), each
 *    message written with write() and read as a 'data' event;
 *  - tcp: plain node:net sockets writing the same messages, the receiver counting bytes;
 *  - limit-send and limit-recv, the pipeline limit: what the hardware allows the two halves of the
 *    work with the bare cipher API and plain sockets, no stream machinery. limit-send encrypts
 *    (several small messages per engine call, as a connection batches them) and writes, to a
 *    receiver that only counts bytes; limit-recv reads packets the sender encrypted before the
 *    trial and decrypts them (whole packets of a chunk in one call, a packet split across chunks
 *    gathered into one reused buffer first). The limit is the slower of the two: a stream can
 *    go no faster than its slower end;
 *  - raw: both halves at once (limit-send's sender into limit-recv's reader), still without stream
 *    machinery. Where it falls short of the limit, the two ends compete for the machine (cores,
 *    the kernel's loopback work), which no stream can avoid; what bip324 loses beyond it is ours.
 * Usage, alone: node .bench/bench/stream.js [--quick]
 */

import { once } from 'node:events'
import * as net from 'node:net'

import { type Bip324Socket, connectAsync, createServer, nativeBackend, type PacketCipher } from '../lib'
import { formatSize } from '../lib/cli/output'
import { MAX_CONTENTS_LIMIT, NUM_PACKET_OVERHEAD_BYTES } from '../lib/crypto/packet-format'
import { type Child, serve, spawn } from './child'
import { ratio, type Stat, stat, type StreamRow } from './harness'

type Kind = 'bip324' | 'tcp' | 'limit-send' | 'limit-recv' | 'raw'
const KINDS: readonly Kind[] = ['bip324', 'tcp', 'limit-send', 'limit-recv', 'raw']

/** Messages per trial: about 256 MB from 64 KiB up, fewer below, where per-message costs rule. */
const SIZES: ReadonlyArray<[size: number, messages: number]> = [
  [64, 200_000], [1024, 100_000], [64 << 10, 4096], [1 << 20, 256], [4_000_000, 64]
]

const KEY = new Uint8Array(32).fill(9)
const EMPTY = new Uint8Array(0)
/** limit-send encrypts messages in groups of about this many bytes, one engine call each. */
const GROUP_BYTES = 64 << 10

// ---- the children ----

type Request =
  | { cmd: 'listen', kind: Kind, size: number, messages: number }
  /** Receiver: resolves once the connection is accepted (bip324: its handshake done). */
  | { cmd: 'accepted' }
  /** Sender: resolves once connected (bip324: handshake done). */
  | { cmd: 'connect', kind: Kind, size: number, messages: number, port: number }
  /** Sender: starts sending, and resolves at once. */
  | { cmd: 'go' }
  /** Receiver: resolves once every message arrived. */
  | { cmd: 'done' }
  | { cmd: 'close' }

/** Packets of `messages` messages of `size` bytes, as one cipher made them, in pieces for write(). */
function sealed (size: number, messages: number): Uint8Array[] {
  const cipher = nativeBackend().createCipher(KEY, KEY)
  const contents = new Uint8Array(size)
  const pieces: Uint8Array[] = []
  const perPiece = Math.max(1, Math.floor(GROUP_BYTES / size))
  for (let i = 0; i < messages; i += perPiece) {
    const n = Math.min(perPiece, messages - i)
    const piece = Buffer.allocUnsafe(n * (size + NUM_PACKET_OVERHEAD_BYTES))
    cipher.encryptBatch(piece, Array.from({ length: n }, () => contents))
    pieces.push(piece)
  }
  cipher.destroy()
  return pieces
}

/** limit-recv's reader: the bare cipher API, scratch buffers reused, nothing delivered. */
function rawReader (cipher: PacketCipher, onPacket: () => void): (chunk: Uint8Array) => void {
  const len3 = new Uint8Array(3)
  let lenFill = 0
  let scratch = new Uint8Array(0)
  let plain = new Uint8Array(0)
  let body: Uint8Array | null = null
  let bodyFill = 0
  const startBody = (len: number): void => {
    if (scratch.length < len + 17) scratch = new Uint8Array(len + 17)
    body = scratch.subarray(0, len + 17)
    bodyFill = 0
  }
  return (chunk) => {
    let input = chunk
    while (input.length > 0) {
      if (body !== null) {
        const take = Math.min(body.length - bodyFill, input.length)
        body.set(input.subarray(0, take), bodyFill)
        bodyFill += take
        input = input.subarray(take)
        if (bodyFill === body.length) {
          if (cipher.decrypt(body.subarray(1, body.length - 16), body, EMPTY) < 0) throw new Error('limit-recv: bad tag')
          body = null
          onPacket()
        }
      } else if (lenFill > 0 || input.length < 3) {
        const take = Math.min(3 - lenFill, input.length)
        len3.set(input.subarray(0, take), lenFill)
        lenFill += take
        input = input.subarray(take)
        if (lenFill === 3) {
          lenFill = 0
          startBody(cipher.decryptLength(len3))
        }
      } else {
        if (plain.length < input.length) plain = new Uint8Array(Math.max(input.length, 1 << 16))
        const r = cipher.decryptBatch(plain, input, MAX_CONTENTS_LIMIT)
        if (r.status === 'bad-mac' || r.status === 'oversized') throw new Error(`limit-recv: ${r.status}`)
        for (let i = 0; i < r.packets.length; i++) onPacket()
        input = input.subarray(r.consumed)
        if (r.pending !== null) startBody(r.pending)
      }
    }
  }
}

/** The sending half of a trial: resolves once every message is handed to the socket. */
async function send (kind: Kind, socket: net.Socket | Bip324Socket, size: number, messages: number, pieces: Uint8Array[]): Promise<void> {
  const wait = (): Promise<unknown> => once(socket, 'drain')
  if (kind === 'limit-recv') {
    for (const piece of pieces) if (!socket.write(piece)) await wait()
    return
  }
  const message = new Uint8Array(size)
  if (kind === 'limit-send' || kind === 'raw') {
    const cipher = nativeBackend().createCipher(KEY, KEY)
    const perGroup = Math.max(1, Math.floor(GROUP_BYTES / size))
    const group = Array.from({ length: perGroup }, () => message)
    for (let i = 0; i < messages; i += perGroup) {
      const items = messages - i >= perGroup ? group : group.slice(0, messages - i)
      const out = Buffer.allocUnsafe(items.length * (size + NUM_PACKET_OVERHEAD_BYTES))
      cipher.encryptBatch(out, items)
      if (!socket.write(out)) await wait()
    }
    cipher.destroy()
    return
  }
  for (let i = 0; i < messages; i++) if (!socket.write(message)) await wait()
}

function child (): void {
  let server: net.Server | ReturnType<typeof createServer> | undefined
  let conn: net.Socket | Bip324Socket | undefined
  let accepted: Promise<void> = Promise.resolve()
  let done: Promise<void> = Promise.resolve()
  let sending: (() => Promise<void>) | undefined
  serve(async (m: Request) => {
    if (m.cmd === 'listen') {
      const { kind, size, messages } = m
      let arrive = (): void => {}
      done = new Promise((resolve) => { arrive = resolve })
      let accept = (): void => {}
      accepted = new Promise((resolve) => { accept = resolve })
      // bip324 counts messages; tcp and limit-send bytes; limit-recv and raw packets.
      const total = kind === 'bip324' || kind === 'limit-recv' || kind === 'raw' ? messages : messages * (size + (kind === 'tcp' ? 0 : NUM_PACKET_OVERHEAD_BYTES))
      let got = 0
      const count = (n: number): void => {
        got += n
        if (got === total) arrive()
      }
      const take = (c: net.Socket | Bip324Socket): void => {
        conn = c
        if (kind === 'bip324') c.on('data', () => count(1))
        else if (kind === 'limit-recv' || kind === 'raw') c.on('data', rawReader(nativeBackend().createCipher(KEY, KEY), () => count(1)))
        else c.on('data', (chunk: Buffer) => count(chunk.length))
        accept()
      }
      if (kind === 'bip324') {
        const s = createServer({ maxConnections: 10 }, take)
        server = s
        return (await s.listenAsync(0, '127.0.0.1')).port
      }
      const s = net.createServer({ noDelay: true }, take)
      server = s
      await once(s.listen(0, '127.0.0.1'), 'listening')
      return (s.address() as net.AddressInfo).port
    } else if (m.cmd === 'accepted') {
      await accepted
    } else if (m.cmd === 'connect') {
      const { kind, size, messages, port } = m
      const pieces = kind === 'limit-recv' ? sealed(size, messages) : []
      if (kind === 'bip324') {
        conn = await connectAsync({ port, host: '127.0.0.1' }) as Bip324Socket
      } else {
        const s = net.connect({ port, host: '127.0.0.1', noDelay: true })
        await once(s, 'connect')
        conn = s
      }
      const c = conn
      sending = () => send(kind, c, size, messages, pieces)
    } else if (m.cmd === 'go') {
      void sending?.()
    } else if (m.cmd === 'done') {
      await done
    } else {
      conn?.destroy()
      conn = undefined
      if (server !== undefined) await new Promise((resolve) => server!.close(resolve))
      server = undefined
    }
    return null
  })
}

// ---- the parent ----

/** One trial: bytes of contents per second from 'go' to the receiver's last message. */
async function trial (receiver: Child, sender: Child, kind: Kind, size: number, messages: number): Promise<number> {
  const port = await receiver.ask<number>({ cmd: 'listen', kind, size, messages })
  await sender.ask({ cmd: 'connect', kind, size, messages, port })
  await receiver.ask({ cmd: 'accepted' })
  const start = process.hrtime.bigint()
  await sender.ask({ cmd: 'go' })
  await receiver.ask({ cmd: 'done' })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await Promise.all([sender.ask({ cmd: 'close' }), receiver.ask({ cmd: 'close' })])
  return (size * messages) / seconds
}

/** The two-process stream table, printed through `say`. */
export async function streams (say: (line?: string) => void, options: { quick: boolean }): Promise<StreamRow[]> {
  const trials = options.quick ? 3 : 5
  const rows: StreamRow[] = []
  say('\n### Two-process stream: sender and receiver in their own processes, next to plain TCP and the pipeline limit\n')
  say(`Medians of ${trials} interleaved trials per kind (spread: (max - min) / median).\n`)
  say('| message | messages | bip324 | plain TCP | pipeline limit | both halves at once | bip324 / TCP | bip324 / limit | bip324 / both halves |')
  say('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  const receiver = spawn('stream', ['--stream-child'])
  const sender = spawn('stream', ['--stream-child'])
  try {
    for (const [size, full] of SIZES) {
      const messages = options.quick ? Math.max(8, Math.floor(full / 8)) : full
      const rates: Record<Kind, number[]> = { bip324: [], tcp: [], 'limit-send': [], 'limit-recv': [], raw: [] }
      await trial(receiver, sender, 'bip324', size, Math.max(1, messages >> 4)) // warm-up
      for (let t = 0; t < trials; t++) {
        for (const kind of KINDS) rates[kind].push(await trial(receiver, sender, kind, size, messages))
      }
      const limits = rates['limit-send'].map((s, i) => Math.min(s, rates['limit-recv'][i]!))
      const row: StreamRow = {
        size,
        bip324: stat(rates.bip324),
        tcp: stat(rates.tcp),
        limit: stat(limits),
        raw: stat(rates.raw),
        ratio: ratio(rates.bip324, rates.tcp),
        ofLimit: ratio(rates.bip324, limits),
        ofRaw: ratio(rates.bip324, rates.raw)
      }
      const bound = stat(rates['limit-send']).median < stat(rates['limit-recv']).median ? 'send' : 'receive'
      rows.push(row)
      const mbs = (s: Stat): string => `${(s.median / 1e6).toFixed(0)} MB/s ±${(s.spread * 100).toFixed(0)}%`
      const x = (s: Stat): string => `${s.median.toFixed(2)}x ±${(s.spread * 100).toFixed(0)}%`
      say(`| ${formatSize(size)} | ${messages.toLocaleString('en-US')} | ${mbs(row.bip324)} | ${mbs(row.tcp)} | ${mbs(row.limit)} (${bound}) | ${mbs(row.raw)} | ${x(row.ratio)} | ${x(row.ofLimit)} | ${x(row.ofRaw)} |`)
    }
  } finally {
    await Promise.all([receiver.close(), sender.close()])
  }
  return rows
}

if (process.argv.includes('--stream-child')) {
  child()
} else if (require.main === module) {
  streams((line = '') => console.log(line), { quick: process.argv.includes('--quick') }).catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
