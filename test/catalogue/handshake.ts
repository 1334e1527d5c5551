/** Catalogue rows for the handshake: v1 peers, keys, garbage and terminators, the version packet. */

import crypto from 'node:crypto'

import { encodeV1Message, magicOf, Protocol, type ProtocolOptions } from '../../lib'
import { byteByByte, pair } from '../helpers/pair'
import { type Case, HANDSHAKE_WINDOW, Meter, metered, ONE_PACKET, type Outcome, watch } from './case'

/** Feeds chunks to a protocol until an error; reports the code and the bytes it held. */
export function feed (p: Protocol, chunks: Uint8Array[]): Outcome & { maxBuffered: number, events: string[], messages: Uint8Array[] } {
  const meter = new Meter()
  const events: string[] = []
  const messages: Uint8Array[] = []
  let sent = 0
  let code = 'none'
  for (const chunk of chunks) {
    const r = watch(meter, () => p.buffered, () => p.receive(chunk))
    events.push(...r.events.map((e) => e.type))
    messages.push(...r.messages)
    for (const b of r.send) sent += b.length
    if (r.error !== undefined) { code = r.error.code; break }
  }
  return { code, maxBuffered: meter.max, events, messages, closed: p.state === 'closed', sent }
}

function responder (options: Omit<ProtocolOptions, 'role'> = {}): Protocol {
  const r = new Protocol({ role: 'responder', backend: metered, ...options })
  r.start()
  return r
}

function initiatorBytes (options: Omit<ProtocolOptions, 'role'> = {}): Uint8Array {
  return new Protocol({ role: 'initiator', ...options }).start()
}

/** A responder that has received the initiator's key alone, and the rest of what the initiator
 *  sends (garbage, terminator, version packet) for the row to deliver its way. */
function firstFlight (garbageLength: number, options: Omit<ProtocolOptions, 'role'> = {}): { r: Protocol, flight: Uint8Array } {
  const i = new Protocol({ role: 'initiator', garbageLength, ...options })
  const r = responder()
  const start = i.start()
  const answer = r.receive(start.subarray(0, 64))
  const back = i.receive(Buffer.concat(answer.send))
  return { r, flight: Buffer.concat([start.subarray(64), ...back.send]) }
}

/** An initiator on `options`, a responder that has received all the initiator started with (its key
 *  and garbage), and what the initiator sends on the responder's answer, for the row to deliver. */
function answered (options: Omit<ProtocolOptions, 'role'>): { i: Protocol, r: Protocol, flight: Uint8Array } {
  const i = new Protocol({ role: 'initiator', ...options })
  const r = responder()
  const answer = r.receive(i.start())
  return { i, r, flight: Buffer.concat(i.receive(Buffer.concat(answer.send)).send) }
}

const v1Version = (): Uint8Array => encodeV1Message(magicOf('mainnet'), 'version', crypto.randomBytes(100))

