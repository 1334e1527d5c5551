/**
 * ElligatorSwift public keys (BIP-324 "ellswift"): 64 bytes u || t that decode to a point's X.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#elligatorswift-encoding-of-curve-x-coordinates
 */

import { native } from '../native/binding'

/** Decodes a 64-byte ElligatorSwift encoding to the 32-byte X coordinate of its point. */
export function ellswiftDecode (ell64: Uint8Array): Uint8Array {
  const x32 = new Uint8Array(32)
  native().ellswiftDecode(x32, ell64)
  return x32
}
