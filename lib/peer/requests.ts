/**
 * A Peer's requests and the answers that match them, as Bitcoin Core answers them
 * (src/net_processing.cpp, ProcessMessage and ProcessGetData):
 *
 * - getheaders: one in flight, as Core keeps one per peer; a `headers` answers it when it is
 *   empty, or when its first header builds on an entry of the locator (Core starts after the first
 *   entry of its active chain) or on genesis (where Core starts when it knows none). Any other
 *   headers is an announcement (BIP-130), not an answer. With no locator Core sends the stop
 *   hash's header alone, or nothing at all when that block is not in its index.
 * - getdata: a `block` answers a block request by its header's hash, a `tx` a transaction request
 *   by its txid or (MSG_WTX) its wtxid; `notfound` ends the requests of the items it lists. Core
 *   sends notfound for transactions, and nothing for a block it does not have.
 * - getcfilters, getcfheaders, getcfcheckpt (BIP-157): one in flight; cfilters are taken by the
 *   request of their filter type until the one of its stop hash, cfheaders and cfcheckpt by their
 *   filter type and stop hash.
 *
 * Where Core sends nothing (a block, or a header with no locator, it does not have), a ping
 * follows the request: Core handles a peer's messages in order and reads none while a getdata is
 * unfinished ("this maintains the order of responses"), so its pong coming first says there is no
 * answer. Otherwise the request's timeout ends it, by default Core's own for the request.
 *
 * Bounds: blocks in flight MAX_BLOCKS_IN_TRANSIT_PER_PEER, transactions
 * MAX_PEER_TX_REQUEST_IN_FLIGHT, one getheaders and one BIP-157 request; more wait their turn, up
 * to MAX_PENDING_REQUESTS requests in all. An answer is at most a message (the transport bounds
 * it), a getcfilters' at most MAX_GETCFILTERS_SIZE of them, within MAX_CFILTERS_BYTES.
 */

import { checkInteger, invalid } from '../checks'
import { Bip324Error } from '../errors'
import {
  blockHash, BLOCK_HEADER_BYTES, type BlockHeader, type CFCheckptMessage, type CFHeadersMessage, type CFilterMessage,
  encodeBlockHeader, hashToHex, INVENTORY_TYPE, MAX_PROTOCOL_MESSAGE_LENGTH, type Message, txid, wtxid
} from '../messages'
import { abortError } from '../net/abort'
import { equal } from '../bytes'
import { PROTOCOL_VERSION } from './constants'
import { randomNonce } from './version'

/** The options every request takes. */
export interface RequestOptions {
  /** Milliseconds from the call to the answer, a wait for a turn included: ERR_BIP324_TIMEOUT after
   *  them. 0: none. Default: Core's for the request (see each). */
  timeout?: number
  /** Rejects the request with an AbortError (code ABORT_ERR) when aborted. */
  signal?: AbortSignal
}

/** Blocks a Peer has asked for and not received, at most: Core's MAX_BLOCKS_IN_TRANSIT_PER_PEER. */
export const MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16
/** Transactions in flight, at most: Core's MAX_PEER_TX_REQUEST_IN_FLIGHT. */
export const MAX_PEER_TX_REQUEST_IN_FLIGHT = 100
/** Requests of one Peer in flight or waiting their turn, at most: past them a request fails at once
 *  (ERR_BIP324_LIMIT). */
export const MAX_PENDING_REQUESTS = 1_000
/** Filters a getcfilters asks for, at most: Core's MAX_GETCFILTERS_SIZE. More is the peer's error. */
export const MAX_GETCFILTERS_SIZE = 1_000
/** Bytes of filters one getcfilters' answer may hold: as many as the blocks in flight. */
export const MAX_CFILTERS_BYTES = MAX_BLOCKS_IN_TRANSIT_PER_PEER * MAX_PROTOCOL_MESSAGE_LENGTH

/** Default timeouts, Core's: HEADERS_RESPONSE_TIME for getheaders (and the BIP-157 requests, for
 *  which Core has none), GETDATA_TX_INTERVAL for a transaction, and for a block
 *  BLOCK_DOWNLOAD_TIMEOUT_BASE (one target spacing, ten minutes). */
export const HEADERS_RESPONSE_TIME = 2 * 60_000
export const GETDATA_TX_INTERVAL = 60_000
export const BLOCK_DOWNLOAD_TIMEOUT = 10 * 60_000

// setTimeout's longest delay.
const MAX_TIMEOUT = 2 ** 31 - 1

/** Checks a request's options: ERR_BIP324_INVALID_ARG. */
export function checkRequestOptions (options: unknown): void {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object')
  const { timeout, signal } = options as RequestOptions
  checkInteger(timeout, 'timeout', 0, MAX_TIMEOUT)
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid('signal must be an AbortSignal')
}

