/**
 * A Bitcoin peer over a BIP-324 connection (or plain v1 after a fallback): the version handshake,
 * the rules of message order, pings, and typed messages after 'ready', as Bitcoin Core's
 * PeerManagerImpl (src/net_processing.cpp) does them.
 *
 * - Outbound, our version goes first (Core's PushNodeVersion once the transport is up); inbound,
 *   it answers the peer's. On the peer's version we send wtxidrelay and sendaddrv2 (common version
 *   70016 or more), our BIP-434 features (70017 or more), then verack: Core disconnects a peer
 *   sending any of them after verack. The peer's features are kept, at most MAX_ADVERTISED_FEATURES.
 *   'ready' comes with the peer's verack; then what the options ask for (sendheaders, sendcmpct,
 *   feefilter, getaddr), whatever send() queued before, and our first ping, as Core's
 *   MaybeSendPing sends one as soon as the handshake is done.
 * - The peer's messages are judged by rules.ts. A version below MIN_PEER_PROTO_VERSION, or one
 *   carrying a nonce of ours (a connection to ourselves, Core's CheckIncomingNonce), disconnects;
 *   so does an unfinished handshake at versionTimeout (Core's InactivityCheck, -peertimeout).
 * - Pings: one every pingInterval once the last is answered, a disconnect if one waits pingTimeout
 *   for its pong (Core's PING_INTERVAL and TIMEOUT_INTERVAL). Pongs are read as Core reads them: a
 *   wrong nonce is ignored (pings may overlap), a zero nonce or a short payload cancels the ping.
 * - Requests (requests.ts, header-sync.ts): getHeaders, syncHeaders, getBlock(s), getTransaction and
 *   the BIP-157 ones, each matched to its answer as Core sends it; the answer is emitted as
 *   'message' too. Closing rejects every request with the Peer's error.
 * - Bounds: what the peer sends is bounded by the transport (and, over v1, by the framing's payload
 *   limit); messages held back while 'ready' is handled stay in the transport's receive buffer;
 *   send() before 'ready' queues at most maxSendBuffer bytes (payloads plus 400 bytes each) and
 *   one message.
 */

import { EventEmitter, setMaxListeners } from 'node:events'
import type { Socket } from 'node:net'

import { Bip324Error } from '../errors'
import {
  type BlockHeader, type CFCheckptMessage, type CFHeadersMessage, type CFilterMessage, commandOf, encodePayload, type Feature,
  type FeatureMessage, hashFromHex, isKnownMessage, MAX_LOCATOR_SZ, MAX_PROTOCOL_MESSAGE_LENGTH, type Message, type VersionMessage
} from '../messages'
import { checkBoolean, checkBytes, checkInteger, invalid } from '../checks'
import { writeCommand } from '../messages/command'
import { abortError } from '../net/abort'
import type { Bip324Socket, ConnectionError, V1Connection, V1Handoff, WriteCallback } from '../net/socket'
import { isNetworkName, magicOf, NETWORKS, SERVICE_FLAGS, serviceNames } from '../network'
import {
  BIP0031_VERSION, FEATURE_VERSION, FEEFILTER_VERSION, MAX_MONEY, MIN_PEER_PROTO_VERSION, SENDHEADERS_VERSION, SHORT_IDS_BLOCKS_VERSION,
  WTXID_RELAY_VERSION
} from './constants'
import { decodeMessage } from './decode'
import { type HeadersRound, syncHeaders, type SyncHeadersOptions } from './header-sync'
import { type Link, type LinkSink, v1Link, v2Link } from './link'
import { checkPeerOptions, type PeerOptions, peerSettingsOf, type PeerSettings, type SendCmpct } from './options'
import { PendingSends } from './pending-sends'
import { type PingCallback, Pinger } from './pinger'
import { checkRequestOptions, MAX_BLOCKS_IN_TRANSIT_PER_PEER, type RequestOptions, Requests } from './requests'
import { judge, malformed, type Misbehavior, type Stage } from './rules'
import { encodeOurVersion, randomNonce } from './version'

/** What a Peer runs over: a BIP-324 connection in 'messages' mode, or a plain v1 socket (connect()'s
 *  v1Fallback gives `{ transport: 'v1', socket }`, a server's v1 handoff `{ transport: 'v1', socket, data }`). */
export type PeerConnection = Bip324Socket<'messages'> | V1Connection | V1Handoff

/** `new Peer()`'s options: the Peer's, and which side opened the connection. */
export interface PeerConstructorOptions extends PeerOptions {
  /** true: the peer connected to us, and we answer its version. Default: false (we connected). */
  inbound?: boolean
  /** Destroys the Peer (with an AbortError) when aborted. */
  signal?: AbortSignal
  /** true: the connection goes through a proxy (connectPeer's `socks`), so the TCP socket's remote
   *  address is the proxy's, and our version names no address for the peer, as Core's does for a
   *  proxied peer. Default: false. */
  proxied?: boolean
  /** @internal A private-broadcast connection (lib/pool/broadcast.ts), as Bitcoin Core's
   *  ConnectionType::PRIVATE_BROADCAST: a version that says nothing of us (no services, NODE_P2P_V2
   *  included; time 0; no addresses, as PushNodeVersion's private-broadcast branch), and no pong,
   *  which Core's IsOutboundMessageAllowedInPrivateBroadcast does not let out. */
  privateBroadcast?: boolean
}

