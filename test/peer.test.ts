// Peers of ours on both ends, on 127.0.0.1: connectPeer to createPeerServer over v2 on both
// crypto backends, over v1 after a fallback, inbound v1 through the server's fallback; what each
// learns of the other; sending, queueing before 'ready', backpressure; closing; the options check.

import fs from 'node:fs'
import { once } from 'node:events'
import net from 'node:net'
import path from 'node:path'

import {
  type Bip324Error, connectPeer, connectPeerAsync, createPeerServer, type Message, magicOf, Peer, type PeerServer, type PeerServerOptions, probe, type RawPeerMessage, SERVICE_FLAGS
} from '../lib'
import { receiverOf } from '../lib/peer/version'
import { coreClient } from './helpers/core-node'
import { socks5Server } from './helpers/socks5-server'

// From package.json itself, not from the library's own reading of it.
const VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version

const servers: Array<{ [Symbol.asyncDispose]: () => Promise<void> }> = []
afterEach(async () => { for (const s of servers.splice(0)) await s[Symbol.asyncDispose]() })

/** A listening PeerServer and the next Peer it makes ready. */
async function peerServer (options: PeerServerOptions = {}): Promise<{ server: PeerServer, port: number, next: () => Promise<Peer> }> {
  const server = createPeerServer({ pingInterval: 0, ...options })
  servers.push(server)
  const ready: Peer[] = []
  const waiting: Array<(p: Peer) => void> = []
  server.on('peer', (p) => { const w = waiting.shift(); if (w !== undefined) w(p); else ready.push(p) })
  const { port } = await server.listenAsync(0, '127.0.0.1')
  return { server, port, next: () => { const p = ready.shift(); return p !== undefined ? Promise.resolve(p) : new Promise((resolve) => waiting.push(resolve)) } }
}

/** Resolves with 'close''s hadError (node:events' once would reject on an 'error' before it). */
function closeOf (peer: Peer): Promise<boolean> {
  return new Promise((resolve) => peer.once('close', resolve))
}

/** The next message of `type` the Peer emits, with its raw form. */
function nextMessage (peer: Peer, type: string): Promise<[Message, RawPeerMessage]> {
  return new Promise((resolve) => {
    const on = (m: Message, raw: RawPeerMessage): void => { if (raw.type === type) { peer.off('message', on); resolve([m, raw]) } }
    peer.on('message', on)
  })
}

describe.each(['native', 'wasm', 'js'] as const)('Peer to Peer over v2, %s backend', (backend) => {
  test('both complete the version handshake and learn what the other said; messages cross typed and raw', async () => {
    const { port, next } = await peerServer({ backend, services: SERVICE_FLAGS.NODE_NETWORK, startHeight: 800_000, relay: true })
    const client = await connectPeerAsync({ host: '127.0.0.1', port, backend, pingInterval: 0, userAgent: '/client:2.0/', sendheaders: true })
    const inbound = await next()
    expect(client.sessionId).toEqual(inbound.sessionId)
    expect(client.sessionId).toHaveLength(32)
    expect(client).toMatchObject({ transport: 'v2', inbound: false, version: 70016, commonVersion: 70016, userAgent: `/bip324.js:${VERSION}/`, startHeight: 800_000, relay: true })
    expect(client.serviceNames).toEqual(['NETWORK', 'P2P_V2'])
    expect(inbound).toMatchObject({ transport: 'v2', inbound: true, userAgent: '/client:2.0/', services: SERVICE_FLAGS.NODE_P2P_V2, startHeight: 0, relay: false })
    expect(client.features).toEqual({ wtxidRelay: true, addrv2: true, sendHeaders: false })
    const inv: Message = { type: 'inv', inventory: [{ invType: 1, hash: new Uint8Array(32).fill(7) }] }
    const got = nextMessage(inbound, 'inv')
    client.send(inv)
    const [message, raw] = await got
    expect(message).toEqual(inv)
    expect(raw.type).toBe('inv')
    expect(raw.payload).toHaveLength(1 + 36)
    // Sent after verack, so it came before: the client asked for headers announcements.
    expect(inbound.features.sendHeaders).toBe(true)
    const back = nextMessage(client, 'notfound')
    inbound.sendRaw('notfound', raw.payload)
    expect((await back)[0]).toEqual({ ...inv, type: 'notfound' })
    client.destroy()
    await closeOf(inbound)
  })
})

