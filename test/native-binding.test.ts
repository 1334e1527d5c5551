import { nativeInfo } from '../lib'
import { native } from '../lib/native/binding'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEPS } = require('../scripts/fetch-deps.js') as { DEPS: Array<{ name: string, version: string }> }
const pinned = (name: string): string => DEPS.find((d) => d.name === name)!.version

describe('nativeInfo()', () => {
  const info = nativeInfo()

  test('reports the pinned libsecp256k1 and libsodium releases', () => {
    expect(info.secp256k1).toBe(pinned('secp256k1'))
    expect(info.sodium).toBe(pinned('libsodium'))
  })

  test('names the ChaCha20 implementation libsodium picks for the detected CPU features', () => {
    const expected = process.arch !== 'x64' ? 'ref' : info.cpu.avx2 ? 'avx2' : info.cpu.ssse3 ? 'ssse3' : 'ref'
    expect(info.chacha20).toBe(expected)
    expect(info.poly1305).toBe(process.arch === 'x64' ? 'sse2' : 'donna')
  })
})

describe('argument checks', () => {
  const x32 = new Uint8Array(32)
  const ell64 = new Uint8Array(64)

  test.each([
    ['a string', 'not bytes', 'TypeError'],
    ['undefined', undefined, 'TypeError'],
    ['a Uint16Array', new Uint16Array(32), 'TypeError'],
    ['an ArrayBuffer', new ArrayBuffer(64), 'TypeError'],
    ['63 bytes', new Uint8Array(63), 'RangeError'],
    ['65 bytes', new Uint8Array(65), 'RangeError'],
    ['0 bytes', new Uint8Array(0), 'RangeError']
  ])('ellswiftDecode refuses %s as ell64 with ERR_BIP324_INVALID_ARG', (_name, bad, kind) => {
    let caught: unknown
    try { native().ellswiftDecode(x32, bad as Uint8Array) } catch (err) { caught = err }
    expect(caught).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG', name: kind })
    expect((caught as Error).message).toMatch(/^ell64 must be/)
  })

  test('a wrong output size is refused before anything is written', () => {
    const out = new Uint8Array(31).fill(7)
    expect(() => native().ellswiftDecode(out, ell64)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(out.every((b) => b === 7)).toBe(true)
  })
})
