/**
 * BIP-37 bloom filters: filterload sets one, filteradd adds a data element to it (filterclear, which
 * removes it, is an empty message). Sizes over Bitcoin Core's limits are refused before allocating.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0037.mediawiki
 */

import { Bip324Error } from '../../errors'
import { invalid } from '../byte-writer'
import { MAX_BLOOM_FILTER_SIZE, MAX_HASH_FUNCS, MAX_SCRIPT_ELEMENT_SIZE } from '../limits'
import type { Codec } from './codec'

export interface FilterLoadMessage {
  type: 'filterload'
  filter: Uint8Array
  hashFuncs: number
  tweak: number
  /** BLOOM_UPDATE_NONE 0, BLOOM_UPDATE_ALL 1, BLOOM_UPDATE_P2PUBKEY_ONLY 2. */
  flags: number
}

export interface FilterAddMessage {
  type: 'filteradd'
  data: Uint8Array
}

export const filterLoadCodec: Codec<FilterLoadMessage> = {
  encode: (w, msg) => {
    if (msg.hashFuncs > MAX_HASH_FUNCS) throw invalid(`filterload: ${msg.hashFuncs} hash functions, the limit is ${MAX_HASH_FUNCS}`)
    w.varBytes(msg.filter, MAX_BLOOM_FILTER_SIZE, 'bloom filter')
    w.u32(msg.hashFuncs)
    w.u32(msg.tweak)
    w.u8(msg.flags)
  },
  decode: (r) => {
    const filter = r.varBytes(MAX_BLOOM_FILTER_SIZE, 'bloom filter')
    const hashFuncs = r.u32()
    if (hashFuncs > MAX_HASH_FUNCS) throw new Bip324Error('ERR_BIP324_LIMIT', `filterload: ${hashFuncs} hash functions, the limit is ${MAX_HASH_FUNCS}`)
    return { filter, hashFuncs, tweak: r.u32(), flags: r.u8() }
  }
}

export const filterAddCodec: Codec<FilterAddMessage> = {
  encode: (w, msg) => w.varBytes(msg.data, MAX_SCRIPT_ELEMENT_SIZE, 'filteradd data'),
  decode: (r) => ({ data: r.varBytes(MAX_SCRIPT_ELEMENT_SIZE, 'filteradd data') })
}