test('through a SOCKS5 proxy (Tor): the .onion name reaches the proxy unresolved, and the Peer is ready over v2', async () => {
  const { port, next } = await peerServer()
  const proxy = await socks5Server({ names: { 'examplexyz.onion': port } })
  // As if the proxy were at a routable address, which a version must not name as the peer's.
  const remote = jest.spyOn(net.Socket.prototype as unknown as { _getpeername: () => object }, '_getpeername').mockReturnValue({ address: '8.8.8.8', family: 'IPv4', port: 9050 })
  const peer = await connectPeerAsync({ host: 'examplexyz.onion', port: 8333, socks: { host: '127.0.0.1', port: proxy.port }, pingInterval: 0 })
  remote.mockRestore()
  const theirs = await next()
  expect(peer.transport).toBe('v2')
  expect(Buffer.from(peer.sessionId!)).toEqual(Buffer.from(theirs.sessionId!))
  expect(proxy.requests).toEqual([expect.objectContaining({ atyp: 'domain', host: 'examplexyz.onion', port: 8333 })])
  // Through a proxy our version names no address: the socket's is the proxy's (Core's PushNodeVersion).
  expect(theirs.versionMessage?.receiver.ip).toEqual(new Uint8Array(16))
  peer.destroy()
  await proxy.close()
})

test('one session id everywhere: sessionId is the bytes, sessionIdHex them in order as getpeerinfo prints session_id; probe() gives both', async () => {
  const { port, next } = await peerServer()
  const client = await connectPeerAsync({ host: '127.0.0.1', port, pingInterval: 0 })
  const inbound = await next()
  const bytes = client.sessionId!
  // Core's getpeerinfo: HexStr(session_id), byte 0 first (not reversed as a hash is displayed).
  const hexStr = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  expect(client.sessionIdHex).toBe(hexStr)
  expect(inbound.sessionIdHex).toBe(hexStr)
  client.destroy()
  const probed = probe({ host: '127.0.0.1', port })
  const server = await next()
  const result = await probed
  expect(result.sessionId).toEqual(server.sessionId)
  expect(result.sessionIdHex).toBe(server.sessionIdHex)
  expect(result.sessionIdHex).toBe(Buffer.from(result.sessionId!).toString('hex'))
})

test('over v1 after a v1 fallback: a v1-only node of ours (a Peer on the plain socket)', async () => {
  const MAGIC = Buffer.from(magicOf('mainnet'))
  const sockets = new Set<net.Socket>()
  const inbound: Peer[] = []
  // Drops a connection whose first bytes are not a v1 message, as a node without BIP-324 does.
  const node = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s)
    s.once('data', (first: Buffer) => {
      if (!first.subarray(0, 4).equals(MAGIC)) { s.destroy(); return }
      s.pause()
      inbound.push(new Peer({ transport: 'v1', socket: s, data: first }, { inbound: true, pingInterval: 0 }))
    })
  })
  await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve))
  const { port } = node.address() as net.AddressInfo
  const client = await connectPeerAsync({ host: '127.0.0.1', port, v1Fallback: true, pingInterval: 0 })
  expect(client.transport).toBe('v1')
  expect(client.sessionId).toBeUndefined()
  // Over v1 we do not offer v2 in our services.
  expect(client.services).toBe(0n)
  const [theirs] = inbound
  if (!theirs!.ready) await once(theirs!, 'ready')
  expect(theirs!.services).toBe(0n)
  const got = nextMessage(theirs!, 'ping')
  client.send({ type: 'ping', nonce: 42n })
  expect((await got)[0]).toEqual({ type: 'ping', nonce: 42n })
  client.destroy()
  for (const s of sockets) s.destroy()
  await new Promise((resolve) => node.close(resolve))
})

