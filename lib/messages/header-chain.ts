/**
 * A run of headers, as a headers message brings them: each must build on the one before it (its
 * prevBlock is that header's hash) and meet the target its own bits claim, on its network (Core's
 * CheckHeadersAreContinuous and HasValidProofOfWork, which net_processing runs on every headers
 * message before anything else). Whether those bits are the difficulty the chain requires at that
 * height is not checked: that takes the headers of the whole retarget period (Core's
 * ContextualCheckBlockHeader, "bad-diffbits"), so a run that passes proves the work its headers
 * claim, not that the claim is the right one.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net_processing.cpp (ProcessHeadersMessage)
 */

import { invalid } from '../checks'
import { equal } from '../bytes'
import { blockRejected } from './block-rejection'
import { type BlockHeader, encodeBlockHeader } from './codecs/headers'
import { blockHash, hashToHex } from './hashes'
import { blockProof, type PowNetwork, powLimitOf, requireProofOfWork } from './proof-of-work'

/** Options of `checkHeaders`. */
export interface CheckHeadersOptions {
  /** The network whose powLimit bounds every target. */
  network: PowNetwork
  /** The hash (internal byte order) the first header must build on: the tip the run was asked
   *  for from, say. Without it the first header's prevBlock is taken as it is. */
  prevBlock?: Uint8Array
}

/** What a valid run of headers proves. */
export interface HeaderChain {
  /** Each header's hash, internal byte order, in order. */
  hashes: Uint8Array[]
  /** The work the headers claim, summed (Core's GetBlockProof per header): what they add to the
   *  chain work of the block they build on. */
  work: bigint
}


/**
 * Throws ERR_BIP324_BAD_PAYLOAD at the first header that does not build on the one before it
 * (reason 'prev-blk-not-found', Core's for a header whose parent it does not know) or fails its
 * proof of work (reason 'high-hash'); otherwise returns the run's hashes and work.
 */
export function checkHeaders (headers: readonly BlockHeader[], options: CheckHeadersOptions): HeaderChain {
  if (!Array.isArray(headers)) throw invalid('expected the headers as an array')
  if (options === null || typeof options !== 'object') throw invalid('options must be an object with a network')
  const { network, prevBlock } = options
  powLimitOf(network)
  if (prevBlock !== undefined && !(prevBlock instanceof Uint8Array && prevBlock.length === 32)) {
    throw invalid('prevBlock must be a 32-byte Uint8Array')
  }
  const hashes: Uint8Array[] = []
  let work = 0n
  let previous = prevBlock
  for (const header of headers) {
    const hash = blockHash(encodeBlockHeader(header))
    if (previous !== undefined && !equal(header.prevBlock, previous)) {
      throw blockRejected(hash, 'prev-blk-not-found', `header ${hashes.length} builds on ${hashToHex(header.prevBlock)}, not on ${hashToHex(previous)}`)
    }
    requireProofOfWork(hash, header.bits, network)
    hashes.push(hash)
    work += blockProof(header.bits)
    previous = hash
  }
  return { hashes, work }
}
