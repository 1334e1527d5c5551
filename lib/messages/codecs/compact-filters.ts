/**
 * BIP-157 compact block filters: requests by filter type, start height and stop hash, and the
 * filters, filter headers and checkpoints that answer them. cfheaders holds at most 2000 hashes
 * (Core's MAX_GETCFHEADERS_SIZE); a cfilter or cfcheckpt is bounded only by the payload size.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0157.mediawiki
 */

import { type ByteReader, NO_LIMIT } from '../byte-reader'
import type { ByteWriter } from '../byte-writer'
import { MAX_CFHEADERS_SIZE } from '../limits'
import type { Codec } from './codec'

export type FilterRangeCommand = 'getcfilters' | 'getcfheaders'

export type FilterRangeMessage<T extends FilterRangeCommand = FilterRangeCommand> = T extends FilterRangeCommand
  ? { type: T, filterType: number, startHeight: number, stopHash: Uint8Array }
  : never

export interface CFilterMessage {
  type: 'cfilter'
  filterType: number
  blockHash: Uint8Array
  filter: Uint8Array
}

export interface CFHeadersMessage {
  type: 'cfheaders'
  filterType: number
  stopHash: Uint8Array
  previousFilterHeader: Uint8Array
  filterHashes: Uint8Array[]
}

export interface GetCFCheckptMessage {
  type: 'getcfcheckpt'
  filterType: number
  stopHash: Uint8Array
}

export interface CFCheckptMessage {
  type: 'cfcheckpt'
  filterType: number
  stopHash: Uint8Array
  filterHeaders: Uint8Array[]
}

function writeHashes (w: ByteWriter, hashes: Uint8Array[], max: number, what: string): void {
  w.count(hashes, max, what)
  for (const hash of hashes) w.hash(hash)
}

function readHashes (r: ByteReader, max: number, what: string): Uint8Array[] {
  const n = r.count(max, 32, what)
  const hashes: Uint8Array[] = []
  for (let i = 0; i < n; i++) hashes.push(r.hash())
  return hashes
}

export const filterRangeCodec: Codec<FilterRangeMessage> = {
  encode: (w, msg) => {
    w.u8(msg.filterType)
    w.u32(msg.startHeight)
    w.hash(msg.stopHash)
  },
  decode: (r) => ({ filterType: r.u8(), startHeight: r.u32(), stopHash: r.hash() })
}

export const cfilterCodec: Codec<CFilterMessage> = {
  encode: (w, msg) => {
    w.u8(msg.filterType)
    w.hash(msg.blockHash)
    w.varBytes(msg.filter, NO_LIMIT, 'filter')
  },
  decode: (r) => ({ filterType: r.u8(), blockHash: r.hash(), filter: r.varBytes(NO_LIMIT, 'filter') })
}

export const cfheadersCodec: Codec<CFHeadersMessage> = {
  encode: (w, msg) => {
    w.u8(msg.filterType)
    w.hash(msg.stopHash)
    w.hash(msg.previousFilterHeader)
    writeHashes(w, msg.filterHashes, MAX_CFHEADERS_SIZE, 'filter hashes')
  },
  decode: (r) => ({
    filterType: r.u8(),
    stopHash: r.hash(),
    previousFilterHeader: r.hash(),
    filterHashes: readHashes(r, MAX_CFHEADERS_SIZE, 'filter hashes')
  })
}

export const getCFCheckptCodec: Codec<GetCFCheckptMessage> = {
  encode: (w, msg) => {
    w.u8(msg.filterType)
    w.hash(msg.stopHash)
  },
  decode: (r) => ({ filterType: r.u8(), stopHash: r.hash() })
}

export const cfcheckptCodec: Codec<CFCheckptMessage> = {
  encode: (w, msg) => {
    w.u8(msg.filterType)
    w.hash(msg.stopHash)
    writeHashes(w, msg.filterHeaders, NO_LIMIT, 'filter headers')
  },
  decode: (r) => ({ filterType: r.u8(), stopHash: r.hash(), filterHeaders: readHashes(r, NO_LIMIT, 'filter headers') })
}
