/**
 * A cursor over a payload that checks every read against the bytes left, so a decoder cannot run
 * past the end, and checks every announced count against its limit and against the bytes left before
 * anything is allocated for it. Fixed and variable byte fields come back as copies, so a decoded
 * message does not pin the (possibly large) buffer it came from.
 */

import { Bip324Error } from '../errors'
import { decodeCompactSize } from './compact-size'

/** For `count` where only the bytes left bound the number of entries. */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER

export class ByteReader {
  private offset = 0
  private readonly view: DataView

  constructor (private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  }

  get position (): number {
    return this.offset
  }

  get remaining (): number {
    return this.bytes.length - this.offset
  }

  u8 (): number {
    return this.view.getUint8(this.take(1))
  }

  bool (): boolean {
    // Any non-zero byte is true, as Bitcoin Core reads a bool.
    return this.u8() !== 0
  }

  /** Ports are the one big-endian field. */
  u16be (): number {
    return this.view.getUint16(this.take(2), false)
  }

  u32 (): number {
    return this.view.getUint32(this.take(4), true)
  }

  i32 (): number {
    return this.view.getInt32(this.take(4), true)
  }

  u64 (): bigint {
    return this.view.getBigUint64(this.take(8), true)
  }

  i64 (): bigint {
    return this.view.getBigInt64(this.take(8), true)
  }

  bytesCopy (n: number): Uint8Array {
    const at = this.take(n)
    // Not .slice(): on a node Buffer that is a view, not a copy.
    return new Uint8Array(this.bytes.subarray(at, at + n))
  }

  /** A 32-byte hash, in internal byte order. */
  hash (): Uint8Array {
    return this.bytesCopy(32)
  }

  /** A view of the bytes left, for a decoder that reads them itself (then `skip` what it used). */
  rest (): Uint8Array {
    return this.bytes.subarray(this.offset)
  }

  skip (n: number): void {
    this.take(n)
  }

  compactSize (): bigint {
    const { value, length } = decodeCompactSize(this.bytes, this.offset)
    this.offset += length
    return value
  }

  /**
   * A count of entries, each at least `minEntryBytes` long: over `max` is ERR_BIP324_LIMIT, more
   * than the bytes left could hold is ERR_BIP324_BAD_PAYLOAD. Either way nothing was allocated.
   */
  count (max: number, minEntryBytes: number, what: string): number {
    const n = this.compactSize()
    if (max !== NO_LIMIT && n > BigInt(max)) throw new Bip324Error('ERR_BIP324_LIMIT', `${what}: ${n} announced, the limit is ${max}`)
    if (n * BigInt(minEntryBytes) > BigInt(this.remaining)) throw truncated(`${what}: ${n} announced, ${this.remaining} bytes left`)
    return Number(n)
  }

  /** A CompactSize length and that many bytes, at most `max`. */
  varBytes (max: number, what: string): Uint8Array {
    return this.bytesCopy(this.count(max, 1, what))
  }

  /** Trailing bytes mean the sender and we disagree about the format. */
  end (): void {
    if (this.remaining !== 0) throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `${this.remaining} unexpected bytes after the payload`)
  }

  private take (n: number): number {
    if (n > this.remaining) throw truncated(`needed ${n} more bytes at offset ${this.offset}, ${this.remaining} left`)
    const at = this.offset
    this.offset += n
    return at
  }
}

function truncated (why: string): Bip324Error {
  return new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `payload truncated: ${why}`)
}
