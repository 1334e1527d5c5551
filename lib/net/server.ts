/**
 * A TCP server whose connections are BIP-324 encrypted, in the shape of tls.Server: the methods of
 * net.Server (tcp-server.ts), and 'connection' with a Bip324Socket once its handshake is done
 * (TLS's 'secureConnection'). A v1 peer is refused, or, with
 * `v1: 'fallback'`, handed over by a 'v1' event with the paused socket and every byte it sent.
 *
 * Made for a public port: connections and handshakes in progress are capped (the excess closed at
 * once and reported by 'drop'), no key pair is generated before the peer's first byte, and no
 * peer can take the process down. Handshake failures are 'handshakeError' events (the socket is
 * already closed), as TLS servers do; a connection's later error goes to its own 'error'
 * listeners, or, if the application added none, to the server's 'clientError' event, as
 * http.Server does, instead of throwing.
 */

import * as net from 'node:net'

import { Bip324Error } from '../errors'
import { checkConnectionOptions, checkInteger, settingsOf } from './options'
import { Bip324Socket, type ConnectionOptions, type Mode, type SocketSettings, type V1Handoff } from './socket'
import { TcpServer } from './tcp-server'

/** Bitcoin Core: -maxconnections=125. */
export const DEFAULT_MAX_CONNECTIONS = 125
/** A handshake takes one round trip; 64 in flight at once is more than a busy node sees, and
 *  little memory (about 10 KB each). */
export const DEFAULT_MAX_HANDSHAKES = 64
/** A handshake this old may be closed to make room for a new connection: a peer on the other side
 *  of the world (or of Tor) is done well within it, a silent one is holding a slot. */
export const EVICTION_AGE = 2_000

