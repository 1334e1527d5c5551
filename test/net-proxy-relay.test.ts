// The proxy is not an open relay: what a v1 client may make it hold, where it may send it, and how
// many clients it serves at once. Every connection here is to 127.0.0.1: the others a proxy tries
// are stopped by a spy on net.Socket#connect before they leave this process, and recorded.

import net from 'node:net'

import { encodeV1Message, MAX_VERSION_PAYLOAD } from '../lib/messages'
import { type AllowTarget, createProxy, type ProxyOptions } from '../lib/net/proxy'
import { NODE_USER_AGENT, v2Node } from './helpers/fake-node'
import { closed, nextEvent, rawServer } from './helpers/net'
import { MAGIC, v1Client, versionTo } from './helpers/v1-client'

/** Resolves with what `promise` gives, or rejects after `ms` naming what did not happen. */
function within<T> (ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms) })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** A proxy with `options`, listening on 127.0.0.1. */
async function proxyWith (options: ProxyOptions): Promise<{ proxy: ReturnType<typeof createProxy>, port: number }> {
  const proxy = createProxy(options)
  const { port } = await proxy.listenAsync(0, '127.0.0.1')
  return { proxy, port }
}

// Hosts of every outgoing connection attempt; any but 127.0.0.1 fails here with ECONNREFUSED.
let attempts: string[] = []
const realConnect = net.Socket.prototype.connect
beforeEach(() => {
  attempts = []
  jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its normalized [options, callback]; a direct call passes options.
    const options = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string }
    const host = String(options.host)
    attempts.push(host)
    if (host === '127.0.0.1') return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args)
    process.nextTick(() => this.destroy(Object.assign(new Error(`connect ECONNREFUSED ${host} (stopped by the test)`), { code: 'ECONNREFUSED' })))
    return this
  })
})
afterEach(() => jest.restoreAllMocks())

interface Outcome {
  /** The proxy's 'session' event, once the node's version and verack have reached the client. */
  session?: unknown
  /** The proxy's 'sessionError', once the client is closed. */
  error?: Error & { code?: string }
  /** Connections the proxy attempted. */
  proxyAttempts: string[]
}

/** Sends a version naming ip:port through a proxy with `options`: what became of it. */
async function sessionTo (options: ProxyOptions, ip: string, port: number): Promise<Outcome> {
  const { proxy, port: proxyPort } = await proxyWith(options)
  const client = await v1Client(proxyPort)
  const before = attempts.length
  const outcome = new Promise<Omit<Outcome, 'proxyAttempts'>>((resolve) => {
    proxy.once('session', (session) => { client.next(2).then(() => resolve({ session })) })
    proxy.once('sessionError', (error) => { closed(client.socket).then(() => resolve({ error })) })
  })
  client.send('version', versionTo(ip, port))
  const result = await outcome
  client.socket.destroy()
  await proxy[Symbol.asyncDispose]()
  return { ...result, proxyAttempts: attempts.slice(before) }
}

test('the spy stops a connection to anything but 127.0.0.1 before it leaves the process', async () => {
  const listener = await rawServer(() => { throw new Error('reached') })
  const socket = net.connect({ host: '127.0.0.2', port: listener.port })
  const [err] = await nextEvent<[Error & { code: string }]>(socket, 'error')
  expect(err.message).toMatch(/stopped by the test/)
  expect(attempts).toEqual(['127.0.0.2'])
  await listener.close()
})

describe('by default, a version naming a special-purpose address is refused without connecting', () => {
  test('127.0.0.1: the loopback service it names sees no connection', async () => {
    let reached = 0
    const service = await rawServer((s) => { reached++; s.destroy() })
    const { error, proxyAttempts } = await sessionTo({}, '127.0.0.1', service.port)
    expect(error).toMatchObject({ code: 'ERR_BIP324_TARGET_REFUSED', message: expect.stringContaining('loopback (127.0.0.0/8)') })
    expect(proxyAttempts).toEqual([])
    expect(reached).toBe(0)
    await service.close()
  })

  test.each([
    ['10.0.0.1', 'private'], ['172.16.5.4', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'shared (CGNAT)'],
    ['169.254.169.254', 'link-local'], ['0.0.0.0', 'unspecified'], ['224.0.0.1', 'multicast'], ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'], ['fc00::1', 'private'], ['fe80::1', 'link-local'], ['64:ff9b::127.0.0.1', 'loopback'], ['2002:c0a8:101::1', 'private']
  ])('%s (%s)', async (ip, name) => {
    const { error, proxyAttempts } = await sessionTo({}, ip, 8333)
    expect(error).toMatchObject({ code: 'ERR_BIP324_TARGET_REFUSED', message: expect.stringContaining(name) })
    expect(proxyAttempts).toEqual([])
  })
})

