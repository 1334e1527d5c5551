/**
 * Block and transaction ids, for the messages carried raw (tx, block, ...). Hashes are returned in
 * internal byte order, as they travel in inv or a header; `hashToHex` reverses them into the order
 * explorers and RPCs display.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0141.mediawiki#transaction-id
 */

import { createHash } from 'node:crypto'

import { Bip324Error } from '../errors'
import { ByteReader, NO_LIMIT } from './byte-reader'
import { BLOCK_HEADER_BYTES } from './codecs/headers'

export function doubleSha256 (...parts: Uint8Array[]): Uint8Array {
  const inner = createHash('sha256')
  for (const part of parts) inner.update(part)
  return new Uint8Array(createHash('sha256').update(inner.digest()).digest())
}

export function blockHash (header80: Uint8Array): Uint8Array {
  if (!(header80 instanceof Uint8Array) || header80.length !== BLOCK_HEADER_BYTES) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `expected a block header as a Uint8Array of length ${BLOCK_HEADER_BYTES}, got length=${String(header80?.length)}`)
  }
  return doubleSha256(header80)
}

/** The hash of the transaction without its witness data (BIP-141's txid). */
export function txid (rawTx: Uint8Array): Uint8Array {
  const layout = parseTransaction(rawTx)
  if (!layout.witness) return doubleSha256(rawTx)
  // Version, then inputs and outputs past the marker and flag bytes (4 and 5), then the lock time.
  return doubleSha256(rawTx.subarray(0, 4), rawTx.subarray(6, layout.outputsEnd), rawTx.subarray(rawTx.length - 4))
}

/** The hash of the whole serialization, witness included (BIP-141's wtxid): the txid when there is no witness. */
export function wtxid (rawTx: Uint8Array): Uint8Array {
  parseTransaction(rawTx)
  return doubleSha256(rawTx)
}

export function hashToHex (hash: Uint8Array): string {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'expected a 32-byte hash')
  return Buffer.from(hash).reverse().toString('hex')
}

/** The inverse of `hashToHex`: a displayed hash back into internal byte order. */
export function hashFromHex (hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'expected 64 hex digits')
  return new Uint8Array(Buffer.from(hex, 'hex').reverse())
}

interface TransactionLayout {
  witness: boolean
  /** Where the outputs end, so where the witness data (if any) begins. */
  outputsEnd: number
}

/**
 * Walks a serialized transaction as Bitcoin Core's UnserializeTransaction does, copying nothing:
 * an empty input list is the segwit marker, and the byte after it holds the flags; flag 1 means
 * witness stacks follow the outputs, and other flags, or stacks that are all empty, are invalid.
 * Anything malformed (or bytes after the lock time) is ERR_BIP324_BAD_PAYLOAD.
 */
function parseTransaction (raw: Uint8Array): TransactionLayout {
  if (!(raw instanceof Uint8Array)) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'expected the transaction as a Uint8Array')
  const r = new ByteReader(raw)
  r.skip(4) // version
  let flags = 0
  let inputs = readInputs(r)
  if (inputs === 0) {
    flags = r.u8()
    if (flags !== 0) {
      inputs = readInputs(r)
      readOutputs(r)
    }
  } else {
    readOutputs(r)
  }
  const outputsEnd = r.position
  if ((flags & 1) !== 0) {
    let witnessItems = 0
    for (let i = 0; i < inputs; i++) {
      const items = r.count(NO_LIMIT, 1, 'witness items')
      for (let j = 0; j < items; j++) r.skip(r.count(NO_LIMIT, 1, 'witness item'))
      witnessItems += items
    }
    if (witnessItems === 0) throw badTx('a witness flag with only empty witnesses')
  }
  if ((flags & ~1) !== 0) throw badTx(`unknown optional data (flags 0x${flags.toString(16)})`)
  r.skip(4) // lock time
  r.end()
  return { witness: flags === 1, outputsEnd }
}

// An input: outpoint (36), script length (1+), sequence (4).
function readInputs (r: ByteReader): number {
  const n = r.count(NO_LIMIT, 41, 'inputs')
  for (let i = 0; i < n; i++) {
    r.skip(36)
    r.skip(r.count(NO_LIMIT, 1, 'scriptSig'))
    r.skip(4)
  }
  return n
}

// An output: value (8), script length (1+).
function readOutputs (r: ByteReader): void {
  const n = r.count(NO_LIMIT, 9, 'outputs')
  for (let i = 0; i < n; i++) {
    r.skip(8)
    r.skip(r.count(NO_LIMIT, 1, 'scriptPubKey'))
  }
}

function badTx (why: string): Bip324Error {
  return new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `malformed transaction: ${why}`)
}
