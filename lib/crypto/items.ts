/** The items argument of encryptBatch, shared by both backends. */

import { invalid } from '../checks'

// The Uint8Array brand check that node:util's isUint8Array makes, in plain JavaScript (the js
// backend runs outside Node): %TypedArray%.prototype[@@toStringTag] reads an internal slot, so a
// Proxy, a look-alike object or a subclass's own toStringTag cannot pass, and a Uint8Array from
// another realm does.
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)!.get!

function isUint8Array (value: unknown): value is Uint8Array {
  return typedArrayTag.call(value) === 'Uint8Array'
}

/** A fresh, plain array of `items`, each checked to be a Uint8Array. Reading an element can run
 *  code (a getter, a Proxy trap, an Array.prototype getter behind a hole) that destroys the cipher
 *  or detaches a buffer, so each backend reads the items once, here, before it checks its state;
 *  the native binding then reads only this copy, whose elements are plain values. */
export function copyItems (items: readonly Uint8Array[]): Uint8Array[] {
  if (!Array.isArray(items)) throw invalid('items must be an array of Uint8Array')
  const copy: Uint8Array[] = []
  const n = items.length
  for (let i = 0; i < n; i++) {
    const item: unknown = items[i]
    if (!isUint8Array(item)) throw invalid(`items[${i}] must be a Uint8Array`)
    copy.push(item)
  }
  return copy
}
