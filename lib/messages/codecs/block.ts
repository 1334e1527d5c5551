/**
 * Blocks (the `block` message): the 80-byte header, a transaction count, then the transactions,
 * each found by decoding it (./transaction.ts). Decoding checks the bytes only; Bitcoin Core's
 * checks of the block's contents are ../check-block.ts, and ../checked-block.ts runs both.
 * @see https://developer.bitcoin.org/reference/block_chain.html#serialized-blocks
 */

import { invalid } from '../../checks'
import { ByteReader, NO_LIMIT } from '../byte-reader'
import { blockHash } from '../hashes'
import { BLOCK_HEADER_BYTES, type BlockHeader, decodeBlockHeader } from './headers'
import { MIN_TRANSACTION_BYTES, payloadCopy, readTransactions, type Transaction } from './transaction'

/** A decoded block. */
export interface Block {
  header: BlockHeader
  /** The header's double SHA-256, internal byte order (`hashToHex` for display). */
  hash: Uint8Array
  /** Coinbase first, as they came. */
  transactions: Transaction[]
  /** The serialization, as it came (the decoder's own copy, of which every byte field is a view). */
  raw: Uint8Array
}

/**
 * Decodes a block. Throws ERR_BIP324_BAD_PAYLOAD for malformed bytes (truncated, trailing bytes, a
 * transaction Core would not deserialize), ERR_BIP324_OVERSIZED past 4,000,000 bytes. Every
 * transaction count is weighed against the bytes left before anything is decoded for it. It does
 * not check what the block says (merkle root, proof of work...): `checkBlock`, or
 * `decodeCheckedBlock` for both.
 */
export function decodeBlock (bytes: Uint8Array, ...rest: unknown[]): Block {
  // Until 0.1 decodeBlock also checked, with options: such a call must not silently skip the checks.
  if (rest.length > 0) throw invalid('decodeBlock(bytes) only decodes: use decodeCheckedBlock(bytes, options) to decode and check')
  const raw = payloadCopy(bytes, 'block')
  const r = new ByteReader(raw)
  r.skip(BLOCK_HEADER_BYTES)
  const header80 = raw.subarray(0, BLOCK_HEADER_BYTES)
  const transactions = readTransactions(r, r.count(NO_LIMIT, MIN_TRANSACTION_BYTES, 'transactions'))
  r.end()
  return { header: decodeBlockHeader(header80), hash: blockHash(header80), transactions, raw }
}
