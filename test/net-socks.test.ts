// connect() through a SOCKS5 proxy (Tor's role), against the test server of helpers/socks5-server:
// the name reaches the proxy unresolved, credentials go as given or fresh for each connection,
// every refusal is a typed ERR_BIP324_SOCKS in Bitcoin Core's words, and the connection keeps its
// deadline, its signal, its destroy() and its v1 retry.

import { once } from 'node:events'
import type net from 'node:net'

import { type Bip324Socket, connect, connectAsync, createServer } from '../lib'
import { rawServer } from './helpers/net'
import { freePort } from './helpers/ports'
import { socks5Server } from './helpers/socks5-server'

const ONION = 'examplexyz.onion'

/** The error `pending` rejects with; a test fails if it resolves. */
async function failure (pending: Promise<unknown>): Promise<Error & { code?: string, socksReply?: number }> {
  try {
    await pending
  } catch (err) {
    return err as Error
  }
  throw new Error('expected the connection to fail')
}

async function v2Server (options = {}): Promise<{ server: ReturnType<typeof createServer>, port: number }> {
  const server = createServer(options, (c) => c.on('error', () => {}))
  const { port } = await server.listenAsync(0, '127.0.0.1')
  return { server, port }
}

describe.each(['native', 'wasm', 'js'] as const)('with the %s backend', (backend) => {
  test('a v2 handshake to an .onion name: the proxy gets the name unresolved (ATYP domain) and the session is end to end', async () => {
    const { server, port } = await v2Server({ backend })
    const accepted = once(server, 'connection') as Promise<[Bip324Socket]>
    const proxy = await socks5Server({ names: { [ONION]: port } })
    const conn = await connectAsync({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: proxy.port }, backend })
    expect(proxy.requests).toMatchObject([{ atyp: 'domain', host: ONION, port: 8333 }])
    const [peer] = await accepted
    expect(Buffer.from(peer.sessionId!).equals(conn.sessionId!)).toBe(true)
    // The TCP socket's far end is the proxy, and our socket options held.
    expect(conn.remotePort).toBe(proxy.port)
    expect([conn.socket.allowHalfOpen, conn.connecting]).toEqual([true, false])
    conn.destroy()
    await proxy.close()
    await server[Symbol.asyncDispose]()
  })
})

test('messages cross the tunnel both ways after the handshake', async () => {
  const server = createServer((c) => c.on('data', (m: Uint8Array) => c.write(m)))
  const { port } = await server.listenAsync(0, '127.0.0.1')
  const proxy = await socks5Server({ names: { [ONION]: port } })
  const conn = await connectAsync({ host: ONION, port, socks: { host: '127.0.0.1', port: proxy.port } })
  const echoed = new Promise<Uint8Array>((resolve) => conn.once('data', resolve))
  conn.write(Buffer.from('through tor'))
  expect(Buffer.from(await echoed).toString()).toBe('through tor')
  conn.destroy()
  await proxy.close()
  await server[Symbol.asyncDispose]()
})

test('an IP destination goes as an IP address: ATYP IPv4, and IPv6 for ::1', async () => {
  const { server, port } = await v2Server()
  const proxy = await socks5Server()
  const socks = { host: '127.0.0.1', port: proxy.port }
  ;(await connectAsync({ host: '127.0.0.1', port, socks })).destroy()
  // The server listens on 127.0.0.1 only: the proxy, asked for [::1], is refused there.
  await expect(connectAsync({ host: '::1', port, socks })).rejects.toMatchObject({ code: 'ERR_BIP324_SOCKS', socksReply: 5 })
  expect(proxy.requests).toMatchObject([{ atyp: 'ipv4', host: '127.0.0.1', port }, { atyp: 'ipv6', host: '0:0:0:0:0:0:0:1', port }])
  await proxy.close()
  await server[Symbol.asyncDispose]()
})