/** A message as it came: its type and payload bytes. */
export interface RawPeerMessage {
  type: string
  payload: Uint8Array
}

/** What the peer asked of us, as Core keeps it per peer (m_wtxid_relay, m_wants_addrv2,
 *  m_prefers_headers, the sendcmpct it sent, m_fee_filter_received). */
export interface PeerFeatures {
  /** BIP-339: both sides sent wtxidrelay before verack: transactions are announced by wtxid. */
  wtxidRelay: boolean
  /** BIP-155: the peer sent sendaddrv2: it wants addresses as addrv2. */
  addrv2: boolean
  /** BIP-130: the peer sent sendheaders: it wants new blocks announced by headers. */
  sendHeaders: boolean
  /** BIP-152: the peer's latest sendcmpct (version 2 is the one Core takes; announce: it asked for
   *  high-bandwidth mode). Undefined if it sent none. */
  compactBlocks?: SendCmpct
  /** BIP-133: the peer's latest feefilter within MAX_MONEY, satoshis per 1000 vbytes. Undefined if none. */
  feeFilter?: bigint
}

/** The events of a Peer, with their arguments. */
export interface PeerEvents {
  /** The version handshake is done, verack both ways: what the peer said is known. */
  ready: []
  /** A message after 'ready', typed (decodePayload's union), with its type and payload as they came. */
  message: [message: Message, raw: RawPeerMessage]
  /** The peer broke a rule; the connection stays unless onMisbehavior (or Core's verdict) says disconnect. */
  misbehavior: [report: Misbehavior]
  /** send() may be called again after it returned false. */
  drain: []
  /** A Bip324Error (ERR_BIP324_MISBEHAVIOR, ..._PING_TIMEOUT, ...), or Node's (ECONNRESET, ABORT_ERR, ...). */
  error: [err: ConnectionError]
  /** The connection is closed; `hadError` if an 'error' came before. */
  close: [hadError: boolean]
}

export type { PingCallback }

/** getHeaders()'s options. */
export interface GetHeadersOptions extends RequestOptions {
  /** The hash of the last header wanted (internal byte order). Default: none (all zero): up to
   *  2,000. With an empty locator, the one header asked for. */
  stop?: Uint8Array
}

/** getBlock()'s options. */
export interface GetBlockOptions extends RequestOptions {
  /** Ask for the block with its witnesses (MSG_WITNESS_BLOCK), as Core does of a NODE_WITNESS peer;
   *  false: without (MSG_BLOCK). Default: true. */
  witness?: boolean
}

/** getBlocks()'s options: getBlock()'s, each block's own. */
export interface GetBlocksOptions extends GetBlockOptions {
  /** Blocks asked for and not yet yielded, at most. Default and most: 16 (Core's
   *  MAX_BLOCKS_IN_TRANSIT_PER_PEER). */
  inFlight?: number
}

/** getTransaction()'s options. */
export interface GetTransactionOptions extends RequestOptions {
  /** 'txid' (MSG_WITNESS_TX, or MSG_TX without witnesses) or 'wtxid' (MSG_WTX, BIP-339). Default: 'txid'. */
  by?: 'txid' | 'wtxid'
  /** By txid: ask for the witnesses too (MSG_WITNESS_TX). Default: true. */
  witness?: boolean
}

/**
 * Where a Peer is, beside its version handshake's stage (by which rules.ts judges messages):
 * - open: both ways;
 * - ending: end() was called: nothing of ours goes out any more (no pong, no ping, a version
 *   handshake under way is abandoned); after 'ready', the peer's messages are still emitted until
 *   it closes, as a half-closed socket still reads;
 * - destroyed: destroy() was called, 'close' is coming;
 * - closed: the connection closed, 'close' was emitted.
 */
type Life = 'open' | 'ending' | 'destroyed' | 'closed'

/** Milliseconds close() waits for the peer to close its side before destroying: Core closes at
 *  once on our end. */
const CLOSE_TIMEOUT = 2_000

/** Messages of the version handshake, which the Peer sends itself. */
const HANDSHAKE_MESSAGES: ReadonlySet<string> = new Set(['version', 'verack', 'wtxidrelay', 'sendaddrv2', 'sendtxrcncl', 'feature'])
/** The peer's BIP-434 features a Peer keeps, the first ones it sends: a peer may send any number
 *  before its verack, and no negotiation needs this many. Past them, features are dropped, as Core
 *  drops the ones it does not know. */
const MAX_ADVERTISED_FEATURES = 64
const EMPTY = new Uint8Array(0)

function closedError (): Error {
  return Object.assign(new Error('Cannot send on a closed Peer'), { code: 'ERR_STREAM_DESTROYED' })
}