describe('the operator lets clients reach 127.0.0.1', () => {
  let node: Awaited<ReturnType<typeof v2Node>>
  beforeEach(async () => { node = await v2Node() })
  afterEach(() => node.close())

  const opened = async (options: (port: number) => ProxyOptions): Promise<void> => {
    const { session, error } = await sessionTo(options(node.port), '127.0.0.1', node.port)
    expect(error).toBeUndefined()
    expect(session).toMatchObject({ sessionId: node.sessions[0] })
  }

  test('allow: the address', () => opened(() => ({ allow: ['127.0.0.1'] })))
  test('allow: a CIDR block', () => opened(() => ({ allow: ['10.0.0.0/8', '127.0.0.0/8'] })))
  test('allow: the address and port', () => opened((port) => ({ allow: [`127.0.0.1:${port}`] })))
  test('allowTarget: true, told the range', async () => {
    const allowTarget = jest.fn<ReturnType<AllowTarget>, Parameters<AllowTarget>>(() => true)
    await opened(() => ({ allowTarget }))
    expect(allowTarget).toHaveBeenCalledWith('127.0.0.1', node.port, 'loopback')
  })
  test('allowTarget: a promise of true', () => opened(() => ({ allowTarget: async () => true })))

  test('an allow match is not put to allowTarget', async () => {
    const allowTarget = jest.fn(() => false)
    await opened(() => ({ allow: ['127.0.0.1'], allowTarget }))
    expect(allowTarget).not.toHaveBeenCalled()
  })

  test.each<[string, (port: number) => ProxyOptions]>([
    ['allow: another port of the address', (port) => ({ allow: [`127.0.0.1:${port + 1}`] })],
    ['allow: another block', () => ({ allow: ['10.0.0.0/8', '::1'] })],
    ['allowTarget: false', () => ({ allowTarget: () => false })],
    ['allowTarget: truthy but not true', () => ({ allowTarget: () => 1 as unknown as boolean })],
    ['allowTarget: a rejected promise', () => ({ allowTarget: async () => { throw new Error('policy store down') } })]
  ])('but not with %s', async (_name, options) => {
    const { error, proxyAttempts } = await sessionTo(options(node.port), '127.0.0.1', node.port)
    expect(error).toMatchObject({ code: 'ERR_BIP324_TARGET_REFUSED' })
    expect(proxyAttempts).toEqual([])
    expect(node.sessions).toEqual([])
  })
})

test('allowTarget\'s answer is final for a public address too', async () => {
  const { error, proxyAttempts } = await sessionTo({ allowTarget: (_host, port) => port === 8333 }, '8.8.8.8', 18333)
  expect(error).toMatchObject({ code: 'ERR_BIP324_TARGET_REFUSED', message: 'allowTarget refused 8.8.8.8:18333' })
  expect(proxyAttempts).toEqual([])
})

test('with a target, the version\'s address is never used: loopback target, private address named', async () => {
  const node = await v2Node()
  const { session, proxyAttempts } = await sessionTo({ target: { host: '127.0.0.1', port: node.port } }, '10.0.0.1', 8333)
  expect(session).toMatchObject({ sessionId: node.sessions[0] })
  expect(proxyAttempts).toEqual(['127.0.0.1'])
  await node.close()
})

