/**
 * Messages that are only their type: the payload is empty.
 * verack, getaddr, mempool: the original protocol; sendheaders: BIP-130; filterclear: BIP-37;
 * sendaddrv2: BIP-155; wtxidrelay: BIP-339.
 */

import type { Codec } from './codec'

export type EmptyCommand = 'verack' | 'getaddr' | 'mempool' | 'sendheaders' | 'filterclear' | 'sendaddrv2' | 'wtxidrelay'

export type EmptyMessage<T extends EmptyCommand = EmptyCommand> = T extends EmptyCommand ? { type: T } : never

export const emptyCodec: Codec<EmptyMessage> = {
  encode: () => {},
  decode: () => ({})
}
