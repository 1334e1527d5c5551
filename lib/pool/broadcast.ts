/**
 * Private broadcast of one transaction, as Bitcoin Core v31's -privatebroadcast does it on each of
 * its short-lived connections (net_processing.cpp: PushNodeVersion's and the VERACK, GETDATA and
 * PONG handlers' private-broadcast branches; net.cpp: IsOutboundMessageAllowedInPrivateBroadcast):
 *
 * - a fresh connection per peer, v2 first (v1 after a close on our key with `v1Fallback`); through
 *   `socks`, each connection and its v1 retry go through the proxy with fresh credentials of their
 *   own (socks.ts: Core's -proxyrandomize, which Tor's IsolateSOCKSAuth puts on a circuit each);
 * - a version that says nothing of us: protocol version 70016, no services, time 0, no addresses,
 *   user agent "/pynode:0.0.1/", start height 0, relay false; no wtxidrelay, no sendaddrv2, no
 *   pong: only version, verack, inv, tx and ping go out;
 * - after verack, an inv of the transaction by txid (MSG_TX: no wtxidrelay was negotiated); when the
 *   peer's getdata names it, the transaction, then a ping: the pong says the peer has processed the
 *   transaction (Core's NodeConfirmedReception), and the connection closes;
 * - the connection's lifetime is bounded (Core's PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME);
 * - NUM_PRIVATE_BROADCAST_PER_TX peers are to take it: a peer that does not is replaced by the next
 *   address given, as Core opens another connection.
 *
 * Where this differs from Core: Core picks the addresses itself (Tor and I2P ones from its address
 * book), and keeps the transaction out of its mempool, sending it again every few minutes, until it
 * hears it back from the network; here the caller gives the addresses, the one transaction is sent
 * once, and hearing it back is an option: an inv of it on a connection the caller names
 * (`announcedOn`).
 */

import { checkBoolean, checkInteger, invalid } from '../checks'
import type { BackendChoice } from '../crypto'
import { Bip324Error } from '../errors'
import { decodeTransaction, hashToHex, INVENTORY_TYPE, type InventoryItem, type Message, type Transaction } from '../messages'
import { abortError } from '../net/abort'
import { connect } from '../net/connect'
import { formatHostPort, parseHostPort } from '../net/ip'
import { checkConnectionOptions } from '../net/options'
import { checkSocksOptions, type SocksProxy } from '../net/socks'
import { defaultPortOf, type Network } from '../network'
import { BIP0031_VERSION } from '../peer/constants'
import { Peer } from '../peer/peer'

/** How many peers Core sends each transaction to (net_processing.cpp, NUM_PRIVATE_BROADCAST_PER_TX). */
export const NUM_PRIVATE_BROADCAST_PER_TX = 3
/** Milliseconds a private-broadcast connection may last, handshakes included (Core's
 *  PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME, 3 minutes). */
export const PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME = 3 * 60_000
/** The user agent of Core's private-broadcast version: the same for every sender, so it tells nothing. */
export const PRIVATE_BROADCAST_USER_AGENT = '/pynode:0.0.1/'

/** A peer to offer the transaction to. */
export interface BroadcastTarget {
  host: string
  /** Default: the network's port. */
  port?: number
}

export interface BroadcastOptions {
  /** The addresses to offer it to, in order: the first `count` at once, the next one each time a
   *  peer does not take it. "host:port" strings (a pool's `address`) or `{ host, port }`. */
  peers: Array<string | BroadcastTarget>
  /** Default: 'mainnet'. */
  network?: Network
  /** Connect through this SOCKS5 proxy (Tor); isolation is its default (fresh credentials per connection). */
  socks?: SocksProxy
  /** Retry over v1 a peer that closes on our key as a v1 node does (through the same proxy). Default: false. */
  v1Fallback?: boolean
  /** How many peers are to take it. Default: 3 (Core's NUM_PRIVATE_BROADCAST_PER_TX), or fewer if fewer are given. */
  count?: number
  /** Milliseconds each connection may last, from its start to the pong. Default: 180,000 (Core's). */
  timeout?: number
  /** Ends every connection; the promise rejects with an AbortError. */
  signal?: AbortSignal
  backend?: BackendChoice
  /** An ordinary connection of yours (a Peer with `relay: true`) on which to listen for an inv of the
   *  transaction: the network relaying it back, which is how Core knows a private broadcast has
   *  spread. Once a peer took it, the promise waits for that at most `timeout` more (`announced`). */
  announcedOn?: Peer
}

