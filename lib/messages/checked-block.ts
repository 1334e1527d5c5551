/**
 * The convenient path for a block a peer sent: decode it, then check it as Bitcoin Core checks a
 * block it receives before it looks at any coin. The codec and the checks stay separate calls.
 */

import { checkBlock, type CheckBlockOptions } from './check-block'
import { type Block, decodeBlock } from './codecs/block'
import { powLimitOf } from './proof-of-work'
import { invalid } from '../checks'

/**
 * `decodeBlock(bytes)`, then `checkBlock(block, options)`. Throws ERR_BIP324_BAD_PAYLOAD for
 * malformed bytes or a failed check (with Core's reason in `err.reason`), ERR_BIP324_OVERSIZED past
 * 4,000,000 bytes; a wrong option is ERR_BIP324_INVALID_ARG before anything is decoded.
 */
export function decodeCheckedBlock (bytes: Uint8Array, options: CheckBlockOptions = {}): Block {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object')
  if (options.network !== undefined) powLimitOf(options.network)
  const block = decodeBlock(bytes)
  checkBlock(block, options)
  return block
}
