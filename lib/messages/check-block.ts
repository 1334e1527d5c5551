/**
 * The checks Bitcoin Core makes of a block on its own, before any coin is looked up, in Core's
 * order and with Core's reject reasons: the header's proof of work when a network is given
 * (`high-hash`), the merkle root (`bad-txnmrklroot`) and its CVE-2012-2459 mutation
 * (`bad-txns-duplicate`), the size limits (`bad-blk-length`), the coinbase (`bad-cb-missing`,
 * `bad-cb-multiple`), the BIP-141 witness commitment (`bad-witness-nonce-size`,
 * `bad-witness-merkle-match`, `unexpected-witness`) and the weight (`bad-blk-weight`). Together they
 * tell whether the transactions are the ones the header commits to, which is what net_processing
 * asks (IsBlockMutated) before it treats a block as invalid rather than garbled.
 *
 * Not checked: each transaction's own rules (Core's CheckTransaction: empty inputs, amounts,
 * duplicate inputs...), signature operations, signet's block signature, and everything that needs
 * the chain (height in the coinbase, difficulty, time, locks). The witness commitment is checked as
 * after segwit's activation, which holds for every block of testnet4, signet and regtest, and of
 * mainnet from height 481,824 (testnet3: 834,624); a commitment-shaped output in an older block
 * would be held to it where Core ignores it.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/validation.cpp (CheckBlock, CheckMerkleRoot, CheckWitnessMalleation, ContextualCheckBlock)
 * @see https://github.com/bitcoin/bips/blob/master/bip-0141.mediawiki#commitment-structure
 */

import { invalid } from '../checks'
import { equal } from '../bytes'
import { blockRejected } from './block-rejection'
import type { Block } from './codecs/block'
import { isCoinbase } from './codecs/transaction'
import { doubleSha256 } from './hashes'
import { blockMerkleRoot, blockWitnessMerkleRoot } from './merkle'
import { type PowNetwork, requireProofOfWork } from './proof-of-work'

/** Options of `checkBlock`. */
export interface CheckBlockOptions {
  /** Check the header's proof of work against this network's powLimit too. Without it, proof of
   *  work is not checked (a header alone cannot say which network it is from). */
  network?: PowNetwork
}

/** BIP-141's block weight limit (Core's MAX_BLOCK_WEIGHT, consensus/consensus.h). */
export const MAX_BLOCK_WEIGHT = 4_000_000
/** Witness data's discount (Core's WITNESS_SCALE_FACTOR). */
const WITNESS_SCALE_FACTOR = 4
/** OP_RETURN, a 36-byte push, and BIP-141's commitment header aa21a9ed (Core: MINIMUM_WITNESS_COMMITMENT is 38). */
const COMMITMENT_HEADER = Uint8Array.of(0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed)
const MINIMUM_WITNESS_COMMITMENT = 38


/** Which coinbase output carries the witness commitment: the last that looks like one (Core's
 *  GetWitnessCommitmentIndex), or -1. */
export function witnessCommitmentIndex (block: Block): number {
  const outputs = block.transactions[0]?.outputs ?? []
  for (let i = outputs.length - 1; i >= 0; i--) {
    const s = outputs[i]!.scriptPubKey
    if (s.length >= MINIMUM_WITNESS_COMMITMENT && equal(s.subarray(0, COMMITMENT_HEADER.length), COMMITMENT_HEADER)) return i
  }
  return -1
}

/**
 * Throws ERR_BIP324_BAD_PAYLOAD, with Core's reject reason in `err.reason`, at the first check the
 * block fails; returns nothing when it passes them all.
 */
export function checkBlock (block: Block, options: CheckBlockOptions = {}): void {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object')
  const { header, hash, transactions: txs } = block
  if (options.network !== undefined) requireProofOfWork(hash, header.bits, options.network)

  const { root, mutated } = blockMerkleRoot(txs)
  if (!equal(root, header.merkleRoot)) throw blockRejected(hash, 'bad-txnmrklroot', 'hashMerkleRoot mismatch')
  if (mutated) throw blockRejected(hash, 'bad-txns-duplicate', 'duplicate transaction')

  // The size without witness data: header, count, and each transaction's (weight - size) / 3.
  const strippedSize = block.raw.length - txs.reduce((n, tx) => n + tx.raw.length - (tx.weight - tx.raw.length) / 3, 0)
  if (txs.length === 0 || txs.length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT || strippedSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
    throw blockRejected(hash, 'bad-blk-length', 'size limits failed')
  }
  if (!isCoinbase(txs[0]!)) throw blockRejected(hash, 'bad-cb-missing', 'first tx is not coinbase')
  if (txs.slice(1).some(isCoinbase)) throw blockRejected(hash, 'bad-cb-multiple', 'more than one coinbase')

  checkWitnessCommitment(block)

  const weight = (WITNESS_SCALE_FACTOR - 1) * strippedSize + block.raw.length
  if (weight > MAX_BLOCK_WEIGHT) throw blockRejected(hash, 'bad-blk-weight', 'weight limit failed')
}

// Core's CheckWitnessMalleation, with the commitment expected.
function checkWitnessCommitment (block: Block): void {
  const { hash, transactions: txs } = block
  const at = witnessCommitmentIndex(block)
  if (at === -1) {
    if (txs.some((tx) => tx.hasWitness)) throw blockRejected(hash, 'unexpected-witness', 'unexpected witness data found')
    return
  }
  const coinbase = txs[0]!
  const stack = coinbase.inputs[0]!.witness
  if (stack.length !== 1 || stack[0]!.length !== 32) throw blockRejected(hash, 'bad-witness-nonce-size', 'invalid witness reserved value size')
  const commitment = doubleSha256(blockWitnessMerkleRoot(txs), stack[0]!)
  if (!equal(commitment, coinbase.outputs[at]!.scriptPubKey.subarray(COMMITMENT_HEADER.length, COMMITMENT_HEADER.length + 32))) {
    throw blockRejected(hash, 'bad-witness-merkle-match', 'witness merkle commitment mismatch')
  }
}

