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

import * as crypto from 'node:crypto'
import * as net from 'node:net'

import { Bip324Error } from '../errors'
import { type EvictionCandidate, selectNodeToEvict } from './eviction'
import { checkInteger, invalid } from '../checks'
import { checkConnectionOptions, settingsOf } from './options'
import { netGroup } from './ranges'
import { Bip324Socket, type ConnectionError, type ConnectionOptions, type Mode, type SocketSettings, type V1Handoff } from './socket'
import { TcpServer } from './tcp-server'
import { keepErrors } from './keep-errors'

/** Bitcoin Core: -maxconnections=125. */
export const DEFAULT_MAX_CONNECTIONS = 125
/** A handshake takes one round trip; 64 in flight at once is more than a busy node sees, and
 *  little memory (test/net-limits.test.ts measures it). */
export const DEFAULT_MAX_HANDSHAKES = 64
/** A handshake this old may be closed to make room for a new connection when every slot is taken.
 *  A peer that completes its handshake keeps its slot while fewer than maxHandshakes newer
 *  connections arrive in its round trip, so a flood from one address must open maxHandshakes per
 *  EVICTION_AGE to push out a handshake that completes within it. The age is also what bounds a
 *  flood that never completes a handshake: while every slot is younger, a new connection is refused
 *  at accept, so it forces at most maxHandshakes key exchanges per EVICTION_AGE, and the garbage
 *  each leaves behind stays within the memory bound test/net-limits.test.ts measures. A much longer
 *  age let a flood keep every slot (the gate shut nearly always, the flood taking each slot that
 *  came of age): test/net-gate.test.ts. */
export const EVICTION_AGE = 150

