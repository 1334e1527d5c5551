// The handshake driven step by step through its type states, as a caller framing its own I/O would,
// in pieces of every size: the same chain of states Protocol drives.

import crypto from 'node:crypto'

import { Initialized, type ReceivedGarbage, type ReceivedKey, type SentKey, type SentVersion, type Session } from '../lib'
import { variants } from './helpers/backends'

interface Done { session: Session, decoys: number[], rest: Uint8Array }

function receivedKey (state: SentKey, input: Uint8Array): ReceivedKey {
  const r = state.receiveKey(input)
  if (r.kind !== 'keyReceived') throw new Error('key not complete')
  return r.state
}

// Feeds `stream` (what the peer sent after its key) to the garbage and version steps in pieces of
// `piece` bytes; returns the session and what followed the version packet.
function finish (state: SentVersion, stream: Uint8Array, piece: number): Done {
  const decoys: number[] = []
  let garbage: ReceivedGarbage | null = null
  for (let at = 0; at < stream.length; at += piece) {
    const chunk = stream.subarray(at, at + piece)
    let input = chunk
    if (garbage === null) {
      const r = state.receiveGarbage(input)
      if (r.kind === 'needMoreData') continue
      garbage = r.state
      input = input.subarray(r.consumed)
    }
    for (;;) {
      const r = garbage.receiveVersion(input)
      if (r.kind === 'needMoreData') break
      if (r.kind === 'complete') return { session: r.session, decoys, rest: stream.subarray(at + chunk.length - input.length + r.consumed) }
      decoys.push(r.length)
      input = input.subarray(r.consumed)
    }
  }
  throw new Error('the stream ended before the version packet')
}

describe.each(variants)('$name', ({ backend, provider }) => {
  // Both sides' first flights: key and `garbage` bytes of garbage each.
  const keys = (garbage: number): Record<'a1' | 'b1', { state: SentKey, bytes: Uint8Array }> => ({
    a1: Initialized.create({ role: 'initiator', backend, provider }).sendKey(new Uint8Array(garbage)),
    b1: Initialized.create({ role: 'responder', backend, provider }).sendKey(new Uint8Array(garbage).fill(5))
  })
  test.each([1, 37, 1000, 100_000])('both sides step through the states in %i-byte pieces to the same key material, then talk', (piece) => {
    const ini = Initialized.create({ role: 'initiator', backend, provider })
    const res = Initialized.create({ role: 'responder', backend, provider })
    const a1 = ini.sendKey(crypto.randomBytes(100))
    const b1 = res.sendKey(crypto.randomBytes(4095))
    const a2 = receivedKey(a1.state, b1.bytes.subarray(0, 64)).sendVersion({ decoys: [0, 10, 5000] })
    const b2 = receivedKey(b1.state, a1.bytes.subarray(0, 64)).sendVersion({ version: Uint8Array.of(1, 2) })
    const after = a2.state.outbound.encrypt(Uint8Array.of(7))
    const a = finish(a2.state, Buffer.concat([b1.bytes.subarray(64), b2.bytes]), piece)
    const b = finish(b2.state, Buffer.concat([a1.bytes.subarray(64), a2.bytes, after]), piece)
    expect(b.decoys).toEqual([0, 10, 5000])
    expect(a.decoys).toEqual([])
    expect(a.session.peerVersion).toEqual(Uint8Array.of(1, 2))
    expect(b.session.peerVersion).toEqual(new Uint8Array(0))
    expect(Buffer.from(a.session.sessionId).equals(b.session.sessionId)).toBe(true)
    expect(Buffer.from(a.session.keyMaterial.initiatorGarbageTerminator).equals(b.session.keyMaterial.initiatorGarbageTerminator)).toBe(true)
    expect(Buffer.from(a.session.keyMaterial.responderGarbageTerminator).equals(b.session.keyMaterial.initiatorGarbageTerminator)).toBe(false)
    // What followed the version packet in the stream is the session's first packet.
    expect(b.session.receive(b.rest).packets).toEqual([{ type: 'genuine', contents: Uint8Array.of(7) }])
    const packet = a.session.outbound.encrypt(Uint8Array.of(9, 9))
    expect(b.session.receive(packet)).toEqual({ packets: [{ type: 'genuine', contents: Uint8Array.of(9, 9) }], consumed: packet.length })
    expect(a.session.packets).toEqual({ sent: 6, received: 1 })
    expect(b.session.packets).toEqual({ sent: 1, received: 6 })
  })

  test('the peer\'s key in 1-byte pieces: needMoreData 63 times, then the key, with what follows left over', () => {
    const { a1, b1 } = keys(3)
    for (let i = 0; i < 63; i++) expect(a1.state.receiveKey(b1.bytes.subarray(i, i + 1))).toEqual({ kind: 'needMoreData' })
    const r = a1.state.receiveKey(b1.bytes.subarray(63))
    expect(r.kind === 'keyReceived' && r.consumed).toBe(1)
    expect(() => a1.state.receiveKey(b1.bytes)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_STATE_SPENT' }))
  })

  test('a corrupted version packet throws ERR_BIP324_BAD_MAC, wipes the session and spends the state', () => {
    const { a1, b1 } = keys(0)
    const b2 = receivedKey(b1.state, a1.bytes).sendVersion()
    const a2 = receivedKey(a1.state, b1.bytes).sendVersion()
    const found = a2.state.receiveGarbage(b2.bytes)
    if (found.kind !== 'garbageFound') throw new Error('terminator not found')
    const packet = Uint8Array.from(b2.bytes.subarray(found.consumed))
    packet[packet.length - 1]! ^= 1
    expect(() => found.state.receiveVersion(packet)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_MAC' }))
    expect(() => found.state.receiveVersion(packet)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_STATE_SPENT' }))
    // Our direction was wiped with the rest: it refuses to encrypt.
    expect(() => found.state.outbound.encrypt(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
  })

  test('4,095 bytes of garbage and no terminator: ERR_BIP324_NO_TERMINATOR having held at most 4,111 bytes', () => {
    const { a1, b1 } = keys(0)
    const a2 = receivedKey(a1.state, b1.bytes).sendVersion()
    const flood = crypto.randomBytes(100_000)
    let held = 0
    expect(() => {
      for (let at = 0; at < flood.length; at += 1000) {
        a2.state.receiveGarbage(flood.subarray(at, at + 1000))
        held = Math.max(held, a2.state.buffered)
      }
    }).toThrow(expect.objectContaining({ code: 'ERR_BIP324_NO_TERMINATOR' }))
    expect(held).toBe(4000)
    expect(() => a2.state.outbound.encrypt(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
  })
})
