/**
 * What a full node answers about its chain, for the headers and block commands' and the Peer's
 * requests' tests: getheaders as Bitcoin Core answers it (the headers after the first locator
 * entry it knows, at most 2,000, ending at the stop hash; with no locator, the stop hash's header
 * alone or nothing), getdata for blocks it has (nothing for others) and transactions (a notfound
 * listing the ones it does not have, after the others, as ProcessGetData), and the BIP-157
 * requests for a header chain it has. Its filters are placeholders (filterOf), not BIP-158's:
 * they tell which block a cfilter is of, which is what matching is tested on.
 * Messages in, messages out: the test's stand-in node carries them over whichever connection it serves.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net_processing.cpp (NetMsgType::GETHEADERS, ProcessGetData, ProcessGetCFilters)
 */

import {
  blockHash, type BlockHeader, type CFCheckptMessage, type CFHeadersMessage, type CFilterMessage, decodeBlockHeader, doubleSha256,
  encodeBlockHeader, hashToHex, type HeadersMessage, INVENTORY_TYPE, type InventoryItem, type InventoryMessage, MAX_HEADERS_RESULTS, type Message
} from '../../lib/messages'

export interface Chain {
  /** Genesis first. */
  headers: readonly BlockHeader[]
  /** Raw blocks by hash (display hex), served for MSG_BLOCK and MSG_WITNESS_BLOCK alike. */
  blocks?: ReadonlyMap<string, Uint8Array>
  /** Raw transactions by txid and by wtxid (display hex). */
  transactions?: ReadonlyMap<string, Uint8Array>
}

/** A message, or a block or transaction as its payload bytes. */
export type Reply = HeadersMessage | InventoryMessage<'notfound'> | CFilterMessage | CFHeadersMessage | CFCheckptMessage | { type: 'block' | 'tx', payload: Uint8Array }

/** The placeholder filter of a block (of any filter type): its hash, hashed again. */
export function filterOf (hash: Uint8Array): Uint8Array {
  return doubleSha256(hash)
}

// Core's BIP-157 limits: filters per getcfilters, and the spacing of cfcheckpt's headers.
const MAX_GETCFILTERS_SIZE = 1000
const CFCHECKPT_INTERVAL = 1000

const TX_TYPES: ReadonlySet<number> = new Set([INVENTORY_TYPE.MSG_TX, INVENTORY_TYPE.MSG_WITNESS_TX, INVENTORY_TYPE.MSG_WTX])

/** Answers `message` from `chain`: the replies to send, none for what it does not serve. Core sends
 *  nothing for a block it does not have (notfound is for transactions). */
export function answer (chain: Chain, message: Message): Reply[] {
  if (message.type === 'getheaders' && 'locator' in message) {
    const height = new Map(chain.headers.map((h, i) => [hashToHex(blockHash(encodeBlockHeader(h))), i]))
    const stopHex = hashToHex(message.stopHash)
    const stop = height.get(stopHex)
    // No locator: the header of the stop hash alone, if the block is in the node's index (a header
    // of its chain, or a block it has), else nothing at all (Core: "If locator is null, return
    // the hashStop block", LookupBlockIndex, and no reply when it is unknown).
    if (message.locator.length === 0) {
      const raw = chain.blocks?.get(stopHex)
      const header = stop !== undefined ? chain.headers[stop] : raw !== undefined ? decodeBlockHeader(raw.subarray(0, 80)) : undefined
      return header === undefined ? [] : [{ type: 'headers', headers: [header] }]
    }
    // No locator entry known: Core starts after genesis.
    const fork = message.locator.map((hash) => height.get(hashToHex(hash))).find((h) => h !== undefined) ?? 0
    const end = Math.min(chain.headers.length - 1, fork + MAX_HEADERS_RESULTS, stop ?? Infinity)
    return [{ type: 'headers', headers: chain.headers.slice(fork + 1, end + 1) }]
  }
  if (message.type === 'getdata' && 'inventory' in message) {
    const notFound: InventoryItem[] = []
    const replies = message.inventory.flatMap((item): Reply[] => {
      if (TX_TYPES.has(item.invType)) {
        const raw = chain.transactions?.get(hashToHex(item.hash))
        if (raw === undefined) notFound.push(item)
        return raw === undefined ? [] : [{ type: 'tx', payload: raw }]
      }
      const raw = (item.invType === INVENTORY_TYPE.MSG_WITNESS_BLOCK || item.invType === INVENTORY_TYPE.MSG_BLOCK)
        ? chain.blocks?.get(hashToHex(item.hash))
        : undefined
      return raw === undefined ? [] : [{ type: 'block', payload: raw }]
    })
    return notFound.length === 0 ? replies : [...replies, { type: 'notfound', inventory: notFound }]
  }
  if (message.type === 'getcfilters' || message.type === 'getcfheaders' || message.type === 'getcfcheckpt') {
    const hashes = chain.headers.map((h) => blockHash(encodeBlockHeader(h)))
    const stop = hashes.findIndex((h) => hashToHex(h) === hashToHex(message.stopHash))
    // Core disconnects for an unknown stop hash or a range it does not serve; the stand-in says nothing.
    if (stop < 0) return []
    const { filterType, stopHash } = message
    if (message.type === 'getcfcheckpt') {
      const filterHeaders = hashes.filter((_, height) => height > 0 && height <= stop && height % CFCHECKPT_INTERVAL === 0).map((h) => doubleSha256(filterOf(h)))
      return [{ type: 'cfcheckpt', filterType, stopHash, filterHeaders }]
    }
    const range = hashes.slice(message.startHeight, stop + 1)
    if (range.length === 0 || range.length > (message.type === 'getcfilters' ? MAX_GETCFILTERS_SIZE : MAX_HEADERS_RESULTS)) return []
    if (message.type === 'getcfheaders') {
      return [{ type: 'cfheaders', filterType, stopHash, previousFilterHeader: new Uint8Array(32), filterHashes: range.map((h) => doubleSha256(filterOf(h))) }]
    }
    return range.map((h) => ({ type: 'cfilter', filterType, blockHash: h, filter: filterOf(h) }))
  }
  return []
}