export const handshakeCases: Case[] = [
  {
    id: 'v1-version-to-v2-only',
    input: 'a v1 `version` message to a responder with `v1: reject`',
    expected: 'ERR_BIP324_V1_PEER',
    closed: 'the session; nothing was sent to the peer',
    bound: 0,
    sends: 0,
    run: () => feed(responder({ v1: 'reject' }), [v1Version()])
  },
  {
    id: 'v1-version-reported',
    input: 'a v1 `version` message to a responder with `v1: report` (what servers with v1 fallback use)',
    expected: 'none',
    closed: 'nothing: a `v1` event hands over every byte received',
    bound: 16,
    run: () => {
      const frame = v1Version()
      const out = feed(responder(), [frame.subarray(0, 5), frame.subarray(5)])
      expect(out.events).toEqual(['v1'])
      return out
    }
  },
  {
    id: 'v1-version-other-network',
    input: 'a testnet4 v1 `version` message to a mainnet responder (bytes 4..16 are `version`, the magic is not ours)',
    expected: 'ERR_BIP324_BAD_MAGIC',
    closed: 'the session, as Bitcoin Core ("V1 peer with wrong MessageStart"); nothing was sent to the peer',
    bound: 16,
    sends: 0,
    run: () => feed(responder(), [encodeV1Message(magicOf('testnet4'), 'version', crypto.randomBytes(100))])
  },
  {
    id: 'v1-prefix-then-diverges',
    input: '15 bytes of the v1 prefix, then a byte that is not',
    expected: 'none',
    closed: 'nothing: a v2 key that starts like v1 is still a key, and we answer with ours',
    bound: HANDSHAKE_WINDOW,
    run: () => {
      const r = responder()
      const key = Buffer.concat([encodeV1Message(magicOf('mainnet'), 'version', new Uint8Array(0)).subarray(0, 15), Buffer.from([0xaa]), crypto.randomBytes(48)])
      const meter = new Meter()
      const res = watch(meter, () => r.buffered, () => r.receive(key))
      expect(Buffer.concat(res.send).length).toBeGreaterThanOrEqual(64)
      return { code: res.error?.code ?? 'none', maxBuffered: meter.max }
    }
  },
  {
    id: 'wrong-network',
    input: 'an initiator on signet (4,095 bytes of garbage) to a mainnet responder',
    expected: 'ERR_BIP324_NO_TERMINATOR',
    closed: 'the session, after at most 4,095 + 16 bytes of garbage',
    bound: HANDSHAKE_WINDOW,
    run: () => {
      const { r, flight } = answered({ network: 'signet', garbageLength: 4095 })
      return feed(r, byteByByte(flight))
    }
  },
  {
    id: 'garbage-4096-without-terminator',
    input: 'a key, then 4,112 random bytes (no terminator within 4,095 + 16)',
    expected: 'ERR_BIP324_NO_TERMINATOR',
    closed: 'the session',
    bound: HANDSHAKE_WINDOW,
    run: () => feed(responder(), [initiatorBytes({ garbageLength: 0 }), crypto.randomBytes(4112)])
  },
  {
    id: 'garbage-4095-boundary',
    input: '4,095 bytes of garbage (the most allowed) then the terminator',
    expected: 'none',
    closed: 'nothing: the handshake completes',
    bound: HANDSHAKE_WINDOW + 20,
    run: () => {
      const { r, flight } = firstFlight(4095)
      const out = feed(r, byteByByte(flight))
      expect(out.events).toEqual(['handshake'])
      return out
    }
  },
  {
    id: 'terminator-split-across-reads',
    input: 'the garbage terminator split over two reads at every offset',
    expected: 'none',
    closed: 'nothing: the handshake completes each time',
    bound: HANDSHAKE_WINDOW + 20,
    run: () => {
      const meter = new Meter()
      for (let at = 0; at <= 16; at++) {
        const { r, flight } = firstFlight(10)
        const cut = 10 + at
        const out = feed(r, [flight.subarray(0, cut), flight.subarray(cut)])
        expect(out.events).toEqual(['handshake'])
        meter.see(out.maxBuffered)
      }
      return { code: 'none', maxBuffered: meter.max }
    }
  },
  {
    id: 'garbage-drip',
    input: 'a key, then garbage one byte per call, no terminator',
    expected: 'ERR_BIP324_NO_TERMINATOR',
    closed: 'the session, at byte 4,095 + 16 of garbage',
    bound: HANDSHAKE_WINDOW,
    run: () => feed(responder(), [initiatorBytes({ garbageLength: 0 }), ...byteByByte(crypto.randomBytes(5000))])
  },
  {
    id: 'garbage-flood',
    input: 'a key and 10 MB of garbage in one read',
    expected: 'ERR_BIP324_NO_TERMINATOR',
    closed: 'the session; the read is looked at one window at a time, so at most key + 4,095 + 16 bytes of it are ever held',
    bound: HANDSHAKE_WINDOW,
    run: () => feed(responder(), [Buffer.concat([initiatorBytes({ garbageLength: 0 }), crypto.randomBytes(10_000_000)])])
  },
  {
    id: 'garbage-altered',
    input: 'one bit of the garbage flipped in transit (the AAD of the first packet no longer matches)',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the session',
    bound: HANDSHAKE_WINDOW + 20,
    run: () => {
      const { r, flight } = firstFlight(100)
      const altered = Uint8Array.from(flight)
      altered[50]! ^= 1
      return feed(r, [altered])
    }
  },
  {
    id: 'version-packet-altered',
    input: 'one bit of the version packet flipped',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the session',
    bound: HANDSHAKE_WINDOW + 20,
    run: () => {
      const { r, flight } = firstFlight(100)
      const altered = Uint8Array.from(flight)
      altered[altered.length - 5]! ^= 0x10
      return feed(r, [altered])
    }
  },
  {
    id: 'key-all-ones',
    input: 'a peer key of 64 bytes 0xff',
    expected: 'none',
    closed: 'nothing yet: every 64-byte string is a valid ElligatorSwift encoding, so we answer; the peer cannot find our terminator',
    bound: HANDSHAKE_WINDOW,
    run: () => {
      const r = responder()
      const res = r.receive(new Uint8Array(64).fill(0xff))
      expect(Buffer.concat(res.send).length).toBeGreaterThanOrEqual(64 + 16 + 20)
      return { code: res.error?.code ?? 'none', maxBuffered: r.buffered }
    }
  },
  {
    id: 'version-contents-at-limit',
    input: 'a version packet of 4,000,013 bytes (the contents limit)',
    expected: 'none',
    closed: 'nothing: any version contents are accepted, as Bitcoin Core does',
    bound: ONE_PACKET,
    run: () => {
      const p = pair({ version: new Uint8Array(4_000_013) }, {})
      expect(p.responder.protocol.peerVersion?.length).toBe(4_000_013)
      return { code: 'none', maxBuffered: p.responder.protocol.buffered }
    }
  },
  {
    id: 'version-contents-over-limit',
    input: 'a version packet of 4,000,014 bytes',
    expected: 'ERR_BIP324_OVERSIZED',
    closed: 'the session, from the 3 length bytes, before allocating',
    bound: HANDSHAKE_WINDOW,
    run: () => {
      const { r, flight } = answered({ garbageLength: 0, version: new Uint8Array(4_000_014) })
      return feed(r, [flight.subarray(0, 64 + 16 + 3)])
    }
  },
  {
    id: 'decoys-before-version',
    input: 'three decoys (0, 1 and 5,000 bytes) before the version packet',
    expected: 'none',
    closed: 'nothing: decoys are dropped and counted',
    bound: HANDSHAKE_WINDOW + 5020,
    run: () => {
      const p = pair({ decoys: [0, 1, 5000] }, {})
      expect(p.responder.protocol.decoysReceived).toBe(3)
      return { code: 'none', maxBuffered: p.responder.protocol.buffered }
    }
  },
  {
    id: 'messages-right-after-version',
    input: 'messages sent right after the version packet, before the peer finished its handshake',
    expected: 'none',
    closed: 'nothing: they arrive after the handshake event, in order',
    bound: HANDSHAKE_WINDOW + 100,
    run: () => {
      const { i, r, flight } = answered({ garbageLength: 5 })
      const early = i.sendMany([Uint8Array.of(1), Uint8Array.of(2)])
      const out = feed(r, [Buffer.concat([flight, early])])
      expect(out.events).toEqual(['handshake'])
      expect(out.messages.map((m) => m[0])).toEqual([1, 2])
      return out
    }
  },
  {
    id: 'receive-after-error',
    input: 'more bytes after a fatal error',
    expected: 'ERR_BIP324_BAD_STATE',
    closed: 'already closed: keys wiped, nothing decrypted',
    bound: 0,
    run: () => {
      const r = responder({ v1: 'reject' })
      r.receive(v1Version())
      try {
        r.receive(new Uint8Array(10))
      } catch (err) {
        return { code: (err as { code: string }).code, maxBuffered: r.buffered }
      }
      return { code: 'none', maxBuffered: r.buffered }
    }
  }
]