test('inbound over v1 through the server\'s v1 fallback', async () => {
  const { port, next } = await peerServer({ v1: 'fallback' })
  const client = new Peer({ transport: 'v1', socket: net.connect(port, '127.0.0.1') }, { pingInterval: 0, userAgent: '/v1-client:0.1/' })
  await once(client, 'ready')
  const inbound = await next()
  expect(inbound).toMatchObject({ transport: 'v1', inbound: true, userAgent: '/v1-client:0.1/' })
  expect(client.userAgent).toBe(`/bip324.js:${VERSION}/`)
  const pinged = new Promise<number | undefined>((resolve) => client.ping((_err, ms) => resolve(ms)))
  expect(await pinged).toBeGreaterThan(0)
  client.end()
  expect(await closeOf(inbound)).toBe(false)
})

test('a connection to ourselves: the server\'s Peer finds our nonce among localNonces and closes (Core\'s CheckIncomingNonce)', async () => {
  const localNonces = new Set<bigint>()
  const { server, port } = await peerServer({ localNonces })
  const refused = once(server, 'peerError') as Promise<[Bip324Error, Peer]>
  const client = connectPeer({ host: '127.0.0.1', port, localNonces, pingInterval: 0 })
  const failed = new Promise<Bip324Error>((resolve) => client.once('error', (e) => resolve(e as Bip324Error)))
  const [err] = await refused
  expect(err.code).toBe('ERR_BIP324_SELF_CONNECTION')
  // The server closes on it before answering: to the client, the peer closed during the handshake.
  expect((await failed).code).toBe('ERR_BIP324_PEER_CLOSED')
  expect(localNonces.size).toBe(0)
})

test('without shared localNonces, our own client and server talk (the README quick start)', async () => {
  const { port, next } = await peerServer()
  const client = await connectPeerAsync({ host: '127.0.0.1', port, pingInterval: 0 })
  await next()
  client.destroy()
})

