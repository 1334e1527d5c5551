// Peers that misbehave, over real sockets on 127.0.0.1: each gets its typed error, a closed socket,
// and costs bounded memory.

import crypto from 'node:crypto'
import type net from 'node:net'

import { connectAsync, createServer, magicOf, v1Prefix } from '../lib'
import { againstServer, closed, flipTagsOnTheWire, nextEvent, rawClient, rawServer, read, serverPair } from './helpers/net'

async function v2Server (options = {}): Promise<{ server: ReturnType<typeof createServer>, port: number }> {
  const server = createServer(options)
  const { port } = await server.listenAsync(0, '127.0.0.1')
  return { server, port }
}

test('a peer that sends nothing is dropped at the handshake timeout', async () => {
  const { server, port } = await v2Server({ handshakeTimeout: 200 })
  const client = await rawClient(port)
  const received: Buffer[] = []
  client.on('data', (b: Buffer) => received.push(b))
  const [err] = await nextEvent<[Error, net.Socket]>(server, 'handshakeError')
  expect(err).toMatchObject({ code: 'ERR_BIP324_HANDSHAKE_TIMEOUT' })
  await nextEvent(client, 'end')
  // A responder stays silent until the first 16 bytes show the peer is not v1.
  expect(Buffer.concat(received).length).toBe(0)
  client.destroy()
  await server[Symbol.asyncDispose]()
})

test('a peer sending one byte at a time is still bounded by the handshake timeout', async () => {
  const { server, port } = await v2Server({ handshakeTimeout: 300 })
  const client = await rawClient(port)
  const drip = setInterval(() => client.write(Uint8Array.of(1)), 20)
  const [err] = await nextEvent<[Error]>(server, 'handshakeError')
  clearInterval(drip)
  expect(err).toMatchObject({ code: 'ERR_BIP324_HANDSHAKE_TIMEOUT' })
  await server[Symbol.asyncDispose]()
})

test('10 MB of garbage without a terminator: ERR_BIP324_NO_TERMINATOR after 4,111 bytes', async () => {
  expect(await againstServer({}, (client) => { client.write(crypto.randomBytes(10_000_000)) })).toEqual({ code: 'ERR_BIP324_NO_TERMINATOR', closed: true })
})

test('a peer that closes mid-key: ERR_BIP324_PEER_CLOSED', async () => {
  expect(await againstServer({}, (client) => { client.end(crypto.randomBytes(40)) })).toEqual({ code: 'ERR_BIP324_PEER_CLOSED', closed: true })
})

test('a v1 peer is refused by default with ERR_BIP324_V1_PEER', async () => {
  expect(await againstServer({}, (client) => { client.write(v1Prefix(magicOf('mainnet'))) })).toEqual({ code: 'ERR_BIP324_V1_PEER', closed: true })
})

test('another network\'s v1 version message is ERR_BIP324_BAD_MAGIC at once, as Bitcoin Core: our key never goes out', async () => {
  for (const v1 of ['reject', 'fallback'] as const) {
    const { server, port } = await v2Server({ v1 })
    server.on('v1', () => { throw new Error('another network\'s v1 peer is not a v1 peer of ours') })
    const client = await rawClient(port)
    const received: Buffer[] = []
    client.on('data', (b: Buffer) => received.push(b))
    const failed = nextEvent<[Error]>(server, 'handshakeError')
    client.write(Buffer.concat([v1Prefix(magicOf('testnet4')), crypto.randomBytes(100)]))
    const [err] = await failed
    expect(err).toMatchObject({ code: 'ERR_BIP324_BAD_MAGIC' })
    expect(err.message).toContain('wrong MessageStart 1c163f28')
    await nextEvent(client, 'end')
    expect(Buffer.concat(received).length).toBe(0)
    client.destroy()
    await server[Symbol.asyncDispose]()
  }
})

test('with v1: "fallback" a v1 peer is handed over with every byte it sent, losslessly', async () => {
  const { server, port } = await v2Server({ v1: 'fallback' })
  const client = await rawClient(port)
  const hello = Buffer.concat([v1Prefix(magicOf('mainnet')), crypto.randomBytes(200)])
  const handoff = nextEvent<[{ socket: net.Socket, data: Uint8Array }]>(server, 'v1')
  client.write(hello.subarray(0, 10))
  await new Promise((resolve) => setTimeout(resolve, 20))
  client.write(hello.subarray(10))
  const [{ socket, data }] = await handoff
  const rest: Buffer[] = []
  socket.on('data', (b: Buffer) => rest.push(b))
  socket.resume()
  client.end(Buffer.from('and more'))
  await nextEvent(socket, 'end')
  expect(Buffer.concat([data, ...rest]).equals(Buffer.concat([hello, Buffer.from('and more')]))).toBe(true)
  socket.end(Buffer.from('v1 answer'))
  const answer = await nextEvent<[Buffer]>(client, 'data')
  expect(answer[0].toString()).toBe('v1 answer')
  await server[Symbol.asyncDispose]()
})

