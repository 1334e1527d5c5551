/**
 * Proof of work as Bitcoin Core checks a header on its own, without the chain before it: the
 * compact `bits` decoded into a target as arith_uint256::SetCompact does, the target refused when
 * negative, zero, overflowing or above the network's powLimit (DeriveTarget), and the header's hash,
 * read as a 256-bit little-endian number, at most the target (CheckProofOfWork). Whether `bits` is
 * the difficulty the chain requires at that height (retargeting, testnet's minimum-difficulty
 * blocks, BIP-94) needs the previous headers and is not checked here.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/arith_uint256.cpp (SetCompact)
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/pow.cpp (DeriveTarget, CheckProofOfWorkImpl)
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/chain.cpp (GetBlockProof)
 */

import { invalid } from '../checks'
import { isNetworkName, NETWORKS, type NetworkName } from '../network'
import { blockRejected } from './block-rejection'
import { hashToHex } from './hashes'

/** A named network, or any other by its proof-of-work limit (a custom signet's is signet's). */
export type PowNetwork = NetworkName | { powLimit: bigint }

/** What arith_uint256::SetCompact makes of compact bits. */
export interface CompactTarget {
  /** The number, truncated to 256 bits as Core's arith_uint256 is. */
  target: bigint
  /** The sign bit (0x00800000) is set and the mantissa is not zero. */
  negative: boolean
  /** The number does not fit in 256 bits. */
  overflow: boolean
}

const UINT256 = (1n << 256n) - 1n

function checkBits (bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff_ffff) throw invalid(`expected compact bits as a uint32, got ${String(bits)}`)
}

/** Core's arith_uint256::SetCompact: a size byte, a sign bit and a 23-bit mantissa. */
export function decodeCompact (bits: number): CompactTarget {
  checkBits(bits)
  const size = bits >>> 24
  let word = bits & 0x007fffff
  let target: bigint
  if (size <= 3) {
    word >>>= 8 * (3 - size)
    target = BigInt(word)
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & UINT256
  }
  return {
    target,
    negative: word !== 0 && (bits & 0x00800000) !== 0,
    overflow: word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
  }
}

/** A network's powLimit as a number. */
export function powLimitOf (network: PowNetwork): bigint {
  if (isNetworkName(network)) return BigInt(`0x${NETWORKS[network].powLimit}`)
  if (typeof network?.powLimit === 'bigint' && network.powLimit > 0n && network.powLimit <= UINT256) return network.powLimit
  throw invalid(`expected a network name (${Object.keys(NETWORKS).join(', ')}) or { powLimit } as a 256-bit bigint, got ${String(network)}`)
}

/** Core's DeriveTarget: the target `bits` claims, or undefined when Core would refuse it. */
export function deriveTarget (bits: number, powLimit: bigint): bigint | undefined {
  const { target, negative, overflow } = decodeCompact(bits)
  if (negative || target === 0n || overflow || target > powLimit) return undefined
  return target
}

/** Whether a block hash (internal byte order) meets the target its header's `bits` claim, on
 *  `network` (Core's CheckProofOfWork). */
export function checkProofOfWork (hash: Uint8Array, bits: number, network: PowNetwork): boolean {
  const target = deriveTarget(bits, powLimitOf(network))
  return target !== undefined && BigInt(`0x${hashToHex(hash)}`) <= target
}

/** The same check, throwing ERR_BIP324_BAD_PAYLOAD with reason 'high-hash' (Core's CheckBlockHeader). */
export function requireProofOfWork (hash: Uint8Array, bits: number, network: PowNetwork): void {
  if (!checkProofOfWork(hash, bits, network)) throw blockRejected(hash, 'high-hash', 'proof of work failed')
}

/**
 * The expected number of hashes a header with these bits took, 2^256 / (target + 1), what Core adds
 * up as chain work (GetBlockProof); 0 for bits that give no valid target.
 */
export function blockProof (bits: number): bigint {
  const { target, negative, overflow } = decodeCompact(bits)
  if (negative || overflow || target === 0n) return 0n
  return (1n << 256n) / (target + 1n)
}
