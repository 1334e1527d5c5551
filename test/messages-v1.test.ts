// v1 framing: golden frames from public documents, a reader that takes bytes split anywhere, and
// the ways a peer can break the stream.

import fc from 'fast-check'

import { Bip324Error, magicOf } from '../lib'
import { encodeV1Message, V1MessageReader } from '../lib/messages'
import { hex, toHex } from './helpers/bytes'

const MAINNET = magicOf('mainnet')

// The verack frame on mainnet: magic, "verack", length 0, and 5df6e0e2, the first 4 bytes of
// SHA256(SHA256("")). https://en.bitcoin.it/wiki/Protocol_documentation#verack
const VERACK_FRAME = 'f9beb4d976657261636b000000000000000000005df6e0e2'

// The version message of the Bitcoin developer reference, framed (header as in "Programming
// Bitcoin", ch. 10: length 0x65, checksum 5f1a69d2).
// https://developer.bitcoin.org/reference/p2p_networking.html#version
const VERSION_FRAME =
  'f9beb4d976657273696f6e0000000000650000005f1a69d2' +
  '721101000100000000000000bc8f5e5400000000010000000000000000000000000000000000ffffc61b6409208d' +
  '010000000000000000000000000000000000ffffcb0071c0208d128035cbc97953f80f2f5361746f7368693a302e392e332f' +
  'cf05050001'

// The wiki's tx hexdump: 258 bytes of payload, checksum e293cdbe.
// https://en.bitcoin.it/wiki/Protocol_documentation#tx
const TX_FRAME =
  'F9BEB4D974780000000000000000000002010000E293CDBE01000000016DBDDB085B1D8AF75184F0BC01FAD58D1266E9' +
  'B63B50881990E4B40D6AEE3629000000008B483045022100F3581E1972AE8AC7C7367A7A253BC1135223ADB9A468BB3A' +
  '59233F45BC578380022059AF01CA17D00E41837A1D58E97AA31BAE584EDEC28D35BD96923690913BAE9A0141049C02BF' +
  'C97EF236CE6D8FE5D94013C721E915982ACD2B12B65D9B7D59E20A842005F8FC4E02532E873D37B96F09D6D4511ADA8F' +
  '14042F46614A4C70C0F14BEFF5FFFFFFFF02404B4C00000000001976A9141AA0CD1CBEA6E7458A7ABAD512A9D9EA1AFB' +
  '225E88AC80FAE9C7000000001976A9140EAB5BEA436A0484CFAB12485EFDA0B78B4ECC5288AC00000000'

test('an empty payload frames as the well-known verack with checksum 5df6e0e2', () => {
  expect(toHex(encodeV1Message(MAINNET, 'verack', new Uint8Array(0)))).toBe(VERACK_FRAME)
})

test.each([['version', VERSION_FRAME], ['tx', TX_FRAME]])('the published %s frame is what we build from its payload', (type, frameHex) => {
  const frame = hex(frameHex)
  expect(toHex(encodeV1Message(MAINNET, type, frame.subarray(24)))).toBe(toHex(frame))
})

test.each([['verack', VERACK_FRAME], ['version', VERSION_FRAME], ['tx', TX_FRAME]])('the published %s frame reads back as one message', (type, frameHex) => {
  const frame = hex(frameHex)
  const r = new V1MessageReader(MAINNET)
  const { messages, error } = r.push(frame)
  expect(error).toBeUndefined()
  expect(messages).toHaveLength(1)
  expect(messages[0]!.type).toBe(type)
  expect(toHex(messages[0]!.payload)).toBe(toHex(frame.subarray(24)))
  expect(r.buffered).toBe(0)
})

test('three frames split at every offset read back as the same three messages', () => {
  const stream = Buffer.concat([hex(VERSION_FRAME), hex(VERACK_FRAME), hex(TX_FRAME)])
  for (let split = 0; split <= stream.length; split++) {
    const r = new V1MessageReader(MAINNET)
    const a = r.push(stream.subarray(0, split))
    const b = r.push(stream.subarray(split))
    expect(a.error).toBeUndefined()
    expect(b.error).toBeUndefined()
    const messages = [...a.messages, ...b.messages]
    expect(messages.map((m) => m.type)).toEqual(['version', 'verack', 'tx'])
    expect(toHex(messages[2]!.payload)).toBe(toHex(hex(TX_FRAME).subarray(24)))
    expect(r.buffered).toBe(0)
  }
})

