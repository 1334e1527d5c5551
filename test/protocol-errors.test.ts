// What a broken or hostile peer gets from the sans-IO Protocol: a typed error, a closed protocol
// with its keys wiped, nothing allocated beyond the limits, and nothing received before it lost.

import crypto from 'node:crypto'

import { Bip324Error, MAX_GARBAGE_LEN, NUM_GARBAGE_TERMINATOR_BYTES, Protocol, type ProtocolOptions } from '../lib'
import { pair } from './helpers/pair'

function started (role: 'initiator' | 'responder', options = {}): { p: Protocol, first: Uint8Array } {
  const p = new Protocol({ role, ...options })
  return { p, first: p.start() }
}

test('4,095 bytes of garbage and 16 more without the terminator: ERR_BIP324_NO_TERMINATOR', () => {
  const { p } = started('initiator')
  // A responder key, then garbage that never ends.
  const key = crypto.randomBytes(64)
  expect(p.receive(key).error).toBeUndefined()
  const r1 = p.receive(crypto.randomBytes(MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES - 1))
  expect(r1.error).toBeUndefined()
  expect(p.buffered).toBe(MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES - 1)
  const r2 = p.receive(Uint8Array.of(1))
  expect(r2.error).toMatchObject({ code: 'ERR_BIP324_NO_TERMINATOR' })
  expect(p.state).toBe('closed')
})

test('peers on different networks never find each other\'s terminator', () => {
  expect(() => pair({ network: 'mainnet', garbageLength: 4095 }, { network: 'signet', garbageLength: 4095 }))
    .toThrow(expect.objectContaining({ code: 'ERR_BIP324_NO_TERMINATOR' }))
})

test('a length over the limit is refused from its 3 bytes, before any allocation', () => {
  const p = pair({}, { maxContents: 1000 })
  const packet = p.initiator.protocol.send(new Uint8Array(1001))
  const r = p.responder.protocol.receive(packet.subarray(0, 3))
  expect(r.error).toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
  expect(p.responder.protocol.buffered).toBe(0)
  expect(p.responder.protocol.state).toBe('closed')
})

test('the default limit accepts 4,000,013 bytes and refuses 4,000,014', () => {
  const p = pair()
  const ok = p.responder.protocol.receive(p.initiator.protocol.send(new Uint8Array(4_000_013)))
  expect(ok.messages.map((m) => m.length)).toEqual([4_000_013])
  const bad = p.responder.protocol.receive(p.initiator.protocol.send(new Uint8Array(4_000_014)).subarray(0, 3))
  expect(bad.error).toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
})

test('a flipped bit fails with ERR_BIP324_BAD_MAC; messages before it are kept, none after it', () => {
  const p = pair()
  const good = [1, 2, 3].map((n) => p.initiator.protocol.send(new Uint8Array(n).fill(n)))
  const bad = p.initiator.protocol.send(new Uint8Array(4).fill(4))
  bad[6]! ^= 0x20
  const after = p.initiator.protocol.send(new Uint8Array(5).fill(5))
  const r = p.responder.protocol.receive(Buffer.concat([...good, bad, after]))
  expect(r.messages.map((m) => m.length)).toEqual([1, 2, 3])
  expect(r.error).toMatchObject({ code: 'ERR_BIP324_BAD_MAC' })
  expect(p.responder.protocol.state).toBe('closed')
})

test('a tampered version packet (wrong garbage as AAD) fails the handshake', () => {
  const a = new Protocol({ role: 'initiator', garbageLength: 10 })
  const b = new Protocol({ role: 'responder' })
  const hello = Uint8Array.from(a.start())
  b.start()
  hello[64]! ^= 1 // a garbage byte: the terminator still matches, the AAD does not
  const fromB = b.receive(hello.subarray(0, 64))
  const back = a.receive(Buffer.concat(fromB.send))
  const r = b.receive(Buffer.concat([hello.subarray(64), ...back.send]))
  expect(r.error).toMatchObject({ code: 'ERR_BIP324_BAD_MAC' })
  expect(r.events.some((e) => e.type === 'handshake')).toBe(false)
})

