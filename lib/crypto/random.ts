/** The handshake's default randomness where no Node API may be used (the js and wasm backends). */

/** Fills its argument with bytes from a CSPRNG. */
export type RandomFill = (bytes: Uint8Array) => void

/** The Web Crypto `crypto.getRandomValues`, a global in Node from 19 (not 18), Bun, Deno and
 *  browsers; it fills at most 65,536 bytes per call. */
export const webRandom: RandomFill = (bytes) => {
  for (let at = 0; at < bytes.length; at += 65536) globalThis.crypto.getRandomValues(bytes.subarray(at, at + 65536))
}

/** `n` bytes from webRandom. */
export function randomBytes (n: number): Uint8Array {
  const out = new Uint8Array(n)
  webRandom(out)
  return out
}
