// Encrypted connections over real TCP sockets on 127.0.0.1: connect, createServer, traffic of every
// size both ways, rekeys, half-close, backpressure.

import crypto from 'node:crypto'

import { toHex } from './helpers/bytes'
import { closed, read, serverPair } from './helpers/net'

test('both ends derive the same session id and see each other\'s address', async () => {
  const { client, peer, close } = await serverPair()
  expect(Buffer.from(client.sessionId!).equals(peer.sessionId!)).toBe(true)
  expect(client.remoteAddress).toBe('127.0.0.1')
  expect(peer.remotePort).toBe(client.socket.localPort)
  expect(client.peerVersion).toEqual(new Uint8Array(0))
  await close()
})

test('messages of 0 B to 4,000,013 B cross both ways, intact and in order', async () => {
  const { client, peer, close } = await serverPair()
  const sizes = [0, 1, 100, 65_536, 1_000_000, 4_000_013]
  const toPeer = sizes.map((n) => crypto.randomBytes(n))
  const toClient = sizes.map((n) => crypto.randomBytes(n)).reverse()
  const gotPeer = read(peer, sizes.length)
  const gotClient = read(client, sizes.length)
  for (const m of toPeer) client.write(m)
  for (const m of toClient) peer.write(m)
  expect((await gotPeer).map(toHex)).toEqual(toPeer.map(toHex))
  expect((await gotClient).map(toHex)).toEqual(toClient.map(toHex))
  await close()
})

test('10,000 small messages each way at once cross 44 rekeys, in order', async () => {
  const { client, peer, close } = await serverPair()
  const toPeer = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`c${i}`))
  const toClient = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`s${i}`))
  const gotPeer = read(peer, toPeer.length)
  const gotClient = read(client, toClient.length)
  for (let i = 0; i < 10_000; i++) { client.write(toPeer[i]); peer.write(toClient[i]) }
  expect((await gotPeer).map((m) => Buffer.from(m).toString())).toEqual(toPeer.map(String))
  expect((await gotClient).map((m) => Buffer.from(m).toString())).toEqual(toClient.map(String))
  expect(client.counters.packetsSent).toBe(10_001)
  expect(peer.counters.rekeysReceived).toBe(Math.floor(10_001 / 224))
  expect(peer.counters.bytesReceived).toBe(client.counters.bytesSent)
  expect(client.counters.bytesReceived).toBe(peer.counters.bytesSent)
  await close()
})

test('end() flushes and half-closes: the other side reads everything, then end, and can still answer', async () => {
  const { client, peer, close } = await serverPair({ allowHalfOpen: true })
  const got: string[] = []
  peer.on('data', (m: Uint8Array) => got.push(Buffer.from(m).toString()))
  const ended = new Promise<void>((resolve) => peer.once('end', resolve))
  client.write(Buffer.from('one'))
  client.write(Buffer.from('two'))
  client.end()
  await ended
  expect(got).toEqual(['one', 'two'])
  const reply = read(client, 1)
  peer.write(Buffer.from('still here'))
  expect(Buffer.from((await reply)[0]!).toString()).toBe('still here')
  await close()
})

test('without allowHalfOpen, the peer ending ends our side too once read, and both close', async () => {
  const { client, peer, close } = await serverPair()
  const got = read(peer, 1)
  client.end(Buffer.from('bye'))
  expect(Buffer.from((await got)[0]!).toString()).toBe('bye')
  peer.resume()
  client.resume()
  await Promise.all([closed(peer), closed(client)])
  expect(peer.writableEnded).toBe(true)
  expect(client.destroyed && peer.destroyed).toBe(true)
  await close()
})

test('writes queued while the socket is busy go out in batches, and write() signals backpressure', async () => {
  const { client, peer, close } = await serverPair({}, { maxSendBuffer: 1600 })
  const socketWrites = jest.spyOn(client.socket, 'write')
  let sawFalse = false
  for (let i = 0; i < 2000; i++) if (!client.write(Buffer.alloc(100))) sawFalse = true
  expect(sawFalse).toBe(true)
  const drained = new Promise<void>((resolve) => client.once('drain', resolve))
  await read(peer, 2000)
  await drained
  expect(client.counters.packetsSent).toBe(2001)
  expect(socketWrites.mock.calls.length).toBeLessThan(2000 / 4)
  await close()
})