/** A Peer's events, typed (see PeerEvents). */
export interface Peer {
  on<E extends keyof PeerEvents>(event: E, listener: (...args: PeerEvents[E]) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<E extends keyof PeerEvents>(event: E, listener: (...args: PeerEvents[E]) => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  off<E extends keyof PeerEvents>(event: E, listener: (...args: PeerEvents[E]) => void): this
  off(event: string | symbol, listener: (...args: any[]) => void): this
  emit<E extends keyof PeerEvents>(event: E, ...args: PeerEvents[E]): boolean
  emit(event: string | symbol, ...args: any[]): boolean
}

/** A Bitcoin peer over one connection: see the file's comment and the README's "Quick start: peers". */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Peer extends EventEmitter {
  /** Whether the peer connected to us. */
  readonly inbound: boolean
  private link: Link
  private readonly settings: PeerSettings
  private stage: Stage = 'version'
  // Our version's nonce: a version carrying it is our own.
  private readonly nonce = randomNonce()
  private their: VersionMessage | undefined
  private common = 0
  private sentWtxidRelay = false
  private theirWtxidRelay = false
  private readonly learned: Omit<PeerFeatures, 'wtxidRelay'> = { addrv2: false, sendHeaders: false }
  private readonly advertised: Feature[] = []
  private versionTimer: NodeJS.Timeout | undefined
  private readonly pinger: Pinger
  // send() before 'ready'.
  private readonly pending: PendingSends
  private readonly requests: Requests
  private failure: Error | undefined
  private life: Life = 'open'
  private readonly proxied: boolean
  private readonly privateBroadcast: boolean
  private readonly onAbort: (() => void) | undefined

  /** A Peer over a connection you have: `inbound` says who connected. connectPeer() and
   *  createPeerServer() make them for you. Options are checked at once (ERR_BIP324_INVALID_ARG). */
  constructor (connection: PeerConnection, options: PeerConstructorOptions = {}) {
    super()
    checkPeerOptions(options)
    this.settings = peerSettingsOf(options)
    this.inbound = options.inbound ?? false
    this.proxied = options.proxied ?? false
    this.privateBroadcast = options.privateBroadcast ?? false
    this.link = this.linkTo(connection)
    const { versionTimeout, signal, pingInterval, pingTimeout, maxSendBuffer } = this.settings
    this.pending = new PendingSends(maxSendBuffer)
    const { network } = this.settings
    this.requests = new Requests({
      send: (message) => { this.send(message) },
      refusal: () => this.destroyed
        ? this.failure ?? closedError()
        : this.stage !== 'ready' || !this.canSend ? new Bip324Error('ERR_BIP324_BAD_STATE', 'requests work between \'ready\' and end() or \'close\'') : undefined,
      pongs: () => this.common > BIP0031_VERSION,
      genesis: isNetworkName(network) ? hashFromHex(NETWORKS[network].genesis) : undefined
    })
    this.pinger = new Pinger(pingInterval, pingTimeout, {
      send: (nonce) => { this.write('ping', encodePayload({ type: 'ping', nonce })) },
      timedOut: (err) => { this.destroy(err) }
    })
    if (versionTimeout > 0) {
      this.versionTimer = setTimeout(() => {
        // After end(), the deadline only makes sure the connection goes: the closing was asked for.
        this.destroy(this.life === 'ending' ? undefined : new Bip324Error('ERR_BIP324_VERSION_TIMEOUT', `no version handshake within ${versionTimeout} ms`))
      }, versionTimeout).unref()
    }
    if (signal !== undefined) {
      this.onAbort = () => { this.destroy(abortError(signal)) }
      if (signal.aborted) process.nextTick(this.onAbort)
      else signal.addEventListener('abort', this.onAbort, { once: true })
    }
    this.link.start()
  }

  /** 'v2' (BIP-324) or 'v1' (plain, after a v1 fallback). */
  get transport (): 'v1' | 'v2' { return this.link.transport }
  /** v2: the 32-byte session id both sides derived; undefined over v1. */
  get sessionId (): Uint8Array | undefined { return this.link.sessionId }
  /** sessionId as hex, the bytes in order, as the node's getpeerinfo prints session_id: compare
   *  the two to rule out a man in the middle. Not hashToHex, which reverses (hashes are displayed
   *  backwards; the session id is not). */
  get sessionIdHex (): string | undefined {
    const id = this.link.sessionId
    return id === undefined ? undefined : Buffer.from(id).toString('hex')
  }
  /** The TCP socket underneath. */
  get socket (): Socket { return this.link.socket }
  get remoteAddress (): string | undefined { return this.link.socket.remoteAddress }
  get remotePort (): number | undefined { return this.link.socket.remotePort }
  get localAddress (): string | undefined { return this.link.socket.localAddress }
  get localPort (): number | undefined { return this.link.socket.localPort }
  /** As a socket's: true once destroy() was called or the connection closed. */
  get destroyed (): boolean { return this.life === 'destroyed' || this.life === 'closed' }
  /** Whether 'ready' has come: the version handshake is done. */
  get ready (): boolean { return this.stage === 'ready' }

  /** The peer's version message, as it sent it; undefined before it came. */
  get versionMessage (): Omit<VersionMessage, 'type'> | undefined {
    if (this.their === undefined) return undefined
    const { type: _, ...fields } = this.their
    return fields
  }

  /** The peer's protocol version (getpeerinfo's version). */
  get version (): number | undefined { return this.their?.version }
  /** The lower of both protocol versions, which decides what both may use (Core's GetCommonVersion). */
  get commonVersion (): number | undefined { return this.their === undefined ? undefined : this.common }
  /** The services the peer announced, as bits (SERVICE_FLAGS). */
  get services (): bigint | undefined { return this.their?.services }
  /** The same as names, as getpeerinfo's servicesnames: ['NETWORK', 'WITNESS', ...]. */
  get serviceNames (): string[] | undefined { return this.their === undefined ? undefined : serviceNames(this.their.services) }
  /** The peer's BIP-14 user agent (getpeerinfo's subver). */
  get userAgent (): string | undefined { return this.their?.userAgent }
  /** The height of the peer's best block when it connected. */
  get startHeight (): number | undefined { return this.their?.startHeight }
  /** BIP-37: whether the peer wants transactions announced (true when its version leaves it out, as Core reads it). */
  get relay (): boolean | undefined { return this.their === undefined ? undefined : this.their.relay ?? true }

  /** What the peer asked of us so far (see PeerFeatures). */
  get features (): PeerFeatures {
    return { wtxidRelay: this.sentWtxidRelay && this.theirWtxidRelay, ...this.learned }
  }

  /** BIP-434: the features the peer advertised with feature messages between its version and its
   *  verack, in the order it sent them (its order of preference between versions of one feature),
   *  the first 64. None unless both sides announce protocol version 70017 or more. */
  get advertisedFeatures (): Feature[] {
    return this.advertised.map((f) => ({ ...f }))
  }

  /** Milliseconds of the last ping's round trip (getpeerinfo's pingtime); undefined before one. */
  get pingTime (): number | undefined { return this.pinger.last }
  /** The shortest round trip so far (getpeerinfo's minping). */
  get minPing (): number | undefined { return this.pinger.best }

  // Whether anything of ours may still go out: the one test every send makes.
  private get canSend (): boolean { return this.life === 'open' }
  // Whether the peer's messages are still looked at.
  private get receiving (): boolean { return this.life === 'open' || (this.life === 'ending' && this.stage === 'ready') }

  /** Encodes `message` (encodePayload) and sends it: false once the send buffer is full, then
   *  'drain', as a stream's write(). Before 'ready' it is queued (see maxSendBuffer). */
  send (message: Message, callback?: WriteCallback): boolean {
    if (message === null || typeof message !== 'object') throw invalid('send() takes a message as { type, ... }')
    return this.sendRaw(commandOf(message), encodePayload(message), callback)
  }

  /** Sends a payload as it is, under message type `type`; as send() otherwise. */
  sendRaw (type: string, payload: Uint8Array, callback?: WriteCallback): boolean {
    writeCommand(new Uint8Array(12), 0, type)
    if (!(payload instanceof Uint8Array) || payload.length > MAX_PROTOCOL_MESSAGE_LENGTH) {
      throw invalid(`sendRaw() takes a Uint8Array payload of at most ${MAX_PROTOCOL_MESSAGE_LENGTH} bytes`)
    }
    if (HANDSHAKE_MESSAGES.has(type)) throw invalid(`the Peer sends ${type} itself, in the version handshake`)
    if (!this.canSend) {
      if (callback !== undefined) process.nextTick(callback, closedError())
      return false
    }
    if (this.stage === 'ready') return this.link.write(type, payload, callback)
    return this.pending.push(type, payload, callback)
  }

  /** Pings the peer now, as Core's ping RPC does (a ping outstanding is replaced: its pong no
   *  longer counts, and its callbacks wait for this one). `callback` gets the round trip in ms.
   *  False, and an ERR_BIP324_BAD_STATE to the callback, before 'ready' or after close. */
  ping (callback?: PingCallback): boolean {
    const why = this.stage !== 'ready' || !this.canSend
      ? 'ping() works between \'ready\' and end() or \'close\''
      : this.common <= BIP0031_VERSION ? `the peer's protocol version ${this.common} has no pong (BIP-31)` : undefined
    if (why !== undefined) {
      if (callback !== undefined) process.nextTick(callback, new Bip324Error('ERR_BIP324_BAD_STATE', why))
      return false
    }
    this.pinger.ping(callback)
    return true
  }

  /**
   * One getheaders round: the headers after the first hash of `locator` (internal byte order,
   * newest first, at most 101) that the peer's best chain holds, up to `stop` or 2,000 of them;
   * genesis onwards if it holds none. With an empty locator, Core's rule: the header of `stop`
   * alone, or [] when the peer does not have that block (it sends nothing then: the pong to a ping
   * sent after the getheaders tells). One getheaders is in flight at a time, as Core sends them;
   * a headers message that does not answer it (an announcement) is only emitted. Default timeout
   * 120,000 ms (Core's HEADERS_RESPONSE_TIME). The headers are not checked: checkHeaders() does it.
   */
  getHeaders (locator: readonly Uint8Array[], options: GetHeadersOptions = {}): Promise<BlockHeader[]> {
    if (!Array.isArray(locator) || locator.length > MAX_LOCATOR_SZ) throw invalid(`locator must be an array of at most ${MAX_LOCATOR_SZ} hashes`)
    // Copies: the caller may reuse its buffers while the request waits.
    const hashes = locator.map((hash, i) => Uint8Array.from(checkBytes(hash, `locator[${i}]`, 32)))
    checkRequestOptions(options)
    const stop = options.stop === undefined ? new Uint8Array(32) : Uint8Array.from(checkBytes(options.stop, 'stop', 32))
    return this.requests.getHeaders(hashes, stop, options)
  }

  /**
   * The peer's best chain of headers, from genesis (or `from`) to its tip, one round of up to
   * 2,000 at a time, each checked as checkHeaders() checks (ERR_BIP324_BAD_PAYLOAD with Core's
   * reason): see HeadersRound. Each getheaders names the last 10 headers reached, then the start,
   * so the peer's chain reorganising up to 10 deep during the sync is followed (a round's `fork` is
   * then below the last `tip`). Ends when a round of fewer than 2,000 says the tip is reached.
   */
  syncHeaders (options: SyncHeadersOptions = {}): AsyncGenerator<HeadersRound, void, undefined> {
    checkRequestOptions(options)
    checkInteger(options.maxHeight, 'maxHeight', 0, Number.MAX_SAFE_INTEGER)
    const { from } = options
    if (from !== undefined) {
      if (from === null || typeof from !== 'object' || typeof from.height !== 'number' || typeof from.work !== 'bigint') throw invalid('from must be { hash, height, work } (work a bigint)')
      checkBytes(from.hash, 'from.hash', 32)
      checkInteger(from.height, 'from.height', 0, Number.MAX_SAFE_INTEGER)
    }
    return syncHeaders({
      network: this.settings.network,
      startHeight: this.startHeight,
      getHeaders: async (locator, o) => await this.getHeaders(locator, o)
    }, options)
  }

  /**
   * The block of `hash` (internal byte order), its bytes as the peer sent them: decodeCheckedBlock() checks
   * and decodes them. Core sends nothing for a block it does not have; the pong to a ping sent after
   * the getdata then comes first: ERR_BIP324_NOT_FOUND at once. Up to 16 blocks are in flight
   * (Core's MAX_BLOCKS_IN_TRANSIT_PER_PEER); more wait their turn. Default timeout 600,000 ms (Core's
   * block download timeout).
   */
  getBlock (hash: Uint8Array, options: GetBlockOptions = {}): Promise<Uint8Array> {
    checkBytes(hash, 'hash', 32)
    checkRequestOptions(options)
    checkBoolean(options.witness, 'witness')
    return this.requests.getBlock(Uint8Array.from(hash), options.witness ?? true, options)
  }

  /**
   * The blocks of `hashes`, in that order, as getBlock() gets each: at most `inFlight` (16) asked
   * for and not yet yielded, so that memory stays within 16 blocks. A block that fails ends the
   * iteration with its error; the blocks still asked for when it ends are given up.
   */
  getBlocks (hashes: Iterable<Uint8Array>, options: GetBlocksOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    if (hashes === null || typeof (hashes as Partial<Iterable<Uint8Array>>)?.[Symbol.iterator] !== 'function') throw invalid('hashes must be an iterable of 32-byte hashes')
    checkRequestOptions(options)
    checkBoolean(options.witness, 'witness')
    checkInteger(options.inFlight, 'inFlight', 1, MAX_BLOCKS_IN_TRANSIT_PER_PEER)
    const { inFlight = MAX_BLOCKS_IN_TRANSIT_PER_PEER, ...each } = options
    return this.blocksInOrder(hashes, inFlight, each)
  }

  private async * blocksInOrder (hashes: Iterable<Uint8Array>, inFlight: number, each: GetBlockOptions): AsyncGenerator<Uint8Array, void, undefined> {
    // The blocks still asked for when the iteration ends early (a break, an error) are given up,
    // so that their turns go to other requests at once; so is everything when `signal` aborts.
    const { signal } = each
    const ended = new AbortController()
    // One listener per block in flight: no leak, so no warning for it.
    setMaxListeners(inFlight, ended.signal)
    const forward = (): void => { ended.abort(signal?.reason) }
    if (signal?.aborted === true) forward()
    else signal?.addEventListener('abort', forward, { once: true })
    const asked: Array<Promise<Uint8Array>> = []
    const ask = (hash: Uint8Array): void => {
      const p = this.getBlock(hash, { ...each, signal: ended.signal })
      // One never awaited (given up) must not be an unhandled rejection.
      p.catch(() => {})
      asked.push(p)
    }
    try {
      const it = hashes[Symbol.iterator]()
      let next = it.next()
      while (!next.done || asked.length > 0) {
        while (!next.done && asked.length < inFlight) {
          ask(next.value)
          next = it.next()
        }
        const block = await asked.shift()!
        // Aborted: no more, though blocks that came before are held.
        if (signal?.aborted === true) throw abortError(signal)
        yield block
      }
    } finally {
      signal?.removeEventListener('abort', forward)
      ended.abort()
    }
  }

  /**
   * The transaction of `id` (a txid, or a wtxid with `by: 'wtxid'`), its bytes as the peer sent
   * them (decodeTransaction() decodes them). A notfound: ERR_BIP324_NOT_FOUND (Core sends one for a
   * transaction it will not give: not in its mempool, or not announced to us). Up to 100 in flight
   * (Core's MAX_PEER_TX_REQUEST_IN_FLIGHT). Default timeout 60,000 ms (Core's GETDATA_TX_INTERVAL).
   */
  getTransaction (id: Uint8Array, options: GetTransactionOptions = {}): Promise<Uint8Array> {
    checkBytes(id, 'id', 32)
    checkRequestOptions(options)
    checkBoolean(options.witness, 'witness')
    if (options.by !== undefined && options.by !== 'txid' && options.by !== 'wtxid') throw invalid(`by must be 'txid' or 'wtxid', got ${String(options.by)}`)
    return this.requests.getTransaction(Uint8Array.from(id), options.by ?? 'txid', options.witness ?? true, options)
  }

  /**
   * BIP-157: the filters of `filterType` (0: basic) of the blocks from `startHeight` to `stopHash`
   * (at most 1,000), as cfilter messages in order, the last of `stopHash`. One BIP-157 request is in
   * flight at a time. Default timeout 120,000 ms.
   */
  getCFilters (filterType: number, startHeight: number, stopHash: Uint8Array, options: RequestOptions = {}): Promise<CFilterMessage[]> {
    this.checkFilterRequest(filterType, stopHash, options)
    checkInteger(startHeight, 'startHeight', 0, 0xffffffff)
    return this.requests.getCFilters(filterType, startHeight, Uint8Array.from(stopHash), options)
  }

  /** BIP-157: the filter headers of the blocks from `startHeight` to `stopHash` (at most 2,000), as
   *  the cfheaders message of that filter type and stop hash. As getCFilters() otherwise. */
  getCFHeaders (filterType: number, startHeight: number, stopHash: Uint8Array, options: RequestOptions = {}): Promise<CFHeadersMessage> {
    this.checkFilterRequest(filterType, stopHash, options)
    checkInteger(startHeight, 'startHeight', 0, 0xffffffff)
    return this.requests.getCFHeaders(filterType, startHeight, Uint8Array.from(stopHash), options)
  }

  /** BIP-157: the filter headers at every 1,000th block up to `stopHash`, as the cfcheckpt message
   *  of that filter type and stop hash. As getCFilters() otherwise. */
  getCFCheckpt (filterType: number, stopHash: Uint8Array, options: RequestOptions = {}): Promise<CFCheckptMessage> {
    this.checkFilterRequest(filterType, stopHash, options)
    return this.requests.getCFCheckpt(filterType, Uint8Array.from(stopHash), options)
  }

  /** Blocks and transactions asked for and not yet answered, and all requests, those waiting their
   *  turn included. */
  get requestsInFlight (): { blocks: number, transactions: number, all: number } {
    return this.requests.inFlight
  }

  private checkFilterRequest (filterType: number, stopHash: Uint8Array, options: RequestOptions): void {
    checkInteger(filterType, 'filterType', 0, 255)
    if (filterType === undefined) throw invalid('filterType must be an integer from 0 to 255')
    checkBytes(stopHash, 'stopHash', 32)
    checkRequestOptions(options)
  }

  /** As a socket's end(): what was sent goes out, then the connection half-closes and closes
   *  once the peer's side has. Messages queued before 'ready' are dropped (their callbacks get an
   *  error). From here the Peer sends nothing of its own, as Core once it disconnects a peer: no
   *  pong, no ping, and a version handshake under way is abandoned (the peer's messages toward it
   *  are dropped; versionTimeout still ends the connection, without an error). After 'ready', the
   *  peer's messages are still emitted until it closes, as a half-closed socket still reads. */
  end (): this {
    if (!this.canSend) return this
    this.life = 'ending'
    this.pinger.stop()
    this.pending.fail(closedError)
    this.link.end()
    return this
  }

  /** The normal close, as http2's session.close(): end(), then `callback` once 'close' came. A
   *  peer that has not closed its side `CLOSE_TIMEOUT` ms later is destroyed. Unlike destroy(),
   *  which the kernel turns into a reset when the peer's bytes are still unread (Bitcoin Core then
   *  logs "Connection reset by peer"), this reads to the peer's end: a FIN both ways. */
  close (callback?: () => void): this {
    if (callback !== undefined) {
      if (this.life === 'closed') process.nextTick(callback)
      else this.once('close', () => callback())
    }
    if (this.destroyed) return this
    const timer = setTimeout(() => this.destroy(), CLOSE_TIMEOUT).unref()
    this.once('close', () => clearTimeout(timer))
    return this.end()
  }

  /** Closes the connection now (a reset if the peer's bytes are unread: close() is the normal
   *  way); with `err`, 'error' is emitted before 'close'. */
  destroy (err?: Error): this {
    if (this.destroyed) return this
    this.life = 'destroyed'
    this.failure ??= err
    this.stopTimers()
    this.link.destroy()
    return this
  }

  /** `await using peer = ...`: close() and wait for 'close'. */
  async [Symbol.asyncDispose] (): Promise<void> {
    await new Promise<void>((resolve) => this.close(resolve))
  }

  private linkTo (connection: PeerConnection): Link {
    const sink: LinkSink = {
      open: () => { if (!this.inbound) this.sendVersion() },
      message: (type, payload) => this.onMessage(type, payload),
      fallback: (c) => {
        this.link.detach()
        this.link = v1Link(c.socket, magicOf(this.settings.network), undefined, this.settings, sink)
        this.link.start()
      },
      drain: () => { if (this.stage === 'ready') this.emitDrain() },
      end: () => {
        if (this.stage === 'ready' || this.life === 'ending') this.link.end()
        else this.destroy(new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the peer closed the connection during the version handshake', { stage: 'version' }))
      },
      error: (err) => { this.destroy(err) },
      close: () => this.onClose()
    }
    if (connection.transport === 'v2') return v2Link(connection, sink)
    return v1Link(connection.socket, magicOf(this.settings.network), 'data' in connection ? connection.data : undefined, this.settings, sink)
  }

  // What the Peer sends of its own accord (the version handshake, pings, pongs): nothing after end().
  private write (type: string, payload: Uint8Array = EMPTY): boolean {
    if (!this.canSend) return false
    return this.link.write(type, payload)
  }

  private sendVersion (): void {
    const s = this.settings
    const socket = this.link.socket
    // Core adds NODE_P2P_V2 to what it offers when it speaks v2 (but not on a private broadcast).
    const services = this.privateBroadcast ? 0n : s.services | (this.link.transport === 'v2' ? SERVICE_FLAGS.NODE_P2P_V2 : 0n)
    const named = !this.proxied && !this.privateBroadcast
    this.write('version', encodeOurVersion({
      protocolVersion: s.protocolVersion,
      services,
      nonce: this.nonce,
      userAgent: s.userAgent,
      startHeight: s.startHeight,
      relay: s.relay,
      remoteAddress: named ? socket.remoteAddress : undefined,
      remotePort: named ? socket.remotePort : undefined,
      ...(this.privateBroadcast && { timestamp: 0n })
    }))
    if (!this.inbound) s.localNonces?.add(this.nonce)
  }

  private onMessage (type: string, payload: Uint8Array): void {
    if (!this.receiving) return
    const breach = judge(this.stage, type, this.common)
    if (breach !== undefined) this.misbehaved(breach)
    else if (this.stage === 'version') this.onVersion(payload)
    else if (this.stage === 'verack') this.negotiate(type, payload)
    else this.receive(type, payload)
  }

  private misbehaved (report: Misbehavior): void {
    this.emit('misbehavior', report)
    const action = this.settings.onMisbehavior?.(report) ?? report.core
    if (action === 'disconnect') {
      this.destroy(new Bip324Error('ERR_BIP324_MISBEHAVIOR', `${report.reason}: ${report.message}`, report.cause === undefined ? undefined : { cause: report.cause }))
    }
  }

  private decode (type: string, payload: Uint8Array): Message | undefined {
    try {
      return decodeMessage(type, payload)
    } catch (err) {
      if (!(err instanceof Bip324Error)) throw err
      this.misbehaved(malformed(type, err))
      return undefined
    }
  }

  // The peer's version (Core's ProcessMessage, NetMsgType::VERSION).
  private onVersion (payload: Uint8Array): void {
    const v = this.decode('version', payload) as VersionMessage | undefined
    if (v === undefined) return
    if (v.version < MIN_PEER_PROTO_VERSION) {
      this.destroy(new Bip324Error('ERR_BIP324_OBSOLETE_VERSION', `the peer's protocol version ${v.version} is older than ${MIN_PEER_PROTO_VERSION}, the oldest Bitcoin Core talks to`))
      return
    }
    const { localNonces } = this.settings
    if (this.inbound ? localNonces?.has(v.nonce) === true : v.nonce === this.nonce) {
      this.destroy(new Bip324Error('ERR_BIP324_SELF_CONNECTION', 'the peer\'s version carries our own nonce: this connection goes back to ourselves'))
      return
    }
    this.their = v
    this.common = Math.min(v.version, this.settings.protocolVersion)
    this.stage = 'verack'
    if (this.inbound) this.sendVersion()
    if (this.common >= WTXID_RELAY_VERSION) {
      if (this.settings.wtxidrelay) {
        this.write('wtxidrelay')
        this.sentWtxidRelay = true
      }
      if (this.settings.sendaddrv2) this.write('sendaddrv2')
    }
    if (this.common >= FEATURE_VERSION) {
      for (const f of this.settings.features) this.write('feature', encodePayload({ type: 'feature', ...f }))
    }
    this.write('verack')
  }

  // Between version and verack: the messages rules.ts lets through.
  private negotiate (type: string, payload: Uint8Array): void {
    if (type === 'verack') {
      this.becomeReady()
    } else if (type === 'wtxidrelay') {
      // Core ignores it below the version that defines it.
      if (this.common >= WTXID_RELAY_VERSION) this.theirWtxidRelay = true
    } else if (type === 'sendaddrv2') {
      this.learned.addrv2 = true
    } else if (type === 'feature') {
      const f = this.decode(type, payload) as FeatureMessage | undefined
      if (f !== undefined && this.advertised.length < MAX_ADVERTISED_FEATURES) this.advertised.push({ featureId: f.featureId, featureData: f.featureData })
    } else if (type !== 'sendtxrcncl') {
      // sendheaders, sendcmpct: Core takes them before verack too. sendtxrcncl: we do not reconcile.
      const m = this.decode(type, payload)
      if (m !== undefined) this.learn(m)
    }
  }

  private becomeReady (): void {
    clearTimeout(this.versionTimer)
    this.stage = 'ready'
    this.settings.localNonces?.delete(this.nonce)
    const { sendheaders, sendcmpct, feefilter, getaddr } = this.settings
    const c = this.common
    if (sendheaders && c >= SENDHEADERS_VERSION) this.write('sendheaders')
    if (sendcmpct !== undefined && c >= SHORT_IDS_BLOCKS_VERSION) this.write('sendcmpct', encodePayload({ type: 'sendcmpct', ...sendcmpct }))
    if (feefilter !== undefined && c >= FEEFILTER_VERSION) this.write('feefilter', encodePayload({ type: 'feefilter', feeRate: feefilter }))
    if (getaddr) this.write('getaddr')
    const writable = this.pending.flush((type, payload, cb) => this.link.write(type, payload, cb))
    if (c > BIP0031_VERSION) this.pinger.start()
    // Messages that came with the verack wait a turn: whoever awaits 'ready' listens by then.
    this.link.pause()
    setImmediate(() => { if (this.life !== 'closed') this.link.resume() })
    this.emit('ready')
    // A send() that returned false before 'ready' is owed a 'drain': now, or the link's.
    if (this.pending.drainOwed && writable && this.life !== 'closed') this.emitDrain()
  }

  private emitDrain (): void {
    this.pending.drainOwed = false
    this.emit('drain')
  }

  // After 'ready'.
  private receive (type: string, payload: Uint8Array): void {
    // Core reads a ping's and a pong's first 8 bytes, whatever follows.
    if (type === 'ping') this.answerPing(payload)
    else if (type === 'pong') {
      this.pinger.pong(payload)
      this.requests.pong(payload)
    }
    const message = this.decode(type, payload)
    if (message === undefined || this.destroyed) return
    this.learn(message)
    // An answer ends its request, and is emitted as every message is.
    this.requests.receive(message)
    this.emit('message', message, { type, payload })
  }

  private learn (m: Message): void {
    if (!isKnownMessage(m)) return
    if (m.type === 'sendheaders') this.learned.sendHeaders = true
    else if (m.type === 'sendcmpct') this.learned.compactBlocks = { announce: m.announce, version: m.version }
    else if (m.type === 'feefilter' && m.feeRate >= 0n && m.feeRate <= MAX_MONEY) this.learned.feeFilter = m.feeRate
  }

  private answerPing (payload: Uint8Array): void {
    if (this.common > BIP0031_VERSION && payload.length >= 8 && !this.privateBroadcast) this.write('pong', payload.subarray(0, 8))
  }

  private stopTimers (): void {
    clearTimeout(this.versionTimer)
    this.versionTimer = undefined
    this.pinger.stop()
  }

  private onClose (): void {
    if (this.life === 'closed') return
    const wasOpen = this.life === 'open'
    this.life = 'closed'
    this.stopTimers()
    if (this.onAbort !== undefined) this.settings.signal?.removeEventListener('abort', this.onAbort)
    this.settings.localNonces?.delete(this.nonce)
    if (this.stage !== 'ready' && wasOpen) {
      this.failure ??= new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the peer closed the connection during the version handshake', { stage: 'version' })
    }
    this.pending.fail(closedError)
    const err = this.failure
    this.pinger.close(err ?? new Bip324Error('ERR_BIP324_BAD_STATE', 'the Peer closed before the pong'))
    this.requests.close(err ?? new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the peer closed the connection before answering'))
    if (err !== undefined) this.emit('error', err)
    this.emit('close', err !== undefined)
  }
}
