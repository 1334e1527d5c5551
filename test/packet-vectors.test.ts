// Every row of BIP-324's packet_encoding_test_vectors.csv, on every backend and provider:
// key exchange, key schedule, the packet after in_idx empty ones, its decryption by the other
// side, and rejection of flipped bits.

import { NUM_PACKET_OVERHEAD_BYTES as EXPANSION } from '../lib/crypto/packet-format'
import type { Backend, PacketCipher } from '../lib/crypto/backend'
import { hasDecryptPacket, MAINNET_MAGIC, variants } from './helpers/backends'
import { testingAddon } from './helpers/testing-addon'
import { hex, readCsv, toHex } from './helpers/vectors'

const rows = readCsv('packet_encoding_test_vectors.csv').map((r, i) => ({ ...r, row: i + 1 })) as
  Array<Record<string, string> & { row: number }>
const EMPTY = new Uint8Array(0)

function contentsOf (r: Record<string, string>): Uint8Array {
  const unit = hex(r.in_contents!)
  const times = Number(r.in_multiply)
  const out = new Uint8Array(unit.length * times)
  for (let i = 0; i < times; i++) out.set(unit, i * unit.length)
  return out
}

function ciphersFor (backend: Backend, r: Record<string, string>, provider: string | undefined): { send: PacketCipher, recv: PacketCipher } {
  const secret = backend.ecdh(hex(r.in_ellswift_ours!), hex(r.in_ellswift_theirs!), hex(r.in_priv_ours!), r.in_initiating === '1')!
  const keys = backend.keySchedule(secret, MAINNET_MAGIC)
  const [l, p] = r.in_initiating === '1' ? [keys.initiatorL, keys.initiatorP] : [keys.responderL, keys.responderP]
  // The receiving side of the same direction, as the peer holds it.
  return { send: backend.createCipher(l, p, provider), recv: backend.createCipher(l, p, provider) }
}

function encryptAfterEmpties (cipher: PacketCipher, r: Record<string, string>, contents: Uint8Array, expansion: number): Uint8Array {
  for (let i = 0; i < Number(r.in_idx); i++) cipher.encrypt(new Uint8Array(expansion), EMPTY, EMPTY, 0)
  const out = new Uint8Array(contents.length + expansion)
  cipher.encrypt(out, contents, hex(r.in_aad!), r.in_ignore === '1' ? 0x80 : 0)
  return out
}

// The unhashed shared x comes from the testing addon's ecdhX (the engine's bip324_ecdh_x); the js
// backend has none, and its ECDH is checked by mid_shared_secret below.
test.each(rows)('the engine\'s x-only ECDH gives mid_x_shared (row $row)', (r) => {
  const x = new Uint8Array(32)
  expect(testingAddon().ecdhX(x, hex(r.in_ellswift_theirs!), hex(r.in_priv_ours!))).toBe(true)
  expect(toHex(x)).toBe(r.mid_x_shared)
})

