// decodeTransaction on transactions others published with their ids (rust-bitcoin's tests, whose
// Liquid transaction's ids come from Bitcoin Core's decoderawtransaction; bitcoinjs-lib's fixtures;
// BIP-143's examples), and on the malformed serializations Core refuses to deserialize. Fixtures and
// their provenance: test/fixtures/blocks/README.md.

import fs from 'node:fs'
import path from 'node:path'

import { requireEsm } from '../lib/esm'
import { decodePayload, decodeTransaction, hashToHex, isCoinbase, MAX_PROTOCOL_MESSAGE_LENGTH, txid, wtxid } from '../lib/messages'
import { hex, sha256d, toHex } from './helpers/bytes'
import { badPayload } from './helpers/errors'
import { BLOCKS, blockFixture } from './helpers/vectors'

const cat = (...parts: Array<Uint8Array | string>): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? hex(p) : p)))

describe('rust-bitcoin\'s transactions, with the ids its tests assert', () => {
  test('a legacy transaction: txid = wtxid a6eab3c1…8cb7, weight 4 x 193, prevout ce9ea9f6…5da1:1', () => {
    const tx = decodeTransaction(blockFixture('rust-bitcoin-legacy-tx.hex'))
    expect(hashToHex(tx.txid)).toBe('a6eab3c14ab5272a58a5ba91505ba1a4b6d7a3a9fcbd187b6cd99a7b6d548cb7')
    expect(hashToHex(tx.wtxid)).toBe('a6eab3c14ab5272a58a5ba91505ba1a4b6d7a3a9fcbd187b6cd99a7b6d548cb7')
    expect(tx).toMatchObject({ version: 1, lockTime: 0, hasWitness: false, weight: 193 * 4 })
    expect(tx.inputs).toHaveLength(1)
    expect(hashToHex(tx.inputs[0]!.prevout.txid)).toBe('ce9ea9f6f5e422c6a9dbcddb3b9a14d1c78fab9ab520cb281aa2a74a09575da1')
    expect(tx.inputs[0]!.prevout.index).toBe(1)
    expect(tx.inputs[0]!.witness).toEqual([])
    expect(tx.outputs).toHaveLength(1)
  })

  test('a segwit transaction: txid f5864806…2206, wtxid 80b7d8a8…e7f5, weight 442, prevout 7cac3cf9…5859:1', () => {
    const tx = decodeTransaction(blockFixture('rust-bitcoin-segwit-tx.hex'))
    expect(hashToHex(tx.txid)).toBe('f5864806e3565c34d1b41e716f72609d00b55ea5eac5b924c9719a842ef42206')
    expect(hashToHex(tx.wtxid)).toBe('80b7d8a82d5d5bf92905b06f2014dd699e03837ca172e3a59d51426ebbe3e7f5')
    expect(tx).toMatchObject({ version: 2, lockTime: 0, hasWitness: true, weight: 442 })
    expect(hashToHex(tx.inputs[0]!.prevout.txid)).toBe('7cac3cf9a112cf04901a51d605058615d56ffe6d04b45270e89d1720ea955859')
    expect(tx.inputs[0]!.prevout.index).toBe(1)
    expect(tx.inputs[0]!.witness).toHaveLength(2)
    expect(tx.outputs).toHaveLength(1)
  })

  test('Core\'s decoderawtransaction of a Liquid test transaction: txid 9652aa62…c6ec, wtxid d6ac4a5e…a1b4, weight 2718', () => {
    const tx = decodeTransaction(blockFixture('rust-bitcoin-liquid-tx.hex'))
    expect(hashToHex(tx.txid)).toBe('9652aa62b0e748caeec40c4cb7bc17c6792435cc3dfe447dd1ca24f912a1c6ec')
    expect(hashToHex(tx.wtxid)).toBe('d6ac4a5e61657c4c604dcde855a1db74ec6b3e54f32695d72c5e11c7761ea1b4')
    expect(tx.weight).toBe(2718)
  })

  test('a legacy mempool transaction: txid = wtxid 971ed48a…68dd', () => {
    const raw = blockFixture('rust-bitcoin-mempool-tx.hex')
    expect(hashToHex(txid(raw))).toBe('971ed48a62c143bbd9c87f4bafa2ef213cfa106c6e140f111931d0be307468dd')
    expect(hashToHex(wtxid(raw))).toBe('971ed48a62c143bbd9c87f4bafa2ef213cfa106c6e140f111931d0be307468dd')
  })
})

