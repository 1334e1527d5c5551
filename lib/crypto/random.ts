/** The handshake's default randomness where no Node API may be used (the js and wasm backends). */

/** `n` bytes from the Web Crypto `crypto.getRandomValues`, which Node, Bun, Deno and browsers all
 *  have; it fills at most 65,536 bytes per call. */
export function randomBytes (n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let at = 0; at < n; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, at + 65536))
  return out
}
