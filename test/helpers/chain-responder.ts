/**
 * What a full node answers about its chain, for the headers and block commands' tests: getheaders
 * as Bitcoin Core answers it (the headers after the first locator entry it knows, at most 2,000,
 * ending at the stop hash; with no locator, the stop hash's header alone or nothing), and getdata
 * for blocks it has. Messages in, messages out: the test's
 * stand-in node carries them over whichever connection it serves.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net_processing.cpp (NetMsgType::GETHEADERS, ProcessGetBlockData)
 */

import {
  blockHash, type BlockHeader, decodeBlockHeader, encodeBlockHeader, hashToHex, INVENTORY_TYPE, MAX_HEADERS_RESULTS, type Message
} from '../../lib/messages'

export interface Chain {
  /** Genesis first. */
  headers: readonly BlockHeader[]
  /** Raw blocks by hash (display hex), served for MSG_BLOCK and MSG_WITNESS_BLOCK alike. */
  blocks?: ReadonlyMap<string, Uint8Array>
}

/** A headers message, or a block as its payload bytes. */
export type Reply = { type: 'headers', headers: BlockHeader[] } | { type: 'block', payload: Uint8Array }

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
    return message.inventory.flatMap((item) => {
      const raw = (item.invType === INVENTORY_TYPE.MSG_WITNESS_BLOCK || item.invType === INVENTORY_TYPE.MSG_BLOCK)
        ? chain.blocks?.get(hashToHex(item.hash))
        : undefined
      return raw === undefined ? [] : [{ type: 'block' as const, payload: raw }]
    })
  }
  return []
}
