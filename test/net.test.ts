// Encrypted connections over real TCP sockets on 127.0.0.1: connect, createServer, traffic of every
// size both ways, rekeys, half-close, backpressure.

import crypto from 'node:crypto'

import { closed, read, serverPair } from './helpers/net'

test('both ends derive the same session id and see each other\'s address', async () => {
  const { client, peer, close } = await serverPair()
  expect(Buffer.from(client.sessionId).equals(peer.sessionId)).toBe(true)
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
  expect((await gotPeer).map((m) => Buffer.from(m).toString('hex'))).toEqual(toPeer.map((m) => m.toString('hex')))
  expect((await gotClient).map((m) => Buffer.from(m).toString('hex'))).toEqual(toClient.map((m) => m.toString('hex')))
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
  const { client, peer, close } = await serverPair({}, { highWaterMark: 16 })
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
  const { client, peer, close } = await serverPair({ highWaterMark: 4 })
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