interface BitcoinjsTx {
  description: string
  id: string
  hex: string
  whex: string
  coinbase: boolean
  weight: number
  raw: { version: number, locktime: number, ins: Array<{ hash: string, index: number, witness: string[], sequence?: number }>, outs: Array<{ value: number }> }
}
const BITCOINJS: BitcoinjsTx[] = JSON.parse(fs.readFileSync(path.join(BLOCKS, 'bitcoinjs-witness-transactions.json'), 'utf8'))

describe('bitcoinjs-lib\'s witness transactions', () => {
  test.each(BITCOINJS.map((t) => [t.description, t] as const))('%s: its id, weight and fields, with and without the witness', (_name, t) => {
    const tx = decodeTransaction(hex(t.whex))
    expect(hashToHex(tx.txid)).toBe(t.id)
    expect(tx.weight).toBe(t.weight)
    expect(tx.hasWitness).toBe(true)
    expect(tx.version).toBe(t.raw.version)
    expect(tx.lockTime).toBe(t.raw.locktime)
    expect(isCoinbase(tx)).toBe(t.coinbase)
    expect(tx.inputs.map((i) => [toHex(i.prevout.txid), i.prevout.index, i.witness.map(toHex)]))
      .toEqual(t.raw.ins.map((i) => [i.hash, i.index, i.witness]))
    for (const [i, input] of t.raw.ins.entries()) if (input.sequence !== undefined) expect(tx.inputs[i]!.sequence).toBe(input.sequence)
    expect(tx.outputs.map((o) => o.value)).toEqual(t.raw.outs.map((o) => BigInt(o.value)))
    // The same transaction serialized without its witness: same txid, and now the wtxid too.
    const stripped = decodeTransaction(hex(t.hex))
    expect(stripped.hasWitness).toBe(false)
    expect(hashToHex(stripped.txid)).toBe(t.id)
    expect(hashToHex(stripped.wtxid)).toBe(t.id)
    expect(stripped.weight).toBe(4 * t.hex.length / 2)
  })
})

// BIP-143, "Native P2WSH", its second example (bitcoin/bips at 7fe0b034ec967b52a5a28276419117326df93263,
// bip-0143.mediawiki): the unsigned transaction, and the signed one with its field-by-field breakdown.
// Both inputs are native P2WSH (empty scriptSig), so signing added only the marker, flag and witness:
// the signed transaction without them is the unsigned one, byte for byte, and the txid hashes that.
const BIP143_UNSIGNED =
  '0100000002e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffffffff80e6883151' +
  '6392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff0280969800000000001976a914de4b' +
  '231626ef508c9a74a8517e6783c0546d6b2888ac80969800000000001976a9146648a8cd4531e1ec47f35916de8e259237294d' +
  '1e88ac00000000'
const BIP143_SIGNED =
  '01000000000102e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffffffff80e688' +
  '31516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff0280969800000000001976a914' +
  'de4b231626ef508c9a74a8517e6783c0546d6b2888ac80969800000000001976a9146648a8cd4531e1ec47f35916de8e259237' +
  '294d1e88ac02483045022100f6a10b8604e6dc910194b79ccfc93e1bc0ec7c03453caaa8987f7d6c3413566002206216229ede' +
  '9b4d6ec2d325be245c5b508ff0339bf1794078e20bfe0babc7ffe683270063ab68210392972e2eb617b2388771abe27235fd5a' +
  'c44af8e61693261550447a4c3e39da98ac024730440220032521802a76ad7bf74d0e2c218b72cf0cbc867066e2e53db905ba37' +
  'f130397e02207709e2188ed7f08f4c952d9d13986da504502b8c3be59617e043552f506c46ff83275163ab68210392972e2eb6' +
  '17b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac00000000'

