/**
 * A pool of peers, as Bitcoin Core's CConnman keeps one (src/net.cpp, ThreadOpenConnections and
 * ThreadDNSAddressSeed) with PeerManager's address and transaction relay (src/net_processing.cpp):
 *
 * - Outbound: `outbound` full-relay and `blockRelayOnly` block-relay-only connections (Core's 8
 *   and 2), opened one at a time, at most `maxAttemptsPerSecond`, to addresses drawn from the book
 *   (addrman.ts) as Core draws them: up to 100 draws, none to a network group (/16 IPv4, /32 IPv6)
 *   we already have an outbound connection to (Tor addresses apart, as Core), none tried in the
 *   last 10 minutes in the first 30 draws, none without the services the application requires,
 *   none discouraged, connected already or ourselves; addresses announcing NODE_P2P_V2 first (only
 *   they in the first 20 draws). Every connection tries v2 first; the v1 retry, by Core's rule
 *   (V2Transport::ShouldReconnectV1), only with `v1` allowed.
 * - The book is fed by the application's addresses, the network's DNS seeds (seeds.ts) when the
 *   book is empty or, later, while fewer than 2 outbound peers are up, and gossip: getaddr to
 *   each full-relay outbound peer, addr and addrv2 from any peer but block-relay-only ones,
 *   limited as Core limits them (a token bucket of 0.1 address a second, 1000 after our getaddr).
 * - A peer that closes is replaced at the next draw; one that misbehaves (ERR_BIP324_MISBEHAVIOR,
 *   Core's Misbehaving) is discouraged: no outbound connection to its address, and its inbound
 *   connections are evicted first.
 * - Inbound: listen() runs a PeerServer whose eviction is the public port's (net/eviction.ts).
 *   getaddr from an inbound peer is answered once, from the book (Core: 1000 addresses, 23%).
 * - announce(tx): `inv` by wtxid (by txid to a peer without wtxidrelay) to every full-relay peer
 *   that asked for transactions, and the transaction to whoever of them asks for it by getdata.
 * - Tor: `.onion` addresses only through a SOCKS5 proxy (`onionProxy`, or `proxy`), each
 *   connection with fresh isolation credentials (net/socks.ts); with `proxy`, IPv4 and IPv6 go
 *   through it too, and the DNS seeds are not looked up here unless a resolver is given.
 */

import { EventEmitter } from 'node:events'

import { Bip324Error } from '../errors'
import { checkBoolean, checkInteger, invalid } from '../checks'
import {
  type AddrV2Entry, decodeTransaction, hashToHex, INVENTORY_TYPE, MAX_ADDR_TO_SEND, type Message,
  type InventoryItem, type TimedNetAddress
} from '../messages'
import { parseHostPort } from '../net/ip'
import { checkSocksOptions, type SocksProxy } from '../net/socks'
import type { ConnectionError } from '../net/socket'
import type { EvictionCandidate } from '../net/eviction'
import type { Bip324Socket } from '../net/socket'
import { defaultPortOf, isNetworkName, SERVICE_FLAGS } from '../network'
import { connectPeer, type ConnectPeerOptions } from '../peer/connect'
import type { Peer, RawPeerMessage } from '../peer/peer'
import { PeerServer, type PeerServerOptions } from '../peer/server'
import {
  addressOfAddr, addressOfAddrV2, addrEntryOf, addrV2EntryOf, anyGroup, canonicalHost, formatAddress, networkOf,
  type PeerAddress, type Reachable
} from './address'
import { type AddrInfo, AddrMan } from './addrman'
import { loadAddrMan, saveAddrMan } from './book-file'
import { Discouraged } from './discourage'
import { DNS_SEEDS, resolveSeed, type SeedResolver } from './seeds'

/** Core's default outbound full-relay connections (MAX_OUTBOUND_FULL_RELAY_CONNECTIONS). */
export const DEFAULT_OUTBOUND_FULL_RELAY = 8
/** Core's default block-relay-only connections (MAX_BLOCK_RELAY_ONLY_CONNECTIONS). */
export const DEFAULT_BLOCK_RELAY_ONLY = 2
/** Inbound connections: Core's -maxconnections (125) less the outbound ones. */
export const DEFAULT_MAX_INBOUND = 125 - DEFAULT_OUTBOUND_FULL_RELAY - DEFAULT_BLOCK_RELAY_ONLY
/** Connection attempts a second: Core's ThreadOpenConnections waits 500 ms between them. */
export const DEFAULT_MAX_ATTEMPTS_PER_SECOND = 2
/** Services required of outbound peers by default: Core's desirable services (NODE_NETWORK and
 *  NODE_WITNESS), which it also assumes of DNS seed answers. */
export const DEFAULT_REQUIRED_SERVICES = SERVICE_FLAGS.NODE_NETWORK | SERVICE_FLAGS.NODE_WITNESS

