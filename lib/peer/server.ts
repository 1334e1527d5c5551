/**
 * A server of Peers, as tls.Server is a net.Server with 'secureConnection': a Bip324Server (every
 * limit and event of it) in 'messages' mode whose connections become inbound Peers, emitted as
 * 'peer' once their version handshake is done. With `v1: 'fallback'`, v1 peers become Peers too.
 *
 * No peer can take the process down: a Peer's error before 'peer' (nobody else can listen yet),
 * or later when the application listens for none, is the server's 'peerError', as Bip324Server
 * turns its connections' errors into 'clientError'.
 */

import { SERVICE_FLAGS } from '../network'
import type { EvictionCandidate } from '../net/eviction'
import { Bip324Server, type ServerEvents, type ServerOptions } from '../net/server'
import type { Bip324Socket, ConnectionError } from '../net/socket'
import { checkPeerOptions, type PeerOptions, transportOptions } from './options'
import { Peer, type PeerConnection } from './peer'

/** createServer()'s options (in 'messages' mode, not half-open) and the Peers'. */
export interface PeerServerOptions extends PeerOptions, Omit<ServerOptions<'messages'>, 'mode' | 'allowHalfOpen'> {}

/** A PeerServer's events: a Bip324Server's, and its Peers'. */
export interface PeerServerEvents extends ServerEvents<'messages'> {
  /** An inbound Peer whose version handshake is done. */
  peer: [peer: Peer]
  /** A Peer's error before 'peer', or after it when the application listens for none; the Peer is closed. */
  peerError: [err: ConnectionError, peer: Peer]
}

/** A PeerServer's events, typed (see PeerServerEvents). */
export interface PeerServer {
  on<E extends keyof PeerServerEvents>(event: E, listener: (...args: PeerServerEvents[E]) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<E extends keyof PeerServerEvents>(event: E, listener: (...args: PeerServerEvents[E]) => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
}

/** A Bip324Server whose connections become inbound Peers ('peer'). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PeerServer extends Bip324Server<'messages'> {
  private readonly peerOptions: PeerServerOptions
  // Each v2 connection's Peer, for what eviction weighs of it.
  private readonly peers = new WeakMap<PeerConnection, Peer>()

  constructor (options: PeerServerOptions = {}, listener?: (peer: Peer) => void) {
    checkPeerOptions(options)
    super({ ...transportOptions(options), mode: 'messages', allowHalfOpen: false })
    this.peerOptions = options
    this.on('connection', (connection) => this.adopt(connection))
    if (options.v1 === 'fallback') this.on('v1', (handoff) => this.adopt(handoff))
    if (listener !== undefined) this.on('peer', listener)
  }

  /** At maxConnections, what a Peer adds to the server's inputs: its lowest ping (Core protects the 8
   *  lowest, which an attacker cannot lower without moving closer), whether it asked for
   *  transactions and has the services Core wants of a full peer (NODE_NETWORK, NODE_WITNESS).
   *  Whether its blocks and transactions were novel only the application knows: a subclass sets
   *  lastBlockTime and lastTxTime (calling this one first). */
  protected override evictionCandidate (connection: Bip324Socket<'messages'>, candidate: EvictionCandidate<Bip324Socket<'messages'>>): EvictionCandidate<Bip324Socket<'messages'>> {
    const peer = this.peers.get(connection)
    if (peer === undefined || !peer.ready) return candidate
    const wanted = SERVICE_FLAGS.NODE_NETWORK | SERVICE_FLAGS.NODE_WITNESS
    return {
      ...candidate,
      ...(peer.minPing !== undefined && { minPingTime: peer.minPing }),
      relayTxs: peer.relay === true,
      relevantServices: ((peer.services ?? 0n) & wanted) === wanted
    }
  }

  private adopt (connection: PeerConnection): void {
    const peer = new Peer(connection, { ...this.peerOptions, inbound: true })
    this.peers.set(connection, peer)
    peer.on('error', (err) => {
      if (!peer.ready || peer.listenerCount('error') === 1) this.emit('peerError', err, peer)
    })
    peer.once('ready', () => {
      // Nobody would ever read it or close it.
      if (this.listenerCount('peer') === 0) peer.destroy()
      else this.emit('peer', peer)
    })
  }
}

/** As createServer(), of Peers: ([options][, listener]), the listener added to 'peer'. Call
 *  listen() (or listenAsync()) to start. */
export function createPeerServer (options?: PeerServerOptions, listener?: (peer: Peer) => void): PeerServer
export function createPeerServer (listener?: (peer: Peer) => void): PeerServer
export function createPeerServer (...args: unknown[]): PeerServer {
  const listener = typeof args[args.length - 1] === 'function' ? args.pop() as (peer: Peer) => void : undefined
  return new PeerServer((args[0] ?? {}) as PeerServerOptions, listener)
}
