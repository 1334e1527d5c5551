// Secrets wiped on every destroy path, observed in the wiped state itself: the secret key arrays
// the backend handed out, and each cipher's key material (the JS backend's arrays; the native
// backend's state is freed, after bip324_cipher_clear, which engine_test checks leaves only zeros).

import { jsBackend, nativeBackend, Protocol, type ProtocolOptions } from '../lib'
import type { Backend, PacketCipher } from '../lib/crypto/backend'

interface Recorded {
  secretKeys: Uint8Array[]
  ciphers: PacketCipher[]
}

// A backend that keeps a reference to every secret it hands out.
function recording (inner: Backend): { backend: Backend, seen: Recorded } {
  const seen: Recorded = { secretKeys: [], ciphers: [] }
  const backend: Backend = {
    ...inner,
    keygen: () => {
      const pair = inner.keygen()
      seen.secretKeys.push(pair.secretKey)
      return pair
    },
    createCipher: (l, p, provider) => {
      const c = inner.createCipher(l, p, provider)
      seen.ciphers.push(c)
      return c
    }
  }
  return { backend, seen }
}

// The js backend's cipher state, as lib/crypto/js.ts lays it out (its FSChaCha20 and FSChaCha20Poly1305).
type JsCipherState = { length: { key: Uint8Array, stream: Uint8Array }, aead: { key: Uint8Array } }

const zero = (b: Uint8Array): boolean => b.every((x) => x === 0)

function expectWiped (name: string, seen: Recorded): void {
  for (const k of seen.secretKeys) expect(zero(k)).toBe(true)
  for (const c of seen.ciphers) {
    if (name === 'js') {
      const { length, aead } = c as unknown as JsCipherState
      expect([zero(length.key), zero(length.stream), zero(aead.key)]).toEqual([true, true, true])
    }
    // Natively the state is wiped and freed: any use now says so.
    expect(() => c.decryptLength(new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
  }
}

// A Protocol brought to a given point of the handshake against a real peer.
function at (stage: string, backend: Backend): Protocol {
  const options: Omit<ProtocolOptions, 'role'> = { backend, garbageLength: 100 }
  const peer = new Protocol({ role: 'responder', garbageLength: 100 })
  const p = new Protocol({ ...options, role: 'initiator' })
  const hello = p.start()
  if (stage === 'sent our key') return p
  peer.start()
  const answer = peer.receive(hello).send
  const all = answer.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array(0))
  if (stage === 'received their key') {
    p.receive(all.subarray(0, 64))
    return p
  }
  if (stage === 'received their garbage') {
    p.receive(all.subarray(0, 64 + 100 + 16))
    return p
  }
  p.receive(all)
  return p
}

describe.each([
  { name: 'native', backend: nativeBackend() },
  { name: 'js', backend: jsBackend() }
])('$name backend', ({ name, backend: inner }) => {
  test.each(['sent our key', 'received their key', 'received their garbage', 'session'])('Protocol.destroy() after "%s" wipes every key it holds', (stage) => {
    const { backend, seen } = recording(inner)
    const p = at(stage, backend)
    expect(seen.secretKeys.length).toBe(1)
    p.destroy()
    expectWiped(name, seen)
  })

  test('a responder destroyed while it waits for the peer\'s garbage: its outbound cipher no longer encrypts', () => {
    const { backend, seen } = recording(inner)
    const initiator = new Protocol({ role: 'initiator', garbageLength: 100 })
    const p = new Protocol({ role: 'responder', backend })
    p.start()
    // Only the initiator's key arrives: the responder sends its key and version, then waits.
    expect(p.receive(initiator.start().subarray(0, 64)).send.length).toBe(2)
    expect(seen.ciphers.length).toBe(2)
    p.destroy()
    expectWiped(name, seen)
    expect(() => p.send(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
    initiator.destroy()
  })

  test('a responder that finds a v1 peer never drew a key', () => {
    const { backend, seen } = recording(inner)
    const p = new Protocol({ role: 'responder', backend })
    p.start()
    p.receive(new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9, ...new TextEncoder().encode('version'), 0, 0, 0, 0, 0]))
    expect(seen.secretKeys).toEqual([])
  })

  test('a failed handshake (bad MAC on the version packet) wipes every key', () => {
    const { backend, seen } = recording(inner)
    const peer = new Protocol({ role: 'responder', garbageLength: 0 })
    const p = new Protocol({ role: 'initiator', backend, garbageLength: 0 })
    peer.start()
    const answer = peer.receive(p.start()).send
    const all = answer.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array(0))
    all[all.length - 1]! ^= 1
    expect(p.receive(all).error?.code).toBe('ERR_BIP324_BAD_MAC')
    expectWiped(name, seen)
  })
})

test('the JS backend overwrites its AEAD key in place at each rekey: the old key is not left behind', () => {
  const cipher = jsBackend().createCipher(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2))
  const key = (cipher as unknown as JsCipherState).aead.key
  const before = Uint8Array.from(key)
  for (let i = 0; i < 224; i++) cipher.encrypt(new Uint8Array(20), new Uint8Array(0), new Uint8Array(0), 0)
  expect((cipher as unknown as JsCipherState).aead.key).toBe(key)
  expect(Buffer.from(key).equals(before)).toBe(false)
})
