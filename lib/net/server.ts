/**
 * A TCP server whose connections are BIP-324 encrypted, like node:net's createServer:
 * 'connection' gets a Bip324Socket once its handshake is done. A v1 peer is refused, or, with
 * `v1: 'fallback'`, handed over by a 'v1' event with the paused socket and every byte it sent.
 *
 * Made for a public port: connections and handshakes in progress are capped (the excess closed at
 * once and reported by 'drop'), no key pair is generated before the peer's first byte, and no
 * peer can take the process down. Handshake failures are 'handshakeError' events (the socket is
 * already closed), as TLS servers do; a connection's later error goes to its own 'error'
 * listeners, or, if the application added none, to the server's 'clientError' event, as
 * http.Server does, instead of throwing.
 */

import { EventEmitter } from 'node:events'
import net from 'node:net'

import { Bip324Error } from '../errors'
import { listen, relay } from './listen'
import { checkConnectionOptions, checkInteger } from './options'
import type { Bip324Socket, ConnectionOptions, V1Handoff } from './socket'
import { handshake, type WrapOptions } from './wrap'

/** Bitcoin Core: -maxconnections=125. */
export const DEFAULT_MAX_CONNECTIONS = 125
/** A handshake takes one round trip; 64 in flight at once is more than a busy node sees, and
 *  little memory (about 10 KB each). */
export const DEFAULT_MAX_HANDSHAKES = 64
/** A handshake this old may be closed to make room for a new connection: a peer on the other side
 *  of the world (or of Tor) is done well within it, a silent one is holding a slot. */
export const EVICTION_AGE = 2_000

export interface ServerOptions extends ConnectionOptions {
  /** What to do with a v1 peer. Default: 'reject'. */
  v1?: 'reject' | 'fallback'
  /** Connections open at once (in the handshake or past it, v1 handoffs included). One more is
   *  closed as it is accepted, before any byte is read, and reported by 'drop'. Default: 125
   *  (Bitcoin Core's -maxconnections). */
  maxConnections?: number
  /** Connections still in the handshake at once. When all are taken, a new connection closes the
   *  one that has waited longest if that one is older than 2 s (so silent connections cannot lock
   *  out new peers), and is itself closed at accept otherwise (so a burst of connections costs
   *  nothing); either is reported by 'drop'. Default: 64. */
  maxHandshakes?: number
}

/** What 'drop' reports, as node:net's 'drop' does, with the limit that closed the connection. */
export interface DropInfo {
  reason: 'maxConnections' | 'maxHandshakes'
  localAddress?: string
  localPort?: number
  remoteAddress?: string
  remotePort?: number
  remoteFamily?: string
}

export interface ServerCounters {
  /** TCP connections accepted (and not dropped at once by maxConnections). */
  accepted: number
  /** Handshakes that completed over v2. */
  established: number
  /** Connections closed by each limit. */
  dropped: { maxConnections: number, maxHandshakes: number }
  /** Handshakes that failed (timeouts, bad bytes, early closes, refused v1 peers). */
  handshakeErrors: number
}

export interface Bip324Server {
  on(event: 'connection', listener: (connection: Bip324Socket) => void): this
  on(event: 'v1', listener: (handoff: V1Handoff) => void): this
  on(event: 'handshakeError', listener: (err: Error, socket: net.Socket) => void): this
  on(event: 'clientError', listener: (err: Error, connection: Bip324Socket) => void): this
  on(event: 'drop', listener: (info: DropInfo) => void): this
  on(event: 'listening' | 'close', listener: () => void): this
  on(event: 'error', listener: (err: Error) => void): this
}

function dropInfo (reason: DropInfo['reason'], s: net.Socket | Partial<DropInfo> | undefined): DropInfo {
  const { localAddress, localPort, remoteAddress, remotePort, remoteFamily } = s ?? {}
  return {
    reason,
    ...(localAddress !== undefined && { localAddress }),
    ...(localPort !== undefined && { localPort }),
    ...(remoteAddress !== undefined && { remoteAddress }),
    ...(remotePort !== undefined && { remotePort }),
    ...(remoteFamily !== undefined && { remoteFamily })
  }
}

export class Bip324Server extends EventEmitter {
  readonly server: net.Server
  private readonly connections = new Set<net.Socket>()
  // When each handshake started, in arrival order: the first has waited longest.
  private readonly handshaking = new Map<net.Socket, number>()
  private readonly evicted = new WeakSet<net.Socket>()
  private readonly maxHandshakes: number
  private readonly maxConnections: number
  // While every handshake slot is taken by a young handshake, node:net itself refuses new
  // connections (maxConnections lowered), before any Socket object exists for them.
  private gated = false
  private gateTimer: NodeJS.Timeout | undefined
  private readonly stats: ServerCounters = { accepted: 0, established: 0, dropped: { maxConnections: 0, maxHandshakes: 0 }, handshakeErrors: 0 }

  // What every accepted connection's handshake takes, resolved once.
  private readonly handshakeOptions: WrapOptions
  private readonly v1Fallback: boolean

