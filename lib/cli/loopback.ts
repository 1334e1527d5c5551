/**
 * Throughput over real loopback sockets: a BIP-324 connection pair next to plain node:net
 * sockets moving the same bytes in the same process. Used by `bip324 demo`, `bip324 bench` and
 * `npm run bench`; the ratio between the two is what to read, not the absolute figures.
 */

import { once } from 'node:events'
import net from 'node:net'
import { performance } from 'node:perf_hooks'

import { connectAsync } from '../net/connect'
import { createServer, type ServerOptions } from '../net/server'
import type { Bip324Socket, ConnectionOptions, Mode } from '../net/socket'

export interface Pair<M extends Mode = 'raw'> {
  client: Bip324Socket<M>
  peer: Bip324Socket<M>
  close: () => Promise<void>
}

export interface Throughput {
  messageSize: number
  messages: number
  seconds: number
  bytesPerSecond: number
  messagesPerSecond: number
}

/** A responder and an initiator of ours on 127.0.0.1, handshake done. The initiator takes the
 *  responder's options unless given its own. */
export async function loopbackPair<M extends Mode = 'raw'> (serverOptions: ServerOptions<M> = {}, clientOptions: ConnectionOptions<M> = serverOptions): Promise<Pair<M>> {
  const server = createServer(serverOptions)
  const accepted = once(server, 'connection') as Promise<[Bip324Socket<M>]>
  const { port } = await server.listenAsync(0, '127.0.0.1')
  const client = await connectAsync({ ...clientOptions, host: '127.0.0.1', port })
  const [peer] = await accepted
  return {
    client,
    peer,
    close: async () => { client.destroy(); peer.destroy(); await server[Symbol.asyncDispose]() }
  }
}

function result (messageSize: number, messages: number, start: number): Throughput {
  const seconds = (performance.now() - start) / 1000
  // Measured, so rounded where its precision ends (a timer's millisecond, a whole byte or message
  // per second): 1234567.0000000002 says nothing more than 1234567.
  return {
    messageSize,
    messages,
    seconds: Math.round(seconds * 1000) / 1000,
    bytesPerSecond: Math.round((messageSize * messages) / seconds),
    messagesPerSecond: Math.round(messages / seconds)
  }
}

/** Sends `messages` messages of `messageSize` bytes from client to peer, honouring backpressure. */
export async function measureV2 (pair: Pair, messageSize: number, messages: number, onProgress?: (done: number) => void): Promise<Throughput> {
  const { client, peer } = pair
  const message = new Uint8Array(messageSize)
  const start = performance.now()
  const received = new Promise<void>((resolve, reject) => {
    let got = 0
    const onData = (): void => {
      got++
      if (onProgress !== undefined && (got & 255) === 0) onProgress(got)
      if (got === messages) { peer.off('data', onData); peer.off('error', reject); resolve() }
    }
    peer.on('data', onData)
    peer.once('error', reject)
  })
  for (let i = 0; i < messages; i++) {
    if (!client.write(message)) await once(client, 'drain')
  }
  await received
  onProgress?.(messages)
  return result(messageSize, messages, start)
}

/** The same transfer over plain unencrypted sockets: the ceiling for any transport. */
export async function measureTcp (messageSize: number, messages: number): Promise<Throughput> {
  const server = net.createServer({ noDelay: true })
  const accepted = once(server, 'connection') as Promise<[net.Socket]>
  await once(server.listen(0, '127.0.0.1'), 'listening')
  const { port } = server.address() as net.AddressInfo
  const client = net.connect({ port, host: '127.0.0.1', noDelay: true })
  await once(client, 'connect')
  const [peer] = await accepted
  const total = messageSize * messages
  const message = Buffer.alloc(messageSize)
  const start = performance.now()
  const received = new Promise<void>((resolve) => {
    let got = 0
    peer.on('data', (chunk: Buffer) => { got += chunk.length; if (got >= total) resolve() })
  })
  for (let i = 0; i < messages; i++) {
    if (!client.write(message)) await once(client, 'drain')
  }
  await received
  const r = result(messageSize, messages, start)
  client.destroy()
  peer.destroy()
  server.close()
  return r
}

/** Complete connections (TCP connect + handshake, both sides) per second, one at a time. */
export async function handshakesPerSecond (count: number, options: ServerOptions = {}): Promise<number> {
  const server = createServer(options)
  const { port } = await server.listenAsync(0, '127.0.0.1')
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const accepted = once(server, 'connection') as Promise<[Bip324Socket<Mode>]>
    const client = await connectAsync({ ...options, host: '127.0.0.1', port })
    const [peer] = await accepted
    client.destroy()
    peer.destroy()
  }
  const seconds = (performance.now() - start) / 1000
  await server[Symbol.asyncDispose]()
  return count / seconds
}
