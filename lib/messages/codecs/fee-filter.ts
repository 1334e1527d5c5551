/**
 * feefilter (BIP-133): the fee rate, in satoshis per 1000 virtual bytes, below which the sender
 * wants no transaction announcements. Signed on the wire (Core's CAmount).
 * @see https://github.com/bitcoin/bips/blob/master/bip-0133.mediawiki
 */

import type { Codec } from './codec'

export interface FeeFilterMessage {
  type: 'feefilter'
  feeRate: bigint
}

export const feeFilterCodec: Codec<FeeFilterMessage> = {
  encode: (w, msg) => w.i64(msg.feeRate),
  decode: (r) => ({ feeRate: r.i64() })
}
