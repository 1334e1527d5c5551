/**
 * Transactions (the `tx` message, and each transaction of a block) as typed values with their ids,
 * decoded by @scure/btc-signer's coder (./raw-transaction.ts), which is loaded on first use: on a
 * Node.js that cannot require() ES modules (older than 20.19 / 22.12) these functions throw
 * ERR_BIP324_JS_UNAVAILABLE, and the rest of lib/messages still works.
 *
 * Read as Bitcoin Core's UnserializeTransaction reads them. The one ambiguity of BIP-144, an empty
 * input list: `00` where the input count goes is the segwit marker when `01` follows. Otherwise Core
 * reads the next byte as flags, where the library reads an output count; the two agree only when
 * that byte is 0 (no inputs, no outputs), and any other byte is an error to Core ("unknown
 * transaction optional data"), so it is one here too. A witness flag whose stacks are all empty is
 * refused by both ("superfluous witness record").
 * @see https://github.com/bitcoin/bips/blob/master/bip-0144.mediawiki
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/primitives/transaction.h (UnserializeTransaction)
 */

import { Bip324Error } from '../../errors'
import { invalid } from '../../checks'
import { requireEsm } from '../../esm'
import { ByteReader } from '../byte-reader'
import { compactSizeLength } from '../compact-size'
import { doubleSha256 } from '../hashes'
import { MAX_PROTOCOL_MESSAGE_LENGTH } from '../limits'
import type { LocatedTransaction, RawTransaction } from './raw-transaction'

/** An output a transaction spends: Bitcoin Core's COutPoint. */
export interface OutPoint {
  /** The spent transaction's txid, 32 bytes in internal byte order (`hashToHex` for display). */
  txid: Uint8Array
  /** Which of its outputs. */
  index: number
}

/** Bitcoin Core's CTxIn, with its witness stack. */
export interface TxInput {
  prevout: OutPoint
  scriptSig: Uint8Array
  sequence: number
  /** The input's witness stack, bottom first; empty without witness data. */
  witness: Uint8Array[]
}

/** Bitcoin Core's CTxOut. */
export interface TxOutput {
  /** In satoshis, read as Core's int64 CAmount (so a value with the top bit set is negative). */
  value: bigint
  scriptPubKey: Uint8Array
}

/** A decoded transaction. Byte fields are views of `raw`. */
export interface Transaction {
  /** A uint32, as Core (since v28) reads it. */
  version: number
  inputs: TxInput[]
  outputs: TxOutput[]
  lockTime: number
  /** The hash without witness data (BIP-141), internal byte order: `hashToHex(tx.txid)` is the
   *  hex explorers and RPCs show. */
  txid: Uint8Array
  /** The hash of the whole serialization; equal to txid without witness data. */
  wtxid: Uint8Array
  /** Whether an input has witness data (Core's HasWitness): then the serialization has the marker. */
  hasWitness: boolean
  /** BIP-141 weight: 3 x the size without witness data + the whole size. */
  weight: number
  /** The serialization, as it came (a view of the decoder's own copy). */
  raw: Uint8Array
}

/** The shortest serialization the coder reads: version, two zero counts, lock time. */
export const MIN_TRANSACTION_BYTES = 10

let coder: typeof import('./raw-transaction') | undefined

function rawTransactionCoder (): typeof import('./raw-transaction') {
  coder ??= requireEsm(() => require('./raw-transaction') as typeof import('./raw-transaction'), 'decoding transactions')
  return coder
}

/** A copy of `bytes` to decode, refusing more than any message could carry before copying. */
export function payloadCopy (bytes: Uint8Array, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw invalid(`expected the ${what} as a Uint8Array`)
  if (bytes.length > MAX_PROTOCOL_MESSAGE_LENGTH) {
    throw new Bip324Error('ERR_BIP324_OVERSIZED', `a ${bytes.length}-byte ${what}, the limit is ${MAX_PROTOCOL_MESSAGE_LENGTH}`)
  }
  // Not .slice(): on a node Buffer that is a view, not a copy.
  return new Uint8Array(bytes)
}