export interface ServerOptions<M extends Mode = Mode> extends ConnectionOptions<M> {
  /** What to do with a v1 peer. Default: 'reject'. */
  v1?: 'reject' | 'fallback'
  /** Connections open at once (in the handshake or past it, v1 handoffs included). One more makes
   *  room as Bitcoin Core does (AttemptToEvictConnection): a handshake older than 150 ms, else an
   *  established connection chosen by selectNodeToEvict (network groups, uptime, and what a
   *  subclass adds), is closed; if every one is protected, the new one is closed as it is accepted,
   *  before any byte is read. Either is reported by 'drop'. Default: 125 (Bitcoin Core's
   *  -maxconnections). Also a property of the server, as net.Server's. */
  maxConnections?: number
  /** Connections still in the handshake at once. When all are taken, a new connection closes the
   *  oldest handshake of the network group with the most handshakes among those older than 150 ms
   *  (so connections that never complete a handshake cannot lock out new peers, from one address or
   *  many), and is itself closed at accept if every handshake is younger (so a burst costs no key
   *  exchanges); either is reported by 'drop'. Default: 64. */
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
  handshakeError: [err: ConnectionError, socket: net.Socket]
  /** An established connection's error, when the application listens for none on it. */
  clientError: [err: ConnectionError, connection: Bip324Socket<M>]
  /** A connection closed at accept by a limit. */
  drop: [info: DropInfo]
  listening: []
  close: []
  /** The listening socket's own failure: a system error (EADDRINUSE, EACCES, EMFILE, ...). */
  error: [err: NodeJS.ErrnoException]
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
  // When each handshake started and its network group, in arrival order: the first has waited longest.
  private readonly handshaking = new Map<net.Socket, { started: number, group: string }>()
  private readonly evicted = new WeakSet<net.Socket>()
  // Established v2 connections, the eviction candidates, with what the server knows of them.
  private readonly established = new Map<Bip324Socket<M>, EvictionCandidate<Bip324Socket<M>>>()
  // Keys network groups, so that a peer cannot tell which groups eviction protects (Core's nKeyedNetGroup).
  private readonly groupKey = crypto.randomBytes(32)
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
    this.onConnectionClose = function () {
      server.established.delete(this)
      server.ended(this.socket)
    }
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
      const { started, group } = server.handshaking.get(this.socket) ?? { started: Date.now(), group: groupOf(this.socket) }
      server.established.set(this, {
        id: this,
        connected: started,
        keyedNetGroup: crypto.createHmac('sha256', server.groupKey).update(group).digest().readUInt32BE(0),
        isLocal: group === 'local',
        network: this.remoteAddress?.includes('.') === false ? 'ipv6' : 'ipv4'
      })
      server.ended(this.socket)
      server.stats.established++
      // Nobody would ever read or close it: it would hold a connection slot until idleTimeout.
      if (server.listenerCount('connection') === 0) this.destroy()
      else server.emit('connection', this)
    }
    this.maxHandshakes = options.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES
    this.connectionLimit = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    if (listener !== undefined) this.on('connection', listener)
    // node:net closes a connection past maxConnections + 1 before it becomes a Socket, and says
    // 'drop': the one past maxConnections is accepted, to make room for it or close it (accept()).
    this.server.maxConnections = this.connectionLimit + 1
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
    if (this.open() >= this.connectionLimit && !this.makeRoom()) {
      this.drop(dropInfo('maxConnections', socket))
      socket.destroy()
      return
    }
    this.stats.accepted++
    this.track(socket)
    if (this.handshaking.size >= this.maxHandshakes) {
      // The gate was open, so the oldest handshake is old enough to go (or other connections
      // closed and node:net let this one in while the gate was shut: then it goes itself).
      const victim = this.handshakeToEvict() ?? socket
      this.handshaking.delete(victim)
      this.evicted.add(victim)
      this.drop(dropInfo('maxHandshakes', victim))
      victim.destroy()
      if (victim === socket) return
    }
    this.handshaking.set(socket, { started: Date.now(), group: groupOf(socket) })
    this.regate()
    const connection = new Bip324Socket<M>(socket, this.settings)
    connection.once('close', this.onConnectionClose)
    connection.on('error', this.onConnectionError)
    connection.once('handshake', this.onConnectionHandshake)
  }

  // Of the handshakes older than EVICTION_AGE, the oldest of the network group that holds the most
  // slots: a flood from one group makes room from its own handshakes before anyone else's. From
  // one address (or evenly from many) this is the oldest handshake.
  private handshakeToEvict (): net.Socket | undefined {
    const counts = new Map<string, number>()
    for (const { group } of this.handshaking.values()) counts.set(group, (counts.get(group) ?? 0) + 1)
    const now = Date.now()
    let victim: net.Socket | undefined
    let most = 0
    for (const [socket, { started, group }] of this.handshaking) {
      if (now - started < EVICTION_AGE) break
      // In arrival order, a group's first is its oldest; on equal counts the older stays the victim.
      if (counts.get(group)! > most) { victim = socket; most = counts.get(group)! }
    }
    return victim
  }

  // Connections open, not counting those closed and not gone yet.
  private open (): number {
    if (this.sockets.size < this.connectionLimit) return this.sockets.size
    let open = 0
    for (const s of this.sockets) if (!(s as net.Socket).destroyed) open++
    return open
  }

  // Core's AttemptToEvictConnection, at maxConnections: closes a handshake older than
  // EVICTION_AGE (it has had more than a round trip), else the established connection
  // selectNodeToEvict picks. False when every connection is protected.
  private makeRoom (): boolean {
    const handshake = this.handshakeToEvict()
    if (handshake !== undefined) {
      this.handshaking.delete(handshake)
      this.evicted.add(handshake)
      this.drop(dropInfo('maxConnections', handshake))
      handshake.destroy()
      this.regate()
      return true
    }
    const candidates: Array<EvictionCandidate<Bip324Socket<M>>> = []
    for (const [connection, candidate] of this.established) {
      if (!connection.destroyed) candidates.push(this.evictionCandidate(connection, { ...candidate }))
    }
    const victim = selectNodeToEvict(candidates)
    if (victim === undefined) return false
    this.established.delete(victim)
    this.drop(dropInfo('maxConnections', victim.socket))
    victim.destroy()
    return true
  }

  /** What eviction weighs of an established connection: `candidate` holds what the server knows
   *  (when it connected, its network group, loopback or not); a subclass that knows more (pings,
   *  blocks and transactions, services) adds it, or marks it noban or preferEvict. */
  protected evictionCandidate (_connection: Bip324Socket<M>, candidate: EvictionCandidate<Bip324Socket<M>>): EvictionCandidate<Bip324Socket<M>> {
    return candidate
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
    const oldest = this.handshaking.size >= this.maxHandshakes ? this.handshaking.values().next().value!.started : undefined
    const wait = oldest === undefined ? 0 : oldest + EVICTION_AGE - Date.now()
    this.gated = wait > 0
    // node:net ignores a maxConnections of 0; 1 refuses everything while any connection is open,
    // and the gate is only shut while maxHandshakes of them are.
    this.server.maxConnections = this.gated ? 1 : this.connectionLimit + 1
    if (this.gated) this.gateTimer = setTimeout(() => this.regate(), wait).unref()
  }

  private handshakeError (err: Error, socket: net.Socket): void {
    this.stats.handshakeErrors++
    this.emit('handshakeError', err, socket)
  }
}

// The network group of a connection's peer; one group for a socket that lost its address (closed).
function groupOf (socket: net.Socket): string {
  const ip = socket.remoteAddress
  return ip === undefined ? 'unroutable' : netGroup(ip.split('%')[0]!)
}

/** Every option createServer() takes, checked at once. */
function checkServerOptions (options: ServerOptions<Mode>): void {
  checkConnectionOptions(options)
  const { v1 } = options
  if (v1 !== undefined && v1 !== 'reject' && v1 !== 'fallback') throw invalid(`v1 must be 'reject' or 'fallback', got ${String(v1)}`)
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
