// The v2 message type: BIP-324's short ids in both directions, the 12-byte long form, and the
// malformed contents a peer can send.

import fc from 'fast-check'

import { decodeContents, encodeContents, SHORT_MESSAGE_IDS } from '../lib/messages'

// Written out from the BIP's table, not from our code.
// https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-bitcoin-p2p-message-structure
const BIP324_SHORT_IDS: Array<[number, string]> = [
  [1, 'addr'], [2, 'block'], [3, 'blocktxn'], [4, 'cmpctblock'], [5, 'feefilter'], [6, 'filteradd'],
  [7, 'filterclear'], [8, 'filterload'], [9, 'getblocks'], [10, 'getblocktxn'], [11, 'getdata'],
  [12, 'getheaders'], [13, 'headers'], [14, 'inv'], [15, 'mempool'], [16, 'merkleblock'], [17, 'notfound'],
  [18, 'ping'], [19, 'pong'], [20, 'sendcmpct'], [21, 'tx'], [22, 'getcfilters'], [23, 'cfilter'],
  [24, 'getcfheaders'], [25, 'cfheaders'], [26, 'getcfcheckpt'], [27, 'cfcheckpt'], [28, 'addrv2'],
  // The ids assigned since, from bip-0324/message_type_ids.md (bitcoin/bips @ 7fe0b034ec967b52a5a28276419117326df93263):
  // BIP-183's utreexo messages and BIP-434's feature, which Bitcoin Core maps to 37 (src/net.cpp V2_MESSAGE_IDS).
  [29, 'uproof'], [30, 'getuproof'], [31, 'uttls'], [32, 'getuttls'], [33, 'usummary'], [34, 'utreexotx'],
  [35, 'uroot'], [36, 'geturoot'], [37, 'feature']
]

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts))

/** The long form as the BIP describes it: 0, then the command NUL-padded to 12 bytes. */
function longForm (command: string, payload: Uint8Array): Uint8Array {
  const field = new Uint8Array(12)
  field.set(ascii(command))
  return cat(Uint8Array.of(0), field, payload)
}

test('the short id table is the BIPs\' list, entry by entry, and nothing more', () => {
  for (const [id, type] of BIP324_SHORT_IDS) expect([id, SHORT_MESSAGE_IDS[id]]).toEqual([id, type])
  expect(Object.keys(SHORT_MESSAGE_IDS).map(Number).sort((a, b) => a - b)).toEqual(BIP324_SHORT_IDS.map(([id]) => id))
  expect(Object.isFrozen(SHORT_MESSAGE_IDS)).toBe(true)
})

test.each(BIP324_SHORT_IDS)('short id %i (%s) encodes to one byte and decodes back', (id, type) => {
  const payload = Uint8Array.of(0xde, 0xad, id)
  const contents = encodeContents(type, payload)
  expect(Array.from(contents)).toEqual([id, 0xde, 0xad, id])
  expect(decodeContents(contents)).toEqual({ type, payload })
})

test.each(BIP324_SHORT_IDS)('the long form of short-id type %i (%s) decodes to the same message', (_id, type) => {
  const payload = Uint8Array.of(1, 2, 3)
  expect(decodeContents(longForm(type, payload))).toEqual({ type, payload })
})

test.each(['version', 'verack', 'sendaddrv2', 'wtxidrelay', 'sendheaders', 'getaddr'])('%s has no short id: 0 and the 12-byte command', (type) => {
  const payload = Uint8Array.of(7, 8)
  const contents = encodeContents(type, payload)
  expect(Buffer.from(contents).equals(Buffer.from(longForm(type, payload)))).toBe(true)
  expect(contents).toHaveLength(1 + 12 + 2)
  expect(decodeContents(contents)).toEqual({ type, payload })
})

test('a 12-character command fills the field with no NUL', () => {
  const contents = encodeContents('abcdefghijkl', new Uint8Array(0))
  expect(Buffer.from(contents).toString('latin1')).toBe('\0abcdefghijkl')
  expect(decodeContents(contents)).toEqual({ type: 'abcdefghijkl', payload: new Uint8Array(0) })
})

test('unknown short ids 38..255 are reported by number, not refused', () => {
  for (let id = 38; id <= 255; id++) {
    const decoded = decodeContents(Uint8Array.of(id, 0xaa))
    expect(decoded).toEqual({ type: undefined, shortId: id, payload: Uint8Array.of(0xaa) })
  }
})

test('the decoded payload is a view into the contents, not a copy', () => {
  const contents = longForm('version', Uint8Array.of(1, 2, 3))
  const { payload } = decodeContents(contents)
  expect(payload.buffer).toBe(contents.buffer)
  expect(payload.byteOffset).toBe(13)
  const short = Uint8Array.of(18, 9, 9)
  expect(decodeContents(short).payload.buffer).toBe(short.buffer)
})

describe('malformed contents are ERR_BIP324_BAD_MESSAGE_TYPE', () => {
  const nulAfterNul = new Uint8Array(13)
  nulAfterNul.set(ascii('ping'), 1)
  nulAfterNul[7] = 0x41 // "ping\0A..."
  const cases: Array<[string, Uint8Array]> = [
    ['empty contents', new Uint8Array(0)],
    ['a long form of 1 byte', Uint8Array.of(0)],
    ['a long form of 12 bytes', cat(Uint8Array.of(0), ascii('version'), new Uint8Array(4))],
    ['an empty command', new Uint8Array(13)],
    ['an empty command with a payload', new Uint8Array(20)],
    ['a control character', longForm('ver\nack', new Uint8Array(0))],
    ['DEL (0x7f)', longForm('ver\x7fack', new Uint8Array(0))],
    ['a byte over 0x7f', longForm('verack\xe9', new Uint8Array(0))],
    ['a non-NUL after the first NUL', nulAfterNul],
    ['a non-NUL in the last byte after a NUL', cat(Uint8Array.of(0), ascii('tx'), new Uint8Array(9), ascii('x'))]
  ]
  test.each(cases)('%s', (_name, contents) => {
    expect(() => decodeContents(contents)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_MESSAGE_TYPE' }))
  })
})

test.each([
  ['an empty type', ''],
  ['13 characters', 'abcdefghijklm'],
  ['a control character', 'pi\x00ng'],
  ['a non-ASCII character', 'pïng'],
  ['DEL', 'p\x7fng']
])('encoding %s is ERR_BIP324_INVALID_ARG', (_name, type) => {
  expect(() => encodeContents(type, new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('any printable command of 1..12 characters survives encode and decode', () => {
  const command = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 })
  fc.assert(fc.property(command, fc.uint8Array({ maxLength: 40 }), (type, payload) => {
    expect(decodeContents(encodeContents(type, payload))).toEqual({ type, payload })
  }), { numRuns: 300 })
})

test('decodeContents on random bytes returns or throws ERR_BIP324_BAD_MESSAGE_TYPE, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), fc.boolean(), (bytes, long) => {
    if (long && bytes.length > 0) bytes[0] = 0
    try {
      decodeContents(bytes)
    } catch (err) {
      expect(err).toMatchObject({ name: 'Bip324Error', code: 'ERR_BIP324_BAD_MESSAGE_TYPE' })
    }
  }), { numRuns: 2000 })
})