/** @internal What Requests needs of its Peer. */
export interface RequestsOwner {
  /** Sends a request. */
  send: (message: Message) => void
  /** Why no request may start now (before 'ready', after end() or close), or undefined. */
  refusal: () => Error | undefined
  /** Whether the peer answers pings with pongs (BIP-31). */
  pongs: () => boolean
  /** The network's genesis hash, if it is a named network. */
  genesis: Uint8Array | undefined
}

type Finish<T> = (err: Error | undefined, value?: T) => void

/** Turns, FIFO: `limit` requests hold one at a time, the others wait. */
class Turns {
  private held = 0
  private readonly waiting: Array<() => void> = []

  constructor (private readonly limit: number) {}

  /** Runs `start` at its turn; the function returned gives the turn back, or leaves the queue. */
  take (start: () => void): () => void {
    let state: 'waiting' | 'holding' | 'gone' = 'waiting'
    const go = (): void => {
      state = 'holding'
      this.held++
      start()
    }
    if (this.held < this.limit) go()
    else this.waiting.push(go)
    return () => {
      if (state === 'holding') {
        this.held--
        const next = this.waiting.shift()
        if (next !== undefined) next()
      } else if (state === 'waiting') {
        this.waiting.splice(this.waiting.indexOf(go), 1)
      }
      state = 'gone'
    }
  }
}

interface HeadersAsked { locator: readonly Uint8Array[], stop: Uint8Array, finish: Finish<BlockHeader[]> }
interface FiltersAsked { filterType: number, stopHash: Uint8Array, filters: CFilterMessage[], bytes: number, finish: Finish<CFilterMessage[]> }
interface FilterAnswerAsked<T> { filterType: number, stopHash: Uint8Array, finish: Finish<T> }

const noop = (): void => {}

function notFound (what: string): Bip324Error {
  return new Bip324Error('ERR_BIP324_NOT_FOUND', `the peer does not have ${what}`)
}

/** @internal A Peer's requests in flight and waiting, and the answers that end them. */
export class Requests {
  private readonly owner: RequestsOwner
  private readonly open = new Set<Finish<never>>()
  private readonly headerTurns = new Turns(1)
  private readonly blockTurns = new Turns(MAX_BLOCKS_IN_TRANSIT_PER_PEER)
  private readonly txTurns = new Turns(MAX_PEER_TX_REQUEST_IN_FLIGHT)
  private readonly filterTurns = new Turns(1)
  private headers: HeadersAsked | undefined
  // By 'block:', 'txid:' or 'wtxid:' and the hash's hex: the requests of that item, oldest first.
  private readonly items = new Map<string, Array<Finish<Uint8Array>>>()
  private blocksAsked = 0
  private txsAsked = 0
  private cfilters: FiltersAsked | undefined
  private readonly cfheaders: Array<FilterAnswerAsked<CFHeadersMessage>> = []
  private readonly cfcheckpts: Array<FilterAnswerAsked<CFCheckptMessage>> = []
  // The pings that follow requests Core may leave unanswered, by nonce.
  private readonly barriers = new Map<bigint, () => void>()
  private closed: Error | undefined

  constructor (owner: RequestsOwner) {
    this.owner = owner
  }

  /** The headers after the first hash of `locator` the peer knows, to `stop` (all zero: up to
   *  2,000); with an empty locator, the header of `stop` alone, or none if the peer does not have
   *  that block. */
  getHeaders (locator: readonly Uint8Array[], stop: Uint8Array, options: RequestOptions): Promise<BlockHeader[]> {
    return this.request(options, HEADERS_RESPONSE_TIME, 'headers', this.headerTurns, (finish) => {
      this.headers = { locator, stop, finish }
      this.owner.send({ type: 'getheaders', version: PROTOCOL_VERSION, locator: [...locator], stopHash: stop })
      const unbar = locator.length === 0 ? this.barrier(() => finish(undefined, [])) : noop
      return () => {
        unbar()
        if (this.headers?.finish === finish) this.headers = undefined
      }
    })
  }

  /** A block's bytes, as the peer sent them (with witnesses if `witness`). */
  getBlock (hash: Uint8Array, witness: boolean, options: RequestOptions): Promise<Uint8Array> {
    const what = `block ${hashToHex(hash)}`
    return this.request(options, BLOCK_DOWNLOAD_TIMEOUT, what, this.blockTurns, (finish) => {
      this.blocksAsked++
      const unlist = this.list(`block:${hashToHex(hash)}`, finish)
      this.owner.send({ type: 'getdata', inventory: [{ invType: witness ? INVENTORY_TYPE.MSG_WITNESS_BLOCK : INVENTORY_TYPE.MSG_BLOCK, hash }] })
      const unbar = this.barrier(() => finish(notFound(what)))
      return () => {
        this.blocksAsked--
        unlist()
        unbar()
      }
    })
  }

