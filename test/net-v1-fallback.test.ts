// connect()'s v1Fallback follows Bitcoin Core's V2Transport::ShouldReconnectV1: an outbound v2
// attempt is retried over v1 only when the peer ended the connection having sent nothing, after at
// least a v1 header's worth (24 bytes) of our key went out. That is what a v1 node does on reading
// our key (it closes, or resets with our garbage unread); anything else is a fault to report.

import crypto from 'node:crypto'
import type net from 'node:net'
import { Worker } from 'node:worker_threads'

import { connectAsync } from '../lib'
import { rawServer } from './helpers/net'

/** A peer that drops its first connection as `first` says and answers the next in plain bytes. */
async function peer (first: (s: net.Socket) => void): Promise<{ port: number, attempts: () => number, close: () => Promise<void> }> {
  let attempts = 0
  const server = await rawServer((s) => {
    attempts++
    if (attempts === 1) first(s)
    else s.end(Buffer.from('v1 here'))
  })
  return { port: server.port, attempts: () => attempts, close: server.close }
}

// Calls `then` once `s` has read `n` bytes.
function afterReading (s: net.Socket, n: number, then: () => void): void {
  let read = 0
  const onData = (b: Buffer): void => {
    read += b.length
    if (read < n) return
    s.off('data', onData)
    then()
  }
  s.on('data', onData)
}

test.each([
  ['closes once it has read our key', (s: net.Socket) => afterReading(s, 64, () => s.end())],
  // A v1 node that closes with our garbage unread in its socket makes the kernel reset.
  ['resets once it has read a v1 header\'s worth of our key', (s: net.Socket) => afterReading(s, 24, () => s.resetAndDestroy())]
])('a peer that %s, having sent nothing, is retried over v1', async (_what, first) => {
  const p = await peer(first)
  const result = await connectAsync({ port: p.port, v1Fallback: true })
  expect(result.transport).toBe('v1')
  expect(p.attempts()).toBe(2)
  if (result.transport === 'v1') result.socket.destroy()
  await p.close()
})

test.each([1, 10, 63])('a peer that sends %i bytes and closes is not retried: ERR_BIP324_PEER_CLOSED', async (n) => {
  const p = await peer((s) => afterReading(s, 64, () => s.end(crypto.randomBytes(n))))
  const err = await connectAsync({ port: p.port, v1Fallback: true }).catch((e: Error) => e)
  expect(err).toMatchObject({ code: 'ERR_BIP324_PEER_CLOSED', message: expect.stringContaining(`after sending ${n} bytes`) })
  expect(p.attempts()).toBe(1)
  await p.close()
})

test('a peer that resets the connection before our key went out is not retried: ECONNRESET surfaces', async () => {
  // The peer runs on its own thread and resets each connection as it accepts it, while this thread
  // waits: when our side learns it is connected, the reset is already there, so not one byte of our
  // key can go out. A retry would be a second connection, made before the first attempt's error.
  const shared = new Int32Array(new SharedArrayBuffer(8))
  const worker = new Worker(`
    const net = require('node:net')
    const { parentPort, workerData: shared } = require('node:worker_threads')
    const server = net.createServer((s) => {
      s.on('error', () => {})
      s.resetAndDestroy()
      Atomics.add(shared, 1, 1)
      Atomics.store(shared, 0, 1)
      Atomics.notify(shared, 0)
    })
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port))
  `, { eval: true, workerData: shared })
  try {
    const port = await new Promise<number>((resolve) => worker.once('message', resolve))
    const pending = connectAsync({ host: '127.0.0.1', port, v1Fallback: true })
    // After connect()'s own next tick, which starts the TCP connection.
    process.nextTick(() => { Atomics.wait(shared, 0, 0, 10_000) })
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(Atomics.load(shared, 1)).toBe(1)
  } finally {
    await worker.terminate()
  }
})

test('without v1Fallback, a peer that closes on our key is ERR_BIP324_PEER_CLOSED', async () => {
  const p = await peer((s) => afterReading(s, 64, () => s.end()))
  await expect(connectAsync({ port: p.port })).rejects.toMatchObject({ code: 'ERR_BIP324_PEER_CLOSED' })
  expect(p.attempts()).toBe(1)
  await p.close()
})