test('credentials given are sent as given (RFC 1929); isolation draws fresh ones for every connection; isolate: false offers none', async () => {
  const { server, port } = await v2Server()
  const proxy = await socks5Server({ names: { [ONION]: port } })
  const socks = { host: '127.0.0.1', port: proxy.port }
  const open = async (extra: object): Promise<void> => { (await connectAsync({ host: ONION, port, socks: { ...socks, ...extra } })).destroy() }
  await open({ username: 'alice', password: 'secret' })
  await open({})
  await open({ isolate: true })
  await open({ isolate: false })
  const [given, first, second, none] = proxy.requests
  expect(given).toMatchObject({ methods: [0, 2], username: 'alice', password: 'secret' })
  // Default and isolate: true alike: user/pass offered, 32 hex digits each time, never the same.
  for (const r of [first, second]) expect(r).toMatchObject({ methods: [0, 2], username: expect.stringMatching(/^[0-9a-f]{32}$/) })
  expect(first!.username).not.toBe(second!.username)
  expect(none).toEqual(expect.objectContaining({ methods: [0] }))
  expect(none!.username).toBeUndefined()
  await proxy.close()
  await server[Symbol.asyncDispose]()
})

test('a proxy without username/password picks "no authentication": the default isolation still connects', async () => {
  const { server, port } = await v2Server()
  const proxy = await socks5Server({ names: { [ONION]: port }, auth: false })
  ;(await connectAsync({ host: ONION, port, socks: { host: '127.0.0.1', port: proxy.port } })).destroy()
  expect(proxy.requests).toEqual([expect.objectContaining({ methods: [0, 2], host: ONION })])
  expect(proxy.requests[0]!.username).toBeUndefined()
  await proxy.close()
  await server[Symbol.asyncDispose]()
})

// Bitcoin Core's words for each reply code (netbase.cpp, Socks5ErrorString).
const REFUSALS: Array<[number, string]> = [
  [0x01, 'general failure'],
  [0x02, 'connection not allowed'],
  [0x03, 'network unreachable'],
  [0x04, 'host unreachable'],
  [0x05, 'connection refused'],
  [0x06, 'TTL expired'],
  [0x07, 'protocol error'],
  [0x08, 'address type not supported'],
  [0xf0, 'onion service descriptor can not be found'],
  [0xf2, 'onion service introduction failed'],
  [0xf6, 'onion service invalid address'],
  [0xf7, 'onion service introduction timed out'],
  [0x42, 'unknown (0x42)']
]

test.each(REFUSALS.map(([reply, words]) => ({ hex: reply.toString(16).padStart(2, '0'), reply, words })))('reply 0x$hex is ERR_BIP324_SOCKS with socksReply and "$words"', async ({ reply, words }) => {
  const proxy = await socks5Server({ reply })
  const err = await failure(connectAsync({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: proxy.port } }))
  expect(err).toMatchObject({ name: 'Bip324Error', code: 'ERR_BIP324_SOCKS', socksReply: reply })
  expect(err.message).toBe(`SOCKS5 proxy 127.0.0.1:${proxy.port}: could not connect to ${ONION}:8333: ${words}`)
  await proxy.close()
})

test('a name the proxy cannot reach, and a destination that refuses it, come back as the proxy says: 4 and 5', async () => {
  const proxy = await socks5Server()
  const unknown = await failure(connectAsync({ host: 'nowhere.onion', port: 8333, socks: { host: '127.0.0.1', port: proxy.port } }))
  expect(unknown).toMatchObject({ code: 'ERR_BIP324_SOCKS', socksReply: 4 })
  const closed = await freePort()
  const refused = await failure(connectAsync({ host: '127.0.0.1', port: closed, socks: { host: '127.0.0.1', port: proxy.port } }))
  expect(refused).toMatchObject({ code: 'ERR_BIP324_SOCKS', socksReply: 5 })
  await proxy.close()
})

test('refused credentials, no acceptable method, and a proxy that is not SOCKS5 are ERR_BIP324_SOCKS in Core\'s words', async () => {
  const cases: Array<[Parameters<typeof socks5Server>[0], object, string]> = [
    [{ auth: { username: 'alice', password: 'right' } }, { username: 'alice', password: 'wrong' }, 'proxy authentication unsuccessful'],
    [{ auth: true }, { isolate: false }, 'accepts none of our authentication methods (we offered none)'],
    [{ answer: Uint8Array.of(4, 0) }, {}, 'not a SOCKS5 proxy: its answer starts with 0x04 (proxy failed to initialize)']
  ]
  for (const [options, extra, words] of cases) {
    const proxy = await socks5Server(options)
    const err = await failure(connectAsync({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: proxy.port, ...extra } }))
    expect(err).toMatchObject({ code: 'ERR_BIP324_SOCKS', message: `SOCKS5 proxy 127.0.0.1:${proxy.port}: ${words}` })
    expect(err.socksReply).toBeUndefined()
    await proxy.close()
  }
})

