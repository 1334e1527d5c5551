import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import load from 'node-gyp-build'

import { nativeInfo } from '../lib'
import { NUM_PACKET_OVERHEAD_BYTES } from '../lib/crypto/packet-format'
import { Bip324Error } from '../lib/errors'
import { type CipherHandle, type ErrorClass, native } from '../lib/native/binding'
import { PACKAGE_ROOT } from '../lib/package'
import { variants } from './helpers/backends'
import { toHex } from './helpers/bytes'
import { RAW_BENCH, testingAddon } from './helpers/testing-addon'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEPS } = require('../scripts/fetch-deps.js') as { DEPS: Array<{ name: string, version: string }> }
const pinned = (name: string): string => DEPS.find((d) => d.name === name)!.version
const hex = (s: string): string => s.replace(/\s+/g, '')

/** The x86 feature flags as the operating system reports them, not as libsodium's CPUID probe does. */
function osCpuFlags (): Set<string> {
  if (process.platform === 'linux') {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^flags\s*:/.test(l))
    if (line === undefined) throw new Error('/proc/cpuinfo has no flags line')
    return new Set(line.split(':')[1]!.trim().split(/\s+/))
  }
  if (process.platform === 'darwin') {
    const out = execFileSync('sysctl', ['-n', 'machdep.cpu.features', 'machdep.cpu.leaf7_features'], { encoding: 'utf8' })
    return new Set(out.toLowerCase().split(/\s+/).map((f) => f.replace(/\./g, '_')))
  }
  throw new Error(`no independent source of CPU flags on ${process.platform}: add one here`)
}

describe('nativeInfo()', () => {
  const info = nativeInfo()

  test('reports the pinned libsecp256k1 and libsodium releases', () => {
    expect(info.secp256k1).toBe(pinned('secp256k1'))
    expect(info.sodium).toBe(pinned('libsodium'))
  })

  // libsodium only runs its x86 detection on x86; deps/libsodium.gyp compiles the SIMD code on x64 only
  // (test/build-files.test.ts), so elsewhere both answers are the portable code.
  const flags = process.arch === 'x64' ? osCpuFlags() : new Set<string>()

  test('the CPU features libsodium detected are the ones the operating system reports', () => {
    expect(info.cpu).toEqual({ ssse3: flags.has('ssse3'), avx2: flags.has('avx2'), avx512f: flags.has('avx512f') })
  })

  test('names the implementations libsodium 1.0.18 picks for the operating system\'s CPU flags', () => {
    // stream_chacha20.c and onetimeauth_poly1305.c (_pick_best_implementation): AVX2, then SSSE3,
    // then the reference code; SSE2 Poly1305, else donna.
    expect(info.chacha20).toBe(flags.has('avx2') ? 'avx2' : flags.has('ssse3') ? 'ssse3' : 'ref')
    expect(info.poly1305).toBe(flags.has('sse2') ? 'sse2' : 'donna')
  })
})

// RFC 8439 appendix A.1's keystream blocks (https://www.rfc-editor.org/rfc/rfc8439#appendix-A.1), all
// with the zero nonce, the one BIP-324's ciphers start from: FSChaCha20 takes its length keystream from
// block 0 on; FSChaCha20Poly1305 encrypts its first packet (header byte, then contents) from block 1.
const A1 = {
  zeroKeyBlock0: hex(`76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28 bd d2 19 b8 a0 8d ed 1a a8 36 ef cc 8b 77 0d c7
    da 41 59 7c 51 57 48 8d 77 24 e0 3f b8 d8 4a 37 6a 43 b8 f4 15 18 a1 1c c3 87 b6 69 b2 ee 65 86`),
  zeroKeyBlock1: hex(`9f 07 e7 be 55 51 38 7a 98 ba 97 7c 73 2d 08 0d cb 0f 29 a0 48 e3 65 69 12 c6 53 3e 32 ee 7a ed
    29 b7 21 76 9c e6 4e 43 d5 71 33 b0 74 d8 39 d5 31 ed 1f 28 51 0a fb 45 ac e1 0a 1f 4b 79 4d 6f`),
  // Test vector #3: key 00 .. 00 01, block 1.
  lastByteOneBlock1: hex(`3a eb 52 24 ec f8 49 92 9b 9d 82 8d b1 ce d4 dd 83 20 25 e8 01 8b 81 60 b8 22 84 f3 c9 49 aa 5a
    8e ca 00 bb b4 a7 3b da d1 92 b5 c4 2f 73 f2 fd 4e 27 36 44 c8 b3 61 25 a6 4a dd eb 00 6c 13 a0`),
  // Test vector #4: key 00 ff 00 .. 00, block 2.
  secondByteFfBlock2: hex(`72 d5 4d fb f1 2e c4 4b 36 26 92 df 94 13 7f 32 8f ea 8d a7 39 90 26 5e c1 bb be a1 ae 9a f0 ca
    13 b2 5a a2 6c b4 a6 48 cb 9b 9d 1b e6 5b 2c 09 24 a6 6c 54 d5 45 ec 1b 73 74 f4 87 2e 99 f0 96`)
}
const key = (patch: Record<number, number> = {}): Uint8Array => {
  const k = new Uint8Array(32)
  for (const [i, v] of Object.entries(patch)) k[Number(i)] = v
  return k
}