  /** A transaction's bytes, by txid (with witnesses if `witness`) or by wtxid (MSG_WTX, BIP-339). */
  getTransaction (id: Uint8Array, by: 'txid' | 'wtxid', witness: boolean, options: RequestOptions): Promise<Uint8Array> {
    const what = `transaction ${by} ${hashToHex(id)}`
    return this.request(options, GETDATA_TX_INTERVAL, what, this.txTurns, (finish) => {
      this.txsAsked++
      const unlist = this.list(`${by}:${hashToHex(id)}`, finish)
      const invType = by === 'wtxid' ? INVENTORY_TYPE.MSG_WTX : witness ? INVENTORY_TYPE.MSG_WITNESS_TX : INVENTORY_TYPE.MSG_TX
      this.owner.send({ type: 'getdata', inventory: [{ invType, hash: id }] })
      return () => {
        this.txsAsked--
        unlist()
      }
    })
  }

  getCFilters (filterType: number, startHeight: number, stopHash: Uint8Array, options: RequestOptions): Promise<CFilterMessage[]> {
    return this.request(options, HEADERS_RESPONSE_TIME, 'cfilter', this.filterTurns, (finish) => {
      this.cfilters = { filterType, stopHash, filters: [], bytes: 0, finish }
      this.owner.send({ type: 'getcfilters', filterType, startHeight, stopHash })
      return () => { if (this.cfilters?.finish === finish) this.cfilters = undefined }
    })
  }

  getCFHeaders (filterType: number, startHeight: number, stopHash: Uint8Array, options: RequestOptions): Promise<CFHeadersMessage> {
    return this.request(options, HEADERS_RESPONSE_TIME, 'cfheaders', this.filterTurns, (finish) => {
      const asked = { filterType, stopHash, finish }
      this.cfheaders.push(asked)
      this.owner.send({ type: 'getcfheaders', filterType, startHeight, stopHash })
      return () => { this.cfheaders.splice(this.cfheaders.indexOf(asked), 1) }
    })
  }

  getCFCheckpt (filterType: number, stopHash: Uint8Array, options: RequestOptions): Promise<CFCheckptMessage> {
    return this.request(options, HEADERS_RESPONSE_TIME, 'cfcheckpt', this.filterTurns, (finish) => {
      const asked = { filterType, stopHash, finish }
      this.cfcheckpts.push(asked)
      this.owner.send({ type: 'getcfcheckpt', filterType, stopHash })
      return () => { this.cfcheckpts.splice(this.cfcheckpts.indexOf(asked), 1) }
    })
  }

  /** Requests in flight or waiting: blocks, transactions, and all. */
  get inFlight (): { blocks: number, transactions: number, all: number } {
    return { blocks: this.blocksAsked, transactions: this.txsAsked, all: this.open.size }
  }

  /** A message of the peer after 'ready': ends the request it answers, if any. */
  receive (message: Message): void {
    switch (message.type) {
      case 'headers': {
        const asked = this.headers
        if (asked !== undefined && this.answers(asked, message.headers)) asked.finish(undefined, message.headers)
        break
      }
      case 'block':
        if (this.blocksAsked > 0 && message.raw.length >= BLOCK_HEADER_BYTES) {
          this.first(`block:${hashToHex(blockHash(message.raw.subarray(0, BLOCK_HEADER_BYTES)))}`)?.(undefined, message.raw)
        }
        break
      case 'tx':
        if (this.txsAsked > 0) this.receiveTx(message.raw)
        break
      case 'notfound':
        // Nothing asked: no id to work out for each of up to 50,000 entries.
        if (this.items.size === 0) break
        for (const { invType, hash } of message.inventory) {
          const kind = invType === INVENTORY_TYPE.MSG_WTX
            ? 'wtxid'
            : invType === INVENTORY_TYPE.MSG_TX || invType === INVENTORY_TYPE.MSG_WITNESS_TX
              ? 'txid'
              : invType === INVENTORY_TYPE.MSG_BLOCK || invType === INVENTORY_TYPE.MSG_WITNESS_BLOCK ? 'block' : undefined
          if (kind === undefined) continue
          const id = hashToHex(hash)
          this.first(`${kind}:${id}`)?.(notFound(kind === 'block' ? `block ${id}` : `transaction ${kind} ${id}`))
        }
        break
      case 'cfilter':
        this.receiveCFilter(message)
        break
      case 'cfheaders':
        this.cfheaders.find((a) => a.filterType === message.filterType && equal(a.stopHash, message.stopHash))?.finish(undefined, message)
        break
      case 'cfcheckpt':
        this.cfcheckpts.find((a) => a.filterType === message.filterType && equal(a.stopHash, message.stopHash))?.finish(undefined, message)
        break
      default:
    }
  }

