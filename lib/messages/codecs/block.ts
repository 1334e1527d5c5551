/**
 * Blocks (the `block` message): the 80-byte header, a transaction count, then the transactions,
 * each found by decoding it (./transaction.ts). By default the block is then checked as Bitcoin
 * Core checks a block it receives before it looks at any coin (../check-block.ts); `check: false`
 * only decodes.
 * @see https://developer.bitcoin.org/reference/block_chain.html#serialized-blocks
 */

import { Bip324Error } from '../../errors'
import { ByteReader, NO_LIMIT } from '../byte-reader'
import { checkBlock, type CheckBlockOptions } from '../check-block'
import { blockHash } from '../hashes'
import { powLimitOf } from '../proof-of-work'
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

/** Options of `decodeBlock`. */
export interface DecodeBlockOptions extends CheckBlockOptions {
  /** Run `checkBlock` on the decoded block (default true); false only decodes. */
  check?: boolean
}

/**
 * Decodes a block, then (unless `check: false`) checks it with `checkBlock`. Throws
 * ERR_BIP324_BAD_PAYLOAD for malformed bytes (truncated, trailing bytes, a transaction Core would
 * not deserialize) or a failed check (with Core's reason in `err.reason`), ERR_BIP324_OVERSIZED past
 * 4,000,000 bytes. Every transaction count is weighed against the bytes left before anything is
 * decoded for it.
 */
export function decodeBlock (bytes: Uint8Array, options: DecodeBlockOptions = {}): Block {
  if (options === null || typeof options !== 'object') throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'options must be an object')
  const { check = true, ...checkOptions } = options
  if (typeof check !== 'boolean') throw new Bip324Error('ERR_BIP324_INVALID_ARG', `check must be a boolean, got ${String(check)}`)
  if (checkOptions.network !== undefined) powLimitOf(checkOptions.network)
  const raw = payloadCopy(bytes, 'block')
  const r = new ByteReader(raw)
  r.skip(BLOCK_HEADER_BYTES)
  const header80 = raw.subarray(0, BLOCK_HEADER_BYTES)
  const transactions = readTransactions(r, r.count(NO_LIMIT, MIN_TRANSACTION_BYTES, 'transactions'))
  r.end()
  const block = { header: decodeBlockHeader(header80), hash: blockHash(header80), transactions, raw }
  if (check) checkBlock(block, checkOptions)
  return block
}
