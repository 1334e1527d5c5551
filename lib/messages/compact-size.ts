/**
 * CompactSize, Bitcoin's variable-length unsigned integer: one byte below 0xfd, else a marker
 * (0xfd, 0xfe, 0xff) and 2, 4 or 8 little-endian bytes. Only the shortest form is valid, as in
 * Bitcoin Core's `ReadCompactSize` ("non-canonical ReadCompactSize()").
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/serialize.h
 */

import { Bip324Error } from '../errors'
import { invalid } from '../checks'

const MAX_COMPACT_SIZE = 0xffff_ffff_ffff_ffffn

/** How many bytes the CompactSize of `n` takes: 1, 3, 5 or 9. */
export function compactSizeLength (n: bigint): number {
  return n < 0xfdn ? 1 : n <= 0xffffn ? 3 : n <= 0xffff_ffffn ? 5 : 9
}

export function encodeCompactSize (value: number | bigint): Uint8Array {
  const n = toUint64(value)
  const out = new Uint8Array(compactSizeLength(n))
  const view = new DataView(out.buffer)
  switch (out.length) {
    case 1:
      out[0] = Number(n)
      break
    case 3:
      out[0] = 0xfd
      view.setUint16(1, Number(n), true)
      break
    case 5:
      out[0] = 0xfe
      view.setUint32(1, Number(n), true)
      break
    default:
      out[0] = 0xff
      view.setBigUint64(1, n, true)
  }
  return out
}

/** Throws ERR_BIP324_BAD_PAYLOAD if the bytes end first or the form is not the shortest one. */
export function decodeCompactSize (bytes: Uint8Array, offset = 0): { value: bigint, length: number } {
  const first = bytes[offset]
  if (first === undefined) throw truncated()
  if (first < 0xfd) return { value: BigInt(first), length: 1 }
  const length = first === 0xfd ? 3 : first === 0xfe ? 5 : 9
  if (offset + length > bytes.length) throw truncated()
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, length - 1)
  const value = length === 3 ? BigInt(view.getUint16(0, true)) : length === 5 ? BigInt(view.getUint32(0, true)) : view.getBigUint64(0, true)
  if (compactSizeLength(value) !== length) {
    throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `non-canonical CompactSize: ${value} written in ${length} bytes`)
  }
  return { value, length }
}

// A number past 2^53 may already have been rounded, so only a bigint can carry the top of the range.
function toUint64 (value: number | bigint): bigint {
  const valid = typeof value === 'bigint'
    ? value >= 0n && value <= MAX_COMPACT_SIZE
    : Number.isSafeInteger(value) && value >= 0
  if (!valid) throw invalid(`expected an integer in 0..2^64-1 for a CompactSize, got ${String(value)}`)
  return BigInt(value)
}

function truncated (): Bip324Error {
  return new Bip324Error('ERR_BIP324_BAD_PAYLOAD', 'payload truncated inside a CompactSize')
}