test('BIP-143\'s native P2WSH example decodes to the BIP\'s breakdown, and its txid is the unsigned transaction\'s hash', () => {
  const tx = decodeTransaction(hex(BIP143_SIGNED))
  expect(tx).toMatchObject({ version: 1, lockTime: 0, hasWitness: true })
  // txin: 02, each outpoint (hash as serialized, index), an empty script, the sequence.
  expect(tx.inputs.map((i) => [toHex(i.prevout.txid), i.prevout.index, toHex(i.scriptSig), i.sequence])).toEqual([
    ['e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc001', 0, '', 0xffffffff],
    ['80e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b', 0, '', 0xffffffff]
  ])
  // txout: 02, each 8096980000000000 (0.1 BTC) and its script.
  expect(tx.outputs.map((o) => [o.value, toHex(o.scriptPubKey)])).toEqual([
    [10_000_000n, '76a914de4b231626ef508c9a74a8517e6783c0546d6b2888ac'],
    [10_000_000n, '76a9146648a8cd4531e1ec47f35916de8e259237294d1e88ac']
  ])
  // witness: 02 <signature> <witnessScript> per input.
  expect(tx.inputs.map((i) => i.witness.map(toHex))).toEqual([
    [
      '3045022100f6a10b8604e6dc910194b79ccfc93e1bc0ec7c03453caaa8987f7d6c3413566002206216229ede9b4d6ec2d325be245c5b508ff0339bf1794078e20bfe0babc7ffe683',
      '0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac'
    ],
    [
      '30440220032521802a76ad7bf74d0e2c218b72cf0cbc867066e2e53db905ba37f130397e02207709e2188ed7f08f4c952d9d13986da504502b8c3be59617e043552f506c46ff83',
      '5163ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac'
    ]
  ])
  expect(toHex(tx.txid)).toBe(toHex(sha256d(hex(BIP143_UNSIGNED))))
  expect(toHex(tx.wtxid)).toBe(toHex(sha256d(hex(BIP143_SIGNED))))
  expect(tx.weight).toBe(3 * BIP143_UNSIGNED.length / 2 + BIP143_SIGNED.length / 2)
})

test('hashToHex gives the display order: the txid reversed', () => {
  const tx = decodeTransaction(blockFixture('rust-bitcoin-segwit-tx.hex'))
  expect(hashToHex(tx.txid)).toBe(Buffer.from(tx.txid).reverse().toString('hex'))
})

test('the decoded transaction keeps its bytes: raw is a copy, and every byte field a view of it', () => {
  const bytes = blockFixture('rust-bitcoin-segwit-tx.hex')
  const tx = decodeTransaction(bytes)
  expect(toHex(tx.raw)).toBe(toHex(bytes))
  expect(tx.raw.buffer).not.toBe(bytes.buffer)
  expect(tx.inputs[0]!.witness[0]!.buffer).toBe(tx.raw.buffer)
  expect(tx.outputs[0]!.scriptPubKey.buffer).toBe(tx.raw.buffer)
  const script = toHex(tx.outputs[0]!.scriptPubKey)
  bytes.fill(0) // the caller reuses its buffer
  expect(toHex(tx.outputs[0]!.scriptPubKey)).toBe(script)
})

test('a tx message stays raw in decodePayload; decodeTransaction is the explicit step', () => {
  const payload = blockFixture('rust-bitcoin-segwit-tx.hex')
  const msg = decodePayload('tx', payload)
  expect(msg).toEqual({ type: 'tx', raw: payload })
  expect(hashToHex(decodeTransaction(msg.raw).wtxid)).toBe('80b7d8a82d5d5bf92905b06f2014dd699e03837ca172e3a59d51426ebbe3e7f5')
})

