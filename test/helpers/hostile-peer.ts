/**
 * A v2 peer that misbehaves on purpose: the sans-IO Protocol over a plain TCP socket, so that the
 * test decides when it reads, what it writes and how the bytes are grouped into TCP writes.
 */

import net from 'node:net'

import { encodeContents, encodePayload, type Message, Protocol } from '../../lib'

export interface HostileV2 {
  socket: net.Socket
  protocol: Protocol
  /** The packet bytes of `message` (encrypted now: packets must go out in the order they are made). */
  packet: (message: Message) => Uint8Array
  /** A version message as a peer of protocol 70016 sends it. */
  version: () => Message
}

/** A version message as a peer of protocol 70016 sends it, user agent /hostile:0/. */
export function versionMessage (): Message {
  return {
    type: 'version',
    version: 70016,
    services: 1n | 8n,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    receiver: { services: 0n, ip: new Uint8Array(16), port: 0 },
    sender: { services: 0n, ip: new Uint8Array(16), port: 0 },
    nonce: 0x1234n,
    userAgent: '/hostile:0/',
    startHeight: 0,
    relay: true
  }
}

function hostile (socket: net.Socket, protocol: Protocol): HostileV2 {
  return {
    socket,
    protocol,
    packet: (message) => protocol.send(encodeContents(message.type, encodePayload(message))),
    version: versionMessage
  }
}

// Runs the v2 handshake over `socket`; resolves once the session is up (any later bytes stay unread
// by the protocol: the test reads them if it wants).
function handshake (socket: net.Socket, protocol: Protocol): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      const r = protocol.receive(chunk)
      for (const out of r.send) socket.write(out)
      if (r.error !== undefined) reject(r.error)
      else if (r.events.some((e) => e.type === 'handshake')) {
        socket.off('data', onData)
        resolve()
      }
    }
    socket.on('data', onData)
    socket.once('error', reject)
    const first = protocol.start()
    if (first.length > 0) socket.write(first)
  })
}

/** Connects to a BIP-324 responder on 127.0.0.1:port and completes the transport handshake. */
export async function hostileClient (port: number): Promise<HostileV2> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s))
    s.once('error', reject)
  })
  socket.on('error', () => {})
  const protocol = new Protocol({ role: 'initiator', network: 'mainnet' })
  await handshake(socket, protocol)
  return hostile(socket, protocol)
}

/** A BIP-324 responder on 127.0.0.1 that runs `behave` once each connection's handshake is done. */
export async function hostileServer (behave: (peer: HostileV2) => void): Promise<{ port: number, close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    const protocol = new Protocol({ role: 'responder', network: 'mainnet' })
    handshake(socket, protocol).then(() => behave(hostile(socket, protocol)), () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) })
  }
}

/** `packet` with its last byte (a tag byte) flipped: the receiver fails it with ERR_BIP324_BAD_MAC. */
export function badTag (packet: Uint8Array): Uint8Array {
  const bad = Uint8Array.from(packet)
  bad[bad.length - 1]! ^= 1
  return bad
}

/** Writes `bytes` (`count` messages) again and again for `ms`, keeping at most 1 MB unsent on our
 *  side, so that the flood costs the test nothing and the peer everything it takes. Resolves with
 *  the messages written. */
export async function floodBytes (socket: net.Socket, ms: number, bytes: Uint8Array | (() => Uint8Array), count: number): Promise<number> {
  const until = Date.now() + ms
  let sent = 0
  while (Date.now() < until && !socket.destroyed) {
    if (socket.writableLength > 1 << 20) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      continue
    }
    socket.write(typeof bytes === 'function' ? bytes() : bytes)
    sent += count
    await new Promise((resolve) => setImmediate(resolve))
  }
  return sent
}

/** floodBytes of v2 pings with `payload`, encrypted `batch` at a time (each batch is new packets). */
export function floodPings (peer: HostileV2, ms: number, payload: Uint8Array, batch = 2000): Promise<number> {
  const contents = encodeContents('ping', payload)
  return floodBytes(peer.socket, ms, () => peer.protocol.sendMany(Array.from({ length: batch }, () => contents)), batch)
}
