/** Catalogue rows for packets after the handshake: tampering, lengths, truncation, replay, decoys. */

import crypto from 'node:crypto'

import { Protocol } from '../../lib'
import { pair } from '../helpers/pair'
import { type Case, Meter, metered, ONE_PACKET, type Outcome } from './case'
import { feed } from './handshake'

/** A finished in-memory handshake: `send` makes packets from the initiator, `r` receives them. */
function session (responderMaxContents?: number): { send: (c: Uint8Array) => Uint8Array, decoy: (n: number) => Uint8Array, r: Protocol } {
  const p = pair({}, responderMaxContents === undefined ? { backend: metered } : { backend: metered, maxContents: responderMaxContents })
  const i = p.initiator.protocol
  return { send: (c) => i.send(c), decoy: (n) => i.sendDecoy(n), r: p.responder.protocol }
}

/** A session's first two packets, of 40 random bytes each: as long as each other, so a body under
 *  the other's length bytes still announces its own length. */
function twoPackets (): { r: Protocol, a: Uint8Array, b: Uint8Array } {
  const { send, r } = session()
  return { r, a: send(crypto.randomBytes(40)), b: send(crypto.randomBytes(40)) }
}

/** `packet` in the place of `due`: due's 3 length bytes (which decrypt right only there), then the
 *  rest of packet. */
function inPlaceOf (due: Uint8Array, packet: Uint8Array): Uint8Array {
  return Buffer.concat([due.subarray(0, 3), packet.subarray(3)])
}

function flip (packet: Uint8Array, byte: number, bit = 1): Uint8Array {
  const out = Uint8Array.from(packet)
  out[byte]! ^= bit
  return out
}

/** The packet with its encrypted length changed to announce `length` (the length cipher is a XOR). */
function announcing (packet: Uint8Array, actual: number, length: number): Uint8Array {
  const out = Uint8Array.from(packet)
  for (let i = 0; i < 3; i++) out[i]! ^= ((actual >> (8 * i)) & 0xff) ^ ((length >> (8 * i)) & 0xff)
  return out
}

function tamper (byte: (packetLength: number) => number, bit = 1): () => Outcome {
  return () => {
    const { send, r } = session()
    const packet = send(crypto.randomBytes(100))
    return feed(r, [flip(packet, byte(packet.length), bit), crypto.randomBytes(300)])
  }
}

