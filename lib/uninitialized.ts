/**
 * Memory for packets and packet bodies that the caller overwrites entirely before anyone reads it.
 * Shared by the core and the codecs, which must not name Node's Buffer: where the runtime has one
 * (Node, Bun, Deno) it allocates without zeroing; elsewhere this is a plain Uint8Array.
 */

const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow: (n: number) => { buffer: ArrayBuffer } } }).Buffer

/** Below this, a zeroed Uint8Array costs less than a call for unzeroed memory (bench/ measures it). */
const UNZEROED_FROM = 16384

/** A Uint8Array of `n` bytes for the caller to overwrite entirely before anyone reads it (a
 *  packet being encrypted, a body being filled): zeroing a big packet that is overwritten at once
 *  is a noticeable part of encrypting it. */
export function uninitialized (n: number): Uint8Array {
  return NodeBuffer !== undefined && n >= UNZEROED_FROM ? new Uint8Array(NodeBuffer.allocUnsafeSlow(n).buffer, 0, n) : new Uint8Array(n)
}
