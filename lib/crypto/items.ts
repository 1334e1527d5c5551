/** The items argument of encryptBatch, shared by both backends. */

import { isUint8Array } from 'node:util/types'

import { Bip324Error } from '../errors'

/** A fresh, plain array of `items`, each checked to be a Uint8Array. Reading an element can run
 *  code (a getter, a Proxy trap, an Array.prototype getter behind a hole) that destroys the cipher
 *  or detaches a buffer, so each backend reads the items once, here, before it checks its state;
 *  the native binding then reads only this copy, whose elements are plain values. */
export function copyItems (items: readonly Uint8Array[]): Uint8Array[] {
  if (!Array.isArray(items)) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'items must be an array of Uint8Array')
  const copy: Uint8Array[] = []
  const n = items.length
  for (let i = 0; i < n; i++) {
    const item: unknown = items[i]
    if (!isUint8Array(item)) throw new Bip324Error('ERR_BIP324_INVALID_ARG', `items[${i}] must be a Uint8Array`)
    copy.push(item)
  }
  return copy
}
