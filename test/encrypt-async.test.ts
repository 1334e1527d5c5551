// PacketCipher.encryptAsync (natively on the libuv thread pool): the same packets as encrypt(), in
// one sequence with it; the cipher refuses every other call while one runs; destroy() meanwhile
// is carried out when it ends. The vectors run through it in packet-vectors.test.ts.

import type { PacketCipher } from '../lib/crypto/backend'
import { variants } from './helpers/backends'

const EMPTY = new Uint8Array(0)
const KEY_L = new Uint8Array(32).fill(1)
const KEY_P = new Uint8Array(32).fill(2)
const badState = expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' })

function contents (n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
}

describe.each(variants)('$name', ({ backend, provider }) => {
  const make = (): PacketCipher => backend.createCipher(KEY_L, KEY_P, provider)

  test('mixed with encrypt() across two rekeys, it makes the packets encrypt() alone makes', async () => {
    const mixed = make()
    const plain = make()
    const sizes = [0, 1, 63, 64, 65, 1000, 65536, 1 << 20]
    for (let i = 0; i < 480; i++) {
      const c = contents(sizes[i % sizes.length]! % (i < 16 ? Infinity : 2000), i)
      const a = new Uint8Array(c.length + 20)
      const b = new Uint8Array(c.length + 20)
      if (i % 3 === 0) await mixed.encryptAsync(a, c, EMPTY, i & 0x80)
      else mixed.encrypt(a, c, EMPTY, i & 0x80)
      plain.encrypt(b, c, EMPTY, i & 0x80)
      expect(Buffer.compare(a, b)).toBe(0)
    }
    mixed.destroy()
    plain.destroy()
  })

  test('misuse rejects the promise with the error encrypt() throws', async () => {
    const c = make()
    await expect(c.encryptAsync(new Uint8Array(5), new Uint8Array(10), EMPTY, 0)).rejects.toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
    c.destroy()
    await expect(c.encryptAsync(new Uint8Array(20), EMPTY, EMPTY, 0)).rejects.toMatchObject({ code: 'ERR_BIP324_BAD_STATE' })
  })
})

describe.each(variants.filter((v) => v.backend.name === 'native'))('$name, while an encryption runs on the thread pool', ({ backend, provider }) => {
  const big = contents(4_000_000, 7)

  test('every other call on the cipher throws ERR_BIP324_BAD_STATE, and works again once it settled', async () => {
    const c = backend.createCipher(KEY_L, KEY_P, provider)
    const running = c.encryptAsync(new Uint8Array(big.length + 20), big, EMPTY, 0)
    expect(() => c.encrypt(new Uint8Array(20), EMPTY, EMPTY, 0)).toThrow(badState)
    expect(() => c.encryptBatch(new Uint8Array(20), [EMPTY])).toThrow(badState)
    expect(() => c.decryptLength(new Uint8Array(3))).toThrow(badState)
    await expect(c.encryptAsync(new Uint8Array(20), EMPTY, EMPTY, 0)).rejects.toMatchObject({ code: 'ERR_BIP324_BAD_STATE' })
    await running
    expect(() => c.encrypt(new Uint8Array(20), EMPTY, EMPTY, 0)).not.toThrow()
    c.destroy()
  })

  test('destroy() meanwhile: the packet is still made whole, and the cipher is destroyed once it is', async () => {
    const c = backend.createCipher(KEY_L, KEY_P, provider)
    const twin = backend.createCipher(KEY_L, KEY_P, provider)
    const out = new Uint8Array(big.length + 20)
    const running = c.encryptAsync(out, big, EMPTY, 0)
    c.destroy()
    expect(() => c.encrypt(new Uint8Array(20), EMPTY, EMPTY, 0)).toThrow(expect.objectContaining({ message: 'cipher has been destroyed' }))
    await running
    const want = new Uint8Array(big.length + 20)
    twin.encrypt(want, big, EMPTY, 0)
    expect(Buffer.compare(out, want)).toBe(0)
    expect(() => c.decryptLength(new Uint8Array(3))).toThrow(expect.objectContaining({ message: 'cipher has been destroyed' }))
    twin.destroy()
  })
})
