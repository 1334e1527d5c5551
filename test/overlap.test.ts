// Outputs that overlap inputs, or each other, are refused with ERR_BIP324_INVALID_ARG on every
// backend before any state moves; the exceptions are decrypting in place, contents exactly one
// byte into decrypt's input or four bytes into decryptPacket's packet. Overlap means the bytes
// intersect: views of one ArrayBuffer at different offsets count, adjacent ranges do not.

import crypto from 'node:crypto'

import type { PacketCipher } from '../lib/crypto/backend'
import { NUM_PACKET_OVERHEAD_BYTES as EXPANSION } from '../lib/crypto/packet-format'
import { native } from '../lib/native/binding'
import { hasDecryptPacket, variants } from './helpers/backends'
import { testingAddon } from './helpers/testing-addon'

const EMPTY = new Uint8Array(0)
const invalid = expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' })

// `length` bytes at `offset` of a shared ArrayBuffer, as its own Uint8Array object.
const view = (buffer: ArrayBufferLike, offset: number, length: number): Uint8Array => new Uint8Array(buffer, offset, length)

describe.each(variants)('$name', ({ backend, provider }) => {
  const key = crypto.randomBytes(32)
  const cipher = (): PacketCipher => backend.createCipher(key, key, provider)
  // The first packet of a fresh cipher: what a cipher that refused every call so far must produce.
  const first = (contents: Uint8Array): Buffer => {
    const out = new Uint8Array(contents.length + EXPANSION)
    cipher().encrypt(out, contents, EMPTY, 0)
    return Buffer.from(out)
  }
  const sealed = (contents: Uint8Array): Uint8Array => {
    const out = new Uint8Array(contents.length + EXPANSION)
    cipher().encrypt(out, contents, EMPTY, 0)
    return out
  }

  describe('encrypt', () => {
    const buffer = new ArrayBuffer(256)
    test.each([
      ['contents inside out', view(buffer, 0, 30), view(buffer, 5, 10), EMPTY],
      ['contents overlapping the end of out', view(buffer, 0, 30), view(buffer, 29, 10), EMPTY],
      ['out starting inside contents', view(buffer, 100, 30), view(buffer, 95, 10), EMPTY],
      ['aad inside out', view(buffer, 0, 30), view(buffer, 40, 10), view(buffer, 10, 4)],
      ['aad the same bytes as out', view(buffer, 0, 30), view(buffer, 40, 10), view(buffer, 0, 30)]
    ])('%s: refused, state unmoved', (_name, out, contents, aad) => {
      const c = cipher()
      expect(() => c.encrypt(out, contents, aad, 0)).toThrow(invalid)
      const again = new Uint8Array(10 + EXPANSION)
      c.encrypt(again, new Uint8Array(10), EMPTY, 0)
      expect(Buffer.from(again).equals(first(new Uint8Array(10)))).toBe(true)
    })

    test('adjacent views of one buffer do not overlap', () => {
      const out = view(buffer, 0, 30)
      const contents = view(buffer, 30, 10).fill(4)
      const aad = view(buffer, 40, 3).fill(5)
      const want = new Uint8Array(30)
      cipher().encrypt(want, Uint8Array.from(contents), Uint8Array.from(aad), 0)
      cipher().encrypt(out, contents, aad, 0)
      expect(Buffer.from(out).equals(want)).toBe(true)
    })
  })

  describe('decrypt', () => {
    test('contents overlapping input anywhere but one byte in: refused, the length still pending', () => {
      const packet = sealed(crypto.randomBytes(40))
      for (const offset of [0, 3, 5, 20]) {
        const copy = Uint8Array.from(packet)
        const c = cipher()
        expect(c.decryptLength(copy.subarray(0, 3))).toBe(40)
        const input = copy.subarray(3)
        const contents = view(copy.buffer, offset, 40)
        expect(() => c.decrypt(contents, input, EMPTY)).toThrow(invalid)
        expect(c.decrypt(new Uint8Array(40), input, EMPTY)).toBe(0)
      }
    })

    test('contents exactly one byte into input decrypts in place', () => {
      const plain = crypto.randomBytes(40)
      const packet = sealed(plain)
      const c = cipher()
      c.decryptLength(packet.subarray(0, 3))
      const input = packet.subarray(3)
      expect(c.decrypt(view(packet.buffer, 4, 40), input, EMPTY)).toBe(0)
      expect(Buffer.from(packet.subarray(4, 44)).equals(plain)).toBe(true)
    })

    test('contents overlapping aad: refused', () => {
      const packet = sealed(crypto.randomBytes(40))
      const c = cipher()
      c.decryptLength(packet.subarray(0, 3))
      const scratch = new ArrayBuffer(100)
      expect(() => c.decrypt(view(scratch, 0, 40), packet.subarray(3), view(scratch, 39, 5))).toThrow(invalid)
      expect(c.decrypt(new Uint8Array(40), packet.subarray(3), EMPTY)).toBe(0)
    })
  })

  if (hasDecryptPacket(backend)) {
    describe('decryptPacket', () => {
      test('contents overlapping packet anywhere but four bytes in: refused, nothing pending', () => {
        const plain = crypto.randomBytes(40)
        const packet = sealed(plain)
        for (const offset of [0, 1, 3, 5, 20]) {
          const copy = Uint8Array.from(packet)
          const c = cipher()
          expect(() => c.decryptPacket(view(copy.buffer, offset, 40), copy, EMPTY)).toThrow(invalid)
          expect(c.decryptPacket(view(copy.buffer, 4, 40), copy, EMPTY)).toBe(0)
          expect(Buffer.from(copy.subarray(4, 44)).equals(plain)).toBe(true)
        }
      })

      test('contents overlapping aad: refused', () => {
        const packet = sealed(crypto.randomBytes(40))
        const c = cipher()
        const scratch = new ArrayBuffer(100)
        expect(() => c.decryptPacket(view(scratch, 0, 40), packet, view(scratch, 39, 5))).toThrow(invalid)
        expect(c.decryptPacket(new Uint8Array(40), packet, EMPTY)).toBe(0)
      })
    })
  }

  describe('encryptBatch', () => {
    const buffer = new ArrayBuffer(256)
    const cases: Array<[string, Uint8Array, Uint8Array[], Uint8Array | undefined]> = [
      ['an item inside out', view(buffer, 0, 2 * EXPANSION + 8), [view(buffer, 200, 4), view(buffer, 10, 4)], undefined],
      ['an item overlapping the first byte of out', view(buffer, 100, EXPANSION + 4), [view(buffer, 97, 4)], undefined]
    ]
    if (hasDecryptPacket(backend)) cases.push(['headers inside out', view(buffer, 0, 2 * EXPANSION + 8), [view(buffer, 200, 4), view(buffer, 210, 4)], view(buffer, 5, 2)])
    test.each(cases)('%s: refused, state unmoved', (_name, out, items, headers) => {
      const c = cipher()
      expect(() => c.encryptBatch(out, items, headers)).toThrow(invalid)
      const again = new Uint8Array(10 + EXPANSION)
      c.encrypt(again, new Uint8Array(10), EMPTY, 0)
      expect(Buffer.from(again).equals(first(new Uint8Array(10)))).toBe(true)
    })
  })

  describe('decryptBatch', () => {
    // Two packets of 8 bytes, then plain and input placed in one buffer by the case.
    const n = 2 * (8 + EXPANSION)
    test.each([
      ['plain overlapping input', 0, 16, 8],
      ['plain starting inside input', 20, 16, 8]
    ])('%s: refused, nothing consumed', (_name, plainAt, plainLen, inputAt) => {
      const buffer = new ArrayBuffer(512)
      const input = view(buffer, inputAt, n)
      input.set(twoPackets(cipher()))
      const plain = view(buffer, plainAt, plainLen)
      const c = cipher()
      expect(() => c.decryptBatch(plain, input, 1000)).toThrow(invalid)
      const r = c.decryptBatch(new Uint8Array(16), Uint8Array.from(input), 1000)
      expect(r.status).toBe('more')
      expect(r.packets).toHaveLength(2)
      expect(r.consumed).toBe(n)
    })
  })
})