describe('what Bitcoin Core refuses to deserialize is ERR_BIP324_BAD_PAYLOAD', () => {
  const segwit = blockFixture('rust-bitcoin-segwit-tx.hex')
  const VERSION = '02000000'
  const LOCK_TIME = '00000000'
  const INPUT = '00'.repeat(32) + '00000000' + '00' + 'ffffffff'
  const OUTPUT = '0000000000000000' + '0151'

  test('cut anywhere', () => {
    for (let cut = 0; cut < segwit.length; cut++) expect(() => decodeTransaction(segwit.subarray(0, cut))).toThrow(badPayload(/malformed transaction|truncated/))
  })

  test('a byte after the lock time', () => {
    expect(() => decodeTransaction(cat(segwit, '00'))).toThrow(badPayload(/1 unexpected bytes after the payload/))
  })

  test.each([
    ['2^32 - 1 inputs', `${VERSION}feffffffff${INPUT}`],
    ['2^64 - 1 inputs', `${VERSION}ffffffffffffffffff${INPUT}`],
    ['2^32 - 1 outputs', `${VERSION}01${INPUT}feffffffff${OUTPUT}`],
    ['a 2^32 - 1 byte scriptSig', `${VERSION}01${'00'.repeat(36)}feffffffff00`],
    ['2^32 - 1 witness items', `${VERSION}0001` + `01${INPUT}01${OUTPUT}` + 'feffffffff0101'],
    ['a 2^64 - 1 byte witness item', `${VERSION}0001` + `01${INPUT}01${OUTPUT}` + '01ffffffffffffffffff00']
  ])('a count of %s with a few bytes behind it, refused by the bytes left', (_name, bytes) => {
    expect(() => decodeTransaction(hex(bytes + LOCK_TIME))).toThrow(badPayload(/malformed transaction/))
  })

  test('2^32 - 1 inputs announced over 3.9 MB of bytes: fails where the bytes run out', () => {
    const hostile = cat(`${VERSION}feffffffff`, new Uint8Array(3_900_000))
    expect(() => decodeTransaction(hostile)).toThrow(badPayload(/malformed transaction/))
  })

  test('a non-canonical CompactSize (1 input written in 3 bytes)', () => {
    expect(() => decodeTransaction(hex(`${VERSION}fd0100${INPUT}01${OUTPUT}${LOCK_TIME}`))).toThrow(badPayload(/CompactSize/))
  })

  test('no inputs: 00 00 is no inputs and no outputs, as Core reads it', () => {
    const tx = decodeTransaction(hex(`${VERSION}0000${LOCK_TIME}`))
    expect(tx).toMatchObject({ inputs: [], outputs: [], hasWitness: false })
  })

  test('no inputs, then a byte other than 0 or 1: Core\'s "unknown transaction optional data"', () => {
    expect(() => decodeTransaction(hex(`${VERSION}0002${OUTPUT}${OUTPUT}${LOCK_TIME}`))).toThrow(badPayload(/unknown transaction optional data/))
    expect(() => decodeTransaction(hex(`${VERSION}0003${OUTPUT}${OUTPUT}${OUTPUT}${LOCK_TIME}`))).toThrow(badPayload(/unknown transaction optional data/))
  })

  test('the segwit marker with every witness stack empty: Core\'s "superfluous witness record"', () => {
    expect(() => decodeTransaction(hex(`${VERSION}0001` + `01${INPUT}01${OUTPUT}` + '00' + LOCK_TIME))).toThrow(badPayload(/empty witness/))
    expect(() => decodeTransaction(hex(`${VERSION}0001` + '00' + `01${OUTPUT}` + LOCK_TIME))).toThrow(badPayload(/empty witness/))
  })

  test('over the message limit is ERR_BIP324_OVERSIZED, before anything is copied', () => {
    expect(() => decodeTransaction(new Uint8Array(MAX_PROTOCOL_MESSAGE_LENGTH + 1))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_OVERSIZED' }))
  })

  test('not a Uint8Array is ERR_BIP324_INVALID_ARG', () => {
    expect(() => decodeTransaction('0200' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })
})

test('where Node cannot require() an ES module, the coder\'s loader says ERR_BIP324_JS_UNAVAILABLE; other errors pass through', () => {
  const requireEsmFails = (): never => { throw Object.assign(new Error('require() of ES Module'), { code: 'ERR_REQUIRE_ESM' }) }
  expect(() => requireEsm(requireEsmFails, 'decoding transactions')).toThrow(expect.objectContaining({
    code: 'ERR_BIP324_JS_UNAVAILABLE',
    message: expect.stringMatching(/^decoding transactions needs Node.js >= 20.19 or >= 22.12 .*this is v\d+/)
  }))
  const other = new Error('other')
  expect(() => requireEsm(() => { throw other }, 'decoding transactions')).toThrow(other)
})