/**
 * Decodes one transaction; bytes after it are an error. Its fields are views of a copy of `bytes`,
 * so the caller may reuse its buffer. Throws ERR_BIP324_BAD_PAYLOAD for anything Core would not
 * deserialize, ERR_BIP324_OVERSIZED past 4,000,000 bytes.
 */
export function decodeTransaction (bytes: Uint8Array): Transaction {
  const raw = payloadCopy(bytes, 'transaction')
  const r = new ByteReader(raw)
  const [located] = readTransactions(r, 1)
  r.end()
  return located!
}

/** `count` transactions from the reader's position on, each a view of the reader's bytes; moves the
 *  reader past them. */
export function readTransactions (r: ByteReader, count: number): Transaction[] {
  const bytes = r.rest()
  let located: LocatedTransaction[]
  try {
    located = rawTransactionCoder().decodeTransactions(bytes, count)
  } catch (err) {
    if (err instanceof Bip324Error) throw err
    throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `malformed transaction: ${(err as Error).message}`, { cause: err })
  }
  const txs = located.map(({ tx, start, end }) => toTransaction(tx, bytes.subarray(start, end)))
  r.skip(located.at(-1)?.end ?? 0)
  return txs
}

function toTransaction (tx: RawTransaction, raw: Uint8Array): Transaction {
  if (tx.inputs.length === 0 && tx.segwitFlag !== true && tx.outputs.length !== 0) {
    throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `malformed transaction: no inputs, then flags 0x${raw[5]!.toString(16)} (unknown transaction optional data)`)
  }
  const witnesses = tx.witnesses ?? []
  const inputs = tx.inputs.map((input, i): TxInput => ({
    // The coder hands the outpoint's txid over reversed, into display order, in a new array.
    prevout: { txid: input.txid.reverse(), index: input.index },
    scriptSig: input.finalScriptSig,
    sequence: input.sequence,
    witness: witnesses[i] ?? []
  }))
  const outputs = tx.outputs.map(({ amount, script }): TxOutput => ({ value: BigInt.asIntN(64, amount), scriptPubKey: script }))
  const hasWitness = tx.segwitFlag === true
  const wtxid = doubleSha256(raw)
  let txid = wtxid
  let strippedSize = raw.length
  if (hasWitness) {
    // Marker and flag (bytes 4 and 5) and the witness stacks, which end where the lock time begins.
    const witnessEnd = raw.length - 4
    const outputsEnd = witnessEnd - witnesses.reduce((n, stack) => n + stackSize(stack), 0)
    txid = doubleSha256(raw.subarray(0, 4), raw.subarray(6, outputsEnd), raw.subarray(witnessEnd))
    strippedSize = raw.length - 2 - (witnessEnd - outputsEnd)
  }
  return {
    version: tx.version >>> 0,
    inputs,
    outputs,
    lockTime: tx.lockTime,
    txid,
    wtxid: txid === wtxid ? new Uint8Array(wtxid) : wtxid,
    hasWitness,
    weight: 3 * strippedSize + raw.length,
    raw
  }
}

// A witness stack's serialized size: the canonical CompactSizes the coder insists on, and the items.
function stackSize (stack: Uint8Array[]): number {
  return stack.reduce((n, item) => n + compactSizeLength(BigInt(item.length)) + item.length, compactSizeLength(BigInt(stack.length)))
}

/** Core's CTransaction::IsCoinBase: one input, spending the null outpoint (zero hash, index 2^32-1). */
export function isCoinbase (tx: Transaction): boolean {
  const [input, ...others] = tx.inputs
  return input !== undefined && others.length === 0 && input.prevout.index === 0xffff_ffff && input.prevout.txid.every((b) => b === 0)
}

/** The hash of a transaction without its witness data (BIP-141's txid), internal byte order. */
export function txid (rawTx: Uint8Array): Uint8Array {
  return decodeTransaction(rawTx).txid
}

/** The hash of the whole serialization, witness included (BIP-141's wtxid): the txid when there is no witness. */
export function wtxid (rawTx: Uint8Array): Uint8Array {
  return decodeTransaction(rawTx).wtxid
}