test('one byte at a time: buffered counts what is held, and the message comes with its last byte', () => {
  const frame = hex(VERSION_FRAME)
  const r = new V1MessageReader(MAINNET)
  for (let i = 0; i < frame.length - 1; i++) {
    expect(r.push(frame.subarray(i, i + 1)).messages).toEqual([])
    expect(r.buffered).toBe(i + 1)
  }
  const last = r.push(frame.subarray(frame.length - 1))
  expect(last.messages).toHaveLength(1)
  expect(toHex(last.messages[0]!.payload)).toBe(toHex(frame.subarray(24)))
  expect(r.buffered).toBe(0)
})

test('random messages in random chunks come out whole and in order', () => {
  const message = fc.record({
    type: fc.constantFrom('version', 'inv', 'tx', 'x', 'abcdefghijkl'),
    payload: fc.uint8Array({ maxLength: 300 })
  })
  fc.assert(fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.nat(400), { maxLength: 10 }), (msgs, cuts) => {
    const stream = Buffer.concat(msgs.map((m) => encodeV1Message(MAINNET, m.type, m.payload)))
    const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y)
    const r = new V1MessageReader(MAINNET)
    const out = []
    let from = 0
    for (const to of [...points, stream.length]) {
      const res = r.push(stream.subarray(from, to))
      expect(res.error).toBeUndefined()
      out.push(...res.messages)
      from = to
    }
    expect(out).toEqual(msgs)
  }), { numRuns: 200 })
})

test('payloads are copies: reusing the pushed buffer does not change them', () => {
  const frame = Buffer.from(hex(VERSION_FRAME))
  const r = new V1MessageReader(MAINNET)
  const first = r.push(frame.subarray(0, 50)).messages
  const [msg] = r.push(frame.subarray(50)).messages
  expect(first).toEqual([])
  const whole = new V1MessageReader(MAINNET).push(frame).messages[0]!
  frame.fill(0)
  expect(toHex(msg!.payload)).toBe(toHex(hex(VERSION_FRAME).subarray(24)))
  expect(toHex(whole.payload)).toBe(toHex(hex(VERSION_FRAME).subarray(24)))
})