// Two packets of 8 bytes (contents all 1s, then all 2s), back to back.
function twoPackets (c: PacketCipher): Uint8Array {
  const out = new Uint8Array(2 * (8 + EXPANSION))
  c.encryptBatch(out, [new Uint8Array(8).fill(1), new Uint8Array(8).fill(2)])
  return out
}

describe('the addon\'s decryptBatch refuses a meta array that overlaps plain or input', () => {
  const addon = native()
  const key = crypto.randomBytes(32)
  const n = 2 * (8 + EXPANSION)
  test.each([
    ['meta overlapping plain', 0, 16, 8, 40, 100],
    ['meta overlapping input', 0, 16, 104, n, 100]
  ])('%s: refused, nothing consumed', (_name, plainAt, plainLen, metaAt, metaBytes, inputAt) => {
    const buffer = new ArrayBuffer(512)
    const sender = addon.cipherCreate(key, key)
    const input = view(buffer, inputAt, n)
    addon.encryptBatch(sender, input, [new Uint8Array(8).fill(1), new Uint8Array(8).fill(2)])
    const plain = view(buffer, plainAt, plainLen)
    const meta = new Uint32Array(buffer, metaAt, metaBytes / 4)
    const c = addon.cipherCreate(key, key)
    expect(() => addon.decryptBatch(c, plain, meta, input, 1000)).toThrow(invalid)
    const fresh = new Uint32Array(10)
    expect(addon.decryptBatch(c, new Uint8Array(16), fresh, Uint8Array.from(input), 1000)).toBe(0)
    expect([...fresh.subarray(0, 4)]).toEqual([2, n, 0, 0])
  })
})