// A waiting client may make the proxy hold one version message and no more (the bad-input catalogue,
// test/catalogue/proxy.ts, sends what goes over); that bound must not cut the longest real version.
test('the longest version (a 256-byte user agent and the relay byte) still opens a session', async () => {
  const node = await v2Node()
  const { proxy, port } = await proxyWith({ target: { host: '127.0.0.1', port: node.port } })
  const longest = versionTo('127.0.0.1', node.port, 'u'.repeat(256))
  expect(longest).toHaveLength(MAX_VERSION_PAYLOAD)
  const client = await v1Client(port)
  client.send('version', longest)
  const [version] = await client.next(2)
  expect(Buffer.from(version!.payload).includes(NODE_USER_AGENT)).toBe(true)
  client.socket.destroy()
  await proxy[Symbol.asyncDispose]()
  await node.close()
})

describe('options are checked when the proxy is created', () => {
  test.each<[string, unknown]>([
    ['options null', null],
    ['an unknown network', { network: 'moonnet' }],
    ['target port 0', { target: { host: '127.0.0.1', port: 0 } }],
    ['target port 65536', { target: { host: '127.0.0.1', port: 65536 } }],
    ['target port as a string', { target: { host: '127.0.0.1', port: '8333' } }],
    ['target with an empty host', { target: { host: '', port: 8333 } }],
    ['target null', { target: null }],
    ['target and allow', { target: { host: '127.0.0.1', port: 8333 }, allow: [] }],
    ['target and allowTarget', { target: { host: '127.0.0.1', port: 8333 }, allowTarget: () => true }],
    ['versionTimeout -1', { versionTimeout: -1 }],
    ['versionTimeout 1.5', { versionTimeout: 1.5 }],
    ['versionTimeout as a string', { versionTimeout: '100' }],
    ['allow not an array', { allow: '127.0.0.1' }],
    ['allow with a number', { allow: [5] }],
    ['allow with a host name', { allow: ['localhost'] }],
    ['allow with a host name and port', { allow: ['seed.example.org:8333'] }],
    ['allow with bits past the prefix', { allow: ['10.0.0.1/8'] }],
    ['allow with a prefix too long', { allow: ['10.0.0.0/33'] }],
    ['allow with port 0', { allow: ['127.0.0.1:0'] }],
    ['allow with port 65536', { allow: ['[::1]:65536'] }],
    ['allowTarget not a function', { allowTarget: true }],
    ['maxSessions 0', { maxSessions: 0 }],
    ['maxSessions 1.5', { maxSessions: 1.5 }],
    ['maxSessions Infinity', { maxSessions: Infinity }]
  ])('%s: ERR_BIP324_INVALID_ARG, thrown at once', (_name, options) => {
    expect(() => createProxy(options as ProxyOptions)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })

  test('every allow form is accepted', () => {
    expect(() => createProxy({ allow: ['10.0.0.0/8', 'fc00::/7', '127.0.0.1', '::1', '127.0.0.1:8333', '[::1]:8333', '0.0.0.0/0'] })).not.toThrow()
  })

  test('versionTimeout 0 turns the timer off: a version 100 ms late still opens a session', async () => {
    const node = await v2Node()
    const { proxy, port } = await proxyWith({ target: { host: '127.0.0.1', port: node.port }, versionTimeout: 0 })
    const client = await v1Client(port)
    await new Promise((resolve) => setTimeout(resolve, 100))
    client.send('version', versionTo('127.0.0.1', node.port))
    expect((await within(5000, 'version and verack', client.next(2))).map((m) => m.type)).toEqual(['version', 'verack'])
    client.socket.destroy()
    await proxy[Symbol.asyncDispose]()
    await node.close()
  })
})

describe('maxSessions caps the clients served at once, counted from accept', () => {
  /** Resolves once the proxy holds `n` client sockets. */
  async function holding (proxy: ReturnType<typeof createProxy>, n: number): Promise<void> {
    for (;;) {
      const count = await new Promise<number>((resolve, reject) => proxy.server.getConnections((err, c) => (err ? reject(err) : resolve(c))))
      if (count === n) return
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  test('with 2, a third client is closed at once and reported by drop; one leaving makes room', async () => {
    const node = await v2Node()
    const { proxy, port } = await proxyWith({ target: { host: '127.0.0.1', port: node.port }, maxSessions: 2 })
    const drops: Array<net.DropArgument | undefined> = []
    proxy.on('drop', (data) => drops.push(data))
    const served = await v1Client(port)
    served.send('version', versionTo('127.0.0.1', node.port))
    await served.next(2)
    const waiting = await v1Client(port)
    await holding(proxy, 2)

    const dropped = nextEvent(proxy, 'drop')
    const over = await v1Client(port)
    over.socket.on('error', () => {})
    const overPort = over.socket.localPort
    await within(2000, 'drop', dropped)
    await closed(over.socket)
    expect(drops).toEqual([expect.objectContaining({ remoteAddress: '127.0.0.1', remotePort: overPort })])

    waiting.socket.destroy()
    await holding(proxy, 1)
    const next = await v1Client(port)
    next.send('version', versionTo('127.0.0.1', node.port))
    expect((await next.next(2)).map((m) => m.type)).toEqual(['version', 'verack'])
    expect(drops).toHaveLength(1)
    expect(node.sessions).toHaveLength(2)
    for (const c of [served, next]) c.socket.destroy()
    await proxy[Symbol.asyncDispose]()
    await node.close()
  })

  test('a session ends with its client: 300 clients that send a version naming a silent node and reset keep at most 2 x maxSessions (8) connections open to it', async () => {
    // The node accepts TCP and never answers the handshake, so a dial left behind would wait for
    // the whole handshake timeout.
    let open = 0
    let peak = 0
    let accepted = 0
    const silent = net.createServer((s) => {
      accepted++
      peak = Math.max(peak, ++open)
      s.on('error', () => {}).on('close', () => { open-- }).resume()
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const target = (silent.address() as net.AddressInfo).port
    const maxSessions = 8
    // A short handshake timeout, so that the dials left behind before the fix end with the test.
    const { proxy, port } = await proxyWith({ allow: ['127.0.0.1'], maxSessions, handshakeTimeout: 5000 })
    const errors: string[] = []
    proxy.on('sessionError', (err: Error & { code?: string }) => errors.push(err.code ?? err.message))
    proxy.on('drop', () => {})
    // Each client resets as soon as the proxy has dialled for it (the node's accept count moved on):
    // the proxy reads the client while it dials, so it sees the reset at once.
    const resetting = async (): Promise<void> => {
      const socket = net.connect({ port, host: '127.0.0.1' })
      socket.on('error', () => {})
      await nextEvent(socket, 'connect')
      const before = accepted
      socket.write(encodeV1Message(MAGIC, 'version', versionTo('127.0.0.1', target)))
      for (let i = 0; i < 50 && accepted === before && !socket.destroyed; i++) await new Promise((resolve) => setTimeout(resolve, 2))
      socket.resetAndDestroy()
    }
    for (let wave = 0; wave < 300 / maxSessions; wave++) await Promise.all(Array.from({ length: maxSessions }, resetting))
    // Every dial was cancelled: the node sees each connection close (within 2 s, not handshakeTimeout).
    for (let i = 0; i < 100 && open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    // A slot frees as its client's reset is read, and a new client may take it and dial before the
    // node has read the close of the connection cancelled with the old one: at most one connection
    // closing and one opening per slot.
    expect(accepted).toBeGreaterThan(100)
    expect(peak).toBeLessThanOrEqual(2 * maxSessions)
    expect(open).toBe(0)
    await proxy[Symbol.asyncDispose]()
    await new Promise<void>((resolve) => silent.close(() => resolve()))
  }, 30_000)

  test('by default 32 clients wait for their version, and the 33rd is dropped', async () => {
    const { proxy, port } = await proxyWith({ allow: ['127.0.0.1'] })
    proxy.on('sessionError', () => {})
    const clients = await Promise.all(Array.from({ length: 32 }, () => v1Client(port)))
    await holding(proxy, 32)
    const dropped = nextEvent(proxy, 'drop')
    const over = await v1Client(port)
    over.socket.on('error', () => {})
    await within(2000, 'drop', dropped)
    for (const c of [...clients, over]) c.socket.destroy()
    await proxy[Symbol.asyncDispose]()
  })
})