export interface ServerOptions<M extends Mode = Mode> extends ConnectionOptions<M> {
  /** What to do with a v1 peer. Default: 'reject'. */
  v1?: 'reject' | 'fallback'
  /** Connections open at once (in the handshake or past it, v1 handoffs included). One more is
   *  closed as it is accepted, before any byte is read, and reported by 'drop'. Default: 125
   *  (Bitcoin Core's -maxconnections). Also a property of the server, as net.Server's. */
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

/** The events of a server whose connections are in mode M, with their arguments. */
export interface ServerEvents<M extends Mode> {
  /** A connection whose handshake completed (TLS's 'secureConnection'). */
  connection: [connection: Bip324Socket<M>]
  /** With v1: 'fallback', a v1 peer's socket, paused, and what it sent. The socket keeps an error
   *  listener of ours (keepErrors): a reset before yours are attached costs nothing. */
  v1: [handoff: V1Handoff]
  /** A handshake that failed; its socket is closed already. */
  handshakeError: [err: Error, socket: net.Socket]
  /** An established connection's error, when the application listens for none on it. */
  clientError: [err: Error, connection: Bip324Socket<M>]
  /** A connection closed at accept by a limit. */
  drop: [info: DropInfo]
  listening: []
  close: []
  error: [err: Error]
}

export interface Bip324Server<M extends Mode = 'raw'> {
  on<E extends keyof ServerEvents<M>>(event: E, listener: (...args: ServerEvents<M>[E]) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<E extends keyof ServerEvents<M>>(event: E, listener: (...args: ServerEvents<M>[E]) => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
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

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Bip324Server<M extends Mode = 'raw'> extends TcpServer {
  // When each handshake started, in arrival order: the first has waited longest.
  private readonly handshaking = new Map<net.Socket, number>()
  private readonly evicted = new WeakSet<net.Socket>()
  private readonly maxHandshakes: number
  private connectionLimit: number
  // While every handshake slot is taken by a young handshake, node:net itself refuses new
  // connections (maxConnections lowered), before any Socket object exists for them.
  private gated = false
  private gateTimer: NodeJS.Timeout | undefined
  private readonly stats: ServerCounters = { accepted: 0, established: 0, dropped: { maxConnections: 0, maxHandshakes: 0 }, handshakeErrors: 0 }

  // What every accepted connection is built with, resolved once and shared.
  private readonly settings: SocketSettings
  private readonly v1Fallback: boolean
  // Listeners on every accepted connection, which they get as `this`: one function each per
  // server, so that an idle connection holds no closures of its own.
  private readonly onConnectionHandshake: (this: Bip324Socket<M>) => void
  private readonly onConnectionError: (this: Bip324Socket<M>, err: Error) => void
  private readonly onConnectionClose: (this: Bip324Socket<M>) => void

  constructor (options: ServerOptions<M> = {}, listener?: (connection: Bip324Socket<M>) => void) {
    super(net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket)))
    checkServerOptions(options)
    const { v1 = 'reject', maxConnections: _c, maxHandshakes: _h, ...connectionOptions } = options
    this.v1Fallback = v1 === 'fallback'
    const settings = settingsOf(connectionOptions, 'responder')
    this.settings = this.v1Fallback ? { ...settings, onV1: (handoff: V1Handoff) => this.v1(handoff) } : settings
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this
    this.onConnectionClose = function () { server.ended(this.socket) }
    this.onConnectionError = function (err) {
      if (!this.handshakeComplete) {
        if (!server.evicted.has(this.socket)) server.handshakeError(err, this.socket)
      } else if (this.listenerCount('error') === 1) {
        // The application did not listen for it: it must not throw out of the event loop. The
        // connection is already destroyed, so the server reports it and moves on.
        server.emit('clientError', err, this)
      }
    }
    this.onConnectionHandshake = function () {
      server.ended(this.socket)
      server.stats.established++
      // Nobody would ever read or close it: it would hold a connection slot until idleTimeout.
      if (server.listenerCount('connection') === 0) this.destroy()
      else server.emit('connection', this)
    }
    this.maxHandshakes = options.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES
    this.connectionLimit = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    if (listener !== undefined) this.on('connection', listener)
    // node:net closes a connection over maxConnections before it becomes a Socket, and says 'drop'.
    this.server.maxConnections = this.connectionLimit
    this.server.on('drop', (data?: Partial<DropInfo>) => this.drop(dropInfo(this.gated ? 'maxHandshakes' : 'maxConnections', data)))
  }

  /** Connections open at once; one more is closed at accept (see ServerOptions.maxConnections). */
  get maxConnections (): number {
    return this.connectionLimit
  }

  set maxConnections (value: number) {
    checkInteger(value, 'maxConnections', 1, 2 ** 31 - 1)
    this.connectionLimit = value
    this.regate()
  }

  /** What the server has accepted, refused and completed so far. */
  get counters (): ServerCounters {
    return { ...this.stats, dropped: { ...this.stats.dropped } }
  }

  protected override stopping (): void {
    clearTimeout(this.gateTimer)
  }

  private drop (info: DropInfo): void {
    this.stats.dropped[info.reason]++
    this.emit('drop', info)
  }

  private accept (socket: net.Socket): void {
    this.stats.accepted++
    this.track(socket)
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
    const connection = new Bip324Socket<M>(socket, this.settings)
    connection.once('close', this.onConnectionClose)
    connection.on('error', this.onConnectionError)
    connection.once('handshake', this.onConnectionHandshake)
  }

  // A handshake is over (done, or the connection closed): its slot frees up.
  private ended (socket: net.Socket): void {
    this.handshaking.delete(socket)
    this.regate()
  }

  private v1 (handoff: V1Handoff): void {
    if (this.listenerCount('v1') > 0) {
      keepErrors(handoff.socket)
      this.emit('v1', handoff)
      return
    }
    handoff.socket.destroy()
    this.handshakeError(new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks the v1 protocol'), handoff.socket)
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
    this.server.maxConnections = this.gated ? 1 : this.connectionLimit
    if (this.gated) this.gateTimer = setTimeout(() => this.regate(), wait).unref()
  }

  private handshakeError (err: Error, socket: net.Socket): void {
    this.stats.handshakeErrors++
    this.emit('handshakeError', err, socket)
  }
}

function ignore (): void {}

/** @internal For a socket handed over to the application (a v1 peer's): no error the peer causes
 *  (a reset) may be thrown before the application could have listened, which may be ticks later;
 *  so an error listener of ours stays on it, that does nothing: the application's own listeners
 *  still get every error, and the socket still closes (node:net destroys it on error). */
export function keepErrors (socket: net.Socket): void {
  socket.on('error', ignore)
}

/** Every option createServer() takes, checked at once. */
function checkServerOptions (options: ServerOptions<Mode>): void {
  checkConnectionOptions(options)
  const { v1 } = options
  if (v1 !== undefined && v1 !== 'reject' && v1 !== 'fallback') throw new Bip324Error('ERR_BIP324_INVALID_ARG', `v1 must be 'reject' or 'fallback', got ${String(v1)}`)
  checkInteger(options.maxConnections, 'maxConnections', 1, 2 ** 31 - 1)
  checkInteger(options.maxHandshakes, 'maxHandshakes', 1, 2 ** 31 - 1)
}

/** As net.createServer / tls.createServer: ([options][, listener]), the listener added to
 *  'connection'. Call listen() (or listenAsync()) to start. */
export function createServer<M extends Mode = 'raw'> (options?: ServerOptions<M>, listener?: (connection: Bip324Socket<M>) => void): Bip324Server<M>
export function createServer (listener?: (connection: Bip324Socket<'raw'>) => void): Bip324Server<'raw'>
export function createServer (...args: unknown[]): Bip324Server<Mode> {
  const listener = typeof args[args.length - 1] === 'function' ? args.pop() as (connection: Bip324Socket<Mode>) => void : undefined
  return new Bip324Server<Mode>((args[0] ?? {}) as ServerOptions<Mode>, listener)
}
