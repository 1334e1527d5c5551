/**
 * A TCP server whose connections are BIP-324 encrypted, like node:net's createServer:
 * 'connection' gets a Bip324Socket once its handshake is done. A v1 peer is refused, or, with
 * `v1: 'fallback'`, handed over by a 'v1' event with the paused socket and every byte it sent.
 * Handshake failures are 'handshakeError' events (the socket is already closed), as TLS servers do.
 */

import { EventEmitter } from 'node:events'
import net from 'node:net'

import type { Bip324Socket, ConnectionOptions, V1Handoff } from './socket'
import { listen } from './listen'
import { handshake } from './wrap'

export interface ServerOptions extends ConnectionOptions {
  /** What to do with a v1 peer. Default: 'reject'. */
  v1?: 'reject' | 'fallback'
}

export interface Bip324Server {
  on(event: 'connection', listener: (connection: Bip324Socket) => void): this
  on(event: 'v1', listener: (handoff: V1Handoff) => void): this
  on(event: 'handshakeError', listener: (err: Error, socket: net.Socket) => void): this
  on(event: 'listening' | 'close', listener: () => void): this
  on(event: 'error', listener: (err: Error) => void): this
}

export class Bip324Server extends EventEmitter {
  readonly server: net.Server
  private readonly connections = new Set<net.Socket>()

  constructor (private readonly options: ServerOptions = {}, onConnection?: (connection: Bip324Socket) => void) {
    super()
    if (onConnection) this.on('connection', onConnection)
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket))
    this.server.on('listening', () => this.emit('listening'))
    this.server.on('close', () => this.emit('close'))
    this.server.on('error', (err) => this.emit('error', err))
  }

  private accept (socket: net.Socket): void {
    this.connections.add(socket)
    socket.once('close', () => this.connections.delete(socket))
    const { v1 = 'reject', ...options } = this.options
    handshake(socket, { ...options, role: 'responder' }).then((result) => {
      if (result.transport === 'v2') {
        this.emit('connection', result)
      } else if (v1 === 'fallback') {
        this.connections.delete(socket)
        this.emit('v1', result)
      } else {
        socket.destroy()
        this.emit('handshakeError', Object.assign(new Error('the peer speaks the v1 protocol'), { code: 'ERR_BIP324_V1_PEER' }), socket)
      }
    }, (err: Error) => this.emit('handshakeError', err, socket))
  }

  /** As net.Server.listen; resolves with the bound address. */
  listen (port = 0, host = '127.0.0.1'): Promise<net.AddressInfo> {
    return listen(this.server, port, host)
  }


  address (): net.AddressInfo | string | null {
    return this.server.address()
  }

  /** Stops accepting; with `destroyConnections`, also closes every connection still open. */
  close (destroyConnections = false): Promise<void> {
    if (destroyConnections) for (const s of this.connections) s.destroy()
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())))
  }
}

export function createServer (options?: ServerOptions, onConnection?: (connection: Bip324Socket) => void): Bip324Server {
  return new Bip324Server(options, onConnection)
}
