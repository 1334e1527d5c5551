/**
 * Bytes for tests, from node:crypto and Buffer alone (never the library under test): hex in and out,
 * Bitcoin's CompactSize, double SHA-256 and the merkle root over it. The fuzzer imports it too
 * (tsconfig.fuzz.json compiles it along).
 */

import { createHash } from 'node:crypto'

/** The bytes of a hex string; white space between digits is ignored (sources group their bytes). */
export function hex (s: string): Uint8Array {
  const digits = s.replace(/\s+/g, '')
  // Buffer.from stops at the first pair that is not hex, silently: a typo must not shorten a vector.
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not hex: ${s.slice(0, 80)}`)
  return Uint8Array.from(Buffer.from(digits, 'hex'))
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')

/** Core's CompactSize of n, for the counts and lengths tests and the fuzzer write: one byte below 0xfd,
 *  else 0xfd and 2 bytes little-endian, else 0xfe and 4 (nothing here needs 0xff and 8). */
export function compactSize (n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n)
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8)
  if (n > 0xffff_ffff) throw new RangeError(`compactSize here stops at 0xffffffff, got ${n}`)
  const b = Buffer.alloc(5)
  b[0] = 0xfe
  b.writeUInt32LE(n, 1)
  return b
}

/** SHA-256 of SHA-256 of the parts, one after another (Core's Hash, HashWriter). */
export function sha256d (...parts: Uint8Array[]): Uint8Array {
  const inner = createHash('sha256')
  for (const p of parts) inner.update(p)
  return Uint8Array.from(createHash('sha256').update(inner.digest()).digest())
}

/** Bitcoin's merkle root of these leaves: pair up, the last repeated on an odd level, sha256d each pair. */
export function merkleRoot (leaves: Uint8Array[]): Uint8Array {
  let level = leaves
  while (level.length > 1) {
    if (level.length % 2 === 1) level = [...level, level.at(-1)!]
    level = Array.from({ length: level.length / 2 }, (_, i) => sha256d(level[2 * i]!, level[2 * i + 1]!))
  }
  return level[0] ?? new Uint8Array(32)
}