describe.each(variants)('RFC 8439 keystream through $name (ChaCha20 as the engine runs it)', ({ backend, provider }) => {
  /** The first 3 * chunks length-keystream bytes: each empty packet's 3 length bytes are 0 XOR keystream. */
  function lengthKeystream (lengthKey: Uint8Array, chunks: number): string {
    const cipher = backend.createCipher(lengthKey, key(), provider)
    const out = new Uint8Array(NUM_PACKET_OVERHEAD_BYTES)
    let stream = ''
    for (let i = 0; i < chunks; i++) {
      cipher.encrypt(out, new Uint8Array(0), new Uint8Array(0), 0)
      stream += toHex(out.subarray(0, 3))
    }
    cipher.destroy()
    return stream
  }

  test('the length cipher\'s stream under the zero key is blocks 0 and 1 of test vectors #1 and #2', () => {
    expect(lengthKeystream(key(), 43).slice(0, 256)).toBe(A1.zeroKeyBlock0 + A1.zeroKeyBlock1)
  })

  test('under key 00..01 its block 1 is test vector #3; under key 00 ff 00.. its block 2 is test vector #4', () => {
    expect(lengthKeystream(key({ 31: 1 }), 43).slice(128, 256)).toBe(A1.lastByteOneBlock1)
    expect(lengthKeystream(key({ 1: 0xff }), 64).slice(256, 384)).toBe(A1.secondByteFfBlock2)
  })

  test('the first packet under the zero AEAD key is encrypted with block 1 (test vector #2)', () => {
    const cipher = backend.createCipher(key(), key(), provider)
    const out = new Uint8Array(63 + NUM_PACKET_OVERHEAD_BYTES)
    cipher.encrypt(out, new Uint8Array(63), new Uint8Array(0), 0) // header 0 and 63 zero bytes: 64 bytes of keystream
    expect(toHex(out.subarray(3, 3 + 64))).toBe(A1.zeroKeyBlock1)
    cipher.destroy()
  })
})

describe.each(variants)('argument checks through $name', ({ backend, provider }) => {
  const ell64 = new Uint8Array(64)

  // The addon's misuse errors are the js backend's: Bip324Errors, the same code and message.
  test.each([
    ['a string', 'not bytes', 'ell64 must be a Uint8Array'],
    ['undefined', undefined, 'ell64 must be a Uint8Array'],
    ['a Uint16Array', new Uint16Array(32), 'ell64 must be a Uint8Array'],
    ['an ArrayBuffer', new ArrayBuffer(64), 'ell64 must be a Uint8Array'],
    ['63 bytes', new Uint8Array(63), 'ell64 must be 64 bytes, got 63'],
    ['65 bytes', new Uint8Array(65), 'ell64 must be 64 bytes, got 65'],
    ['0 bytes', new Uint8Array(0), 'ell64 must be 64 bytes, got 0']
  ])('ellswiftDecode refuses %s as ell64 with a Bip324Error, ERR_BIP324_INVALID_ARG', (_name, bad, message) => {
    let caught: unknown
    try { backend.ellswiftDecode(bad as Uint8Array) } catch (err) { caught = err }
    expect(caught).toBeInstanceOf(Bip324Error)
    expect(caught).toMatchObject({ name: 'Bip324Error', code: 'ERR_BIP324_INVALID_ARG', message })
  })

  test('a cipher used after destroy(): a Bip324Error, ERR_BIP324_BAD_STATE', () => {
    const cipher = backend.createCipher(ell64.subarray(0, 32), ell64.subarray(32), provider)
    cipher.destroy()
    let caught: unknown
    try { cipher.encrypt(new Uint8Array(NUM_PACKET_OVERHEAD_BYTES), new Uint8Array(0), new Uint8Array(0), 0) } catch (err) { caught = err }
    expect(caught).toBeInstanceOf(Bip324Error)
    expect(caught).toMatchObject({ name: 'Bip324Error', code: 'ERR_BIP324_BAD_STATE' })
  })
})

