/**
 * Builds a payload in a growing buffer. Every field is range-checked: a value that does not fit
 * its wire type is a programmer error (ERR_BIP324_INVALID_ARG), never silently truncated.
 */

import { invalid } from '../checks'
import { encodeCompactSize } from './compact-size'

export class ByteWriter {
  private buffer = new Uint8Array(128)
  private view = new DataView(this.buffer.buffer)
  private length = 0

  u8 (value: number): void {
    const v = checkInt(value, 0, 0xff, 'uint8')
    const at = this.reserve(1)
    this.view.setUint8(at, v)
  }

  bool (value: boolean): void {
    if (typeof value !== 'boolean') throw invalid(`expected a boolean, got ${String(value)}`)
    this.u8(value ? 1 : 0)
  }

  u16be (value: number): void {
    const v = checkInt(value, 0, 0xffff, 'uint16')
    const at = this.reserve(2)
    this.view.setUint16(at, v, false)
  }

  u32 (value: number): void {
    const v = checkInt(value, 0, 0xffff_ffff, 'uint32')
    const at = this.reserve(4)
    this.view.setUint32(at, v, true)
  }

  i32 (value: number): void {
    const v = checkInt(value, -0x8000_0000, 0x7fff_ffff, 'int32')
    const at = this.reserve(4)
    this.view.setInt32(at, v, true)
  }

  u64 (value: bigint): void {
    const v = checkBigInt(value, 0n, 0xffff_ffff_ffff_ffffn, 'uint64')
    const at = this.reserve(8)
    this.view.setBigUint64(at, v, true)
  }

  i64 (value: bigint): void {
    const v = checkBigInt(value, -(2n ** 63n), 2n ** 63n - 1n, 'int64')
    const at = this.reserve(8)
    this.view.setBigInt64(at, v, true)
  }

  bytes (value: Uint8Array, length?: number): void {
    if (!(value instanceof Uint8Array)) throw invalid('expected a Uint8Array')
    if (length !== undefined && value.length !== length) throw invalid(`expected a Uint8Array of length ${length}, got length=${value.length}`)
    const at = this.reserve(value.length)
    this.buffer.set(value, at)
  }

  hash (value: Uint8Array): void {
    this.bytes(value, 32)
  }

  compactSize (value: number | bigint): void {
    this.bytes(encodeCompactSize(value))
  }

  /** A CompactSize length and the bytes, refusing more than the receiver would accept. */
  varBytes (value: Uint8Array, max: number, what: string): void {
    if (!(value instanceof Uint8Array)) throw invalid(`${what}: expected a Uint8Array`)
    if (value.length > max) throw invalid(`${what}: ${value.length} bytes, the limit is ${max}`)
    this.compactSize(value.length)
    this.bytes(value)
  }

  /** A count of entries, refusing more than the receiver would accept. */
  count (items: readonly unknown[], max: number, what: string): void {
    if (!Array.isArray(items)) throw invalid(`${what}: expected an array`)
    if (items.length > max) throw invalid(`${what}: ${items.length} entries, the limit is ${max}`)
    this.compactSize(items.length)
  }

  finish (): Uint8Array {
    return this.buffer.slice(0, this.length)
  }

  // Call before reading this.buffer or this.view: it may replace them.
  private reserve (n: number): number {
    if (this.length + n > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n))
      grown.set(this.buffer.subarray(0, this.length))
      this.buffer = grown
      this.view = new DataView(grown.buffer)
    }
    const at = this.length
    this.length += n
    return at
  }
}


function checkInt (value: number, min: number, max: number, type: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(`expected a ${type} (${min}..${max}), got ${String(value)}`)
  return value
}

function checkBigInt (value: bigint, min: bigint, max: bigint, type: string): bigint {
  if (typeof value !== 'bigint' || value < min || value > max) throw invalid(`expected a ${type} bigint (${min}..${max}), got ${String(value)}`)
  return value
}

/** The codecs' argument errors: one definition, lib/checks.ts's. */
export { invalid }