// Core's ThreadOpenConnections: draws per attempt, and the draws after which its rules relax.
const MAX_DRAWS = 100
const RECENT_TRY_DRAWS = 30
const RECENT_TRY = 10 * 60
const V2_FIRST_DRAWS = 20
// Core's ProcessAddrs: 0.1 address a second, a bucket of 1000; the seconds taken off gossip's times.
const ADDR_RATE = 0.1
const MAX_ADDR_TOKENS = 1000
const ADDR_TIME_PENALTY = 2 * 3600
// Core's GetAddr for an inbound getaddr: 23% of the book at most.
const MAX_PCT_ADDR_TO_SEND = 23
// Core's ThreadDNSAddressSeed: at most 256 addresses a seed; with a book, wait 11 s (5 min from
// 1000 addresses on) and skip the seeds once 2 outbound peers are up.
const MAX_SEED_ADDRESSES = 256
const DNSSEEDS_DELAY_FEW_PEERS = 11_000
const DNSSEEDS_DELAY_MANY_PEERS = 5 * 60_000
const DNSSEEDS_DELAY_PEER_THRESHOLD = 1000
const SEEDS_ENOUGH_PEERS = 2
// Outbound connections remembered after their close, for a self-connection found late.
const RECENT_OUTBOUND = 64
// Core's DUMP_PEERS_INTERVAL.
const DUMP_PEERS_INTERVAL = 15 * 60_000
// Transactions kept for getdata after announce(): Core's RELAY_TX_CACHE_TIME, and a count bound.
const RELAY_TX_CACHE_TIME = 15 * 60_000
const MAX_RELAY_TXS = 1000

// The pool's own options, which its Peers do not take.
const POOL_ONLY_OPTIONS = [
  'outbound', 'blockRelayOnly', 'maxInbound', 'addresses', 'dnsSeeds', 'resolver', 'requiredServices', 'v1', 'proxy',
  'onionProxy', 'onlyNet', 'bookFile', 'book', 'maxAttemptsPerSecond', 'netGroup', 'relay'
] as const

/** What a pool's connection is, in Core's words (ConnectionType). */
export type PoolConnectionType = 'outbound-full-relay' | 'block-relay-only' | 'inbound'

/** A peer of the pool, as its events give it. */
export interface PoolPeerInfo {
  /** host:port. */
  address: string
  type: PoolConnectionType
}

/** createPool()'s options: what every Peer says of us, and the pool's own. */
export interface PoolOptions extends Omit<ConnectPeerOptions, 'host' | 'port' | 'socks' | 'v1Fallback' | 'getaddr' | 'localNonces' | 'onMisbehavior' | 'signal'> {
  /** Outbound full-relay connections. Default: 8 (Core's). */
  outbound?: number
  /** Outbound block-relay-only connections: no transactions, no addresses. Default: 2 (Core's). */
  blockRelayOnly?: number
  /** Inbound connections listen() takes (its server's maxConnections). Default: 115 (Core's 125 less the outbound). */
  maxInbound?: number
  /** Addresses to start from: 'host:port', '[v6]:port', a `.onion` name, or { host, port }. */
  addresses?: Array<string | PeerAddress>
  /** The DNS seeds to ask: true for the network's (Core's), false for none, or these names.
   *  Default: true, but none when a proxy is set without a resolver (no DNS query past the proxy). */
  dnsSeeds?: boolean | string[]
  /** Looks up a seed's name. Default: node:dns (resolve4 and resolve6). */
  resolver?: SeedResolver
  /** Services an outbound peer must offer, in the book and in its version. Default: NODE_NETWORK | NODE_WITNESS. */
  requiredServices?: bigint
  /** Allow the v1 retry (Core's rule: the peer closed as a v1 peer does). Default: true, as Core. */
  v1?: boolean
  /** A SOCKS5 proxy for every connection (Core's -proxy): IPv4, IPv6 and `.onion`. */
  proxy?: SocksProxy
  /** A SOCKS5 proxy for `.onion` addresses only (Core's -onion). Default: `proxy`. */
  onionProxy?: SocksProxy
  /** The networks to connect to (Core's -onlynet). Default: IPv4 and IPv6, and onion when a proxy reaches it. */
  onlyNet?: Reachable[]
  /** The address book's file: read at start, written every 15 minutes and at close. */
  bookFile?: string
  /** An address book of your own (AddrMan), instead of a new one or bookFile's. */
  book?: AddrMan
  /** Connection attempts a second at most. Default: 2 (Core's). */
  maxAttemptsPerSecond?: number
  /** The network group of an address (undefined: not routable), for the book and the one
   *  outbound connection per group. Default: Core's (/16, /32, onion). For tests on 127.0.0.x. */
  netGroup?: (host: string) => string | undefined
  /** Full-relay peers should announce transactions to us (our version's relay). Default: true, as Core. */
  relay?: boolean
}

/** The pool's counts (stats()). */
export interface PoolStats {
  outboundFullRelay: number
  blockRelayOnly: number
  inbound: number
  /** Outbound connections not yet through their version handshake. */
  connecting: number
  /** Ready peers over v2, over v1. */
  v2: number
  v1: number
  book: { size: number, new: number, tried: number }
  discouraged: number
  /** Outbound connections attempted since the start. */
  attempts: number
  /** Addresses from addr and addrv2 dropped by the rate limit. */
  addrRateLimited: number
}

