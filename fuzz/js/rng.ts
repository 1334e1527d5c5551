/**
 * Seeded randomness for the fuzzer. Every input is a pure function of (seed, target, index), so one
 * input can be regenerated alone (--replay) without running the inputs before it.
 * sfc32 for the stream, splitmix32 to spread nearby keys over the whole state.
 */

export function splitmix32 (x: number): number {
  let z = (x + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** A stable 32-bit id for a name: target ids must not move when the target list changes. */
export function nameHash (name: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (...keys: number[]) {
    let h = 0x2545f491
    for (const k of keys) h = splitmix32(h ^ (k >>> 0))
    this.a = splitmix32(h)
    this.b = splitmix32(this.a ^ 0x1b873593)
    this.c = splitmix32(this.b ^ 0xcc9e2d51)
    this.d = 1
    for (let i = 0; i < 12; i++) this.u32()
  }

  u32 (): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** 0 .. n-1, for n up to 2^53. */
  int (n: number): number {
    if (n <= 0) return 0
    if (n <= 0x1_0000_0000) return Math.floor((this.u32() / 0x1_0000_0000) * n)
    return Math.floor(((this.u32() * 0x1_0000_0000 + this.u32()) / 2 ** 64) * n)
  }

  /** lo .. hi, both included. */
  range (lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance (p: number): boolean {
    return this.u32() < p * 0x1_0000_0000
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)]!
  }

  /** 0 .. max, log-uniform: small sizes are as likely as large ones, which is where the edges are. */
  size (max: number): number {
    const bits = this.int(Math.ceil(Math.log2(max + 1)) + 1)
    return Math.min(max, this.int(2 ** bits))
  }

  bytes (n: number): Uint8Array {
    const out = new Uint8Array(n)
    let i = 0
    for (; i + 4 <= n; i += 4) {
      const v = this.u32()
      out[i] = v
      out[i + 1] = v >>> 8
      out[i + 2] = v >>> 16
      out[i + 3] = v >>> 24
    }
    for (; i < n; i++) out[i] = this.u32()
    return out
  }

  u64 (): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32())
  }

  /** An integer in [min, max] drawn mostly near the edges of its range. */
  edgy (min: number, max: number): number {
    switch (this.int(5)) {
      case 0: return min + this.int(3)
      case 1: return max - this.int(3)
      case 2: return Math.min(max, Math.max(min, this.int(3) - 1))
      default: return min + this.int(max - min + 1)
    }
  }

  edgyBig (min: bigint, max: bigint): bigint {
    const span = max - min + 1n
    switch (this.int(5)) {
      case 0: return min + BigInt(this.int(3))
      case 1: return max - BigInt(this.int(3))
      case 2: return min + BigInt(this.size(300))
      default: return min + ((this.u64() << 64n) | this.u64()) % span
    }
  }
}

/** A seeded rng in the shape ProtocolOptions takes, for deterministic handshakes. */
export function protocolRng (...keys: number[]): (n: number) => Uint8Array {
  const rng = new Rng(...keys)
  return (n) => rng.bytes(n)
}