test('a proxy that closes before its reply is ERR_BIP324_SOCKS, not a peer that closed', async () => {
  const closer = await rawServer((s) => s.once('data', () => s.end()))
  const err = await failure(connectAsync({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: closer.port }, v1Fallback: true }))
  expect(err).toMatchObject({ code: 'ERR_BIP324_SOCKS', message: expect.stringContaining('no answer to our greeting') })
  await closer.close()
})

test('no proxy listening: ECONNREFUSED, node:net\'s own error, unchanged', async () => {
  const port = await freePort()
  const err = await failure(connectAsync({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port } }))
  expect(err).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', port })
})

test('handshakeTimeout covers a proxy that never answers', async () => {
  const proxy = await socks5Server({ silent: true })
  const conn = connect({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: proxy.port }, handshakeTimeout: 200 })
  const [err] = await new Promise<[Error]>((resolve) => conn.once('error', (e) => resolve([e])))
  expect(err).toMatchObject({ code: 'ERR_BIP324_HANDSHAKE_TIMEOUT', message: 'no BIP-324 handshake within 200 ms (the SOCKS5 proxy had not reached the peer yet)' })
  expect(proxy.requests).toHaveLength(1)
  await proxy.close()
})

test('the socket comes back at once, connecting until the proxy has reached the peer; \'connect\' comes then', async () => {
  const { server, port } = await v2Server()
  const proxy = await socks5Server({ names: { [ONION]: port } })
  const conn = connect({ host: ONION, port, socks: { host: '127.0.0.1', port: proxy.port } })
  expect(conn.connecting).toBe(true)
  const tcpUp = new Promise<void>((resolve) => conn.socket.once('connect', resolve))
  await tcpUp
  // Connected to the proxy, not yet to the peer.
  expect(conn.connecting).toBe(true)
  await new Promise<void>((resolve) => conn.once('connect', resolve))
  expect(proxy.requests[0]).toMatchObject({ host: ONION })
  await new Promise<void>((resolve) => conn.once('handshake', resolve))
  conn.destroy()
  await proxy.close()
  await server[Symbol.asyncDispose]()
})

test('an AbortSignal aborts the negotiation, and destroy() during it closes the proxy connection', async () => {
  const proxy = await socks5Server({ silent: true })
  const controller = new AbortController()
  const aborted = connectAsync({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: proxy.port }, signal: controller.signal })
  while (proxy.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  controller.abort()
  await expect(aborted).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })

  const conn = connect({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: proxy.port } })
  while (proxy.requests.length === 1) await new Promise((resolve) => setTimeout(resolve, 5))
  const closed = new Promise<void>((resolve) => conn.socket.once('close', () => resolve()))
  conn.destroy()
  await closed
  expect([conn.destroyed, conn.socket.destroyed]).toEqual([true, true])
  await proxy.close()
})

test('v1 fallback goes through the same proxy: a peer that closes on our key is retried there, with fresh credentials', async () => {
  let attempts = 0
  const v1Only = await rawServer((s: net.Socket) => {
    attempts++
    if (attempts === 1) s.once('data', () => s.end())
    else s.end(Buffer.from('v1 here'))
  })
  const proxy = await socks5Server({ names: { [ONION]: v1Only.port } })
  const result = await connectAsync({ host: ONION, port: 8333, socks: { host: '127.0.0.1', port: proxy.port }, v1Fallback: true })
  expect(result.transport).toBe('v1')
  expect(attempts).toBe(2)
  expect(proxy.requests).toMatchObject([{ host: ONION, port: 8333 }, { host: ONION, port: 8333 }])
  expect(proxy.requests[0]!.username).not.toBe(proxy.requests[1]!.username)
  if (result.transport === 'v1') {
    const answer = await new Promise<Buffer>((resolve) => result.socket.once('data', resolve))
    expect(answer.toString()).toBe('v1 here')
    result.socket.destroy()
  }
  await proxy.close()
  await v1Only.close()
})