  /** The peer's pong: the requests its ping followed that have no answer get none. */
  pong (payload: Uint8Array): void {
    if (this.barriers.size === 0 || payload.length < 8) return
    const nonce = new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0, true)
    this.barriers.get(nonce)?.()
  }

  /** The Peer closed: every request fails with `err`, and every later one. */
  close (err: Error): void {
    this.closed = err
    for (const finish of [...this.open]) finish(err)
  }

  private request<T> (options: RequestOptions, defaultTimeout: number, what: string, turns: Turns, start: (finish: Finish<T>) => () => void): Promise<T> {
    const { timeout = defaultTimeout, signal } = options
    return new Promise<T>((resolve, reject) => {
      const refusal = this.closed ?? this.owner.refusal()
      if (refusal !== undefined) {
        reject(refusal)
        return
      }
      if (signal?.aborted === true) {
        reject(abortError(signal))
        return
      }
      if (this.open.size >= MAX_PENDING_REQUESTS) {
        reject(new Bip324Error('ERR_BIP324_LIMIT', `${MAX_PENDING_REQUESTS} requests already wait for the peer`))
        return
      }
      let done = false
      let timer: NodeJS.Timeout | undefined
      let unregister = noop
      let leave = noop
      const onAbort = (): void => { finish(abortError(signal!)) }
      const finish: Finish<T> = (err, value) => {
        if (done) return
        done = true
        this.open.delete(finish as Finish<never>)
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        unregister()
        leave()
        if (err !== undefined) reject(err)
        else resolve(value as T)
      }
      this.open.add(finish as Finish<never>)
      if (timeout > 0) {
        timer = setTimeout(() => finish(new Bip324Error('ERR_BIP324_TIMEOUT', `the peer sent no ${what} within ${timeout} ms`)), timeout).unref()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      const left = turns.take(() => { unregister = start(finish) })
      if (done) left()
      else leave = left
    })
  }

  // Core answers a getheaders from the first locator entry on its active chain, or from genesis
  // when it knows none; with no locator, with the stop hash's header.
  private answers (asked: HeadersAsked, headers: readonly BlockHeader[]): boolean {
    const first = headers[0]
    if (first === undefined) return true
    if (asked.locator.length === 0) return headers.length === 1 && equal(blockHash(encodeBlockHeader(first)), asked.stop)
    const { genesis } = this.owner
    return asked.locator.some((hash) => equal(hash, first.prevBlock)) || (genesis !== undefined && equal(first.prevBlock, genesis))
  }

  private receiveTx (raw: Uint8Array): void {
    let ids: [Uint8Array, Uint8Array]
    try {
      ids = [txid(raw), wtxid(raw)]
    } catch (err) {
      // Not a transaction: no answer to any request (the application sees it as it came).
      if (err instanceof Bip324Error) return
      throw err
    }
    this.first(`txid:${hashToHex(ids[0])}`)?.(undefined, raw)
    this.first(`wtxid:${hashToHex(ids[1])}`)?.(undefined, raw)
  }

  private receiveCFilter (m: CFilterMessage): void {
    const asked = this.cfilters
    if (asked === undefined || asked.filterType !== m.filterType) return
    asked.filters.push(m)
    asked.bytes += m.filter.length
    if (equal(m.blockHash, asked.stopHash)) asked.finish(undefined, asked.filters)
    else if (asked.filters.length >= MAX_GETCFILTERS_SIZE || asked.bytes > MAX_CFILTERS_BYTES) {
      asked.finish(new Bip324Error('ERR_BIP324_LIMIT', `the peer sent ${asked.filters.length} filters (${asked.bytes} bytes) without the one of the stop hash: at most ${MAX_GETCFILTERS_SIZE} are asked for, within ${MAX_CFILTERS_BYTES} bytes`))
    }
  }

  private list (key: string, finish: Finish<Uint8Array>): () => void {
    const waiting = this.items.get(key)
    if (waiting === undefined) this.items.set(key, [finish])
    else waiting.push(finish)
    return () => {
      const list = this.items.get(key)
      if (list === undefined) return
      list.splice(list.indexOf(finish), 1)
      if (list.length === 0) this.items.delete(key)
    }
  }

  private first (key: string): Finish<Uint8Array> | undefined {
    return this.items.get(key)?.[0]
  }

  // A ping after a request Core may leave unanswered; `none` when its pong comes first. Without
  // pongs (BIP-31), the timeout alone.
  private barrier (none: () => void): () => void {
    if (!this.owner.pongs()) return noop
    let nonce: bigint
    // Zero would cancel our Pinger's ping; a nonce in use would end another request.
    do nonce = randomNonce(); while (nonce === 0n || this.barriers.has(nonce))
    this.barriers.set(nonce, none)
    this.owner.send({ type: 'ping', nonce })
    return () => { this.barriers.delete(nonce) }
  }
}