/** What became of one peer. */
export interface BroadcastPeerResult {
  /** host:port, an IPv6 host in brackets. */
  peer: string
  /** The transport the connection used; undefined if it never got that far. */
  transport: 'v1' | 'v2' | undefined
  /** Whether the peer asked for the transaction, got it, and answered the ping after it. */
  sent: boolean
  /** Why not, when not sent. */
  error?: Error & { code?: string }
}

export interface BroadcastResult {
  /** Hex, as explorers and RPCs show it. */
  txid: string
  wtxid: string
  /** Every peer tried, in the order they were tried. */
  peers: BroadcastPeerResult[]
  /** With `announcedOn`: whether an inv of the transaction came on it. */
  announced?: boolean
}


// "host:port" (a port-less "host" at the network's port), as a pool's addresses are written.
function targetOf (text: string, network: Network | undefined): BroadcastTarget {
  const port = defaultPortOf(network)
  return port === undefined ? parseHostPort(text, 0) : parseHostPort(text, port)
}

/** Checks the options; returns the peers as { host, port }. */
function checkOptions (options: BroadcastOptions): BroadcastTarget[] {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object with peers')
  const { peers, network } = options
  if (!Array.isArray(peers)) throw invalid('peers must be an array of "host:port" or { host, port }')
  const targets = (peers as unknown[]).map((p) => (typeof p === 'string' ? targetOf(p, network) : p ?? {}) as Partial<BroadcastTarget>)
  for (const { host, port } of targets) {
    if (typeof host !== 'string' || host === '') throw invalid('each peer needs a host, a non-empty string')
    checkInteger(port, 'port', 1, 65535)
    if (port === undefined && defaultPortOf(network) === undefined) throw invalid('a custom network has no default port: give each peer one')
    if (options.socks !== undefined) checkSocksOptions(options.socks, host)
  }
  checkInteger(options.count, 'count', 1, 2 ** 31 - 1)
  checkInteger(options.timeout, 'timeout', 1, 2 ** 31 - 1)
  checkBoolean(options.v1Fallback, 'v1Fallback')
  // What each connection will be given, checked once before the first: network, backend, signal.
  const { signal, backend } = options
  checkConnectionOptions({ mode: 'messages', ...(network !== undefined && { network }), ...(signal !== undefined && { signal }), ...(backend !== undefined && { backend }) })
  if (options.announcedOn !== undefined && !(options.announcedOn instanceof Peer)) throw invalid('announcedOn must be a Peer')
  return targets as BroadcastTarget[]
}

/**
 * Offers `tx` (a serialized transaction, witness included) to peers as Core's private broadcast
 * does (see the file's comment); resolves with which peers took it, once `count` have or every
 * address was tried. A malformed transaction is refused before any connection
 * (ERR_BIP324_BAD_PAYLOAD), as are bad options (ERR_BIP324_INVALID_ARG).
 */
export async function broadcastTransaction (tx: Uint8Array, options: BroadcastOptions): Promise<BroadcastResult> {
  const peers = checkOptions(options)
  const decoded = decodeTransaction(tx)
  const { signal } = options
  const count = Math.min(options.count ?? NUM_PRIVATE_BROADCAST_PER_TX, peers.length)
  const results: BroadcastPeerResult[] = []
  const sessions = new Set<Peer>()
  let next = 0
  let taken = 0
  if (signal?.aborted === true) throw abortError(signal)
  const announcement = options.announcedOn === undefined ? undefined : announcementOn(options.announcedOn, decoded)
  const sending = new Promise<void>((resolve, reject) => {
    let running = 0
    const onAbort = (): void => {
      for (const peer of sessions) peer.destroy()
      reject(abortError(signal!))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }
    // Keeps `count - taken` connections going while addresses remain.
    const fill = (): void => {
      while (running < count - taken && next < peers.length) {
        const slot = results.length
        const target = peers[next++]!
        results.push({ peer: '', transport: undefined, sent: false })
        running++
        offer(target, decoded, options, sessions, (result) => {
          results[slot] = result
          running--
          if (result.sent) taken++
          if (signal?.aborted === true) return
          fill()
          if (running === 0) finish()
        })
      }
    }
    fill()
    if (running === 0) finish()
  })
  // Aborted: the caller's Peer is no longer listened on (a wait of 0 ends at once).
  await sending.catch(async (err: unknown) => { await announcement?.(0, undefined); throw err })
  const ids = { txid: hashToHex(decoded.txid), wtxid: hashToHex(decoded.wtxid), peers: results }
  if (announcement === undefined) return ids
  const announced = await announcement(taken > 0 ? options.timeout ?? PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME : 0, signal)
  return { ...ids, announced }
}

