// The packet cipher on every backend and provider, against the node:crypto reference in
// test/reference: rekey boundaries, random sizes and AAD, batches, partial input, bad input, misuse.

import crypto from 'node:crypto'

import type { Backend, PacketCipher } from '../lib/crypto/backend'
import { MAX_CONTENTS_LIMIT as MAX_CONTENTS, NUM_PACKET_OVERHEAD_BYTES as EXPANSION } from '../lib/crypto/packet-format'
import { RefPacketCipher } from './reference/fschacha'
import { hasDecryptPacket, variants } from './helpers/backends'
import { seeded } from './helpers/pair'

const EMPTY = new Uint8Array(0)

function pair (backend: Backend, provider: string | undefined): { send: PacketCipher, recv: PacketCipher, ref: RefPacketCipher, refPeer: RefPacketCipher } {
  const l = crypto.randomBytes(32)
  const p = crypto.randomBytes(32)
  return {
    send: backend.createCipher(l, p, provider),
    recv: backend.createCipher(l, p, provider),
    ref: new RefPacketCipher(l, p),
    refPeer: new RefPacketCipher(l, p)
  }
}

function seal (c: PacketCipher, expansion: number, contents: Uint8Array, aad = EMPTY, header = 0): Uint8Array {
  const out = new Uint8Array(contents.length + expansion)
  c.encrypt(out, contents, aad, header)
  return out
}

function open (c: PacketCipher, packet: Uint8Array, aad = EMPTY): { header: number, contents: Uint8Array } {
  const contents = new Uint8Array(c.decryptLength(packet.subarray(0, 3)))
  return { header: c.decrypt(contents, packet.subarray(3), aad), contents }
}

// Packet i of a random run (sizes 0..299, AAD on the first, a decoy one time in five), sealed by
// `send` and checked byte for byte against the reference, which seals it too.
function randomPacket (send: PacketCipher, ref: RefPacketCipher, rand: () => number, i: number): { packet: Uint8Array, contents: Buffer, aad: Uint8Array<ArrayBuffer>, header: number } {
  const contents = crypto.randomBytes(Math.floor(rand() * 300))
  const aad = i === 0 ? crypto.randomBytes(4095) : EMPTY
  const header = rand() < 0.2 ? 0x80 : 0
  const packet = seal(send, EXPANSION, contents, aad, header)
  expect(Buffer.from(packet).equals(ref.encrypt(contents, aad, header))).toBe(true)
  return { packet, contents, aad, header }
}

