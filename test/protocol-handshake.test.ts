// Two in-memory peers over the sans-IO Protocol: every garbage length class, decoy count and
// chunking completes the handshake with the same session id on both sides.

import { Protocol } from '../lib'
import { toHex } from './helpers/bytes'
import { byteByByte, type Chunker, handshakeEvent, pair, randomSplits, whole } from './helpers/pair'

const chunkers: Array<[string, Chunker]> = [['all at once', whole], ['byte by byte', byteByByte], ['random splits', randomSplits(7)]]

describe.each(chunkers)('chunking: %s', (_name, chunker) => {
  test.each([0, 1, 15, 16, 17, 4095, undefined])('garbage length %p on both sides', (garbageLength) => {
    const opts = garbageLength === undefined ? {} : { garbageLength }
    const { initiator, responder } = pair(opts, opts, chunker)
    const a = handshakeEvent(initiator)
    const b = handshakeEvent(responder)
    expect(a).toBeDefined()
    expect(Buffer.from(a!.sessionId).equals(b!.sessionId)).toBe(true)
    expect(initiator.protocol.state).toBe('ready')
    expect(responder.protocol.state).toBe('ready')
    expect(a!.version).toEqual(new Uint8Array(0))
  })
})

test.each([0, 1, 2, 5, 10])('%i decoys before each version packet are dropped and counted', (n) => {
  const decoys = Array.from({ length: n }, (_, i) => i * 100)
  const { initiator, responder } = pair({ decoys }, { decoys: decoys.slice().reverse() }, randomSplits(n))
  expect(responder.events.filter((e) => e.type === 'decoy').map((e) => (e as { length: number }).length)).toEqual(decoys)
  expect(initiator.protocol.decoysReceived).toBe(n)
  expect(responder.protocol.decoysReceived).toBe(n)
  expect(responder.messages).toEqual([])
  expect(handshakeEvent(responder)).toBeDefined()
})

test('non-empty version contents arrive as the peer version, not as a message', () => {
  const version = Uint8Array.from(Buffer.from('hello from the initiator'))
  const { initiator, responder } = pair({ version }, {})
  expect(handshakeEvent(responder)!.version).toEqual(version)
  expect(responder.protocol.peerVersion).toEqual(version)
  expect(initiator.protocol.peerVersion).toEqual(new Uint8Array(0))
  expect(responder.messages).toEqual([])
})

test('each side derives a fresh session id every time', () => {
  const ids = new Set(Array.from({ length: 5 }, () => toHex(handshakeEvent(pair().initiator)!.sessionId)))
  expect(ids.size).toBe(5)
})

test('the initiator may send right after its version packet; the message waits for the handshake', () => {
  const p = pair()
  const sent = p.initiator.protocol.send(Uint8Array.of(1, 2, 3))
  p.responder.inbox.push(sent)
  p.flush()
  expect(p.responder.messages).toEqual([Uint8Array.of(1, 2, 3)])
})

test('nothing can be sent before our version packet', () => {
  const p = new Protocol({ role: 'responder' })
  p.start()
  expect(() => p.send(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
})

test('the same seeded randomness reproduces every byte of a handshake', () => {
  const transcript = (): string => {
    const rngFor = (seed: number) => {
      let counter = seed
      return (n: number) => Uint8Array.from({ length: n }, () => (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24)
    }
    const a = new Protocol({ role: 'initiator', rng: rngFor(1) })
    const b = new Protocol({ role: 'responder', rng: rngFor(2) })
    const wire: Uint8Array[] = [a.start(), b.start()]
    const r1 = b.receive(wire[0]!)
    wire.push(...r1.send)
    const r2 = a.receive(Buffer.concat(r1.send))
    wire.push(...r2.send)
    return Buffer.concat(wire).toString('hex')
  }
  expect(transcript()).toBe(transcript())
})
