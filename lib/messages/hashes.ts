/**
 * Double SHA-256 and block hashes (transaction ids are in codecs/transaction.ts). Hashes are in
 * internal byte order, as they travel in inv or a header; `hashToHex` reverses them into the order
 * explorers and RPCs display.
 */

import { createHash } from 'node:crypto'

import { invalid } from '../checks'
import { BLOCK_HEADER_BYTES, type BlockHeader, encodeBlockHeader } from './codecs/headers'

export function doubleSha256 (...parts: Uint8Array[]): Uint8Array {
  const inner = createHash('sha256')
  for (const part of parts) inner.update(part)
  return new Uint8Array(createHash('sha256').update(inner.digest()).digest())
}

/** The hash of a block header: its 80 bytes, or a decoded header (a `headers` message's, a
 *  block's `header`), which is encoded to them first. */
export function blockHash (header: Uint8Array | BlockHeader): Uint8Array {
  if (header !== null && typeof header === 'object' && !(header instanceof Uint8Array)) return doubleSha256(encodeBlockHeader(header))
  if (!(header instanceof Uint8Array) || header.length !== BLOCK_HEADER_BYTES) {
    throw invalid(`expected a block header as a Uint8Array of length ${BLOCK_HEADER_BYTES} or a decoded header, got length=${String((header as { length?: unknown } | undefined)?.length)}`)
  }
  return doubleSha256(header)
}

export function hashToHex (hash: Uint8Array): string {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw invalid('expected a 32-byte hash')
  return Buffer.from(hash).reverse().toString('hex')
}

/** The inverse of `hashToHex`: a displayed hash back into internal byte order. */
export function hashFromHex (hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) throw invalid('expected 64 hex digits')
  return new Uint8Array(Buffer.from(hex, 'hex').reverse())
}