/** The events of a Pool, with their arguments. */
export interface PoolEvents {
  /** A peer is ready (its version handshake done, and for outbound, the services required). */
  peer: [peer: Peer, info: PoolPeerInfo]
  /** A ready peer closed; `err` is why, if it failed. */
  peerClosed: [peer: Peer, info: PoolPeerInfo, err: ConnectionError | undefined]
  /** An outbound connection closed before its peer was ready (refused, a failed handshake, another
   *  network, a timeout); `err` is why, when the connection said. */
  attemptFailed: [info: PoolPeerInfo, err: ConnectionError | undefined]
  /** A message from a ready peer. */
  message: [message: Message, peer: Peer, raw: RawPeerMessage]
  /** The book file could not be read (ERR_BIP324_CORRUPT_ADDRMAN, or node:fs's) or written: the pool goes on. */
  bookError: [err: Error]
  /** Every peer is closed and the book saved. */
  close: []
}

/** A Pool's events, typed (see PoolEvents). */
export interface Pool {
  on<E extends keyof PoolEvents>(event: E, listener: (...args: PoolEvents[E]) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<E extends keyof PoolEvents>(event: E, listener: (...args: PoolEvents[E]) => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  emit<E extends keyof PoolEvents>(event: E, ...args: PoolEvents[E]): boolean
  emit(event: string | symbol, ...args: any[]): boolean
}

interface Slot extends PoolPeerInfo {
  peer: Peer
  at: PeerAddress
  group: string
  ready: boolean
  // Core's m_addr_token_bucket and when it was last filled.
  tokens: number
  tokensAt: number
  // An inbound peer's getaddr is answered once (Core's m_getaddr_recvd).
  answeredGetaddr: boolean
  error: ConnectionError | undefined
  // An outbound connection's local port, read once connected (a closed socket no longer tells it).
  localPort: number | undefined
}

interface RelayTx {
  raw: Uint8Array
  txid: Uint8Array
  wtxid: Uint8Array
  hasWitness: boolean
  expires: number
  // The peers it was announced to: only they get it by getdata, as Core serves only what it announced.
  announced: WeakSet<Peer>
}

// The server of a pool: discouraged peers are evicted first (Core's m_prefer_evict).
class PoolServer extends PeerServer {
  constructor (options: PeerServerOptions, private readonly discouraged: Discouraged) {
    super(options)
  }

  protected override evictionCandidate (connection: Bip324Socket<'messages'>, candidate: EvictionCandidate<Bip324Socket<'messages'>>): EvictionCandidate<Bip324Socket<'messages'>> {
    const c = super.evictionCandidate(connection, candidate)
    const host = connection.remoteAddress
    return host !== undefined && this.discouraged.has(host) ? { ...c, preferEvict: true } : c
  }
}

const hex = (hash: Uint8Array): string => Buffer.from(hash).toString('hex')

function checkPoolOptions (o: PoolOptions): void {
  if (o === null || typeof o !== 'object') throw invalid('options must be an object')
  checkInteger(o.outbound, 'outbound', 0, 1000)
  checkInteger(o.blockRelayOnly, 'blockRelayOnly', 0, 1000)
  checkInteger(o.maxInbound, 'maxInbound', 1, 2 ** 31 - 1)
  checkInteger(o.maxAttemptsPerSecond, 'maxAttemptsPerSecond', 1, 1000)
  checkBoolean(o.v1, 'v1')
  checkBoolean(o.relay, 'relay')
  if (o.requiredServices !== undefined && !(typeof o.requiredServices === 'bigint' && o.requiredServices >= 0n && o.requiredServices < 2n ** 64n)) {
    throw invalid('requiredServices must be a bigint of 64 bits')
  }
  if (o.dnsSeeds !== undefined && typeof o.dnsSeeds !== 'boolean' && !(Array.isArray(o.dnsSeeds) && o.dnsSeeds.every((s) => typeof s === 'string'))) {
    throw invalid('dnsSeeds must be a boolean or a list of names')
  }
  if (o.resolver !== undefined && typeof o.resolver !== 'function') throw invalid('resolver must be a function')
  if (o.netGroup !== undefined && typeof o.netGroup !== 'function') throw invalid('netGroup must be a function')
  if (o.proxy !== undefined) checkSocksOptions(o.proxy, '127.0.0.1')
  if (o.onionProxy !== undefined) checkSocksOptions(o.onionProxy, '127.0.0.1')
  if (o.onlyNet !== undefined && !(Array.isArray(o.onlyNet) && o.onlyNet.length > 0 && o.onlyNet.every((n) => n === 'ipv4' || n === 'ipv6' || n === 'onion'))) {
    throw invalid('onlyNet must be a non-empty list of \'ipv4\', \'ipv6\', \'onion\'')
  }
  if (o.onlyNet?.includes('onion') === true && o.proxy === undefined && o.onionProxy === undefined) throw invalid('onlyNet has onion: a proxy (proxy or onionProxy) is needed to reach it')
  if (o.bookFile !== undefined && (typeof o.bookFile !== 'string' || o.bookFile === '')) throw invalid('bookFile must be a path')
  if (o.book !== undefined && !(o.book instanceof AddrMan)) throw invalid('book must be an AddrMan')
  if (o.book !== undefined && o.bookFile !== undefined) throw invalid('book and bookFile: give one')
  if (o.addresses !== undefined && !Array.isArray(o.addresses)) throw invalid('addresses must be a list')
}

/** A pool of peers: see the file's comment and the README's "Quick start: a pool". */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Pool extends EventEmitter {
  /** The address book. */
  book: AddrMan
  private readonly options: PoolOptions
  // What every Peer is told: the options that are not the pool's own.
  private readonly peerOptions: ConnectPeerOptions
  private readonly defaultPort: number
  private readonly required: bigint
  private readonly reachable: ReadonlySet<Reachable>
  private readonly slots = new Map<Peer, Slot>()
  // host:port of every connection, both ways, and of addresses that turned out to be ourselves.
  private readonly connectedTo = new Set<string>()
  private readonly self = new Set<string>()
  // The local ports of the last outbound connections that closed, and their addresses: the
  // outbound side of a connection to ourselves may close before its inbound side reports it.
  private readonly recentOutbound = new Map<number, string>()
  private readonly discouraged = new Discouraged()
  // Our outbound Peers' nonces during their version handshake, shared with the server: a
  // connection to ourselves is found either way (Core's CheckIncomingNonce).
  private readonly localNonces = new Set<bigint>()
  private readonly relayTxs = new Map<string, RelayTx>()
  private readonly relayByTxid = new Map<string, RelayTx>()
  private server: PoolServer | undefined
  private ticker: NodeJS.Timeout | undefined
  private readonly timers = new Set<NodeJS.Timeout>()
  /** One lifecycle: made, running (start() called), closing (close() called), closed ('close' emitted). */
  private life: 'made' | 'running' | 'closing' | 'closed' = 'made'
  private attempts = 0
  private addrRateLimited = 0
  private referenced = true

  constructor (options: PoolOptions = {}) {
    super()
    checkPoolOptions(options)
    const { addresses: _a, ...rest } = options
    this.options = rest
    const peerOptions: Record<string, unknown> = { ...rest }
    for (const key of POOL_ONLY_OPTIONS) delete peerOptions[key]
    this.peerOptions = peerOptions as ConnectPeerOptions
    const port = defaultPortOf(options.network)
    if (port === undefined) throw invalid('a pool needs a named network: its default port and DNS seeds')
    this.defaultPort = port
    this.required = options.requiredServices ?? DEFAULT_REQUIRED_SERVICES
    const onion = options.onionProxy ?? options.proxy
    this.reachable = new Set(options.onlyNet ?? (onion !== undefined ? ['ipv4', 'ipv6', 'onion'] : ['ipv4', 'ipv6']))
    this.book = options.book ?? this.newBook()
    if (options.addresses !== undefined) this.addAddresses(options.addresses)
  }

  /** Adds addresses to the book, as the application's (taken even when not routable): 'host:port',
   *  '[v6]:port', a name without a port (the network's), or { host, port }. A host must be an IP
   *  address or a Tor v3 `.onion` name (ERR_BIP324_INVALID_ARG otherwise). They are assumed to
   *  offer the required services until their version says. */
  addAddresses (addresses: Array<string | PeerAddress>): void {
    const time = this.book.now()
    const parsed = addresses.map((a) => {
      const { host, port } = typeof a === 'string' ? parseHostPort(a, this.defaultPort) : a
      const canonical = typeof host === 'string' ? canonicalHost(host) : undefined
      if (canonical === undefined) throw invalid(`a pool's address is an IP address or a .onion name, got ${String(host)}`)
      checkInteger(port, 'port', 1, 65535)
      return { host: canonical, port, services: this.required, time }
    })
    this.book.add(parsed, { trusted: true })
    this.schedule()
  }

  /** Starts connecting: reads bookFile (if any), then draws addresses and asks the DNS seeds.
   *  `callback` once the book is read. Returns this. */
  start (callback?: () => void): this {
    if (this.life !== 'made') throw new Bip324Error('ERR_BIP324_BAD_STATE', this.life === 'running' ? 'the pool has started already' : 'the pool is closed')
    this.life = 'running'
    const begin = (): void => {
      if (this.life !== 'running') return
      this.ticker = setInterval(() => this.tick(), Math.ceil(1000 / (this.options.maxAttemptsPerSecond ?? DEFAULT_MAX_ATTEMPTS_PER_SECOND)))
      if (!this.referenced) this.ticker.unref()
      this.tick()
      this.scheduleSeeds()
      if (this.options.bookFile !== undefined) this.every(DUMP_PEERS_INTERVAL, () => { void this.saveBook() })
      callback?.()
    }
    const file = this.options.bookFile
    if (file === undefined) { process.nextTick(begin); return this }
    loadAddrMan(file, this.network, this.bookOptions()).then((book) => {
      // What the application added meanwhile goes into the book read.
      for (const e of this.book.entries()) book.add([e], { trusted: true })
      this.book = book
    }, (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.emit('bookError', err)
    }).finally(begin)
    return this
  }

  /** Listens for inbound peers, as net.Server's listen() (a PeerServer with maxInbound, the pool's
   *  Peer options, v1 peers as `v1` allows). The server is `pool.server`. */
  listen (...args: unknown[]): PeerServer {
    if (this.server !== undefined) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'the pool listens already')
    const server = new PoolServer({
      ...this.peerOptions,
      relay: this.options.relay ?? true,
      maxConnections: this.options.maxInbound ?? DEFAULT_MAX_INBOUND,
      localNonces: this.localNonces,
      ...(this.options.v1 !== false && { v1: 'fallback' as const })
    }, this.discouraged)
    server.on('peer', (peer) => this.adopt(peer, { host: peer.remoteAddress ?? '', port: peer.remotePort ?? 0 }, 'inbound', true))
    server.on('peerError', (err, peer) => {
      // A connection to ourselves is found on its inbound side: its outbound side is the
      // address to leave alone.
      if ((err as { code?: string }).code !== 'ERR_BIP324_SELF_CONNECTION' || peer.remotePort === undefined) return
      for (const s of this.slots.values()) {
        if (s.type !== 'inbound' && s.localPort === peer.remotePort) this.self.add(s.address)
      }
      const closed = this.recentOutbound.get(peer.remotePort)
      if (closed !== undefined) this.self.add(closed)
    })
    this.server = server
    ;(server.listen as (...a: unknown[]) => unknown)(...args)
    return server
  }

  /** The server listen() started, if any. */
  get peerServer (): PeerServer | undefined { return this.server }

  /** The ready peers, with what they are. */
  get peers (): Array<{ peer: Peer } & PoolPeerInfo> {
    return [...this.slots.values()].filter((s) => s.ready).map(({ peer, address, type }) => ({ peer, address, type }))
  }

  /** The pool's counts. */
  stats (): PoolStats {
    const ready = [...this.slots.values()].filter((s) => s.ready)
    return {
      outboundFullRelay: ready.filter((s) => s.type === 'outbound-full-relay').length,
      blockRelayOnly: ready.filter((s) => s.type === 'block-relay-only').length,
      inbound: ready.filter((s) => s.type === 'inbound').length,
      connecting: [...this.slots.values()].filter((s) => !s.ready).length,
      v2: ready.filter((s) => s.peer.transport === 'v2').length,
      v1: ready.filter((s) => s.peer.transport === 'v1').length,
      book: { size: this.book.size, new: this.book.sizeNew, tried: this.book.sizeTried },
      discouraged: this.discouraged.size,
      attempts: this.attempts,
      addrRateLimited: this.addrRateLimited
    }
  }

  /** Discourages a host (Core's Discourage): no outbound connection to it, its inbound connections
   *  evicted first, and its connections now closed. For what the application finds wrong. */
  discourage (host: string): void {
    this.discouraged.add(host)
    const key = canonicalHost(host) ?? host
    for (const s of this.slots.values()) if (s.at.host === key) s.peer.destroy()
  }

  /** Whether a host is discouraged. */
  isDiscouraged (host: string): boolean {
    return this.discouraged.has(host)
  }

  /**
   * Up to `count` addresses from the book that the pool would connect to now (reachable, not
   * discouraged, not connected, with the required services unless `anyServices`), each of its own
   * network group: for short-lived connections of the application's (a private broadcast, a census).
   */
  selectAddresses (count: number, options: { anyServices?: boolean } = {}): PeerAddress[] {
    checkInteger(count, 'count', 0, 10_000)
    const out: PeerAddress[] = []
    const groups = new Set<string>()
    for (let draws = 0; out.length < count && draws < count * MAX_DRAWS; draws++) {
      const info = this.book.select()
      if (info === undefined) break
      const group = this.groupOf(info.host)
      if (groups.has(group) || out.some((a) => a.host === info.host && a.port === info.port)) continue
      if (!this.eligible(info, draws, options.anyServices === true)) continue
      groups.add(group)
      out.push({ host: info.host, port: info.port })
    }
    return out
  }

  /**
   * Announces a transaction (its serialization) to the full-relay peers that asked for
   * transactions: `inv` by wtxid to those that sent wtxidrelay, by txid to the others; the
   * transaction goes to whoever of them asks with getdata in the next 15 minutes (Core's relay
   * cache; the 1000 latest are kept). Returns its ids (hex, as displayed) and how many peers got
   * the inv. ERR_BIP324_BAD_PAYLOAD if it is not a transaction.
   */
  announce (tx: Uint8Array): { txid: string, wtxid: string, peers: number } {
    const decoded = decodeTransaction(tx)
    const entry: RelayTx = {
      raw: decoded.raw,
      txid: decoded.txid,
      wtxid: decoded.wtxid,
      hasWitness: decoded.hasWitness,
      expires: Date.now() + RELAY_TX_CACHE_TIME,
      announced: new WeakSet()
    }
    this.keepRelayTx(entry)
    let peers = 0
    for (const s of this.slots.values()) {
      if (!s.ready || s.type === 'block-relay-only' || s.peer.relay !== true) continue
      const wtxidRelay = s.peer.features.wtxidRelay
      s.peer.send({ type: 'inv', inventory: [wtxidRelay ? { invType: INVENTORY_TYPE.MSG_WTX, hash: entry.wtxid } : { invType: INVENTORY_TYPE.MSG_TX, hash: entry.txid }] })
      entry.announced.add(s.peer)
      peers++
    }
    return { txid: hashToHex(entry.txid), wtxid: hashToHex(entry.wtxid), peers }
  }

  /** Writes the book to bookFile now (nothing without one). */
  async saveBook (): Promise<void> {
    const file = this.options.bookFile
    if (file === undefined) return
    try {
      await saveAddrMan(file, this.book, this.network)
    } catch (err) {
      this.emit('bookError', err as Error)
    }
  }

  /** As a server's: the pool no longer keeps the process alive by itself (its connections still do). */
  unref (): this {
    this.referenced = false
    this.ticker?.unref()
    return this
  }

  ref (): this {
    this.referenced = true
    this.ticker?.ref()
    return this
  }

  /** Stops connecting, closes the server and every peer (Peer.close: a FIN both ways), writes the
   *  book, then 'close' and `callback`. */
  close (callback?: () => void): this {
    if (callback !== undefined) {
      if (this.life === 'closed') process.nextTick(callback)
      else this.once('close', callback)
    }
    if (this.life === 'closing' || this.life === 'closed') return this
    this.life = 'closing'
    clearInterval(this.ticker)
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    const server = this.server
    const serverClosed = server === undefined ? undefined : new Promise<void>((resolve) => { server.close(() => resolve()) })
    const peersClosed = [...this.slots.values()].map((s) => new Promise<void>((resolve) => s.peer.close(resolve)))
    void Promise.all(peersClosed)
      .then(() => {
        // Connections still in their transport handshake, which no Peer holds yet.
        server?.closeAllConnections()
        return serverClosed
      })
      .then(() => this.saveBook())
      .then(() => {
        this.life = 'closed'
        this.emit('close')
      })
    return this
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await new Promise<void>((resolve) => this.close(resolve))
  }

  private get network (): NonNullable<PoolOptions['network']> {
    return this.options.network ?? 'mainnet'
  }

  private bookOptions (): { netGroup?: (host: string) => string | undefined } {
    return this.options.netGroup === undefined ? {} : { netGroup: this.options.netGroup }
  }

  private newBook (): AddrMan {
    return new AddrMan(this.bookOptions())
  }

  private groupOf (host: string): string {
    return this.options.netGroup === undefined ? anyGroup(host) : this.options.netGroup(host) ?? anyGroup(host)
  }

  private every (ms: number, fn: () => void): void {
    const t = setInterval(fn, ms).unref()
    this.timers.add(t)
  }

  private after (ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); fn() }, ms).unref()
    this.timers.add(t)
  }

  // A draw soon, not at the next tick: something changed (a peer closed, addresses came).
  private schedule (): void {
    if (this.life !== 'running') return
    setImmediate(() => this.tick())
  }

  private count (type: PoolConnectionType): number {
    let n = 0
    for (const s of this.slots.values()) if (s.type === type) n++
    return n
  }

  // Core's ThreadOpenConnections, one attempt at a time.
  private tick (): void {
    if (this.life !== 'running') return
    const full = this.options.outbound ?? DEFAULT_OUTBOUND_FULL_RELAY
    const blockOnly = this.options.blockRelayOnly ?? DEFAULT_BLOCK_RELAY_ONLY
    const type: PoolConnectionType | undefined = this.count('outbound-full-relay') < full
      ? 'outbound-full-relay'
      : this.count('block-relay-only') < blockOnly ? 'block-relay-only' : undefined
    if (type === undefined) return
    // Tick's own rate: one attempt per interval, even when schedule() calls in between.
    const now = Date.now()
    const interval = 1000 / (this.options.maxAttemptsPerSecond ?? DEFAULT_MAX_ATTEMPTS_PER_SECOND)
    if (now - this.lastAttemptAt < interval) return
    const address = this.draw()
    if (address === undefined) return
    this.lastAttemptAt = now
    this.connectTo(address, type)
  }

  private lastAttemptAt = 0

  private draw (): AddrInfo | undefined {
    const outboundGroups = new Set<string>()
    for (const s of this.slots.values()) if (s.type !== 'inbound' && networkOf(s.at.host) !== 'onion') outboundGroups.add(s.group)
    for (let draws = 0; draws < MAX_DRAWS; draws++) {
      const info = this.book.select()
      if (info === undefined) return undefined
      if (networkOf(info.host) !== 'onion' && outboundGroups.has(this.groupOf(info.host))) continue
      if (!this.eligible(info, draws, false)) continue
      return info
    }
    return undefined
  }

  // Core's checks of a drawn address, as ThreadOpenConnections and OpenNetworkConnection make them.
  private eligible (info: AddrInfo, draws: number, anyServices: boolean): boolean {
    const network = networkOf(info.host)
    if (network === undefined || !this.reachable.has(network)) return false
    const key = formatAddress(info)
    if (this.connectedTo.has(key) || this.self.has(key) || this.discouraged.has(info.host)) return false
    if (draws < RECENT_TRY_DRAWS && this.book.now() - info.lastTry < RECENT_TRY) return false
    if (!anyServices && (info.services & this.required) !== this.required) return false
    if (draws < V2_FIRST_DRAWS && (info.services & SERVICE_FLAGS.NODE_P2P_V2) === 0n) return false
    return true
  }

  private proxyFor (host: string): SocksProxy | undefined {
    return networkOf(host) === 'onion' ? this.options.onionProxy ?? this.options.proxy : this.options.proxy
  }

  private connectTo (address: PeerAddress, type: Exclude<PoolConnectionType, 'inbound'>): void {
    const socks = this.proxyFor(address.host)
    this.attempts++
    this.book.attempt(address, true)
    const { v1, relay } = this.options
    const peer = connectPeer({
      ...this.peerOptions,
      host: address.host,
      port: address.port,
      ...(socks !== undefined && { socks }),
      v1Fallback: v1 !== false,
      localNonces: this.localNonces,
      relay: type === 'outbound-full-relay' && relay !== false,
      getaddr: type === 'outbound-full-relay'
    })
    this.adopt(peer, address, type, false)
  }

  private adopt (peer: Peer, at: PeerAddress, type: PoolConnectionType, ready: boolean): void {
    const host = canonicalHost(at.host) ?? at.host
    const slot: Slot = {
      peer,
      at: { host, port: at.port },
      address: formatAddress({ host, port: at.port }),
      type,
      group: this.groupOf(host),
      ready: false,
      tokens: 1,
      tokensAt: Date.now(),
      answeredGetaddr: false,
      error: undefined,
      localPort: undefined
    }
    this.slots.set(peer, slot)
    this.connectedTo.add(slot.address)
    peer.on('error', (err) => { this.onError(slot, err) })
    peer.once('close', () => { this.onClose(slot) })
    peer.on('message', (message, raw) => { this.onMessage(slot, message, raw) })
    if (type !== 'inbound') peer.socket.once('connect', () => { slot.localPort = peer.socket.localPort })
    if (this.life === 'closing' || this.life === 'closed') { peer.close(); return }
    if (ready) this.onReady(slot)
    else peer.once('ready', () => { this.onReady(slot) })
  }

  private onReady (slot: Slot): void {
    const { peer } = slot
    if (slot.type !== 'inbound') {
      const services = peer.services ?? 0n
      // Core: "peer does not offer the expected services": disconnected, not discouraged.
      if ((services & this.required) !== this.required) {
        this.book.setServices(slot.at, services)
        peer.close()
        return
      }
      this.book.good(slot.at)
      this.book.setServices(slot.at, services)
      // The tokens our getaddr's answer may spend (Core adds MAX_ADDR_TO_SEND when it sends one).
      if (slot.type === 'outbound-full-relay') slot.tokens += MAX_ADDR_TO_SEND
    }
    slot.ready = true
    this.emit('peer', peer, { address: slot.address, type: slot.type })
  }

  private onError (slot: Slot, err: ConnectionError): void {
    slot.error = err
    const code = (err as { code?: string }).code
    if (code === 'ERR_BIP324_MISBEHAVIOR') this.discouraged.add(slot.at.host)
    if (code === 'ERR_BIP324_SELF_CONNECTION' && slot.type !== 'inbound') this.self.add(slot.address)
  }

  private onClose (slot: Slot): void {
    this.slots.delete(slot.peer)
    this.connectedTo.delete(slot.address)
    const localPort = slot.localPort
    if (slot.type !== 'inbound' && localPort !== undefined) {
      this.recentOutbound.set(localPort, slot.address)
      if (this.recentOutbound.size > RECENT_OUTBOUND) this.recentOutbound.delete(this.recentOutbound.keys().next().value as number)
    }
    if (slot.ready) {
      if (slot.type !== 'inbound') this.book.connected(slot.at)
      this.emit('peerClosed', slot.peer, { address: slot.address, type: slot.type }, slot.error)
    } else if (slot.type !== 'inbound' && this.life === 'running') {
      // (Not the connections close() ends: those did not fail.)
      this.emit('attemptFailed', { address: slot.address, type: slot.type }, slot.error)
    }
    this.schedule()
  }

  private onMessage (slot: Slot, message: Message, raw: RawPeerMessage): void {
    if (!slot.ready) return
    if (message.type === 'addr' || message.type === 'addrv2') this.onAddr(slot, message.addresses)
    else if (message.type === 'getaddr') this.onGetaddr(slot)
    else if (message.type === 'getdata') this.onGetdata(slot, message.inventory)
    this.emit('message', message, slot.peer, raw)
  }

  // Core's ProcessAddrs.
  private onAddr (slot: Slot, entries: Array<TimedNetAddress | AddrV2Entry>): void {
    if (slot.type === 'block-relay-only') return
    const nowMs = Date.now()
    slot.tokens = Math.min(MAX_ADDR_TOKENS, slot.tokens + (nowMs - slot.tokensAt) / 1000 * ADDR_RATE)
    slot.tokensAt = nowMs
    const now = this.book.now()
    const wanted: Array<PeerAddress & { services: bigint, time: number }> = []
    for (const e of entries) {
      if (slot.tokens < 1) { this.addrRateLimited++; continue }
      slot.tokens--
      const at = 'networkId' in e ? addressOfAddrV2(e) : addressOfAddr(e)
      if (at === undefined || this.discouraged.has(at.host)) continue
      // Core takes an address only if it may serve blocks: what an outbound connection requires.
      if ((e.services & this.required) !== this.required) continue
      // A time in the far past or the future: 5 days ago, as Core sets it.
      const time = e.time <= 100_000_000 || e.time > now + 10 * 60 ? now - 5 * 24 * 3600 : e.time
      wanted.push({ ...at, services: e.services, time })
    }
    if (wanted.length > 0 && this.book.add(wanted, { host: slot.at.host, timePenalty: ADDR_TIME_PENALTY }) > 0) this.schedule()
  }

  // Core answers getaddr from inbound peers only, once a connection.
  private onGetaddr (slot: Slot): void {
    if (slot.type !== 'inbound' || slot.answeredGetaddr) return
    slot.answeredGetaddr = true
    const peer = slot.peer
    const book = this.book.getAddr(MAX_ADDR_TO_SEND, MAX_PCT_ADDR_TO_SEND)
    if (peer.features.addrv2) {
      peer.send({ type: 'addrv2', addresses: book.map((a) => addrV2EntryOf(a.host, a.port, a.services, a.time)) })
    } else {
      const addresses = book.flatMap((a) => addrEntryOf(a.host, a.port, a.services, a.time) ?? [])
      peer.send({ type: 'addr', addresses })
    }
  }

  private keepRelayTx (entry: RelayTx): void {
    const now = Date.now()
    for (const [key, t] of this.relayTxs) {
      if (t.expires > now && this.relayTxs.size < MAX_RELAY_TXS) break
      this.relayTxs.delete(key)
      this.relayByTxid.delete(hex(t.txid))
    }
    this.relayTxs.delete(hex(entry.wtxid))
    this.relayTxs.set(hex(entry.wtxid), entry)
    this.relayByTxid.set(hex(entry.txid), entry)
  }

  // Core's ProcessGetData for transactions: what we announced to this peer, else notfound. As
  // Core stops at a full send buffer (fPauseSend), the rest of a request is dropped once send()
  // says the buffer is full: a getdata naming one transaction 50,000 times costs one buffer.
  private onGetdata (slot: Slot, inventory: InventoryItem[]): void {
    const notFound: InventoryItem[] = []
    const now = Date.now()
    for (const item of inventory) {
      if (slot.peer.destroyed) return
      const type = item.invType
      const tx = type === INVENTORY_TYPE.MSG_WTX
        ? this.relayTxs.get(hex(item.hash))
        : type === INVENTORY_TYPE.MSG_TX || type === INVENTORY_TYPE.MSG_WITNESS_TX ? this.relayByTxid.get(hex(item.hash)) : undefined
      if (type !== INVENTORY_TYPE.MSG_WTX && type !== INVENTORY_TYPE.MSG_TX && type !== INVENTORY_TYPE.MSG_WITNESS_TX) continue
      // MSG_TX asks for the serialization without witness, which we do not strip: only a
      // transaction without witness data is served so.
      if (tx === undefined || tx.expires <= now || !tx.announced.has(slot.peer) || (type === INVENTORY_TYPE.MSG_TX && tx.hasWitness)) {
        notFound.push(item)
        continue
      }
      if (!slot.peer.sendRaw('tx', tx.raw)) break
    }
    if (notFound.length > 0) slot.peer.send({ type: 'notfound', inventory: notFound })
  }

  // Core's ThreadDNSAddressSeed.
  private scheduleSeeds (): void {
    const { dnsSeeds = this.options.proxy === undefined || this.options.resolver !== undefined } = this.options
    const network = this.network
    const names = dnsSeeds === true ? (isNetworkName(network) ? DNS_SEEDS[network] : []) : dnsSeeds === false ? [] : dnsSeeds
    if (names.length === 0) return
    const delay = this.book.size === 0 ? 0 : this.book.size < DNSSEEDS_DELAY_PEER_THRESHOLD ? DNSSEEDS_DELAY_FEW_PEERS : DNSSEEDS_DELAY_MANY_PEERS
    this.after(delay, () => {
      if (delay > 0 && this.stats().outboundFullRelay >= SEEDS_ENOUGH_PEERS) return
      for (const name of names) void this.querySeed(name)
    })
  }

  private async querySeed (name: string): Promise<void> {
    let ips: string[]
    try {
      ips = await (this.options.resolver ?? resolveSeed)(name)
    } catch {
      return
    }
    if (this.life !== 'running' || !Array.isArray(ips)) return
    const now = this.book.now()
    const port = this.defaultPort
    // Core gives seed answers a random age of 3 to 7 days, and the seed's name as their source.
    const found = ips.slice(0, MAX_SEED_ADDRESSES).flatMap((ip) => {
      const host = typeof ip === 'string' ? canonicalHost(ip) : undefined
      return host === undefined || networkOf(host) === 'onion' ? [] : [{ host, port, services: DEFAULT_REQUIRED_SERVICES, time: now - 3 * 86400 - Math.floor(Math.random() * 4 * 86400) }]
    })
    if (this.book.add(found, { group: `seed:${name}` }) > 0) this.schedule()
  }
}

/** A pool of peers (see Pool); call start(). */
export function createPool (options?: PoolOptions): Pool {
  return new Pool(options)
}