describe('sending', () => {
  test('before ready, send() queues; the queue goes out after verack, in order, then \'drain\'', async () => {
    const { port, next } = await peerServer()
    const client = connectPeer({ host: '127.0.0.1', port, pingInterval: 0, maxSendBuffer: 1000 })
    expect(client.send({ type: 'feefilter', feeRate: 1n })).toBe(true)
    // (8 + 400) + (192 + 400) bytes reach maxSendBuffer: false, then 'drain' once they are out.
    expect(client.sendRaw('tx', new Uint8Array(192))).toBe(false)
    expect(() => client.send({ type: 'getaddr' })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
    const drained = once(client, 'drain')
    const inbound = await next()
    const got: string[] = []
    inbound.on('message', (m) => got.push(m.type))
    await drained
    while (got.length < 2) await once(inbound, 'message')
    expect(got).toEqual(['feefilter', 'tx'])
    expect(inbound.features.feeFilter).toBe(1n)
    client.destroy()
  })

  test('the version handshake is the Peer\'s: send() refuses its messages; bad types and sizes are ERR_BIP324_INVALID_ARG', async () => {
    const { port } = await peerServer()
    const client = await connectPeerAsync({ host: '127.0.0.1', port, pingInterval: 0 })
    for (const type of ['version', 'verack', 'wtxidrelay', 'sendaddrv2']) {
      expect(() => client.sendRaw(type, new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    }
    expect(() => client.sendRaw('thirteen-char', new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(() => client.sendRaw('tx', new Uint8Array(4_000_001))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(() => client.send({ type: 'nosuchtype' } as unknown as Message)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    client.destroy()
    const late = new Promise<Error | null | undefined>((resolve) => client.send({ type: 'getaddr' }, (err) => resolve(err)))
    expect(await late).toMatchObject({ code: 'ERR_STREAM_DESTROYED' })
  })

  test('a message type named like an event ("error") is a message, not an event', async () => {
    const { port } = await peerServer()
    const inbound = once((servers[0] as PeerServer), 'peer') as Promise<[Peer]>
    const core = await coreClient(port)
    const [peer] = await inbound
    const got = nextMessage(peer, 'error')
    core.send({ type: 'error', payload: Uint8Array.of(1, 2) })
    expect((await got)[0]).toEqual({ type: 'unknown', command: 'error', raw: Uint8Array.of(1, 2) })
    core.connection.destroy()
    await closeOf(peer)
  })

  test('a message of a type we do not know reaches the application as { type: \'unknown\', command, raw }, and send() of one goes under its command', async () => {
    const { port, next } = await peerServer()
    const client = await connectPeerAsync({ host: '127.0.0.1', port, pingInterval: 0 })
    const inbound = await next()
    const got = nextMessage(inbound, 'sendtxrcncl2')
    client.send({ type: 'unknown', command: 'sendtxrcncl2', raw: Uint8Array.of(9) })
    const [message, raw] = await got
    expect(message).toEqual({ type: 'unknown', command: 'sendtxrcncl2', raw: Uint8Array.of(9) })
    expect(raw).toEqual({ type: 'sendtxrcncl2', payload: Uint8Array.of(9) })
    client.destroy()
  })
})

describe('closing', () => {
  test('end(): both sides close without an error; destroy() and asyncDispose close at once', async () => {
    const { port, next } = await peerServer()
    const client = await connectPeerAsync({ host: '127.0.0.1', port, pingInterval: 0 })
    const inbound = await next()
    const closes = [closeOf(client), closeOf(inbound)]
    client.end()
    expect(await Promise.all(closes)).toEqual([false, false])
    expect(client.destroyed).toBe(true)
    const second = await connectPeerAsync({ host: '127.0.0.1', port, pingInterval: 0 })
    await second[Symbol.asyncDispose]()
    expect(second.destroyed).toBe(true)
  })

  test('an AbortSignal ends the Peer with an AbortError', async () => {
    const { port } = await peerServer()
    const controller = new AbortController()
    const client = await connectPeerAsync({ host: '127.0.0.1', port, pingInterval: 0, signal: controller.signal })
    const failed = once(client, 'error')
    controller.abort()
    expect((await failed)[0]).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
  })

  test('a Peer that fails its version handshake on the server is a peerError, never an uncaught error', async () => {
    const { server, port } = await peerServer({ versionTimeout: 100 })
    const failed = once(server, 'peerError') as Promise<[Bip324Error, Peer]>
    const core = await coreClient(port, { verack: false })
    const [err, peer] = await failed
    expect(err.code).toBe('ERR_BIP324_VERSION_TIMEOUT')
    expect(peer.ready).toBe(false)
    await core.closed
  })

  test('a server nobody listens to for \'peer\' closes its Peers once ready', async () => {
    const server = createPeerServer({ pingInterval: 0 })
    servers.push(server)
    const { port } = await server.listenAsync(0, '127.0.0.1')
    const core = await coreClient(port)
    await core.closed
    expect(core.received.map((m) => m.type)).toContain('verack')
  })
})

test('options are checked at once: ERR_BIP324_INVALID_ARG, and no connection is made', () => {
  const bad = [
    { userAgent: 'x'.repeat(257) }, { services: -1n }, { services: 1 }, { protocolVersion: 31799 }, { startHeight: 1.5 },
    { relay: 'yes' }, { sendcmpct: { announce: true } }, { feefilter: 21_000_000n * 100_000_000n + 1n }, { pingInterval: -1 },
    { pingTimeout: 2 ** 31 }, { versionTimeout: '60' }, { onMisbehavior: 'disconnect' }, { localNonces: [1n] }, { maxSendBuffer: 0 }
  ]
  for (const options of bad) {
    expect(() => connectPeer({ host: '127.0.0.1', port: 1, ...options } as never)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(() => createPeerServer(options as never)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  }
  // The transport's options are the transport's checks, unchanged.
  expect(() => connectPeer({ host: '127.0.0.1', port: 0 })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('our version names a routable peer by its address, and any other by zeros, as Core does', () => {
  expect(receiverOf('8.8.8.8', 8333)).toEqual({ services: 0n, ip: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 8, 8, 8, 8]), port: 8333 })
  expect(receiverOf('2001:4860::8888', 8333).ip[0]).toBe(0x20)
  for (const local of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '::1', 'fe80::1%eth0']) {
    expect(receiverOf(local, 8333)).toEqual({ services: 0n, ip: new Uint8Array(16), port: 0 })
  }
  expect(receiverOf(undefined, undefined)).toEqual({ services: 0n, ip: new Uint8Array(16), port: 0 })
})
