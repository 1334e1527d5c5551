/**
 * ping and pong (BIP-31): a 64-bit nonce, echoed back.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0031.mediawiki
 */

import type { Codec } from './codec'

export type PingCommand = 'ping' | 'pong'

export type PingMessage<T extends PingCommand = PingCommand> = T extends PingCommand ? { type: T, nonce: bigint } : never

export const pingCodec: Codec<PingMessage> = {
  encode: (w, msg) => w.u64(msg.nonce),
  decode: (r) => ({ nonce: r.u64() })
}