test('a reader that stops reading pauses the socket: memory stays at one packet plus the read buffer', async () => {
  const { client, peer, close } = await serverPair({ maxReceiveBuffer: 200_000 })
  peer.pause()
  for (let i = 0; i < 200; i++) client.write(Buffer.alloc(50_000))
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(peer.readableLength).toBeLessThanOrEqual(200)
  expect(peer.readableLength).toBeGreaterThanOrEqual(4)
  expect(peer.buffered).toBeLessThanOrEqual(50_000 + 17)
  const all = read(peer, 200)
  peer.resume()
  expect((await all).length).toBe(200)
  await close()
})

test('the connection is an async iterator of messages', async () => {
  const { client, peer, close } = await serverPair()
  for (const s of ['a', 'b', 'c']) client.write(Buffer.from(s))
  client.end()
  const got: string[] = []
  for await (const m of peer) got.push(Buffer.from(m as Uint8Array).toString())
  expect(got).toEqual(['a', 'b', 'c'])
  await close()
})

test('writing something other than bytes destroys the connection with ERR_BIP324_INVALID_ARG', async () => {
  const { client, close } = await serverPair()
  const failed = new Promise<Error>((resolve) => client.once('error', resolve))
  client.write('not bytes' as unknown as Uint8Array)
  expect(await failed).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
  await close()
})

