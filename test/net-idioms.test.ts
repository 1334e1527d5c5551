// What a Node developer writes by habit with node:net and node:tls, one test per idiom: each works
// here as it does there.

import { once } from 'node:events'
import net from 'node:net'

import { type Bip324Socket, connect, connectAsync, createServer } from '../lib'
import { closed, rawServer } from './helpers/net'

const HOST = '127.0.0.1'
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

// A server on HOST answering every message with its reverse, closed after the test.
function echoServer (): ReturnType<typeof createServer<'raw'>> {
  const server = createServer((c) => {
    c.on('data', (m) => c.write(Uint8Array.from(m).reverse()))
    c.on('error', () => {})
  })
  servers.push(server)
  return server
}
const servers: Array<{ [Symbol.asyncDispose]: () => Promise<void> }> = []
afterEach(async () => { for (const s of servers.splice(0)) await s[Symbol.asyncDispose]() })

const portOf = (server: { address: () => net.AddressInfo | string | null }): number => (server.address() as net.AddressInfo).port

describe('server', () => {
  test('createServer(listener): the listener gets each connection, after its handshake', async () => {
    const got: Bip324Socket[] = []
    const server = createServer((c) => { got.push(c) })
    servers.push(server)
    const { port } = await server.listenAsync(0, HOST)
    const client = await connectAsync(port, HOST)
    await once(server, 'connection')
    expect(got).toHaveLength(1)
    expect(Buffer.from(got[0]!.sessionId!).equals(client.sessionId!)).toBe(true)
    client.destroy()
  })

  test('createServer(options, listener)', async () => {
    const server = createServer({ network: 'signet' }, (c) => c.end())
    servers.push(server)
    const { port } = await server.listenAsync(0, HOST)
    const client = await connectAsync({ port, host: HOST, network: 'signet' })
    await closed(client)
  })

  test('listen(port, host, cb) calls cb once listening, and returns the server', async () => {
    const server = echoServer()
    const listening = new Promise<void>((resolve) => expect(server.listen(0, HOST, resolve)).toBe(server))
    await listening
    expect(server.listening).toBe(true)
    expect(server.address()).toMatchObject({ address: HOST })
  })

  test('listen(port, cb) binds every interface, as net does', async () => {
    const server = echoServer()
    await new Promise<void>((resolve) => server.listen(0, resolve))
    expect((server.address() as net.AddressInfo).address).toMatch(/^(::|0\.0\.0\.0)$/)
  })

  test('listen(port, host, backlog, cb) and listen(options, cb)', async () => {
    const a = echoServer()
    await new Promise<void>((resolve) => a.listen(0, HOST, 5, resolve))
    const b = echoServer()
    await new Promise<void>((resolve) => b.listen({ port: 0, host: HOST }, resolve))
    expect([portOf(a), portOf(b)].every((p) => p > 0)).toBe(true)
  })

  test('a failed listen() is an \'error\' event on the server, with the system error unchanged', async () => {
    const busy = echoServer()
    await busy.listenAsync(0, HOST)
    const second = echoServer()
    second.listen(portOf(busy), HOST)
    const [err] = await once(second, 'error') as [NodeJS.ErrnoException]
    expect(err.code).toBe('EADDRINUSE')
    expect(err.syscall).toBe('listen')
  })

  test('close(cb) stops accepting but keeps open connections; cb runs when the last one ends', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    const client = await connectAsync(port, HOST)
    let closedCalled = false
    const done = new Promise<void>((resolve) => server.close(() => { closedCalled = true; resolve() }))
    expect(server.listening).toBe(false)
    // The open connection still works.
    client.write(bytes('abc'))
    const [reply] = await once(client, 'data') as [Uint8Array]
    expect(Buffer.from(reply).toString()).toBe('cba')
    expect(closedCalled).toBe(false)
    // A new one is refused.
    const refused = connect(port, HOST)
    const [err] = await once(refused, 'error') as [NodeJS.ErrnoException]
    expect(err.code).toBe('ECONNREFUSED')
    client.end()
    await done
  })

  test('close(cb) on a server that is not listening passes ERR_SERVER_NOT_RUNNING, as net does', async () => {
    const server = echoServer()
    const [err] = await new Promise<[Error & { code?: string }]>((resolve) => server.close((e) => resolve([e!])))
    expect(err.code).toBe('ERR_SERVER_NOT_RUNNING')
  })

  test('closeAllConnections() closes every connection, in the handshake or past it', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    const established = await connectAsync(port, HOST)
    established.on('error', () => {})
    const silent = net.connect(port, HOST) // never sends its key: still in the handshake
    await once(silent, 'connect')
    await new Promise((resolve) => server.getConnections((_e, n) => { expect(n).toBe(2); resolve(n) }))
    server.closeAllConnections()
    await Promise.all([closed(established), once(silent, 'close')])
  })

  test('getConnections(cb) counts open connections', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    const clients = await Promise.all([connectAsync(port, HOST), connectAsync(port, HOST)])
    const count = await new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
    expect(count).toBe(2)
    for (const c of clients) c.destroy()
  })

  test('maxConnections is a property: lowering it closes the next connection at accept', async () => {
    const server = echoServer()
    expect(server.maxConnections).toBe(125)
    server.maxConnections = 1
    const { port } = await server.listenAsync(0, HOST)
    const first = await connectAsync(port, HOST)
    const dropped = once(server, 'drop')
    const second = connect(port, HOST)
    second.on('error', () => {})
    expect((await dropped)[0]).toMatchObject({ reason: 'maxConnections' })
    await closed(second)
    expect(() => { server.maxConnections = 0 }).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    first.destroy()
  })

  test('ref() and unref() return the server; an unref\'d server no longer keeps the event loop alive', async () => {
    const server = echoServer()
    await server.listenAsync(0, HOST)
    const servers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length
    const before = servers()
    expect(server.unref()).toBe(server)
    expect(servers()).toBe(before - 1)
    expect(server.ref()).toBe(server)
    expect(servers()).toBe(before)
  })

  test('await using: [Symbol.asyncDispose]() closes the connections and the server', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    const client = await connectAsync(port, HOST)
    client.on('error', () => {}) // a reset, if our last bytes were still unread over there
    await server[Symbol.asyncDispose]()
    expect(server.listening).toBe(false)
    await closed(client)
  })

  test('listenAsync() resolves with the address; closeAsync() once closed', async () => {
    const server = echoServer()
    const address = await server.listenAsync({ port: 0, host: HOST })
    expect(address).toEqual(server.address())
    await server.closeAsync()
    expect(server.listening).toBe(false)
  })
})

