// Properties of the sans-IO Protocol under random input (fast-check): chunking never changes what
// arrives, and any single flipped bit in the stream ends it with ERR_BIP324_BAD_MAC (or, in a length
// field, a refusal) with no message from the damaged packet or after it.

import fc from 'fast-check'

import { Protocol } from '../lib'
import { toHex } from './helpers/bytes'
import { pair } from './helpers/pair'

function stream (messages: Uint8Array[]): { responder: Protocol, wire: Uint8Array } {
  const p = pair()
  return { responder: p.responder.protocol, wire: Buffer.concat(messages.map((m) => p.initiator.protocol.send(m))) }
}

function splitAt (bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let prev = 0
  for (const c of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, c))
    prev = c
  }
  return out
}

const messagesArb = fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 12 })

test('any split of a valid stream yields the same messages', () => {
  fc.assert(fc.property(messagesArb, fc.array(fc.nat(), { maxLength: 20 }), (messages, cuts) => {
    const { responder, wire } = stream(messages)
    const got: Uint8Array[] = []
    for (const chunk of splitAt(wire, cuts)) {
      const r = responder.receive(chunk)
      if (r.error) throw r.error
      got.push(...r.messages)
    }
    expect(got.map(toHex)).toEqual(messages.map(toHex))
  }), { numRuns: 300 })
})

test('any single flipped bit ends the stream: no message from the damaged packet or after it', () => {
  fc.assert(fc.property(messagesArb, fc.nat(), fc.integer({ min: 0, max: 7 }), fc.array(fc.nat(), { maxLength: 6 }), (messages, at, bit, cuts) => {
    const { responder, wire } = stream(messages)
    const pos = at % wire.length
    const bad = Uint8Array.from(wire)
    bad[pos]! ^= 1 << bit
    // Which message's packet holds the flipped byte, and where that packet starts.
    let damaged = 0
    let start = 0
    while (pos >= start + messages[damaged]!.length + 20) start += messages[damaged++]!.length + 20
    const got: Uint8Array[] = []
    let error: { code: string } | undefined
    for (const chunk of splitAt(bad, cuts)) {
      const r = responder.receive(chunk)
      got.push(...r.messages)
      if (r.error) { error = r.error; break }
    }
    expect(got.length).toBe(damaged)
    // Only a flipped length bit may instead leave the stream waiting for bytes that never come.
    if (error !== undefined) expect(['ERR_BIP324_BAD_MAC', 'ERR_BIP324_OVERSIZED']).toContain(error.code)
    else expect(pos - start).toBeLessThan(3)
  }), { numRuns: 300 })
})