export const packetCases: Case[] = [
  {
    id: 'length-low-bit-flipped',
    input: 'the lowest bit of the encrypted length flipped (one byte more or less is announced)',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the session',
    bound: 121,
    run: tamper(() => 0)
  },
  {
    id: 'length-high-bit-flipped',
    input: 'the top bit of the encrypted length flipped (8 MiB more is announced)',
    expected: 'ERR_BIP324_OVERSIZED',
    closed: 'the session, from the 3 length bytes, before allocating',
    bound: 0,
    run: tamper(() => 2, 0x80)
  },
  { id: 'header-bit-flipped', input: 'a bit of the encrypted header byte flipped', expected: 'ERR_BIP324_BAD_MAC', closed: 'the session; no plaintext released', bound: 0, run: tamper(() => 3) },
  { id: 'contents-bit-flipped', input: 'a bit of the encrypted contents flipped', expected: 'ERR_BIP324_BAD_MAC', closed: 'the session; no plaintext released', bound: 0, run: tamper(() => 50) },
  { id: 'tag-bit-flipped', input: 'a bit of the 16-byte tag flipped', expected: 'ERR_BIP324_BAD_MAC', closed: 'the session; no plaintext released', bound: 0, run: tamper((n) => n - 1) },
  {
    id: 'length-2^24-1',
    input: 'a packet announcing 16,777,215 bytes (the most 3 bytes can say)',
    expected: 'ERR_BIP324_OVERSIZED',
    closed: 'the session, before allocating',
    bound: 0,
    run: () => {
      const { send, r } = session()
      return feed(r, [announcing(send(new Uint8Array(10)), 10, 0xffffff)])
    }
  },
  {
    id: 'length-4000014',
    input: 'a packet announcing 4,000,014 bytes (one over the limit)',
    expected: 'ERR_BIP324_OVERSIZED',
    closed: 'the session, before allocating',
    bound: 0,
    run: () => {
      const { send, r } = session()
      return feed(r, [announcing(send(new Uint8Array(10)), 10, 4_000_014).subarray(0, 3)])
    }
  },
  {
    id: 'length-4000013-then-silence',
    input: 'a packet announcing 4,000,013 bytes (the limit), then nothing',
    expected: 'none',
    closed: 'nothing: it waits for the body (a timeout ends it)',
    bound: ONE_PACKET,
    run: () => {
      const { send, r } = session()
      return feed(r, [announcing(send(new Uint8Array(10)), 10, 4_000_013).subarray(0, 3), new Uint8Array(100)])
    }
  },
  {
    id: 'custom-limit-exceeded',
    input: 'with maxContents 1,000: a packet of 1,001 bytes',
    expected: 'ERR_BIP324_OVERSIZED',
    closed: 'the session, before allocating',
    bound: 0,
    run: () => {
      const { send, r } = session(1000)
      return feed(r, [send(new Uint8Array(1001))])
    }
  },
  {
    id: 'zero-length-contents',
    input: 'a packet with empty contents',
    expected: 'none',
    closed: 'nothing: an empty message is delivered',
    bound: 0,
    run: () => {
      const { send, r } = session()
      const out = feed(r, [send(new Uint8Array(0))])
      expect(out.messages.map((m) => m.length)).toEqual([0])
      return out
    }
  },
  {
    id: 'truncated-at-every-offset',
    input: 'a 1,000-byte packet cut at every offset (the rest never comes)',
    expected: 'none',
    closed: 'nothing from the protocol, which holds the partial packet; the socket layer reports ERR_BIP324_TRUNCATED at end of stream',
    bound: 1020,
    run: () => {
      const meter = new Meter()
      for (let cut = 1; cut < 1020; cut++) {
        const { send: s, r } = session()
        const p = s(crypto.randomBytes(1000))
        const out = feed(r, [p.subarray(0, cut)])
        expect(out.messages).toHaveLength(0)
        expect(r.buffered).toBeGreaterThan(0)
        meter.see(out.maxBuffered)
        if (out.code !== 'none') return out
      }
      return { code: 'none', maxBuffered: meter.max }
    }
  },
  {
    id: 'packet-replayed',
    input: 'a valid packet delivered again in the next packet\'s place (length bytes adjusted to decrypt right)',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the session; the first copy was delivered',
    bound: 0,
    run: () => {
      const { r, a, b } = twoPackets()
      const out = feed(r, [a, inPlaceOf(b, a)])
      expect(out.messages).toHaveLength(1)
      return out
    }
  },
  {
    id: 'packets-reordered',
    input: 'the second packet\'s body sent first (lengths equal, so the length decrypts right)',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the session',
    bound: 0,
    run: () => {
      const { r, a, b } = twoPackets()
      return feed(r, [inPlaceOf(a, b)])
    }
  },
  {
    id: 'packet-from-another-session',
    input: 'a packet encrypted under another session\'s keys',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the session',
    bound: 0,
    run: () => {
      const other = session()
      const { send, r } = session()
      // Our own length bytes for a 40-byte packet, then the other session's header, contents and tag:
      // the length decrypts right, so the failure is the tag's.
      const ours = send(crypto.randomBytes(40))
      const theirs = other.send(crypto.randomBytes(40))
      return feed(r, [inPlaceOf(ours, theirs)])
    }
  },
  {
    id: 'decoy-flood',
    input: '100,000 decoys, then a message',
    expected: 'none',
    closed: 'nothing: decoys are dropped as they arrive and counted; the message is delivered',
    bound: 100,
    run: () => {
      const { send, decoy, r } = session()
      const meter = new Meter()
      for (let i = 0; i < 100_000; i++) { r.receive(decoy(i % 50)); meter.see(r.buffered) }
      const out = feed(r, [send(Uint8Array.of(7))])
      expect(out.messages.map((m) => m[0])).toEqual([7])
      expect(r.decoysReceived).toBe(100_000)
      return { code: out.code, maxBuffered: Math.max(meter.max, out.maxBuffered) }
    }
  },
  {
    id: 'error-after-good-packets',
    input: 'three valid packets and a tampered one in the same read',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the session; the three messages before it are delivered',
    bound: 0,
    run: () => {
      const { send, r } = session()
      const good = [1, 2, 3].map((n) => send(Uint8Array.of(n)))
      const out = feed(r, [Buffer.concat([...good, flip(send(Uint8Array.of(4)), 10)])])
      expect(out.messages.map((m) => m[0])).toEqual([1, 2, 3])
      return out
    }
  }
]