test('an oversized length after the handshake: ERR_BIP324_OVERSIZED, nothing allocated', async () => {
  const { client, peer, close } = await serverPair({ maxContents: 1000 })
  const failed = nextEvent<[Error]>(peer, 'error')
  client.write(new Uint8Array(1001))
  const [err] = await failed
  expect(err).toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
  expect(peer.buffered).toBe(0)
  client.resume()
  await closed(client)
  await close()
})

test('a bit flipped on the wire: ERR_BIP324_BAD_MAC, messages before it delivered', async () => {
  const { client, peer, close } = await serverPair()
  const got = read(peer, 2)
  client.write(Buffer.from('first'))
  client.write(Buffer.from('second'))
  expect((await got).map((m) => Buffer.from(m).toString())).toEqual(['first', 'second'])
  const failed = nextEvent<[Error]>(peer, 'error')
  flipTagsOnTheWire(client)
  client.write(Buffer.from('third'))
  const [err] = await failed
  expect(err).toMatchObject({ code: 'ERR_BIP324_BAD_MAC' })
  expect(peer.destroyed).toBe(true)
  await close()
})

test('a peer that closes mid-packet: ERR_BIP324_TRUNCATED', async () => {
  const { client, peer, close } = await serverPair()
  const failed = nextEvent<[Error]>(peer, 'error')
  client.socket.end(crypto.randomBytes(2))
  const [err] = await failed
  expect(err).toMatchObject({ code: 'ERR_BIP324_TRUNCATED' })
  await close()
})

test('100,000 decoys are dropped and counted, holding no memory', async () => {
  const { client, peer, close } = await serverPair()
  const got = read(peer, 1)
  for (let i = 0; i < 100_000; i++) client.sendDecoy(i % 64)
  client.write(Buffer.from('after the decoys'))
  expect(Buffer.from((await got)[0]!).toString()).toBe('after the decoys')
  expect(peer.counters.decoysReceived).toBe(100_000)
  expect(peer.readableLength).toBe(0)
  await close()
})

test('an idle connection is dropped at the idle timeout', async () => {
  const { peer, close } = await serverPair({ idleTimeout: 150 })
  const [err] = await nextEvent<[Error]>(peer, 'error')
  expect(err).toMatchObject({ code: 'ERR_BIP324_IDLE_TIMEOUT' })
  await close()
})

test('an AbortSignal aborts a handshake that does not progress', async () => {
  const silent = await rawServer(() => {})
  const controller = new AbortController()
  const pending = connectAsync({ port: silent.port, signal: controller.signal })
  setTimeout(() => controller.abort(), 50)
  await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  await silent.close()
})

test('a peer on another network fails with ERR_BIP324_NO_TERMINATOR', async () => {
  const { server, port } = await v2Server({ network: 'signet' })
  const failed = nextEvent<[Error]>(server, 'handshakeError')
  await expect(connectAsync({ port, network: 'mainnet', garbageLength: 4095 })).rejects.toBeDefined()
  expect((await failed)[0]).toMatchObject({ code: 'ERR_BIP324_NO_TERMINATOR' })
  await server[Symbol.asyncDispose]()
})

test('a v2 peer of another network that closes first is ERR_BIP324_NO_TERMINATOR, not an early close (whatever the garbage lengths)', async () => {
  // The signet server sees our 4,095 bytes of garbage without its terminator and closes first; we
  // hold its key and 16 + 20 bytes, too few to have ruled its terminator out by length alone.
  const server = createServer({ network: 'signet', garbageLength: 0 }, (c) => c.destroy())
  server.on('handshakeError', () => {})
  const { port } = await server.listenAsync(0)
  await expect(connectAsync({ port, network: 'mainnet', garbageLength: 4095 })).rejects.toMatchObject({ code: 'ERR_BIP324_NO_TERMINATOR' })
  await server[Symbol.asyncDispose]()
})
