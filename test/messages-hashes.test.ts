// txid and wtxid on generated transactions, serialized here by hand (BIP-141/BIP-144 layout), and the
// malformed serializations Bitcoin Core refuses.

import fc from 'fast-check'

import { blockHash, hashFromHex, hashToHex, txid, wtxid } from '../lib/messages'
import { compactSize, sha256d } from './helpers/bytes'
import { bip324Error } from './helpers/errors'

const varBytes = (b: Uint8Array): Buffer => Buffer.concat([compactSize(b.length), b])
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b
}

interface Tx {
  version: number
  inputs: Array<{ outpoint: Uint8Array, scriptSig: Uint8Array, sequence: number, witness: Uint8Array[] }>
  outputs: Array<{ value: Uint8Array, script: Uint8Array }>
  lockTime: number
}

// BIP-144: version | [0x00 0x01] | inputs | outputs | [witness stacks] | lock time.
function serialize (tx: Tx, withWitness: boolean): Buffer {
  const parts: Uint8Array[] = [u32(tx.version)]
  if (withWitness) parts.push(Buffer.of(0, 1))
  parts.push(compactSize(tx.inputs.length))
  for (const i of tx.inputs) parts.push(Buffer.from(i.outpoint), varBytes(i.scriptSig), u32(i.sequence))
  parts.push(compactSize(tx.outputs.length))
  for (const o of tx.outputs) parts.push(Buffer.from(o.value), varBytes(o.script))
  if (withWitness) for (const i of tx.inputs) parts.push(compactSize(i.witness.length), ...i.witness.map(varBytes))
  parts.push(u32(tx.lockTime))
  return Buffer.concat(parts)
}

const u32Arb = fc.integer({ min: 0, max: 0xffff_ffff })
const txArb: fc.Arbitrary<Tx> = fc.record({
  version: u32Arb,
  inputs: fc.array(fc.record({
    outpoint: fc.uint8Array({ minLength: 36, maxLength: 36 }),
    scriptSig: fc.uint8Array({ maxLength: 300 }),
    sequence: u32Arb,
    witness: fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 4 })
  }), { minLength: 1, maxLength: 4 }),
  outputs: fc.array(fc.record({ value: fc.uint8Array({ minLength: 8, maxLength: 8 }), script: fc.uint8Array({ maxLength: 60 }) }), { maxLength: 4 }),
  lockTime: u32Arb
})

test('txid hashes the serialization without witness, wtxid the one with it', () => {
  fc.assert(fc.property(txArb, (tx) => {
    const stripped = serialize(tx, false)
    expect(Buffer.from(txid(stripped)).equals(sha256d(stripped))).toBe(true)
    expect(Buffer.from(wtxid(stripped)).equals(sha256d(stripped))).toBe(true)
    if (tx.inputs.some((i) => i.witness.length > 0)) {
      const full = serialize(tx, true)
      expect(Buffer.from(txid(full)).equals(sha256d(stripped))).toBe(true)
      expect(Buffer.from(wtxid(full)).equals(sha256d(full))).toBe(true)
    }
  }), { numRuns: 300 })
})

test('a transaction with no inputs and no outputs reads as Core reads it: 00 is the count, 00 the flags', () => {
  const raw = Buffer.concat([u32(2), Buffer.of(0, 0), u32(0)])
  expect(Buffer.from(txid(raw)).equals(sha256d(raw))).toBe(true)
})

describe('malformed transactions are ERR_BIP324_BAD_PAYLOAD', () => {
  const tx: Tx = {
    version: 2,
    inputs: [{ outpoint: new Uint8Array(36), scriptSig: new Uint8Array(0), sequence: 0xffff_ffff, witness: [Uint8Array.of(1, 2)] }],
    outputs: [{ value: new Uint8Array(8), script: Uint8Array.of(0x51) }],
    lockTime: 0
  }
  const full = serialize(tx, true)

  test('cut at any offset', () => {
    for (let cut = 0; cut < full.length; cut++) {
      expect(() => txid(full.subarray(0, cut))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    }
    expect(hashToHex(txid(full))).toBe(hashToHex(sha256d(serialize(tx, false))))
  })

  test('a trailing byte', () => {
    expect(() => txid(Buffer.concat([full, Buffer.of(0)]))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => wtxid(Buffer.concat([serialize(tx, false), Buffer.of(0)]))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('a witness flag whose stacks are all empty ("superfluous witness record")', () => {
    const empty = serialize({ ...tx, inputs: [{ ...tx.inputs[0]!, witness: [] }] }, true)
    expect(() => txid(empty)).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('unknown flags ("unknown transaction optional data")', () => {
    const flagged = Buffer.from(full)
    flagged[5] = 3
    expect(() => txid(flagged)).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    flagged[5] = 2
    expect(() => wtxid(flagged)).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('a script length past the end', () => {
    const raw = Buffer.concat([u32(1), Buffer.of(1), Buffer.alloc(36), Buffer.from('ffffffffffffffff7f', 'hex')])
    expect(() => txid(raw)).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('random bytes fail only with ERR_BIP324_BAD_PAYLOAD', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        txid(bytes)
      } catch (err) {
        expect(err).toMatchObject({ name: 'Bip324Error', code: 'ERR_BIP324_BAD_PAYLOAD' })
      }
    }), { numRuns: 2000 })
  })
})

test('hashToHex reverses into display order and hashFromHex undoes it', () => {
  const h = Uint8Array.from({ length: 32 }, (_, i) => i)
  expect(hashToHex(h)).toBe('1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100')
  expect(hashFromHex(hashToHex(h))).toEqual(h)
  expect(h[0]).toBe(0) // not reversed in place
})

test.each([
  ['blockHash of 79 bytes', () => blockHash(new Uint8Array(79))],
  ['blockHash of 81 bytes', () => blockHash(new Uint8Array(81))],
  ['hashToHex of 31 bytes', () => hashToHex(new Uint8Array(31))],
  ['hashFromHex of 63 digits', () => hashFromHex('0'.repeat(63))],
  ['hashFromHex of a non-hex digit', () => hashFromHex('g'.repeat(64))],
  ['txid of a string', () => txid('00' as unknown as Uint8Array)]
])('%s is ERR_BIP324_INVALID_ARG', (_name, f) => {
  expect(f).toThrow(bip324Error('ERR_BIP324_INVALID_ARG'))
})