describe('the addon\'s key functions refuse outputs that overlap inputs', () => {
  const addon = native()
  const buffer = new ArrayBuffer(1024)
  const seckey = crypto.randomBytes(32)
  const ell = new Uint8Array(64)
  addon.ellswiftCreate(ell, seckey, crypto.randomBytes(32))
  // Fills buffer at `offset` with `bytes` and returns that view.
  const at = (offset: number, bytes: Uint8Array): Uint8Array => {
    const v = view(buffer, offset, bytes.length)
    v.set(bytes)
    return v
  }

  test.each([
    ['ellswiftDecode: x32 inside ell64', () => addon.ellswiftDecode(view(buffer, 16, 32), at(0, ell))],
    ['ellswiftCreate: ell64 over seckey32', () => addon.ellswiftCreate(view(buffer, 0, 64), at(60, seckey), crypto.randomBytes(32))],
    ['ellswiftCreate: ell64 over auxrnd32', () => addon.ellswiftCreate(view(buffer, 100, 64), seckey, view(buffer, 80, 32))],
    ['keygen: seckey32 and ell64 overlapping', () => addon.keygen(view(buffer, 0, 32), view(buffer, 31, 64))],
    ['ecdh: secret32 over ellOurs64', () => addon.ecdh(view(buffer, 10, 32), at(0, ell), ell, seckey, true)],
    ['ecdh: secret32 over ellTheirs64', () => addon.ecdh(view(buffer, 200, 32), ell, at(150, ell), seckey, true)],
    ['ecdh: secret32 over seckey32', () => addon.ecdh(view(buffer, 300, 32), ell, ell, at(300, seckey), true)],
    ['ecdhX (testing addon): x32 over ellTheirs64', () => testingAddon().ecdhX(view(buffer, 40, 32), at(0, ell), seckey)],
    ['ecdhX (testing addon): x32 over seckey32', () => testingAddon().ecdhX(view(buffer, 0, 32), ell, at(16, seckey))],
    ['keySchedule: keys over secret32', () => addon.keySchedule(view(buffer, 0, 192), at(191, seckey), Uint8Array.of(1, 2, 3, 4))],
    ['keySchedule: keys over magic4', () => addon.keySchedule(view(buffer, 4, 192), seckey, view(buffer, 0, 5).subarray(1))]
  ])('%s', (_name, call) => {
    expect(call).toThrow(invalid)
  })

  test('outputs beside their inputs in one buffer work', () => {
    const x = view(buffer, 500, 32)
    addon.ellswiftDecode(x, at(532, ell))
    const alone = new Uint8Array(32)
    addon.ellswiftDecode(alone, ell)
    expect(Buffer.from(x).equals(alone)).toBe(true)
  })
})
