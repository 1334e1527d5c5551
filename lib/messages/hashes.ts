/**
 * Double SHA-256 and block hashes (transaction ids are in codecs/transaction.ts). Hashes are in
 * internal byte order, as they travel in inv or a header; `hashToHex` reverses them into the order
 * explorers and RPCs display.
 */

import { createHash } from 'node:crypto'

import { Bip324Error } from '../errors'
import { BLOCK_HEADER_BYTES } from './codecs/headers'

export function doubleSha256 (...parts: Uint8Array[]): Uint8Array {
  const inner = createHash('sha256')
  for (const part of parts) inner.update(part)
  return new Uint8Array(createHash('sha256').update(inner.digest()).digest())
}

export function blockHash (header80: Uint8Array): Uint8Array {
  if (!(header80 instanceof Uint8Array) || header80.length !== BLOCK_HEADER_BYTES) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `expected a block header as a Uint8Array of length ${BLOCK_HEADER_BYTES}, got length=${String(header80?.length)}`)
  }
  return doubleSha256(header80)
}

export function hashToHex (hash: Uint8Array): string {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'expected a 32-byte hash')
  return Buffer.from(hash).reverse().toString('hex')
}

/** The inverse of `hashToHex`: a displayed hash back into internal byte order. */
export function hashFromHex (hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'expected 64 hex digits')
  return new Uint8Array(Buffer.from(hex, 'hex').reverse())
}