describe('a broken stream', () => {
  function header (length: number, type = 'block'): Uint8Array {
    const h = encodeV1Message(MAINNET, type, new Uint8Array(0))
    new DataView(h.buffer).setUint32(16, length, true)
    return h
  }

  test('a length over maxPayload is refused from the header alone, before any body byte', () => {
    const r = new V1MessageReader(MAINNET)
    const res = r.push(header(4_000_001))
    expect(res.error).toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
    expect(r.buffered).toBeLessThanOrEqual(24)
    const small = new V1MessageReader(MAINNET, { maxPayload: 100 })
    expect(small.push(header(101)).error).toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
    expect(new V1MessageReader(MAINNET, { maxPayload: 100 }).push(header(100)).error).toBeUndefined()
  })

  test('a length of 0xffffffff is refused, even 1 byte at a time', () => {
    const r = new V1MessageReader(MAINNET)
    const h = header(0xffff_ffff)
    let error
    for (let i = 0; i < h.length && error === undefined; i++) error = r.push(h.subarray(i, i + 1)).error
    expect(error).toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
    expect(r.buffered).toBeLessThanOrEqual(24)
  })

  test('bytes held for an unfinished body are the bytes received, not the length announced', () => {
    const r = new V1MessageReader(MAINNET)
    r.push(header(3_000_000))
    r.push(new Uint8Array(1000))
    expect(r.buffered).toBe(24 + 1000)
  })

  test('checkHeader sees each command and length before the body, and its error breaks the stream there', () => {
    const seen: Array<[string, number]> = []
    const r = new V1MessageReader(MAINNET, {
      checkHeader: (type, length) => {
        seen.push([type, length])
        if (type === 'block') throw new Bip324Error('ERR_BIP324_LIMIT', 'no blocks here')
      }
    })
    const res = r.push(Buffer.concat([hex(VERACK_FRAME), header(3_000_000)]))
    expect(seen).toEqual([['verack', 0], ['block', 3_000_000]])
    expect(res.messages.map((m) => m.type)).toEqual(['verack'])
    expect(res.error).toMatchObject({ code: 'ERR_BIP324_LIMIT' })
    expect(r.buffered).toBeLessThanOrEqual(24)
  })

  test('another network\'s magic is ERR_BIP324_BAD_MAGIC', () => {
    const signetFrame = encodeV1Message(magicOf('signet'), 'verack', new Uint8Array(0))
    expect(new V1MessageReader(MAINNET).push(signetFrame).error).toMatchObject({ code: 'ERR_BIP324_BAD_MAGIC' })
  })

  test('a flipped payload bit is ERR_BIP324_BAD_CHECKSUM', () => {
    const frame = hex(VERSION_FRAME)
    frame[60]! ^= 1
    expect(new V1MessageReader(MAINNET).push(frame).error).toMatchObject({ code: 'ERR_BIP324_BAD_CHECKSUM' })
    const bad = hex(VERACK_FRAME)
    bad[23]! ^= 0x80
    expect(new V1MessageReader(MAINNET).push(bad).error).toMatchObject({ code: 'ERR_BIP324_BAD_CHECKSUM' })
  })

  test('a malformed command is ERR_BIP324_BAD_MESSAGE_TYPE', () => {
    const frame = hex(VERACK_FRAME)
    frame[12] = 0x41 // "verack\0\0A\0...": a non-NUL after the padding began
    expect(new V1MessageReader(MAINNET).push(frame).error).toMatchObject({ code: 'ERR_BIP324_BAD_MESSAGE_TYPE' })
  })

  test('messages before the error still come out, and the reader stays dead', () => {
    const bad = hex(VERACK_FRAME)
    bad[0] = 0
    const r = new V1MessageReader(MAINNET)
    const res = r.push(Buffer.concat([hex(VERSION_FRAME), hex(VERACK_FRAME), bad]))
    expect(res.messages.map((m) => m.type)).toEqual(['version', 'verack'])
    expect(res.error).toMatchObject({ code: 'ERR_BIP324_BAD_MAGIC' })
    const again = r.push(hex(VERACK_FRAME))
    expect(again).toEqual({ messages: [], error: res.error })
  })
})

test.each([
  ['a 3-byte magic', () => new V1MessageReader(new Uint8Array(3))],
  ['a negative maxPayload', () => new V1MessageReader(MAINNET, { maxPayload: -1 })],
  ['a fractional maxPayload', () => new V1MessageReader(MAINNET, { maxPayload: 1.5 })],
  ['a checkHeader that is not a function', () => new V1MessageReader(MAINNET, { checkHeader: 1 as never })],
  ['encoding with a 5-byte magic', () => encodeV1Message(new Uint8Array(5), 'verack', new Uint8Array(0))],
  ['encoding an empty command', () => encodeV1Message(MAINNET, '', new Uint8Array(0))]
])('%s is ERR_BIP324_INVALID_ARG', (_name, f) => {
  expect(f).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('random and mutated streams only ever yield a Bip324Error', () => {
  const valid = Buffer.concat([hex(VERSION_FRAME), hex(VERACK_FRAME)])
  const stream = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
      const copy = Uint8Array.from(valid)
      copy[at]! ^= x
      return copy
    }),
    fc.uint8Array({ maxLength: 100 }).map((b) => Uint8Array.from(Buffer.concat([MAINNET, b])))
  )
  fc.assert(fc.property(stream, fc.nat(250), (bytes, cut) => {
    const r = new V1MessageReader(MAINNET)
    for (const part of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
      const { error } = r.push(part)
      if (error !== undefined) expect(error).toMatchObject({ name: 'Bip324Error' })
      expect(['ERR_BIP324_BAD_MAGIC', 'ERR_BIP324_BAD_CHECKSUM', 'ERR_BIP324_BAD_MESSAGE_TYPE', 'ERR_BIP324_OVERSIZED', undefined]).toContain(error?.code)
    }
  }), { numRuns: 1000 })
})
