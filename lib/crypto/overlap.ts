/** The overlap rule of every backend's calls (./backend), for the backends written in JavaScript. */

import { invalid } from '../checks'

/** Whether the bytes of a and b intersect: views of one ArrayBuffer at different offsets count, an
 *  empty view overlaps nothing. The same rule as the native binding's, which compares addresses. */
export function overlap (a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.byteLength !== 0 && b.byteLength !== 0 && a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
}

/** Throws ERR_BIP324_INVALID_ARG if a and b overlap. */
export function apart (a: ArrayBufferView, aName: string, b: ArrayBufferView, bName: string): void {
  if (overlap(a, b)) throw invalid(`${aName} must not overlap ${bName}`)
}
