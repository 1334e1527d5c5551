/**
 * The PacketCipher contract's argument checks (./backend.ts), once for the backends written in
 * TypeScript (js, and wasm around its module); the native binding makes the same checks in C++
 * (native/binding.cc), with the same words. Each throws ERR_BIP324_INVALID_ARG before any state
 * moves; the caller has checked that the cipher is live and what is pending.
 */

import { checkBytes, invalid } from '../checks'
import { apart, overlap } from './overlap'
import { MAX_CONTENTS_LIMIT, NUM_HEADER_BYTES, NUM_PACKET_OVERHEAD_BYTES, NUM_TAG_BYTES } from './packet-format'

/** encrypt's: `out` exactly one packet of `contents`, a header byte, nothing overlapping. */
export function checkEncrypt (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void {
  checkBytes(out, 'out')
  checkBytes(contents, 'contents')
  checkBytes(aad, 'aad')
  if (!Number.isInteger(header) || header < 0 || header > 255) throw invalid('header must be an integer from 0 to 255')
  if (contents.length > MAX_CONTENTS_LIMIT) throw invalid(`contents must be at most ${MAX_CONTENTS_LIMIT} bytes`)
  if (out.length !== contents.length + NUM_PACKET_OVERHEAD_BYTES) throw invalid(`out must be contents.length + ${NUM_PACKET_OVERHEAD_BYTES} bytes`)
  apart(out, 'out', contents, 'contents')
  apart(out, 'out', aad, 'aad')
}

/** decrypt's, given the pending length: sizes, and `contents` apart from `input` but for in place. */
export function checkDecrypt (contents: Uint8Array, input: Uint8Array, aad: Uint8Array, pending: number): void {
  if (contents.length !== pending || input.length !== pending + NUM_HEADER_BYTES + NUM_TAG_BYTES) {
    throw invalid(`contents must be the pending length (${pending}) and input ${NUM_HEADER_BYTES + NUM_TAG_BYTES} bytes more`)
  }
  if (overlap(contents, input) && !(contents.buffer === input.buffer && contents.byteOffset === input.byteOffset + NUM_HEADER_BYTES)) {
    throw invalid('contents may only overlap input exactly one byte in')
  }
  apart(contents, 'contents', aad, 'aad')
}

/** encryptBatch's, on the items' copy: each within the limit and apart from `out`, which is exactly
 *  their packets. Returns that size. */
export function checkEncryptBatch (out: Uint8Array, items: readonly Uint8Array[]): number {
  checkBytes(out, 'out')
  let total = 0
  for (const item of items) {
    if (item.length > MAX_CONTENTS_LIMIT) throw invalid(`items are limited to ${MAX_CONTENTS_LIMIT} bytes`)
    apart(out, 'out', item, 'items[i]')
    total += item.length + NUM_PACKET_OVERHEAD_BYTES
  }
  if (out.length !== total) throw invalid(`out must be ${total} bytes`)
  return total
}

/** decryptBatch's: two byte arrays apart and a contents limit. */
export function checkDecryptBatch (plain: Uint8Array, input: Uint8Array, maxContents: number): void {
  checkBytes(plain, 'plain')
  checkBytes(input, 'input')
  if (!Number.isInteger(maxContents) || maxContents < 0 || maxContents > MAX_CONTENTS_LIMIT) throw invalid(`maxContents must be an integer from 0 to ${MAX_CONTENTS_LIMIT}`)
  apart(plain, 'plain', input, 'input')
}
