/** The few byte-array operations the core and the codecs share, on plain Uint8Array: they run where Node's
 *  Buffer does not exist. */

export const EMPTY = new Uint8Array(0)

export function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

export function equal (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The first index at or after `from` where `needle` starts in `haystack`, or -1. Quadratic in
 *  the worst case, which is fine for what it searches: a 16-byte terminator in 4,111 bytes. */
export function indexOf (haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]
  const last = haystack.length - needle.length
  outer: for (let i = Math.max(from, 0); i <= last; i++) {
    if (haystack[i] !== first) continue
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

/** Bytes of an ASCII string (BIP-324's labels, Bitcoin's command names). */
export function ascii (text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

/** Lowercase hex, for messages that name bytes the peer sent. */
export function hex (bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}