test('destroy() wipes the keys: no more packets can be made', async () => {
  const { client, close } = await serverPair()
  client.destroy()
  expect(() => client.sendDecoy(1)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
  await close()
})

test("mode 'messages': { type, payload } both ways, short ids on the wire, malformed types dropped and counted", async () => {
  const { client, peer, close } = await serverPair({ mode: 'messages' }, { mode: 'messages' })
  const nonce = crypto.randomBytes(8)
  const got = read(peer, 2)
  const before = client.counters.bytesSent
  client.write({ type: 'ping', payload: nonce })
  client.write({ type: 'sendaddrv2', payload: new Uint8Array(0) })
  const [ping, sendaddrv2] = await got as unknown as Array<{ type: string, payload: Uint8Array }>
  expect(ping!.type).toBe('ping')
  expect(Buffer.from(ping!.payload).equals(nonce)).toBe(true)
  expect(sendaddrv2!.type).toBe('sendaddrv2')
  expect(sendaddrv2!.payload.length).toBe(0)
  // ping: 1-byte short id + 8; sendaddrv2: 1 + 12-byte long form; each packet adds 20 bytes.
  expect(client.counters.bytesSent - before).toBe((1 + 8 + 20) + (1 + 12 + 20))

  const reply = read(client, 1)
  peer.write({ type: 'pong', payload: nonce })
  const [pong] = await reply as unknown as Array<{ type: string, payload: Uint8Array }>
  expect(pong!.type).toBe('pong')
  expect(Buffer.from(pong!.payload).equals(nonce)).toBe(true)
  await close()
})

test("mode 'messages': a malformed message type is dropped and reported, the connection stays; unknown ids arrive by number", async () => {
  const { client, peer, close } = await serverPair({ mode: 'messages' })
  const invalid: Error[] = []
  peer.on('invalidMessage', (err: Error) => invalid.push(err))
  const got = read(peer, 2)
  client.write(Uint8Array.of(0, 0x76, 0, 0x61, 0, 0, 0, 0, 0, 0, 0, 0, 0)) // "v\0a": data after the NUL
  client.write(Uint8Array.of(200, 1, 2, 3))
  client.write(Uint8Array.of(18, 1, 2, 3, 4, 5, 6, 7, 8))
  const [unknown, ping] = await got as unknown as Array<{ type?: string, shortId?: number, payload: Uint8Array }>
  expect(unknown).toMatchObject({ type: undefined, shortId: 200 })
  expect([...unknown!.payload]).toEqual([1, 2, 3])
  expect(ping!.type).toBe('ping')
  expect(invalid).toHaveLength(1)
  expect(invalid[0]).toMatchObject({ code: 'ERR_BIP324_BAD_MESSAGE_TYPE' })
  expect(peer.counters.invalidMessages).toBe(1)
  expect(peer.destroyed).toBe(false)
  await close()
})

test("mode 'messages': writing something that is not { type, payload } fails with ERR_BIP324_INVALID_ARG", async () => {
  const { client, close } = await serverPair({}, { mode: 'messages' })
  const failed = new Promise<Error>((resolve) => client.once('error', resolve))
  client.write(Buffer.from('raw bytes'))
  expect(await failed).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
  await close()
})

describe.each([
  { backend: 'native', peerBackend: 'native' },
  { backend: 'native', peerBackend: 'js' },
  { backend: 'js', peerBackend: 'native' },
  { backend: 'wasm', peerBackend: 'native' },
  { backend: 'native', peerBackend: 'wasm' }
] as const)('$backend initiator, $peerBackend responder', ({ backend, peerBackend }) => {
  test.each([
    { garbageLength: 0, decoys: [] },
    { garbageLength: 1, decoys: [0] },
    { garbageLength: 4095, decoys: [0, 100, 5000] }
  ])('garbage $garbageLength bytes, decoys $decoys: same session id, messages both ways', async ({ garbageLength, decoys }) => {
    const { client, peer, close } = await serverPair({ backend: peerBackend, garbageLength, decoys }, { backend, garbageLength, decoys })
    expect(Buffer.from(client.sessionId!).equals(peer.sessionId!)).toBe(true)
    expect(peer.counters.decoysReceived).toBe(decoys.length)
    expect(client.counters.decoysReceived).toBe(decoys.length)
    // Each side sent its 64-byte key, garbage, terminator, decoys and an empty version packet.
    expect(client.counters.bytesSent).toBe(64 + garbageLength + 16 + decoys.reduce((n, d) => n + d + 20, 0) + 20)
    const there = read(peer, 1)
    const back = read(client, 1)
    const a = crypto.randomBytes(70_000)
    const b = crypto.randomBytes(3)
    client.write(a)
    peer.write(b)
    expect(Buffer.from((await there)[0]!).equals(a)).toBe(true)
    expect(Buffer.from((await back)[0]!).equals(b)).toBe(true)
    await close()
  })
})

test('a write after destroy() fails with the stream error, and nothing reaches the wire', async () => {
  const { client, close } = await serverPair()
  const sent = client.counters.bytesSent
  client.destroy()
  const err = await new Promise<Error | null | undefined>((resolve) => client.write(Buffer.from('late'), resolve))
  expect(err).toMatchObject({ code: 'ERR_STREAM_DESTROYED' })
  expect(client.counters.bytesSent).toBe(sent)
  await close()
})

// Messages of 64 KiB and more are encrypted on the thread pool while the packet before them is
// written (socket.ts, offload): order, decoys asked for meanwhile, end() and destroy() around them.
describe('big messages, encrypted off the JavaScript thread', () => {
  // The js backend encrypts at once, so its packets are ready before the one before them is written.
  test.each(['native', 'wasm', 'js'] as const)('mixed with small ones and decoys, every message arrives intact and in order (%s)', async (backend) => {
    const { client, peer, close } = await serverPair({ backend }, { backend })
    const sizes = [70_000, 5, 1 << 20, 0, 65_536, 65_535, 300_000, 1 << 20, 70_000, 1, 4_000_000, 12]
    const sent = sizes.map((n) => crypto.randomBytes(n))
    const got = read(peer, sent.length)
    for (const [i, m] of sent.entries()) {
      // Written at once, and one by one after 'drain' (each write then starts on an idle cipher).
      if (!client.write(m) && i >= 5) await new Promise((resolve) => client.once('drain', resolve))
      if (i % 3 === 0) client.sendDecoy(i * 1000)
    }
    expect((await got).map((m) => crypto.createHash('sha256').update(m).digest('hex')))
      .toEqual(sent.map((m) => crypto.createHash('sha256').update(m).digest('hex')))
    expect(peer.counters.decoysReceived).toBe(4)
    expect(peer.counters.bytesReceived).toBe(client.counters.bytesSent)
    await close()
  })

  test('end() right after a big write sends it before the half-close', async () => {
    const { client, peer, close } = await serverPair({ allowHalfOpen: true }, { allowHalfOpen: true })
    const m = crypto.randomBytes(2_000_000)
    const got = read(peer, 1)
    const ended = new Promise((resolve) => peer.once('end', resolve))
    client.end(m)
    expect(Buffer.from((await got)[0]!).equals(m)).toBe(true)
    await ended
    await close()
  })

  test('destroy() while one is being encrypted: its callback gets ERR_STREAM_DESTROYED and nothing more is sent', async () => {
    const { client, close } = await serverPair()
    const sent = client.counters.bytesSent
    const err = new Promise<Error | null | undefined>((resolve) => client.write(crypto.randomBytes(4_000_000), resolve))
    client.destroy()
    expect(await err).toMatchObject({ code: 'ERR_STREAM_DESTROYED' })
    expect(client.counters.bytesSent).toBe(sent)
    await closed(client)
    await close()
  })
})