test('after an error every call refuses with ERR_BIP324_BAD_STATE', () => {
  const p = pair({}, { maxContents: 10 })
  p.responder.protocol.receive(p.initiator.protocol.send(new Uint8Array(11)))
  expect(() => p.responder.protocol.receive(Uint8Array.of(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
  expect(() => p.responder.protocol.send(Uint8Array.of(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
})

test('destroy() wipes the session: sending and receiving refuse', () => {
  const p = pair()
  p.initiator.protocol.destroy()
  expect(() => p.initiator.protocol.send(Uint8Array.of(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
  expect(p.initiator.protocol.state).toBe('closed')
})

test('a stream cut anywhere inside a packet reports no message from it', () => {
  for (let cut = 0; cut < 40 + 20; cut++) {
    const q = pair()
    const pk = q.initiator.protocol.send(crypto.randomBytes(40))
    const r = q.responder.protocol.receive(pk.subarray(0, cut))
    expect(r.messages).toEqual([])
    expect(r.error).toBeUndefined()
  }
})

test('bad options are refused up front', () => {
  expect(() => new Protocol({ role: 'initiator', garbageLength: 4096 })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  expect(() => new Protocol({ role: 'initiator', maxContents: 1 << 24 })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  expect(() => new Protocol({ role: 'initiator', network: 'nonet' as 'mainnet' })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  expect(() => new Protocol({ role: 'other' as 'initiator' })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

// Misuse throws a Bip324Error, on every backend, rather than whatever the first property access
// on a wrong value would throw (a TypeError, a RangeError from new Uint8Array).
describe.each(['native', 'wasm', 'js'] as const)('misuse through the %s backend', (backend) => {
  const invalid = (message: string | RegExp): ReturnType<typeof expect.objectContaining> => expect.objectContaining({ name: 'Bip324Error', code: 'ERR_BIP324_INVALID_ARG', message: typeof message === 'string' ? message : expect.stringMatching(message) })

  test('options that are not an object', () => {
    for (const options of [undefined, null, 5, 'initiator']) {
      expect(() => new Protocol(options as unknown as ProtocolOptions)).toThrow(invalid(/^options must be an object/))
    }
  })

  test('a chunk that is not a Uint8Array throws, before the session sees it: the protocol carries on', () => {
    for (const role of ['initiator', 'responder'] as const) {
      const q = pair({ backend }, { backend })
      const p = q[role].protocol
      for (const chunk of [undefined, null, 'abc', { length: 5 }, [1, 2, 3]]) {
        expect(() => p.receive(chunk as unknown as Uint8Array)).toThrow(invalid('chunk must be a Uint8Array'))
      }
      expect(p.state).toBe('ready')
      const other = q[role === 'initiator' ? 'responder' : 'initiator'].protocol
      expect(p.receive(other.send(Uint8Array.of(7))).messages).toEqual([Uint8Array.of(7)])
    }
    const fresh = new Protocol({ role: 'responder', backend })
    fresh.start()
    expect(() => fresh.receive(null as unknown as Uint8Array)).toThrow(invalid('chunk must be a Uint8Array'))
    expect(fresh.state).toBe('handshake')
  })

  test('send, sendMany and sendDecoy with what is not contents', () => {
    const { initiator } = pair({ backend }, { backend })
    const p = initiator.protocol
    expect(() => p.send(undefined as unknown as Uint8Array)).toThrow(invalid('contents must be a Uint8Array'))
    expect(() => p.sendMany(undefined as unknown as Uint8Array[])).toThrow(invalid('contents must be an array of Uint8Array'))
    expect(() => p.sendMany([1] as unknown as Uint8Array[])).toThrow(invalid('items[0] must be a Uint8Array'))
    for (const length of [-1, 1.5, '3', 1 << 24]) {
      expect(() => p.sendDecoy(length as number)).toThrow(invalid(/^length must be an integer from 0 to 16777215/))
    }
    expect(p.packets.sent).toBe(1) // the version packet only: nothing refused was counted
  })
})

test('a bad packet inside a read that also carries the end of the garbage fails once, with ERR_BIP324_BAD_MAC, whatever follows in the read', () => {
  // The read is longer than the handshake's window, so it is taken in two pieces; the version
  // packet fails in the first, and that must end the read (found by npm run fuzz:js).
  const i = new Protocol({ role: 'initiator', garbageLength: 10 })
  const r = new Protocol({ role: 'responder', garbageLength: 100 })
  r.start()
  const flight = Buffer.concat(r.receive(i.start()).send)
  const bytes = Uint8Array.from(Buffer.concat([flight, crypto.randomBytes(5000)]))
  bytes[flight.length - 1]! ^= 1
  const result = i.receive(bytes)
  expect(result.error).toBeInstanceOf(Bip324Error)
  expect(result.error?.code).toBe('ERR_BIP324_BAD_MAC')
})

test('decoys before a bad version packet are reported in one read as in many (found by npm run fuzz:js)', () => {
  // The responder's flight: its key and garbage, then terminator, two decoys and a version
  // packet whose tag is broken. Read whole or byte by byte, the initiator reports the same.
  const outcome = (pieces: number): { events: string[], error: string | undefined } => {
    const i = new Protocol({ role: 'initiator', garbageLength: 0, rng: (n) => new Uint8Array(n).fill(1) })
    const r = new Protocol({ role: 'responder', garbageLength: 0, decoys: [2, 3], rng: (n) => new Uint8Array(n).fill(2) })
    r.start()
    const flight = Uint8Array.from(Buffer.concat(r.receive(i.start()).send))
    flight[flight.length - 1]! ^= 1
    const events: string[] = []
    let error: string | undefined
    const size = Math.ceil(flight.length / pieces)
    for (let at = 0; at < flight.length && error === undefined; at += size) {
      const result = i.receive(flight.subarray(at, at + size))
      events.push(...result.events.map((e) => (e.type === 'decoy' ? `decoy ${e.length}` : e.type)))
      error = result.error?.code
    }
    return { events, error }
  }
  expect(outcome(1)).toEqual({ events: ['decoy 2', 'decoy 3'], error: 'ERR_BIP324_BAD_MAC' })
  expect(outcome(200)).toEqual(outcome(1))
})
