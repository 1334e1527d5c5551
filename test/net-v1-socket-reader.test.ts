// lib/net/v1-socket-reader.ts, the v1 message reader of the probe and the proxy: a wait ends with a
// message, null or an error, and leaves the socket's listeners as it found them, however many
// chunks it took; the socket is read only while a wait is on. Then the probe and the proxy on it.

import net from 'node:net'

import { encodeV1Message, MAX_VERSION_PAYLOAD, V1_HEADER_BYTES } from '../lib/messages'
import { probe } from '../lib/peer/probe'
import { createProxy } from '../lib/net/proxy'
import { V1SocketReader } from '../lib/net/v1-socket-reader'
import { NODE_USER_AGENT, v2Node } from './helpers/fake-node'
import { nextEvent, rawClient, rawServer } from './helpers/net'
import { MAGIC, v1Client, versionTo } from './helpers/v1-client'

const EVENTS = ['data', 'end', 'close', 'error', 'readable'] as const
const listeners = (socket: net.Socket): Record<string, number> => Object.fromEntries(EVENTS.map((e) => [e, socket.listenerCount(e)]))
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// Writes `bytes` in `pieces` writes a few ms apart, so that they arrive as that many chunks (or close).
async function trickle (socket: net.Socket, bytes: Uint8Array, pieces: number): Promise<void> {
  const size = Math.ceil(bytes.length / pieces)
  for (let at = 0; at < bytes.length && !socket.destroyed; at += size) {
    socket.write(bytes.subarray(at, at + size))
    await pause(2)
  }
}

const frame = (type: string, payload: Uint8Array = new Uint8Array(0)): Uint8Array => encodeV1Message(MAGIC, type, payload)
const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts)

