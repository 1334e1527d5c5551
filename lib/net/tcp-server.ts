/**
 * What the server and the proxy share with net.Server, in its signatures: listen() in all its
 * forms, close([cb]) (stops accepting and keeps open connections, as net does),
 * closeAllConnections(), getConnections(cb), listening, address(), ref()/unref() and
 * [Symbol.asyncDispose], over a net.Server of their own; plus listenAsync() and closeAsync() for
 * `await`. The inner server's 'listening', 'close' and 'error' are the outer one's.
 */

import { EventEmitter } from 'node:events'
import type * as net from 'node:net'

type Tracked = { destroy: () => void, once: (event: 'close', listener: () => void) => unknown }

export abstract class TcpServer extends EventEmitter {
  /** The TCP server underneath. */
  readonly server: net.Server
  /** Every TCP connection open, in the handshake or past it: what closeAllConnections() closes. */
  protected readonly sockets = new Set<Tracked>()
  // A listenAsync() in progress: its error belongs to that promise alone, so that a caller who
  // awaits it in try/catch does not also get an 'error' event that nobody listens to, which throws.
  private listenPromises = 0
  // Each tracked socket's 'close' listener, with the socket as `this`: one function per server.
  private readonly untrack: (this: Tracked) => void

  protected constructor (server: net.Server) {
    super()
    this.server = server
    const sockets = this.sockets
    this.untrack = function () { sockets.delete(this) }
    server.on('listening', () => this.emit('listening'))
    server.on('close', () => this.emit('close'))
    server.on('error', (err) => { if (this.listenPromises === 0) this.emit('error', err) })
  }

  /** Counts `socket` among the open connections until it closes. */
  protected track<T extends Tracked> (socket: T): T {
    this.sockets.add(socket)
    socket.once('close', this.untrack)
    return socket
  }

  /** As net.Server.listen, in every form: (port[, host][, backlog][, cb]), (options[, cb]),
   *  (cb). Binds every interface when no host is given, as net does. `cb` is a 'listening'
   *  listener; a failure is an 'error' event. */
  listen (port?: number, hostname?: string, backlog?: number, listeningListener?: () => void): this
  listen (port?: number, hostname?: string, listeningListener?: () => void): this
  listen (port?: number, backlog?: number, listeningListener?: () => void): this
  listen (port?: number, listeningListener?: () => void): this
  listen (options: net.ListenOptions, listeningListener?: () => void): this
  listen (listeningListener?: () => void): this
  listen (...args: unknown[]): this {
    (this.server.listen as (...a: unknown[]) => net.Server)(...args)
    return this
  }

  /** listen() as a promise of the bound address: (port[, host][, backlog]) or (options). Its
   *  failure rejects the promise and is not an 'error' event too. */
  listenAsync (port?: number, hostname?: string, backlog?: number): Promise<net.AddressInfo>
  listenAsync (options: net.ListenOptions): Promise<net.AddressInfo>
  listenAsync (...args: unknown[]): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.listenPromises++
      const done = (): void => {
        this.listenPromises--
        this.server.off('error', onError)
        this.server.off('listening', onListening)
      }
      const onError = (err: Error): void => { done(); reject(err) }
      const onListening = (): void => { done(); resolve(this.server.address() as net.AddressInfo) }
      this.server.once('error', onError)
      this.server.once('listening', onListening)
      try {
        (this.server.listen as (...a: unknown[]) => net.Server)(...args)
      } catch (err) {
        onError(err as Error)
      }
    })
  }

  /** As net.Server.close: stops accepting; open connections stay until they end, and `cb` runs
   *  once the last one has (with ERR_SERVER_NOT_RUNNING if the server was not listening). */
  close (callback?: (err?: Error) => void): this {
    this.stopping()
    this.server.close(callback)
    return this
  }

  /** close() as a promise. */
  closeAsync (): Promise<void> {
    return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())))
  }

  /** Closes every connection now, in the handshake or past it (as http.Server's). */
  closeAllConnections (): void {
    for (const s of this.sockets) s.destroy()
  }

  /** As net.Server's: the number of open connections, to a callback. */
  getConnections (callback: (err: Error | null, count: number) => void): this {
    this.server.getConnections(callback)
    return this
  }

  get listening (): boolean {
    return this.server.listening
  }

  address (): net.AddressInfo | string | null {
    return this.server.address()
  }

  ref (): this {
    this.server.ref()
    return this
  }

  unref (): this {
    this.server.unref()
    return this
  }

  /** `await using server = ...`: closes every connection and the server. */
  async [Symbol.asyncDispose] (): Promise<void> {
    this.closeAllConnections()
    if (this.server.listening) await this.closeAsync()
    else this.stopping()
  }

  /** What a subclass stops (timers) when the server closes. */
  protected stopping (): void {}
}