// Listens on `peer` for an inv of `tx` from now on; the function waits up to `ms` more for it.
function announcementOn (peer: Peer, tx: Transaction): (ms: number, signal: AbortSignal | undefined) => Promise<boolean> {
  let heard = false
  let wake = (): void => {}
  const onMessage = (m: Message): void => {
    if (m.type === 'inv' && m.inventory.some((item) => names(item, tx))) { heard = true; wake() }
  }
  peer.on('message', onMessage)
  return (ms, signal) => new Promise((resolve, reject) => {
    const onAbort = (): void => { finish(); reject(abortError(signal!)) }
    const finish = (): void => {
      clearTimeout(timer)
      peer.off('message', onMessage).off('close', wake)
      signal?.removeEventListener('abort', onAbort)
    }
    wake = () => { finish(); resolve(heard) }
    const timer = setTimeout(wake, ms)
    peer.once('close', wake)
    signal?.addEventListener('abort', onAbort, { once: true })
    if (heard || peer.destroyed) wake()
  })
}

// Whether an inventory entry names `tx`: by txid (with or without the witness flag) or by wtxid.
function names (item: InventoryItem, tx: Transaction): boolean {
  const { MSG_TX, MSG_WITNESS_TX, MSG_WTX } = INVENTORY_TYPE
  const hash = item.invType === MSG_WTX ? tx.wtxid : item.invType === MSG_TX || item.invType === MSG_WITNESS_TX ? tx.txid : undefined
  return hash !== undefined && Buffer.from(hash).equals(item.hash)
}

// One connection: version, inv, getdata, tx, ping, pong, close; `done` once it is closed.
function offer (target: BroadcastTarget, tx: Transaction, options: BroadcastOptions, sessions: Set<Peer>, done: (result: BroadcastPeerResult) => void): void {
  const { network = 'mainnet', socks, v1Fallback = false, timeout = PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME, backend } = options
  const port = target.port ?? defaultPortOf(network)!
  const peerName = formatHostPort(target.host, port)
  const peer = new Peer(connect({
    host: target.host,
    port,
    network,
    mode: 'messages',
    allowHalfOpen: false,
    v1Fallback,
    // The lifetime below bounds everything; the transport's own deadline is the same.
    handshakeTimeout: timeout,
    ...(socks !== undefined && { socks }),
    ...(backend !== undefined && { backend })
  }), {
    network,
    userAgent: PRIVATE_BROADCAST_USER_AGENT,
    startHeight: 0,
    relay: false,
    wtxidrelay: false,
    sendaddrv2: false,
    versionTimeout: 0,
    pingInterval: 0,
    proxied: true,
    privateBroadcast: true
  })
  sessions.add(peer)
  let sent = false
  let asked = false
  let failure: Error | undefined
  const lifetime = setTimeout(() => {
    peer.destroy(new Bip324Error('ERR_BIP324_TIMEOUT', asked
      ? `${peerName} did not answer the ping after the transaction within ${timeout} ms`
      : `${peerName} did not ask for the transaction within ${timeout} ms`))
  }, timeout)
  const confirmed = (): void => {
    sent = true
    peer.close()
  }
  peer.on('error', (err) => { failure ??= err })
  peer.once('ready', () => {
    peer.send({ type: 'inv', inventory: [{ invType: INVENTORY_TYPE.MSG_TX, hash: tx.txid }] })
  })
  peer.on('message', (m) => {
    if (m.type !== 'getdata' || asked || !m.inventory.some((item) => names(item, tx))) return
    asked = true
    // A peer without BIP-31 has no pong: the transaction written is all it can confirm.
    const noPong = (peer.commonVersion ?? 0) <= BIP0031_VERSION
    peer.sendRaw('tx', tx.raw, (err) => { if (err == null && noPong) confirmed() })
    if (!noPong) peer.ping((err) => { if (err === null) confirmed() })
  })
  peer.once('close', () => {
    clearTimeout(lifetime)
    sessions.delete(peer)
    const transport = peer.ready || sent ? peer.transport : undefined
    const error = sent
      ? undefined
      : failure ?? new Bip324Error('ERR_BIP324_PEER_CLOSED', `${peerName} closed the connection before ${asked ? 'answering the ping after the transaction' : 'asking for the transaction'}`)
    done({ peer: peerName, transport, sent, ...(error !== undefined && { error }) })
  })
}
