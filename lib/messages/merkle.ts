/**
 * Merkle roots as Bitcoin Core computes them: each level hashes pairs of the one below with double
 * SHA-256, and a level of odd length pairs its last hash with itself. That duplication is what
 * CVE-2012-2459 abuses: a block whose last transactions repeat has the same root as the block
 * without the repeat, so Core reports, beside the root, whether any level had two equal hashes in a
 * pair (the block is then "mutated", never valid).
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/consensus/merkle.cpp
 * @see https://github.com/bitcoin/bips/blob/master/bip-0141.mediawiki#commitment-structure
 */

import { equal } from '../bytes'
import type { Transaction } from './codecs/transaction'
import { doubleSha256 } from './hashes'

/** A merkle root, and whether a level had a pair of equal hashes (Core's `mutated`). */
export interface MerkleRoot {
  /** 32 bytes, internal byte order; all zeros for no leaves. */
  root: Uint8Array
  mutated: boolean
}


/** Core's ComputeMerkleRoot over 32-byte leaves, internal byte order. */
export function computeMerkleRoot (leaves: readonly Uint8Array[]): MerkleRoot {
  let level = [...leaves]
  let mutated = false
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2) {
      if (equal(level[i]!, level[i + 1]!)) mutated = true
    }
    if (level.length % 2 === 1) level.push(level.at(-1)!)
    const next: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) next.push(doubleSha256(level[i]!, level[i + 1]!))
    level = next
  }
  return { root: level[0] ?? new Uint8Array(32), mutated }
}

/** The root a block header commits to: over the txids (Core's BlockMerkleRoot). */
export function blockMerkleRoot (transactions: readonly Transaction[]): MerkleRoot {
  return computeMerkleRoot(transactions.map((tx) => tx.txid))
}

/** The root BIP-141's witness commitment commits to: over the wtxids, the coinbase's counted as
 *  zero (Core's BlockWitnessMerkleRoot). */
export function blockWitnessMerkleRoot (transactions: readonly Transaction[]): Uint8Array {
  return computeMerkleRoot(transactions.map((tx, i) => (i === 0 ? new Uint8Array(32) : tx.wtxid))).root
}
