/**
 * Mutations of valid inputs and random chunkings of byte streams. Positions are drawn near
 * `hotspots` (segment boundaries: end of key, garbage, terminator, length fields, packets) part of
 * the time, because that is where framing code has its off-by-ones.
 */

import type { Rng } from './rng'

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff]

function position (rng: Rng, length: number, hotspots: readonly number[]): number {
  if (hotspots.length > 0 && rng.chance(0.35)) {
    return Math.max(0, Math.min(length, rng.pick(hotspots) + rng.int(9) - 4))
  }
  return rng.int(length + 1)
}

function join (...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}

type Mutator = (rng: Rng, b: Uint8Array, donors: readonly Uint8Array[], hot: readonly number[]) => Uint8Array

const MUTATORS: Mutator[] = [
  function flipBits (rng, b, _d, hot) {
    if (b.length === 0) return b
    const out = Uint8Array.from(b)
    for (let n = rng.range(1, 4); n > 0; n--) {
      const at = Math.min(b.length - 1, position(rng, b.length - 1, hot))
      out[at]! ^= 1 << rng.int(8)
    }
    return out
  },
  function setByte (rng, b, _d, hot) {
    if (b.length === 0) return b
    const out = Uint8Array.from(b)
    out[Math.min(b.length - 1, position(rng, b.length - 1, hot))] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.int(256)
    return out
  },
  function arith (rng, b, _d, hot) {
    if (b.length === 0) return b
    const out = Uint8Array.from(b)
    const at = Math.min(b.length - 1, position(rng, b.length - 1, hot))
    out[at] = (out[at]! + rng.range(-16, 16)) & 0xff
    return out
  },
  function insert (rng, b, _d, hot) {
    const at = position(rng, b.length, hot)
    const bytes = rng.chance(0.5) ? rng.bytes(rng.range(1, 1 + rng.size(64))) : new Uint8Array(rng.range(1, 8)).fill(rng.pick(INTERESTING))
    return join(b.subarray(0, at), bytes, b.subarray(at))
  },
  function remove (rng, b, _d, hot) {
    const at = position(rng, b.length, hot)
    return join(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.size(256))))
  },
  function truncate (rng, b, _d, hot) {
    return b.subarray(0, position(rng, b.length, hot))
  },
  function splice (rng, b, donors, hot) {
    const donor = donors.length > 0 && rng.chance(0.7) ? rng.pick(donors) : b
    const from = rng.int(donor.length + 1)
    const piece = donor.subarray(from, from + rng.size(512))
    const at = position(rng, b.length, hot)
    const cut = rng.chance(0.5) ? piece.length : rng.size(512)
    return join(b.subarray(0, at), piece, b.subarray(Math.min(b.length, at + cut)))
  },
  function duplicate (rng, b, _d, hot) {
    const at = position(rng, b.length, hot)
    const piece = b.subarray(at, at + 1 + rng.size(1024))
    const to = rng.chance(0.6) ? at + piece.length : position(rng, b.length, hot)
    return join(b.subarray(0, to), piece, b.subarray(to))
  },
  function swap (rng, b, _d, hot) {
    const at = position(rng, b.length, hot)
    const n = 1 + rng.size(256)
    const first = b.subarray(at, at + n)
    const second = b.subarray(at + n, at + 2 * n)
    return join(b.subarray(0, at), second, first, b.subarray(at + 2 * n))
  }
]

export const MUTATOR_NAMES = MUTATORS.map((m) => m.name)

/** One to four stacked mutations (mostly one: a single change gets deepest into a valid stream). */
export function mutate (rng: Rng, input: Uint8Array, donors: readonly Uint8Array[] = [], hotspots: readonly number[] = []): Uint8Array {
  let out = input
  const n = rng.chance(0.6) ? 1 : rng.range(2, 4)
  for (let i = 0; i < n; i++) out = rng.pick(MUTATORS)(rng, out, donors, hotspots)
  return out
}

/** Where to cut a stream of `length` bytes into chunks: sorted, repeats allowed (an empty chunk). */
export function cuts (rng: Rng, length: number, hotspots: readonly number[] = [], maxChunks = 2000): number[] {
  if (length === 0 || rng.chance(0.15)) return []
  const out: number[] = []
  switch (rng.int(4)) {
    case 0: { // fixed-size chunks, from byte by byte up
      const size = Math.max(rng.pick([1, 2, 3, 7, 16, 64, 1000, 16384]), Math.ceil(length / maxChunks))
      for (let at = size; at < length; at += size) out.push(at)
      break
    }
    case 1: // at segment boundaries, give or take a few bytes
      for (let n = rng.range(1, 8); n > 0; n--) out.push(position(rng, length, hotspots))
      break
    default: { // random sizes around a random mean
      const mean = Math.max(rng.pick([2, 20, 300, 5000, 70000]), Math.ceil(length / maxChunks))
      for (let at = 0; ;) {
        at += rng.int(2 * mean + 1)
        if (at >= length || out.length >= maxChunks) break
        out.push(at)
      }
    }
  }
  if (rng.chance(0.1)) out.push(rng.int(length + 1)) // maybe an empty chunk
  return out.filter((c) => c >= 0 && c <= length).sort((a, b) => a - b)
}

export function chunksOf (bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = []
  let from = 0
  for (const c of at) {
    const to = Math.min(Math.max(c, from), bytes.length)
    out.push(bytes.subarray(from, to))
    from = to
  }
  out.push(bytes.subarray(from))
  return out
}
