/**
 * The one module that reads transactions, and it does so with @scure/btc-signer's `RawTx` coder
 * (BIP-144's marker and flag, witness stacks) on micro-packed's stream reader, which also tells
 * where each transaction ends, so the transactions of a block are found by decoding them, one after
 * the other, not by re-encoding. Both libraries are ES modules: ./transaction.ts loads this module
 * on first use (lib/esm.ts), so nothing else in lib/messages needs them.
 *
 * What the library does with hostile counts: an array whose count comes from the stream grows as
 * its entries decode (nothing is allocated by the count) and fails where the bytes run out, so an
 * input list announced as 2^32 entries costs what the bytes present hold, like an honest one; a
 * count past 2^53 is refused as it is read.
 * @see https://github.com/paulmillr/scure-btc-signer/blob/main/src/script.ts (RawTx)
 */

import { RawTx } from '@scure/btc-signer/script.js'
import * as P from 'micro-packed'

/** A transaction as RawTx decodes it: byte fields are views of the decoded bytes, except each
 *  input's `txid`, a copy in display order. */
export type RawTransaction = ReturnType<typeof RawTx.decode>

/** A decoded transaction and the bytes it came from, as offsets into the decoded bytes. */
export interface LocatedTransaction {
  tx: RawTransaction
  start: number
  end: number
}

const located = P.wrap<LocatedTransaction>({
  encodeStream: (w, { tx }) => RawTx.encodeStream(w, tx),
  decodeStream: (r) => {
    const start = r.pos
    const tx = RawTx.decodeStream(r)
    return { tx, start, end: r.pos }
  }
})

/**
 * `count` transactions, one after the other, from the start of `bytes`; bytes after them are left
 * for the caller to judge. Throws the library's own errors.
 */
export function decodeTransactions (bytes: Uint8Array, count: number): LocatedTransaction[] {
  return P.array(count, located).decode(bytes, { allowUnreadBytes: true })
}
