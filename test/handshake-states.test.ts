// The handshake driven step by step through its type states, as a caller framing its own I/O would.

import crypto from 'node:crypto'

import { type CipherSession, Initialized, type ReceivedGarbage, type SentVersion, type SessionKeyMaterial, type VersionResult } from '../lib'
import { variants } from './helpers/backends'

interface Done { session: CipherSession, keyMaterial: SessionKeyMaterial, version: Uint8Array, decoys: number }

// Feeds `stream` (what the peer sent after its key) to the garbage and version steps, in pieces.
function finish (state: SentVersion, stream: Uint8Array, piece: number): Done {
  let buffered = new Uint8Array(0)
  let at = 0
  const more = (): boolean => {
    if (at >= stream.length) return false
    buffered = Buffer.concat([buffered, stream.subarray(at, at + piece)])
    at += piece
    return true
  }
  let garbage: ReceivedGarbage | null = null
  while (garbage === null) {
    const r = state.receiveGarbage(buffered)
    if (r.kind === 'garbageFound') {
      garbage = r.state
      buffered = buffered.subarray(r.consumed)
    } else if (!more()) throw new Error('stream ended in garbage')
  }
  let decoys = 0
  let current: ReceivedGarbage = garbage
  for (;;) {
    const r: VersionResult = current.receiveVersion(buffered)
    if (r.kind === 'needMoreData') {
      if (!more()) throw new Error('stream ended in a packet')
    } else if (r.kind === 'decoy') {
      decoys++
      current = r.state
      buffered = buffered.subarray(r.consumed)
    } else {
      return { session: r.session, keyMaterial: r.keyMaterial, version: r.version, decoys }
    }
  }
}

describe.each(variants)('$name', ({ backend, provider }) => {
  test('both sides step through the states to the same key material, then talk', () => {
    const ini = Initialized.create({ role: 'initiator', backend, provider })
    const res = Initialized.create({ role: 'responder', backend, provider })
    const a1 = ini.sendKey(crypto.randomBytes(100))
    const b1 = res.sendKey(crypto.randomBytes(4095))
    const a2 = a1.state.receiveKey(b1.bytes.subarray(0, 64)).sendVersion({ decoys: [0, 10, 5000] })
    const b2 = b1.state.receiveKey(a1.bytes.subarray(0, 64)).sendVersion({ version: Uint8Array.of(1, 2) })
    const a = finish(a2.state, Buffer.concat([b1.bytes.subarray(64), b2.bytes]), 37)
    const b = finish(b2.state, Buffer.concat([a1.bytes.subarray(64), a2.bytes]), 1000)
    expect(b.decoys).toBe(3)
    expect(a.decoys).toBe(0)
    expect(a.version).toEqual(Uint8Array.of(1, 2))
    expect(b.version).toEqual(new Uint8Array(0))
    expect(Buffer.from(a.keyMaterial.sessionId).equals(b.keyMaterial.sessionId)).toBe(true)
    expect(Buffer.from(a.keyMaterial.initiatorGarbageTerminator).equals(b.keyMaterial.initiatorGarbageTerminator)).toBe(true)
    expect(Buffer.from(a.keyMaterial.responderGarbageTerminator).equals(b.keyMaterial.initiatorGarbageTerminator)).toBe(false)
    const packet = a.session.outbound.encrypt(Uint8Array.of(9, 9))
    const inbound = b.session.inbound
    const len = inbound.decryptLength(packet.subarray(0, 3))
    expect(inbound.decrypt(packet.subarray(3, 3 + 1 + len + 16))).toEqual({ type: 'genuine', contents: Uint8Array.of(9, 9) })
  })

  test('a corrupted version packet throws ERR_BIP324_BAD_MAC and spends the state', () => {
    const ini = Initialized.create({ role: 'initiator', backend, provider })
    const res = Initialized.create({ role: 'responder', backend, provider })
    const a1 = ini.sendKey(new Uint8Array(0))
    const b1 = res.sendKey(new Uint8Array(0))
    const b2 = b1.state.receiveKey(a1.bytes).sendVersion()
    const a2 = a1.state.receiveKey(b1.bytes).sendVersion()
    const found = a2.state.receiveGarbage(b2.bytes)
    if (found.kind !== 'garbageFound') throw new Error('terminator not found')
    const packet = Uint8Array.from(b2.bytes.subarray(found.consumed))
    packet[packet.length - 1]! ^= 1
    expect(() => found.state.receiveVersion(packet)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_MAC' }))
    expect(() => found.state.receiveVersion(packet)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_STATE_SPENT' }))
  })
})