describe('V1SocketReader', () => {
  let server: Awaited<ReturnType<typeof rawServer>> | undefined
  let client: net.Socket | undefined
  afterEach(async () => {
    client?.destroy()
    await server?.close()
    server = client = undefined
  })

  // A client of a server that sends it `bytes` in `pieces`, with listeners of "other code" on it.
  async function clientOf (bytes: Uint8Array, pieces = 1, then?: (s: net.Socket) => void): Promise<{ socket: net.Socket, chunks: () => number, theirs: Record<string, () => void> }> {
    server = await rawServer((s) => { trickle(s, bytes, pieces).then(() => then?.(s)) })
    client = await rawClient(server.port)
    let chunks = 0
    const theirs = Object.fromEntries(EVENTS.filter((e) => e !== 'data' && e !== 'readable').map((e) => [e, () => {}]))
    for (const [event, fn] of Object.entries(theirs)) client.on(event, fn)
    client.on('data', () => { chunks++ })
    return { socket: client, chunks: () => chunks, theirs }
  }

  test('three messages in 120 chunks: one message per wait, and after each the listeners it found, the others\' included', async () => {
    const bytes = concat(frame('version', versionTo('127.0.0.1', 8333)), frame('verack'), frame('ping', new Uint8Array(8)))
    const { socket, chunks, theirs } = await clientOf(bytes, 120)
    const before = listeners(socket)
    const v1 = new V1SocketReader(socket, MAGIC)
    const types: string[] = []
    for (let i = 0; i < 3; i++) {
      const m = await v1.next()
      types.push(m!.type)
      expect(listeners(socket)).toEqual(before)
      expect(socket.isPaused()).toBe(true)
    }
    expect(types).toEqual(['version', 'verack', 'ping'])
    expect(chunks()).toBeGreaterThan(60)
    for (const [event, fn] of Object.entries(theirs)) expect(socket.listeners(event)).toContain(fn)
  })

  test('messages that arrive together are returned one per wait, without reading the socket again', async () => {
    const { socket } = await clientOf(concat(frame('verack'), frame('sendaddrv2'), frame('wtxidrelay')))
    const v1 = new V1SocketReader(socket, MAGIC)
    expect((await v1.next())!.type).toBe('verack')
    const read = socket.bytesRead
    expect((await v1.next())!.type).toBe('sendaddrv2')
    expect(v1.rest()).toEqual({ messages: [expect.objectContaining({ type: 'wtxidrelay' })] })
    expect(socket.bytesRead).toBe(read)
  })

  test('messages before a broken frame come first, then the reader\'s error', async () => {
    const { socket } = await clientOf(concat(frame('verack'), encodeV1Message(Uint8Array.of(1, 2, 3, 4), 'ping', new Uint8Array(8))))
    const v1 = new V1SocketReader(socket, MAGIC)
    expect((await v1.next())!.type).toBe('verack')
    await expect(v1.next()).rejects.toMatchObject({ code: 'ERR_BIP324_BAD_MAGIC' })
    await expect(v1.next()).rejects.toMatchObject({ code: 'ERR_BIP324_BAD_MAGIC' })
  })

  test('the byte bound is judged on the header: a wait ends before an oversized body is awaited', async () => {
    const header = encodeV1Message(MAGIC, 'version', new Uint8Array(MAX_VERSION_PAYLOAD + 1)).subarray(0, V1_HEADER_BYTES)
    const { socket } = await clientOf(header)
    const before = listeners(socket)
    const v1 = new V1SocketReader(socket, MAGIC, { maxPayload: MAX_VERSION_PAYLOAD })
    await expect(v1.next()).rejects.toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
    expect(listeners(socket)).toEqual(before)
  })

  test('a wait past its timeout rejects with the timeout\'s error and removes its listeners', async () => {
    const { socket } = await clientOf(frame('verack').subarray(0, 10))
    const before = listeners(socket)
    const v1 = new V1SocketReader(socket, MAGIC)
    const started = Date.now()
    await expect(v1.next({ timeout: 100 })).rejects.toMatchObject({ code: 'ERR_BIP324_HANDSHAKE_TIMEOUT' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(95)
    expect(listeners(socket)).toEqual(before)
    const mine = new Error('mine')
    await expect(v1.next({ timeout: 50, timeoutError: () => mine })).rejects.toBe(mine)
  })

  test('an aborted wait rejects with an AbortError, the signal\'s reason as its cause (as node does), and removes its listeners', async () => {
    const { socket } = await clientOf(new Uint8Array(0))
    const before = listeners(socket)
    const v1 = new V1SocketReader(socket, MAGIC)
    const controller = new AbortController()
    const reason = new Error('stop')
    setTimeout(() => controller.abort(reason), 20)
    const aborted = { name: 'AbortError', code: 'ABORT_ERR', cause: reason }
    await expect(v1.next({ signal: controller.signal })).rejects.toMatchObject(aborted)
    expect(listeners(socket)).toEqual(before)
    await expect(v1.next({ signal: controller.signal })).rejects.toMatchObject(aborted)
  })

  test('the end of the stream is null, on every wait after it too', async () => {
    const { socket } = await clientOf(frame('verack'), 1, (s) => s.end())
    const v1 = new V1SocketReader(socket, MAGIC)
    expect((await v1.next())!.type).toBe('verack')
    expect(await v1.next()).toBeNull()
    expect(await v1.next()).toBeNull()
  })

  test('a socket error rejects the wait with it', async () => {
    const { socket } = await clientOf(new Uint8Array(0))
    const v1 = new V1SocketReader(socket, MAGIC)
    const wait = v1.next()
    const err = new Error('reset')
    socket.destroy(err)
    await expect(wait).rejects.toBe(err)
  })
})

// The probe's v1 path once leaked an 'end' and an 'error' listener per chunk: compare the
// listeners its v1 socket is left with after version and verack in one chunk and in 150.
describe('the probe over v1', () => {
  async function probeV1 (pieces: number): Promise<{ listeners: Record<string, number>, userAgent: string }> {
    const sockets: net.Socket[] = []
    const realConnect = net.Socket.prototype.connect
    const spy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
      sockets.push(this)
      return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args)
    })
    const reply = concat(frame('version', versionTo('127.0.0.1', 8333, NODE_USER_AGENT)), frame('verack'))
    // A v1-only node: it drops a v2 key (not its magic), and answers a v1 version slowly.
    const node = await rawServer((s) => {
      s.once('data', (first: Buffer) => {
        if (!first.subarray(0, 4).equals(Buffer.from(MAGIC))) { s.destroy(); return }
        trickle(s, reply, pieces)
      })
    })
    try {
      const result = await probe({ port: node.port, v1Fallback: true, timeout: 20_000 })
      expect(result.transport).toBe('v1')
      return { listeners: listeners(sockets[sockets.length - 1]!), userAgent: result.version.userAgent }
    } finally {
      spy.mockRestore()
      await node.close()
    }
  }

  test('leaves its socket with the same listeners after 150 chunks as after one', async () => {
    const once = await probeV1(1)
    const many = await probeV1(150)
    expect(many.userAgent).toBe(NODE_USER_AGENT)
    expect(many.listeners).toEqual(once.listeners)
    expect(many.listeners.end).toBeLessThanOrEqual(2)
    // connect()'s v1 retry keeps one 'error' listener of its own on the plain socket (keepErrors: a
    // reset before the application listens costs nothing); nothing else may stay behind.
    expect(many.listeners.error).toBeLessThanOrEqual(2)
  })
})

describe('the proxy', () => {
  test('leaves the listeners other code put on a client socket, through the version wait and the session', async () => {
    const node = await v2Node()
    const proxy = createProxy({ allow: ['127.0.0.1'] })
    const theirs = { data: () => {}, end: () => {}, close: () => {}, error: () => {} }
    let accepted: net.Socket | undefined
    proxy.server.on('connection', (s: net.Socket) => {
      accepted = s
      for (const [event, fn] of Object.entries(theirs)) s.on(event, fn)
    })
    const { port } = await proxy.listenAsync(0, '127.0.0.1')
    const session = nextEvent(proxy, 'session')
    const client = await v1Client(port)
    client.send('version', versionTo('127.0.0.1', node.port))
    await session
    await client.next(2)
    for (const [event, fn] of Object.entries(theirs)) expect(accepted!.listeners(event)).toContain(fn)
    client.socket.destroy()
    await proxy[Symbol.asyncDispose]()
    await node.close()
  })
})