describe.each(variants)('$name', ({ backend, provider }) => {
  test('decrypt in place: contents may be the body itself, and a bad tag leaves it untouched', () => {
    const { send, recv } = pair(backend, provider)
    for (const size of [0, 1, 63, 64, 65, 4096, 100_000]) {
      const contents = crypto.randomBytes(size)
      const packet = seal(send, EXPANSION, contents)
      const body = packet.subarray(3)
      expect(recv.decryptLength(packet.subarray(0, 3))).toBe(size)
      expect(recv.decrypt(body.subarray(1, 1 + size), body, EMPTY)).toBe(0)
      expect(Buffer.from(body.subarray(1, 1 + size)).equals(contents)).toBe(true)
    }
    const packet = seal(send, EXPANSION, crypto.randomBytes(500))
    packet[packet.length - 1]! ^= 1
    const before = Uint8Array.from(packet)
    const body = packet.subarray(3)
    recv.decryptLength(packet.subarray(0, 3))
    expect(recv.decrypt(body.subarray(1, 501), body, EMPTY)).toBe(-1)
    expect(Buffer.from(packet).equals(before)).toBe(true)
  })

  test('1,000 packets cross four rekeys of both ciphers, byte for byte as the reference, and decrypt back', () => {
    const { send, recv, ref, refPeer } = pair(backend, provider)
    const rand = seeded(1)
    for (let i = 0; i < 1000; i++) {
      const { packet, contents, aad, header } = randomPacket(send, ref, rand, i)
      const got = open(recv, packet, aad)
      expect(got.header).toBe(header)
      expect(Buffer.from(got.contents).equals(contents)).toBe(true)
      expect(refPeer.decrypt(packet, aad)).toEqual({ header, contents })
    }
  })

  test.each([223, 224, 225, 447, 448, 449])('the packet at index %i (a rekey boundary) matches the reference', (index) => {
    const { send, ref } = pair(backend, provider)
    for (let i = 0; i < index; i++) expect(Buffer.from(seal(send, EXPANSION, EMPTY)).equals(ref.encrypt(EMPTY, EMPTY, 0))).toBe(true)
    const contents = crypto.randomBytes(77)
    expect(Buffer.from(seal(send, EXPANSION, contents)).equals(ref.encrypt(contents, EMPTY, 0))).toBe(true)
  })

  test('random sizes from 0 to 70,000 bytes with random AAD round-trip and match the reference', () => {
    const rand = seeded(2)
    for (let i = 0; i < 60; i++) {
      const { send, recv, ref } = pair(backend, provider)
      const contents = crypto.randomBytes(Math.floor(rand() * 70001))
      const aad = crypto.randomBytes(Math.floor(rand() * 5000))
      const packet = seal(send, EXPANSION, contents, aad)
      expect(Buffer.from(packet).equals(ref.encrypt(contents, aad, 0))).toBe(true)
      expect(Buffer.from(open(recv, packet, aad).contents).equals(contents)).toBe(true)
    }
  })

  test('header bits other than the ignore bit are carried, and only 0x80 marks a decoy', () => {
    const { send, recv } = pair(backend, provider)
    for (const header of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      expect(open(recv, seal(send, EXPANSION, Uint8Array.of(1, 2, 3), EMPTY, header)).header).toBe(header)
    }
  })

  test('the wrong AAD fails authentication and writes nothing', () => {
    const { send, recv } = pair(backend, provider)
    const packet = seal(send, EXPANSION, Uint8Array.of(9, 9, 9), Uint8Array.of(1))
    const contents = new Uint8Array(recv.decryptLength(packet.subarray(0, 3))).fill(0xcc)
    expect(recv.decrypt(contents, packet.subarray(3), Uint8Array.of(2))).toBe(-1)
    expect([...contents]).toEqual([0xcc, 0xcc, 0xcc])
  })

  test('in-place decryption (contents one byte into the input) gives the same plaintext', () => {
    const { send, recv } = pair(backend, provider)
    const contents = crypto.randomBytes(1000)
    const packet = seal(send, EXPANSION, contents)
    const len = recv.decryptLength(packet.subarray(0, 3))
    const body = packet.subarray(3)
    expect(recv.decrypt(body.subarray(1, 1 + len), body, EMPTY)).toBe(0)
    expect(Buffer.from(body.subarray(1, 1 + len)).equals(contents)).toBe(true)
  })

  if (hasDecryptPacket(backend)) {
    describe('decryptPacket', () => {
      test('1,000 packets across rekeys, in place and apart, mixed with decryptLength + decrypt, as the reference', () => {
        const { send, recv, ref } = pair(backend, provider)
        const rand = seeded(4)
        for (let i = 0; i < 1000; i++) {
          const { packet, contents, aad, header } = randomPacket(send, ref, rand, i)
          if (i % 3 === 0) {
            const got = open(recv, packet, aad)
            expect(got.header).toBe(header)
            expect(Buffer.from(got.contents).equals(contents)).toBe(true)
          } else if (i % 3 === 1) {
            const plain = new Uint8Array(contents.length)
            expect(recv.decryptPacket(plain, packet, aad)).toBe(header)
            expect(Buffer.from(plain).equals(contents)).toBe(true)
          } else {
            expect(recv.decryptPacket(packet.subarray(4, 4 + contents.length), packet, aad)).toBe(header)
            expect(Buffer.from(packet.subarray(4, 4 + contents.length)).equals(contents)).toBe(true)
          }
        }
      })

      test('a bad tag returns -1, writes nothing and leaves the length pending for decrypt', () => {
        const { send, recv } = pair(backend, provider)
        const contents = crypto.randomBytes(100)
        const packet = seal(send, EXPANSION, contents)
        const bad = Uint8Array.from(packet)
        bad[bad.length - 1]! ^= 1
        const plain = new Uint8Array(100).fill(0xcc)
        expect(recv.decryptPacket(plain, bad, EMPTY)).toBe(-1)
        expect(plain.every((b) => b === 0xcc)).toBe(true)
        expect(() => recv.decryptPacket(plain, packet, EMPTY)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
        expect(recv.decrypt(plain, packet.subarray(3), EMPTY)).toBe(0)
        expect(Buffer.from(plain).equals(contents)).toBe(true)
      })

      test('a length field that says another size returns -2 before the body is read, the length pending', () => {
        const { send, recv } = pair(backend, provider)
        const contents = crypto.randomBytes(10)
        const packet = seal(send, EXPANSION, contents)
        const longer = new Uint8Array(packet.length + 1)
        longer.set(packet)
        expect(recv.decryptPacket(new Uint8Array(11), longer, EMPTY)).toBe(-2)
        const plain = new Uint8Array(10)
        expect(recv.decrypt(plain, packet.subarray(3), EMPTY)).toBe(0)
        expect(Buffer.from(plain).equals(contents)).toBe(true)
      })

      test('misuse: a pending length, sizes that do not fit, a destroyed cipher', () => {
        const { send, recv } = pair(backend, provider)
        const packet = seal(send, EXPANSION, Uint8Array.of(1, 2, 3))
        const invalid = expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' })
        expect(() => recv.decryptPacket(new Uint8Array(2), packet, EMPTY)).toThrow(invalid)
        expect(() => recv.decryptPacket(new Uint8Array(0), packet.subarray(0, EXPANSION - 1), EMPTY)).toThrow(invalid)
        expect(() => recv.decryptPacket(new Uint8Array(3), [...packet] as unknown as Uint8Array, EMPTY)).toThrow(invalid)
        const plain = new Uint8Array(3)
        expect(recv.decryptPacket(plain, packet, EMPTY)).toBe(0)
        expect(plain).toEqual(Uint8Array.of(1, 2, 3))
        recv.decryptLength(seal(send, EXPANSION, EMPTY).subarray(0, 3))
        expect(() => recv.decryptPacket(EMPTY, new Uint8Array(EXPANSION), EMPTY)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
        recv.destroy()
        expect(() => recv.decryptPacket(EMPTY, new Uint8Array(EXPANSION), EMPTY)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
      })
    })
  }

  describe('batches', () => {
    if (hasDecryptPacket(backend)) {
      test('encryptBatch equals one encrypt per item, across a rekey, decoys included', () => {
        const { send, ref } = pair(backend, provider)
        const items = Array.from({ length: 300 }, (_, i) => crypto.randomBytes(i % 50))
        const headers = Uint8Array.from(items, (_, i) => (i % 7 === 0 ? 0x80 : 0))
        const out = new Uint8Array(items.reduce((n, it) => n + it.length + EXPANSION, 0))
        send.encryptBatch(out, items, headers)
        const expected = Buffer.concat(items.map((it, i) => ref.encrypt(it, EMPTY, headers[i]!)))
        expect(Buffer.from(out).equals(expected)).toBe(true)
      })
    }

    test('decryptBatch returns every complete packet, keeps a split length pending, and resumes', () => {
      const { send, recv } = pair(backend, provider)
      const items = Array.from({ length: 500 }, (_, i) => crypto.randomBytes((i * 37) % 200))
      const stream = Buffer.concat(items.map((it) => seal(send, EXPANSION, it)))
      const plain = new Uint8Array(1 << 16)
      const got: Buffer[] = []
      const rand = seeded(3)
      let buffered = Buffer.alloc(0)
      for (let at = 0; at < stream.length;) {
        const next = Math.min(stream.length, at + 1 + Math.floor(rand() * 900))
        buffered = Buffer.concat([buffered, stream.subarray(at, next)])
        at = next
        for (;;) {
          const r = recv.decryptBatch(plain, buffered, MAX_CONTENTS)
          expect(r.status === 'more' || r.status === 'full').toBe(true)
          for (const { header, contents } of r.packets) {
            expect(header).toBe(0)
            expect(contents.buffer).toBe(plain.buffer)
            got.push(Buffer.from(contents))
          }
          buffered = buffered.subarray(r.consumed)
          if (r.pending !== null) expect(buffered.length).toBeLessThan(r.pending + 17)
          if (r.status === 'more') break
        }
      }
      expect(buffered.length).toBe(0)
      expect(got).toHaveLength(items.length)
      got.forEach((g, i) => expect(g.equals(items[i]!)).toBe(true))
    })

    test('a length above the limit stops the batch as oversized before its body is read', () => {
      const { send, recv } = pair(backend, provider)
      const packet = seal(send, EXPANSION, new Uint8Array(1001))
      const r = recv.decryptBatch(new Uint8Array(10), packet.subarray(0, 3), 1000)
      expect(r).toEqual({ status: 'oversized', packets: [], consumed: 3, pending: 1001 })
    })

    test('a corrupted packet stops the batch as bad-mac after the good ones before it', () => {
      const { send, recv } = pair(backend, provider)
      const packets = [1, 2, 3].map((n) => seal(send, EXPANSION, new Uint8Array(n).fill(n)))
      packets[2]![5]! ^= 1
      const plain = new Uint8Array(16).fill(0xee)
      const r = recv.decryptBatch(plain, Buffer.concat(packets), MAX_CONTENTS)
      expect(r.status).toBe('bad-mac')
      expect(r.packets).toEqual([{ header: 0, contents: Uint8Array.of(1) }, { header: 0, contents: Uint8Array.of(2, 2) }])
      expect([...plain.subarray(0, 6)]).toEqual([1, 2, 2, 0xee, 0xee, 0xee])
    })

    test('a packet larger than the plaintext space reports full with its length pending', () => {
      const { send, recv } = pair(backend, provider)
      const packet = seal(send, EXPANSION, new Uint8Array(100))
      expect(recv.decryptBatch(new Uint8Array(50), packet, MAX_CONTENTS)).toEqual({ status: 'full', packets: [], consumed: 3, pending: 100 })
      expect(recv.decryptBatch(new Uint8Array(100), packet.subarray(3), MAX_CONTENTS)).toEqual({ status: 'more', packets: [{ header: 0, contents: new Uint8Array(100) }], consumed: 117, pending: null })
    })
  })

  describe('misuse throws with a code; the cipher stays usable', () => {
    test('decrypt before decryptLength, and decryptLength twice', () => {
      const { send, recv } = pair(backend, provider)
      expect(() => recv.decrypt(EMPTY, new Uint8Array(17), EMPTY)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
      const packet = seal(send, EXPANSION, Uint8Array.of(4))
      recv.decryptLength(packet.subarray(0, 3))
      expect(() => recv.decryptLength(packet.subarray(0, 3))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
      const contents = new Uint8Array(1)
      expect(recv.decrypt(contents, packet.subarray(3), EMPTY)).toBe(0)
      expect(contents).toEqual(Uint8Array.of(4))
    })

    test('wrong output sizes are refused before the state moves', () => {
      const { send, recv } = pair(backend, provider)
      expect(() => send.encrypt(new Uint8Array(EXPANSION), Uint8Array.of(1), EMPTY, 0)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
      expect(() => send.encryptBatch(new Uint8Array(5), [Uint8Array.of(1)])).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
      expect(() => send.encrypt(new Uint8Array(EXPANSION), EMPTY, EMPTY, 256)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
      expect(open(recv, seal(send, EXPANSION, Uint8Array.of(5))).contents).toEqual(Uint8Array.of(5))
    })

    test('a destroyed cipher refuses every call', () => {
      const { send } = pair(backend, provider)
      send.destroy()
      expect(() => seal(send, EXPANSION, EMPTY)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
      expect(() => send.decryptLength(new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
    })

    test('contents over 2^24 - 1 bytes cannot be encrypted', () => {
      const { send } = pair(backend, provider)
      const big = new Uint8Array(MAX_CONTENTS + 1)
      expect(() => send.encrypt(new Uint8Array(big.length + EXPANSION), big, EMPTY, 0)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    })
  })
})

test('every backend and provider produces identical bytes for the same keys', () => {
  const l = crypto.randomBytes(32)
  const p = crypto.randomBytes(32)
  const ciphers = variants.map((v) => v.backend.createCipher(l, p, v.provider))
  expect(ciphers.length).toBeGreaterThanOrEqual(2)
  for (let i = 0; i < 500; i++) {
    const contents = crypto.randomBytes(i * 13)
    const [first, ...rest] = ciphers.map((c) => Buffer.from(seal(c, 20, contents)))
    for (const other of rest) expect(other.equals(first!)).toBe(true)
  }
})