describe('client', () => {
  test('connect(port, host, cb) returns the socket at once; cb and \'handshake\' come when the session is up', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    const order: string[] = []
    const client = connect(port, HOST, () => order.push('callback'))
    expect(client.connecting).toBe(true)
    expect(client.sessionId).toBeUndefined()
    client.once('connect', () => order.push('connect'))
    client.once('handshake', () => order.push('handshake'))
    await once(client, 'handshake')
    expect(order).toEqual(['connect', 'callback', 'handshake'])
    expect(client.handshakeComplete).toBe(true)
    expect(client.sessionId).toHaveLength(32)
    client.destroy()
  })

  test('connect(port, cb) and connect(options, cb)', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0) // every interface, so 'localhost' finds it either way
    const a = await new Promise<Bip324Socket>((resolve) => { const s: Bip324Socket = connect(port, () => resolve(s)) })
    const b = await new Promise<Bip324Socket>((resolve) => { const s: Bip324Socket = connect({ port, host: HOST }, () => resolve(s)) })
    expect([a.remotePort, b.remotePort]).toEqual([port, port])
    a.destroy()
    b.destroy()
  })

  test('writes before the handshake are queued and go out once it is done, in order', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    const client = connect(port, HOST)
    client.write(bytes('one'))
    client.write(bytes('two'))
    const replies: string[] = []
    client.on('data', (m) => replies.push(Buffer.from(m).toString()))
    while (replies.length < 2) await once(client, 'data')
    expect(replies).toEqual(['eno', 'owt'])
    client.destroy()
  })

  test('end(message) before the handshake sends it, then half-closes', async () => {
    const got: string[] = []
    const server = createServer((c) => { c.on('data', (m) => got.push(Buffer.from(m).toString())); c.on('end', () => c.end()) })
    servers.push(server)
    const { port } = await server.listenAsync(0, HOST)
    const client = connect(port, HOST)
    client.end(bytes('last'))
    client.resume()
    await closed(client)
    expect(got).toEqual(['last'])
  })

  test('a TCP failure is an \'error\' event with the system error unchanged (ECONNREFUSED)', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    await server.closeAsync()
    const client = connect(port, HOST)
    const [err] = await once(client, 'error') as [NodeJS.ErrnoException]
    expect(err).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' })
  })

  test('a handshake failure is an \'error\' event with a Bip324Error', async () => {
    const v1 = await rawServer((s) => s.end(Buffer.from('not bip324')))
    const client = connect(v1.port, HOST)
    const [err] = await once(client, 'error') as [Error & { code: string }]
    expect(err).toMatchObject({ name: 'Bip324Error' })
    await v1.close()
  })

  test('connectAsync() resolves once the session is up and rejects with the connection\'s error', async () => {
    const server = echoServer()
    const { port } = await server.listenAsync(0, HOST)
    const client = await connectAsync({ port, host: HOST })
    expect(client.handshakeComplete).toBe(true)
    client.destroy()
    await server.closeAsync()
    await expect(connectAsync(port, HOST)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})

describe('socket', () => {
  async function pair (): Promise<{ client: Bip324Socket, peer: Bip324Socket }> {
    const server = createServer()
    servers.push(server)
    const accepted = once(server, 'connection') as Promise<[Bip324Socket]>
    const { port } = await server.listenAsync(0, HOST)
    const client = await connectAsync(port, HOST)
    const [peer] = await accepted
    return { client, peer }
  }

  test('setNoDelay(), setKeepAlive(), ref() and unref() return the socket', async () => {
    const { client } = await pair()
    expect(client.setNoDelay(true)).toBe(client)
    expect(client.setKeepAlive(true, 1000)).toBe(client)
    expect(client.unref()).toBe(client)
    expect(client.ref()).toBe(client)
    client.destroy()
  })

  test('setTimeout(ms, cb): \'timeout\' after ms of inactivity, the connection stays open; 0 turns it off', async () => {
    const { client, peer } = await pair()
    let calls = 0
    const start = Date.now()
    expect(client.setTimeout(100, () => { calls++ })).toBe(client)
    expect(client.timeout).toBe(100)
    await once(client, 'timeout')
    expect(Date.now() - start).toBeGreaterThanOrEqual(90)
    expect(calls).toBe(1)
    expect(client.destroyed).toBe(false)
    client.setTimeout(0)
    peer.write(bytes('still here'))
    const [m] = await once(client, 'data') as [Uint8Array]
    expect(Buffer.from(m).toString()).toBe('still here')
    client.destroy()
  })

  test('address(), localAddress, localPort, localFamily, remoteAddress, remotePort, remoteFamily', async () => {
    const { client, peer } = await pair()
    expect(client.address()).toEqual(client.socket.address())
    expect(client.localAddress).toBe(HOST)
    expect(client.localFamily).toBe('IPv4')
    expect(client.remoteFamily).toBe('IPv4')
    expect(client.localPort).toBe(peer.remotePort)
    expect(client.remotePort).toBe(peer.localPort)
    client.destroy()
  })

  test('bytesRead and bytesWritten count the wire: what one side wrote, the other read', async () => {
    const { client, peer } = await pair()
    client.write(new Uint8Array(1000))
    await once(peer, 'data')
    expect(client.bytesWritten).toBeGreaterThan(1000 + 64)
    expect(peer.bytesRead).toBe(client.bytesWritten)
    expect(client.bytesWritten).toBe(client.counters.bytesSent)
    client.destroy()
  })
})
