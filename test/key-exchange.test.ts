// ElligatorSwift key generation and BIP-324 ECDH on every backend.

import { MAINNET_MAGIC, variants } from './helpers/backends'
import { toHex } from './helpers/bytes'

const ORDER = Buffer.from('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 'hex')
const AUX = new Uint8Array(32).fill(3)

describe.each(variants)('$name', ({ backend }) => {
  /** Two fresh key pairs, a's and b's: each side's ECDH secret, when each claims the role given. */
  function secrets (aInitiates: boolean, bInitiates: boolean): [Uint8Array, Uint8Array] {
    const a = backend.keygen()
    const b = backend.keygen()
    return [backend.ecdh(a.ellswift, b.ellswift, a.secretKey, aInitiates)!, backend.ecdh(b.ellswift, a.ellswift, b.secretKey, bInitiates)!]
  }

  test('two fresh key pairs agree on the shared secret, and on every key derived from it', () => {
    const [sa, sb] = secrets(true, false)
    expect(Buffer.from(sa).equals(sb)).toBe(true)
    expect(Buffer.from(backend.keySchedule(sa, MAINNET_MAGIC).sessionId).equals(backend.keySchedule(sb, MAINNET_MAGIC).sessionId)).toBe(true)
  })

  test('the roles enter the hash: both sides claiming to initiate derive different secrets', () => {
    const [sa, sb] = secrets(true, true)
    expect(Buffer.from(sa).equals(sb)).toBe(false)
  })

  test('the network magic enters the key schedule', () => {
    const secret = new Uint8Array(32).fill(1)
    const other = Uint8Array.from([0x0a, 0x03, 0xcf, 0x40])
    expect(Buffer.from(backend.keySchedule(secret, MAINNET_MAGIC).sessionId)
      .equals(backend.keySchedule(secret, other).sessionId)).toBe(false)
  })

  test('keygen draws fresh keys and encodings every time', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const k = backend.keygen()
      seen.add(toHex(k.secretKey))
      seen.add(toHex(k.ellswift))
    }
    expect(seen.size).toBe(40)
  })

  test('the same secret key encodes differently under different aux randomness, to the same point', () => {
    const { secretKey } = backend.keygen()
    const e1 = backend.ellswiftCreate(secretKey, new Uint8Array(32).fill(1))!
    const e2 = backend.ellswiftCreate(secretKey, new Uint8Array(32).fill(2))!
    expect(Buffer.from(e1).equals(e2)).toBe(false)
    expect(Buffer.from(backend.ellswiftDecode(e1)).equals(backend.ellswiftDecode(e2))).toBe(true)
  })

  test.each([
    ['zero', new Uint8Array(32)],
    ['the group order', Uint8Array.from(ORDER)],
    ['all ones', new Uint8Array(32).fill(0xff)]
  ])('%s is refused as a secret key by ellswiftCreate and ecdh', (_name, bad) => {
    const peer = backend.keygen()
    expect(backend.ellswiftCreate(bad, AUX)).toBeNull()
    expect(backend.ecdh(peer.ellswift, peer.ellswift, bad, true)).toBeNull()
  })

  test('one below the group order is a valid secret key', () => {
    const key = Uint8Array.from(ORDER)
    key[31] = key[31]! - 1
    expect(backend.ellswiftCreate(key, AUX)).toHaveLength(64)
  })
})
