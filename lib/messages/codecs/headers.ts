/**
 * Block headers and the messages that ask for them: getheaders and getblocks (a block locator and
 * a stop hash), headers (up to 2000 headers, each followed by a transaction count that is always 0).
 * @see https://developer.bitcoin.org/reference/block_chain.html#block-headers
 */

import { Bip324Error } from '../../errors'
import { invalid } from '../../checks'
import { ByteReader } from '../byte-reader'
import { ByteWriter } from '../byte-writer'
import { MAX_HEADERS_RESULTS, MAX_LOCATOR_SZ } from '../limits'
import type { Codec } from './codec'

export const BLOCK_HEADER_BYTES = 80

export interface BlockHeader {
  version: number
  /** 32 bytes, internal byte order, as every hash here. */
  prevBlock: Uint8Array
  merkleRoot: Uint8Array
  time: number
  bits: number
  nonce: number
}

export type LocatorCommand = 'getheaders' | 'getblocks'

export type LocatorMessage<T extends LocatorCommand = LocatorCommand> = T extends LocatorCommand
  ? {
      type: T
      /** The sender's protocol version (Bitcoin Core ignores it). */
      version: number
      /** Newest first, thinning out towards genesis. */
      locator: Uint8Array[]
      /** All zeros for "as many as you will send". */
      stopHash: Uint8Array
    }
  : never

export interface HeadersMessage {
  type: 'headers'
  headers: BlockHeader[]
}

function writeHeader (w: ByteWriter, header: BlockHeader): void {
  w.i32(header.version)
  w.hash(header.prevBlock)
  w.hash(header.merkleRoot)
  w.u32(header.time)
  w.u32(header.bits)
  w.u32(header.nonce)
}

function readHeader (r: ByteReader): BlockHeader {
  return { version: r.i32(), prevBlock: r.hash(), merkleRoot: r.hash(), time: r.u32(), bits: r.u32(), nonce: r.u32() }
}

/** The 80 bytes that `blockHash` hashes. */
export function encodeBlockHeader (header: BlockHeader): Uint8Array {
  const w = new ByteWriter()
  writeHeader(w, header)
  return w.finish()
}

export function decodeBlockHeader (bytes: Uint8Array): BlockHeader {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BLOCK_HEADER_BYTES) {
    throw invalid(`expected a Uint8Array of length ${BLOCK_HEADER_BYTES}, got length=${String(bytes?.length)}`)
  }
  return readHeader(new ByteReader(bytes))
}

export const locatorCodec: Codec<LocatorMessage> = {
  encode: (w, msg) => {
    w.i32(msg.version)
    w.count(msg.locator, MAX_LOCATOR_SZ, 'locator')
    for (const hash of msg.locator) w.hash(hash)
    w.hash(msg.stopHash)
  },
  decode: (r) => {
    const version = r.i32()
    const n = r.count(MAX_LOCATOR_SZ, 32, 'locator')
    const locator: Uint8Array[] = []
    for (let i = 0; i < n; i++) locator.push(r.hash())
    return { version, locator, stopHash: r.hash() }
  }
}

export const headersCodec: Codec<HeadersMessage> = {
  encode: (w, msg) => {
    w.count(msg.headers, MAX_HEADERS_RESULTS, 'headers')
    for (const header of msg.headers) {
      writeHeader(w, header)
      w.compactSize(0)
    }
  },
  decode: (r) => {
    const n = r.count(MAX_HEADERS_RESULTS, BLOCK_HEADER_BYTES + 1, 'headers')
    const headers: BlockHeader[] = []
    for (let i = 0; i < n; i++) {
      headers.push(readHeader(r))
      const txCount = r.compactSize()
      if (txCount !== 0n) throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `header ${i} announces ${txCount} transactions; headers carry none`)
    }
    return { headers }
  }
}