  constructor (options: ServerOptions = {}, onConnection?: (connection: Bip324Socket) => void) {
    super()
    checkServerOptions(options)
    const { v1 = 'reject', maxConnections: _c, maxHandshakes: _h, ...connectionOptions } = options
    this.handshakeOptions = { ...connectionOptions, role: 'responder' }
    this.v1Fallback = v1 === 'fallback'
    this.maxHandshakes = options.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    if (onConnection) this.on('connection', onConnection)
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket))
    // node:net closes a connection over maxConnections before it becomes a Socket, and says 'drop'.
    this.server.maxConnections = this.maxConnections
    this.server.on('drop', (data?: Partial<DropInfo>) => this.drop(dropInfo(this.gated ? 'maxHandshakes' : 'maxConnections', data)))
    relay(this.server, this)
  }

  /** What the server has accepted, refused and completed so far. */
  get counters (): ServerCounters {
    return { ...this.stats, dropped: { ...this.stats.dropped } }
  }

  private drop (info: DropInfo): void {
    this.stats.dropped[info.reason]++
    this.emit('drop', info)
  }

  private accept (socket: net.Socket): void {
    this.stats.accepted++
    this.connections.add(socket)
    socket.once('close', () => this.connections.delete(socket))
    if (this.handshaking.size >= this.maxHandshakes) {
      // The gate was open, so the oldest handshake is old enough to go (or other connections
      // closed and node:net let this one in while the gate was shut: then it goes itself).
      const [oldest, started] = this.handshaking.entries().next().value as [net.Socket, number]
      const victim = Date.now() - started >= EVICTION_AGE ? oldest : socket
      this.handshaking.delete(victim)
      this.evicted.add(victim)
      this.drop(dropInfo('maxHandshakes', victim))
      victim.destroy()
      if (victim === socket) return
    }
    this.handshaking.set(socket, Date.now())
    this.regate()
    handshake(socket, this.handshakeOptions).then((result) => {
      this.ended(socket)
      if (result.transport === 'v2') {
        this.stats.established++
        // Nobody would ever read or close it: it would hold a connection slot until idleTimeout.
        if (this.listenerCount('connection') === 0) { result.destroy(); return }
        this.guard(result)
        this.emit('connection', result)
      } else if (this.v1Fallback && this.listenerCount('v1') > 0) {
        this.emit('v1', result)
      } else {
        socket.destroy()
        this.handshakeError(new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks the v1 protocol'), socket)
      }
    }, (err: Error) => {
      this.ended(socket)
      if (!this.evicted.has(socket)) this.handshakeError(err, socket)
    })
  }

  private ended (socket: net.Socket): void {
    this.handshaking.delete(socket)
    this.regate()
  }

  // Shuts the gate while every handshake slot is held by one younger than EVICTION_AGE, and opens
  // it when a slot frees up or the oldest comes of age.
  private regate (): void {
    clearTimeout(this.gateTimer)
    const oldest = this.handshaking.size >= this.maxHandshakes ? this.handshaking.values().next().value as number : undefined
    const wait = oldest === undefined ? 0 : oldest + EVICTION_AGE - Date.now()
    this.gated = wait > 0
    // node:net ignores a maxConnections of 0; 1 refuses everything while any connection is open,
    // and the gate is only shut while maxHandshakes of them are.
    this.server.maxConnections = this.gated ? 1 : this.maxConnections
    if (this.gated) this.gateTimer = setTimeout(() => this.regate(), wait).unref()
  }

  private handshakeError (err: Error, socket: net.Socket): void {
    this.stats.handshakeErrors++
    this.emit('handshakeError', err, socket)
  }

  // A connection's error must not throw out of the event loop when the application did not listen
  // for it: the connection is already destroyed, so the server reports it and moves on.
  private guard (connection: Bip324Socket): void {
    const onError = (err: Error): void => {
      if (connection.listenerCount('error') === 1) this.emit('clientError', err, connection)
    }
    connection.on('error', onError)
  }

  /** As net.Server.listen; resolves with the bound address. A listen error rejects the promise
   *  and is not emitted as 'error' too. */
  listen (port = 0, host = '127.0.0.1'): Promise<net.AddressInfo> {
    return listen(this.server, port, host)
  }

  address (): net.AddressInfo | string | null {
    return this.server.address()
  }

  /** Stops accepting; with `destroyConnections`, also closes every connection still open. */
  close (destroyConnections = false): Promise<void> {
    clearTimeout(this.gateTimer)
    if (destroyConnections) for (const s of this.connections) s.destroy()
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())))
  }
}

/** Every option createServer() takes, checked at once. */
function checkServerOptions (options: ServerOptions): void {
  checkConnectionOptions(options)
  const { v1 } = options
  if (v1 !== undefined && v1 !== 'reject' && v1 !== 'fallback') throw new Bip324Error('ERR_BIP324_INVALID_ARG', `v1 must be 'reject' or 'fallback', got ${String(v1)}`)
  checkInteger(options.maxConnections, 'maxConnections', 1, 2 ** 31 - 1)
  checkInteger(options.maxHandshakes, 'maxHandshakes', 1, 2 ** 31 - 1)
}

export function createServer (options?: ServerOptions, onConnection?: (connection: Bip324Socket) => void): Bip324Server {
  return new Bip324Server(options, onConnection)
}
