/**
 * What every target shares: an input is bytes, the cuts that chunk them and a few parameters, all
 * printable, so a finding can be shown, minimized and replayed. Checks throw a Finding; a library
 * error that is not a Bip324Error with an ERR_BIP324_ code becomes one.
 */

import { Bip324Error } from '../../lib'
import { toHex } from '../../test/helpers/bytes'
import type { Rng } from './rng'

export type Params = Record<string, string | number | boolean>

export interface Case {
  bytes: Uint8Array
  cuts: number[]
  params: Params
}

export interface Target {
  name: string
  /** Inputs per scheduling round: the ratio between targets, fractions allowed. */
  weight: number
  gen: (rng: Rng) => Case
  /** Runs the input and checks every invariant; returns the outcome's name for the histogram. */
  run: (c: Case) => string
}

export class Finding extends Error {
  constructor (readonly kind: string, detail: string) {
    super(`${kind}: ${detail}`)
    this.name = 'Finding'
  }
}

export function isBip324 (err: unknown): err is Bip324Error {
  return err instanceof Bip324Error && typeof err.code === 'string' && err.code.startsWith('ERR_BIP324_')
}

function describe (err: unknown): string {
  return err instanceof Error ? (err.stack ?? String(err)) : String(err)
}

export type Tried<T> = { ok: true, value: T } | { ok: false, error: Bip324Error }

/** Runs fn: a Bip324Error whose code is in `allowed` is an outcome, anything else a finding. */
export function only<T> (what: string, allowed: readonly string[], fn: () => T): Tried<T> {
  try {
    return { ok: true, value: fn() }
  } catch (err) {
    if (!isBip324(err)) throw new Finding('non-Bip324Error thrown', `${what}: ${describe(err)}`)
    if (!allowed.includes(err.code)) throw new Finding('unexpected error code', `${what}: ${err.code} (${err.message}), expected one of ${allowed.join(', ')}`)
    return { ok: false, error: err }
  }
}

export function check (ok: boolean, kind: string, detail: () => string): void {
  if (!ok) throw new Finding(kind, detail())
}

export function equal (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
}

export function concat (parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts))
}

/** JSON that keeps bigints and bytes apart from numbers and arrays, with sorted keys. */
export function canonical (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`
    if (v instanceof Uint8Array) return `0x${toHex(v)}`
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
    }
    return v
  })
}

/**
 * The bytes as a decoder may meet them: a plain Uint8Array, a node Buffer (whose slice() is a view),
 * or a view at an odd offset into a larger buffer (DataView offsets are a classic bug).
 */
export function present (bytes: Uint8Array, as: string | number | boolean | undefined): Uint8Array {
  if (as === 'buffer') return Buffer.from(bytes)
  if (as === 'offset') {
    const big = new Uint8Array(bytes.length + 13).fill(0xa5)
    big.set(bytes, 7)
    return big.subarray(7, 7 + bytes.length)
  }
  return Uint8Array.from(bytes)
}
