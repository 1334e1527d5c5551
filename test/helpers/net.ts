/** Loopback helpers for the networking tests: servers on 127.0.0.1 port 0, collected reads. */

import net from 'node:net'

import { type Bip324Socket, type ConnectionOptions, createServer, type ServerOptions } from '../../lib'
import { loopbackPair, type Pair } from '../../lib/cli/loopback'

/** A pair of our own on 127.0.0.1; unlike loopbackPair's default, the client gets only its own options. */
export function serverPair (serverOptions: ServerOptions = {}, clientOptions: ConnectionOptions = {}): Promise<Pair> {
  return loopbackPair(serverOptions, clientOptions)
}

/** Reads `count` messages from a connection. */
export function read (connection: Bip324Socket, count: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const got: Uint8Array[] = []
    if (count === 0) { resolve(got); return }
    const onData = (m: Uint8Array): void => {
      got.push(m)
      if (got.length === count) { connection.off('data', onData); connection.off('error', reject); resolve(got) }
    }
    connection.on('data', onData)
    connection.once('error', reject)
  })
}

/** A server (ours, on `options`) that records its first handshake error while `act` misbehaves on a
 *  raw client socket: the error's code, and whether the server had closed that socket when it said so. */
export async function againstServer (options: ServerOptions, act: (client: net.Socket) => void | Promise<void>): Promise<{ code: string, closed: boolean }> {
  const server = createServer(options)
  const { port } = await server.listenAsync(0, '127.0.0.1')
  const failed = nextEvent<[Error & { code: string }, net.Socket]>(server, 'handshakeError')
  const client = await rawClient(port)
  client.on('error', () => {})
  client.resume()
  await act(client)
  const [err, socket] = await failed
  const closed = socket.destroyed
  client.destroy()
  await server[Symbol.asyncDispose]()
  return { code: err.code, closed }
}

/** A plain TCP server that runs `behave` on each socket: a peer misbehaving on purpose. */
export async function rawServer (behave: (socket: net.Socket) => void): Promise<{ port: number, close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer({ allowHalfOpen: true }, (s) => { sockets.add(s); s.on('error', () => {}); behave(s) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) })
  }
}

/** A plain TCP client connected to `port`. */
export function rawClient (port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s))
    s.once('error', reject)
  })
}

/** Resolves once `stream` has closed, even if it already has. */
export function closed (stream: { closed: boolean, once: (event: 'close', fn: () => void) => unknown }): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', resolve))
}

export function nextEvent<T extends unknown[]> (emitter: { once: (event: string, fn: (...args: T) => void) => unknown }, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: T) => resolve(args)))
}

/** From now on, flips the last bit (a tag bit) of everything the connection writes, after the cipher. */
export function flipTagsOnTheWire (connection: Bip324Socket): void {
  const write = connection.socket.write.bind(connection.socket) as (bytes: Uint8Array, cb?: () => void) => boolean
  connection.socket.write = ((bytes: Uint8Array, cb?: () => void) => {
    const flipped = Uint8Array.from(bytes)
    flipped[flipped.length - 1]! ^= 1
    return write(flipped, cb)
  }) as typeof connection.socket.write
}
