/**
 * BIP-152 compact blocks: sendcmpct (whether to announce new blocks as cmpctblock, and in which
 * version) and getblocktxn (the transactions a compact block left us missing, by index). Indexes travel differentially encoded: each
 * is the gap after the previous one; decoding rebuilds absolute indexes and refuses any past 2^16 - 1,
 * as Bitcoin Core's DifferenceFormatter does.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0152.mediawiki
 */

import { Bip324Error } from '../../errors'
import { NO_LIMIT } from '../byte-reader'
import { invalid } from '../byte-writer'
import type { Codec } from './codec'

export interface SendCmpctMessage {
  type: 'sendcmpct'
  announce: boolean
  version: bigint
}

export interface GetBlockTxnMessage {
  type: 'getblocktxn'
  blockHash: Uint8Array
  /** Absolute, strictly increasing, each at most 65535. */
  indexes: number[]
}

const MAX_INDEX = 0xffff

export const sendCmpctCodec: Codec<SendCmpctMessage> = {
  encode: (w, msg) => {
    w.bool(msg.announce)
    w.u64(msg.version)
  },
  decode: (r) => ({ announce: r.bool(), version: r.u64() })
}

export const getBlockTxnCodec: Codec<GetBlockTxnMessage> = {
  encode: (w, msg) => {
    w.hash(msg.blockHash)
    w.count(msg.indexes, NO_LIMIT, 'indexes')
    let next = 0
    for (const index of msg.indexes) {
      if (!Number.isInteger(index) || index < next || index > MAX_INDEX) {
        throw invalid(`getblocktxn indexes must be strictly increasing integers up to ${MAX_INDEX}, got ${String(index)}`)
      }
      w.compactSize(index - next)
      next = index + 1
    }
  },
  decode: (r) => {
    const blockHash = r.hash()
    const n = r.count(NO_LIMIT, 1, 'indexes')
    const indexes: number[] = []
    let next = 0n
    for (let i = 0; i < n; i++) {
      const index = next + r.compactSize()
      if (index > MAX_INDEX) throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `getblocktxn index ${i} overflows 16 bits`)
      indexes.push(Number(index))
      next = index + 1n
    }
    return { blockHash, indexes }
  }
}