describe('argument checks straight into the addon', () => {
  test('a wrong output size is refused before anything is written', () => {
    const out = new Uint8Array(31).fill(7)
    expect(() => native().ellswiftDecode(out, new Uint8Array(64))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(out.every((b) => b === 7)).toBe(true)
  })

  test('an aad left out of encrypt and decrypt is an empty one; an undefined one is refused', () => {
    const addon = native()
    const key = new Uint8Array(32).fill(9)
    const [a, b, recv] = [0, 1, 2].map(() => addon.cipherCreate(key, key, 'libsodium'))
    const withEmpty = new Uint8Array(25)
    const leftOut = new Uint8Array(25)
    addon.encrypt(a!, withEmpty, Uint8Array.of(1, 2, 3, 4, 5), 0, new Uint8Array(0))
    addon.encrypt(b!, leftOut, Uint8Array.of(1, 2, 3, 4, 5), 0)
    expect(leftOut).toEqual(withEmpty)
    expect(() => addon.encrypt(b!, leftOut, Uint8Array.of(1, 2, 3, 4, 5), 0, undefined)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG', message: 'aad must be a Uint8Array' }))
    const plain = new Uint8Array(5)
    expect(addon.decryptLength(recv!, leftOut.subarray(0, 3))).toBe(5)
    expect(addon.decrypt(recv!, plain, leftOut.subarray(3))).toBe(0)
    expect(plain).toEqual(Uint8Array.of(1, 2, 3, 4, 5))
    addon.encrypt(a!, withEmpty, Uint8Array.of(6, 7, 8, 9, 10), 0)
    expect(addon.decryptLength(recv!, withEmpty.subarray(0, 3))).toBe(5)
    expect(addon.decrypt(recv!, plain, withEmpty.subarray(3))).toBe(0)
    expect(plain).toEqual(Uint8Array.of(6, 7, 8, 9, 10))
  })

  test('a cipher argument that is not a handle from cipherCreate() is refused, whatever it is', () => {
    const addon = native()
    const packet = new Uint8Array(20)
    for (const notOurs of [undefined, null, 42, 2 ** 32 + 1, {}, packet, () => 0]) {
      expect(() => addon.decryptLength(notOurs as unknown as CipherHandle, packet.subarray(0, 3)))
        .toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG', message: 'cipher must be a handle from cipherCreate()' }))
      expect(() => addon.cipherDestroy(notOurs as unknown as CipherHandle)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    }
  })

  test('setErrorClass takes a constructor only', () => {
    expect(() => native().setErrorClass('Bip324Error' as unknown as ErrorClass))
      .toThrow(new Bip324Error('ERR_BIP324_INVALID_ARG', 'errorClass must be a constructor'))
  })
})

describe('the addon users load and the testing addon beside it', () => {
  test('the addon exports the engine\'s packet and key functions only: no benchmark loop, no unhashed ECDH', () => {
    expect(Object.keys(native()).sort()).toEqual(['cipherCreate', 'cipherDestroy', 'cipherProvider', 'constants', 'decrypt',
      'decryptBatch', 'decryptLength', 'ecdh', 'ellswiftCreate', 'ellswiftDecode', 'encrypt', 'encryptAsync', 'encryptBatch', 'keySchedule',
      'keygen', 'nativeInfo', 'setErrorClass'])
  })

  test('the testing addon is a file neither node-gyp-build nor prebuildify takes for the addon (not *.node)', () => {
    const dir = path.dirname(load.resolve(PACKAGE_ROOT))
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.node'))).toEqual(['bip324.node'])
    expect(fs.existsSync(path.join(dir, 'bip324_testing.addon'))).toBe(true)
  })

  test('its benchmark loop times the engine: a failed or skipped loop would return 0', () => {
    for (const kind of Object.values(RAW_BENCH)) expect(testingAddon().bench(kind, undefined, 64, 10)).toBeGreaterThan(0)
  })

  test('its N-API floor checks what encrypt checks (so that it costs what encrypt\'s argument taking costs), then returns 0', () => {
    const t = testingAddon()
    const handle = t.floorHandle()
    const packet = new Uint8Array(52)
    expect(t.callFloor(handle, packet, new Uint8Array(32), 0)).toBe(0)
    const invalid = (f: () => unknown, message: string): void => expect(f).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG', message }))
    invalid(() => t.callFloor({}, packet, new Uint8Array(32), 0), 'handle must be from floorHandle()')
    invalid(() => t.callFloor(handle, [] as unknown as Uint8Array, new Uint8Array(32), 0), 'out must be a Uint8Array')
    invalid(() => t.callFloor(handle, packet, packet.subarray(4, 36), 0), 'out must not overlap contents')
    invalid(() => t.callFloor(handle, packet, new Uint8Array(32), 256), 'header must be an integer from 0 to 255')
  })

  test('its misuse errors are Bip324Errors too', () => {
    let caught: unknown
    try { testingAddon().bench(5, undefined, 64, 10) } catch (err) { caught = err }
    expect(caught).toBeInstanceOf(Bip324Error)
    expect(caught).toMatchObject({ name: 'Bip324Error', code: 'ERR_BIP324_INVALID_ARG', message: 'kind must be an integer from 0 to 4' })
  })
})
