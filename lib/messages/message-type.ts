/**
 * The message type at the start of v2 contents: one byte for the types BIP-324 gives a short id,
 * otherwise a 0 byte and the 12-byte command. One table serves both directions.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-bitcoin-p2p-message-structure
 */

import { invalid } from '../checks'
import { badType, COMMAND_BYTES, readCommand, writeCommand } from './command'

/** BIP-324's short ids, as listed in the BIP, and those later BIPs assigned (bip-0324/message_type_ids.md:
 *  29 to 36 for utreexo, BIP-183, which this library names but does not decode; 37 for BIP-434's
 *  feature). 0 is not an id: it announces the long form.
 *  @see https://github.com/bitcoin/bips/blob/master/bip-0324/message_type_ids.md */
export const SHORT_MESSAGE_IDS: Readonly<Record<number, string>> = Object.freeze({
  1: 'addr',
  2: 'block',
  3: 'blocktxn',
  4: 'cmpctblock',
  5: 'feefilter',
  6: 'filteradd',
  7: 'filterclear',
  8: 'filterload',
  9: 'getblocks',
  10: 'getblocktxn',
  11: 'getdata',
  12: 'getheaders',
  13: 'headers',
  14: 'inv',
  15: 'mempool',
  16: 'merkleblock',
  17: 'notfound',
  18: 'ping',
  19: 'pong',
  20: 'sendcmpct',
  21: 'tx',
  22: 'getcfilters',
  23: 'cfilter',
  24: 'getcfheaders',
  25: 'cfheaders',
  26: 'getcfcheckpt',
  27: 'cfcheckpt',
  28: 'addrv2',
  29: 'uproof',
  30: 'getuproof',
  31: 'uttls',
  32: 'getuttls',
  33: 'usummary',
  34: 'utreexotx',
  35: 'uroot',
  36: 'geturoot',
  37: 'feature'
})

const SHORT_ID_OF = new Map(Object.entries(SHORT_MESSAGE_IDS).map(([id, type]) => [type, Number(id)]))

/**
 * Decoded contents. Ids 38..255 are reserved for future message types: a peer may send them and
 * they are not an error, so they come back by number for the caller to ignore.
 */
export type RawMessage =
  | { type: string, payload: Uint8Array }
  | { type: undefined, shortId: number, payload: Uint8Array }

export function encodeContents (type: string, payload: Uint8Array): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw invalid('expected the payload as a Uint8Array')
  const shortId = SHORT_ID_OF.get(type)
  if (shortId !== undefined) {
    const contents = new Uint8Array(1 + payload.length)
    contents[0] = shortId
    contents.set(payload, 1)
    return contents
  }
  const contents = new Uint8Array(1 + COMMAND_BYTES + payload.length)
  writeCommand(contents, 1, type)
  contents.set(payload, 1 + COMMAND_BYTES)
  return contents
}

/** The payload is a view into `contents`, not a copy. */
export function decodeContents (contents: Uint8Array): RawMessage {
  if (!(contents instanceof Uint8Array)) throw invalid('expected the contents as a Uint8Array')
  if (contents.length === 0) throw badType('the contents are empty')
  const first = contents[0]!
  if (first !== 0) {
    const type = SHORT_MESSAGE_IDS[first]
    const payload = contents.subarray(1)
    return type === undefined ? { type, shortId: first, payload } : { type, payload }
  }
  if (contents.length < 1 + COMMAND_BYTES) throw badType(`the long form needs ${1 + COMMAND_BYTES} bytes, got ${contents.length}`)
  return { type: readCommand(contents.subarray(1, 1 + COMMAND_BYTES)), payload: contents.subarray(1 + COMMAND_BYTES) }
}