describe.each(variants)('$name', ({ backend, provider }) => {

  test('there are 7 rows', () => expect(rows).toHaveLength(7))

  describe.each(rows)('row $row (in_idx $in_idx, initiating $in_initiating)', (r) => {
    test('ElligatorSwift keys decode to mid_x_ours and mid_x_theirs; our secret key encodes to mid_x_ours', () => {
      expect(toHex(backend.ellswiftDecode(hex(r.in_ellswift_ours!)))).toBe(r.mid_x_ours)
      expect(toHex(backend.ellswiftDecode(hex(r.in_ellswift_theirs!)))).toBe(r.mid_x_theirs)
      const ours = backend.ellswiftCreate(hex(r.in_priv_ours!), new Uint8Array(32).fill(r.row))!
      expect(toHex(backend.ellswiftDecode(ours))).toBe(r.mid_x_ours)
    })

    test('ECDH gives mid_shared_secret', () => {
      const secret = backend.ecdh(hex(r.in_ellswift_ours!), hex(r.in_ellswift_theirs!), hex(r.in_priv_ours!), r.in_initiating === '1')
      expect(toHex(secret!)).toBe(r.mid_shared_secret)
    })

    test('the key schedule gives all four keys, both terminators and the session id', () => {
      const keys = backend.keySchedule(hex(r.mid_shared_secret!), MAINNET_MAGIC)
      expect(toHex(keys.initiatorL)).toBe(r.mid_initiator_l)
      expect(toHex(keys.initiatorP)).toBe(r.mid_initiator_p)
      expect(toHex(keys.responderL)).toBe(r.mid_responder_l)
      expect(toHex(keys.responderP)).toBe(r.mid_responder_p)
      const [send, recv] = r.in_initiating === '1'
        ? [keys.initiatorGarbageTerminator, keys.responderGarbageTerminator]
        : [keys.responderGarbageTerminator, keys.initiatorGarbageTerminator]
      expect(toHex(send)).toBe(r.mid_send_garbage_terminator)
      expect(toHex(recv)).toBe(r.mid_recv_garbage_terminator)
      expect(toHex(keys.sessionId)).toBe(r.out_session_id)
    })

    test('the packet after in_idx empty ones is out_ciphertext; the peer decrypts it; a flipped bit is rejected', () => {
      const contents = contentsOf(r)
      const { send, recv } = ciphersFor(backend, r, provider)
      expect(send.provider).toBe(provider)
      const { send: emptySender } = ciphersFor(backend, r, provider)
      const packet = encryptAfterEmpties(send, r, contents, EXPANSION)
      if (r.out_ciphertext !== '') expect(toHex(packet)).toBe(r.out_ciphertext)
      else expect(toHex(packet.subarray(packet.length - 128))).toBe(r.out_ciphertext_endswith)
      expect(packet.length).toBe(contents.length + EXPANSION)

      // Empty packets as the sender made them, for the receiver to walk through in order.
      const empties: Uint8Array[] = []
      for (let i = 0; i < Number(r.in_idx); i++) {
        const e = new Uint8Array(EXPANSION)
        emptySender.encrypt(e, EMPTY, EMPTY, 0)
        empties.push(e)
      }
      for (const e of empties) {
        expect(recv.decryptLength(e.subarray(0, 3))).toBe(0)
        expect(recv.decrypt(EMPTY, e.subarray(3), EMPTY)).toBe(0)
      }
      expect(recv.decryptLength(packet.subarray(0, 3))).toBe(contents.length)
      const plain = new Uint8Array(contents.length)
      const header = recv.decrypt(plain, packet.subarray(3), hex(r.in_aad!))
      expect(header & 0x80).toBe(r.in_ignore === '1' ? 0x80 : 0)
      expect(Buffer.compare(plain, contents)).toBe(0)

      // The same packet through decryptPacket, on a receiver that took the empties that way too.
      if (hasDecryptPacket(backend)) {
        const { recv: whole } = ciphersFor(backend, r, provider)
        for (const e of empties) expect(whole.decryptPacket(EMPTY, e, EMPTY)).toBe(0)
        const plainToo = new Uint8Array(contents.length)
        expect(whole.decryptPacket(plainToo, packet, hex(r.in_aad!))).toBe(header)
        expect(Buffer.compare(plainToo, contents)).toBe(0)
      }

      // Flipped bits: every bit of a short packet; for long ones, bits in every part of it.
      const positions = packet.length <= 128
        ? Array.from({ length: packet.length }, (_, i) => i)
        : [0, 1, 2, 3, 4, 100, packet.length >> 1, packet.length - 17, packet.length - 16, packet.length - 1]
      const bits = packet.length <= 128 ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 7]
      for (const pos of positions) {
        for (const bit of bits) {
          const { recv: fresh } = ciphersFor(backend, r, provider)
          for (const e of empties) { fresh.decryptLength(e.subarray(0, 3)); fresh.decrypt(EMPTY, e.subarray(3), EMPTY) }
          const bad = Uint8Array.from(packet)
          bad[pos]! ^= 1 << bit
          const len = fresh.decryptLength(bad.subarray(0, 3))
          // A flipped length bit announces another size: the packet no longer fits what the peer reads.
          if (len === contents.length) {
            const out = new Uint8Array(len).fill(0x5a)
            expect(fresh.decrypt(out, bad.subarray(3), hex(r.in_aad!))).toBe(-1)
            expect(out.every((b) => b === 0x5a)).toBe(true)
          } else {
            expect(pos).toBeLessThan(3)
          }
          fresh.destroy()
        }
      }
      send.destroy()
      recv.destroy()
      emptySender.destroy()
    })

    test('encryptAsync, for the packet and every 50th empty one before it, gives out_ciphertext too', async () => {
      const contents = contentsOf(r)
      const { send } = ciphersFor(backend, r, provider)
      for (let i = 0; i < Number(r.in_idx); i++) {
        const e = new Uint8Array(EXPANSION)
        if (i % 50 === 0) await send.encryptAsync(e, EMPTY, EMPTY, 0)
        else send.encrypt(e, EMPTY, EMPTY, 0)
      }
      const packet = new Uint8Array(contents.length + EXPANSION)
      await send.encryptAsync(packet, contents, hex(r.in_aad!), r.in_ignore === '1' ? 0x80 : 0)
      if (r.out_ciphertext !== '') expect(toHex(packet)).toBe(r.out_ciphertext)
      else expect(toHex(packet.subarray(packet.length - 128))).toBe(r.out_ciphertext_endswith)
      send.destroy()
    })
  })
})
