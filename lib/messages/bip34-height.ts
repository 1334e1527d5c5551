/**
 * BIP-34: from version 2 blocks on, the coinbase's scriptSig starts with the block's height, pushed
 * as Bitcoin Core's `CScript() << nHeight` pushes it: OP_0 for 0, OP_1 to OP_16 for 1 to 16, else the
 * minimal little-endian CScriptNum of 1 to 4 bytes. Core (ContextualCheckBlock, "bad-cb-height")
 * compares those bytes; this reads them back. Blocks before BIP-34's activation (mainnet 227,931)
 * carry no height: what their scriptSig starts with is not one.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0034.mediawiki
 */

import { invalid } from '../checks'
import type { Block } from './codecs/block'
import { isCoinbase, type Transaction } from './codecs/transaction'

const OP_0 = 0x00
const OP_1 = 0x51
const OP_16 = 0x60
// The longest push of a height: an int32 CScriptNum.
const MAX_HEIGHT_BYTES = 4

/** The height a block's coinbase (or that coinbase itself) starts with, as BIP-34 puts it there;
 *  undefined when its scriptSig does not start with a push Core's `CScript() << nHeight` makes. */
export function bip34Height (block: Block | Transaction): number | undefined {
  const coinbase = block !== null && typeof block === 'object' && 'transactions' in block ? block.transactions[0] : block
  if (coinbase === undefined || coinbase === null || typeof coinbase !== 'object' || !Array.isArray(coinbase.inputs) || !isCoinbase(coinbase)) {
    throw invalid('expected a decoded block or its coinbase transaction')
  }
  const script = coinbase.inputs[0]!.scriptSig
  const op = script[0]
  if (op === undefined) return undefined
  if (op === OP_0) return 0
  if (op >= OP_1 && op <= OP_16) return op - OP_1 + 1
  if (op > MAX_HEIGHT_BYTES || script.length < 1 + op) return undefined
  const num = script.subarray(1, 1 + op)
  const last = num[op - 1]!
  // Negative (the sign bit), or not minimal: a top byte that only pads without being needed for the sign.
  if ((last & 0x80) !== 0) return undefined
  if (last === 0 && (op === 1 || (num[op - 2]! & 0x80) === 0)) return undefined
  const height = num.reduceRight((n, byte) => n * 256 + byte, 0)
  // 1 to 16 have their opcodes: a push of them is not what Core writes.
  return height <= 16 ? undefined : height
}
