// What only the pure-JavaScript backend has, and how it meets the native one: BIP-324's
// xswiftec_inv vectors through our encoding step, key encodings checked against an independent
// scalar multiplication, the fallback when the addon is missing, and sessions across backends.

import crypto from 'node:crypto'

import { secp256k1 } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'

import { Bip324Error, jsBackend, nativeBackend, Protocol } from '../lib'
import type { Backend } from '../lib/crypto/backend'
import { xswiftecInvEncoding } from '../lib/crypto/js'
import { hex, toHex } from './helpers/bytes'
import { readCsv } from './helpers/vectors'
import { seeded } from './helpers/pair'

const inverse = readCsv('xswiftec_inv_test_vectors.csv')
const js = jsBackend()
const nat = nativeBackend()
const BACKENDS: Array<[string, Backend]> = [['js', js], ['native', nat]]

test('the inverse vectors are all here: 32 rows of 8 cases', () => {
  expect(inverse).toHaveLength(32)
  expect(Object.keys(inverse[0]!).filter((c) => /^case\d_t$/.test(c))).toHaveLength(8)
})

// Every row and case through the step the js backend's encode takes (xswiftecInvEncoding: the inverse,
// then u || t as bytes), and every t the BIP lists decoded back to x by both backends. The native
// backend's own inverse runs inside libsecp256k1's secp256k1_ellswift_create, which the public API
// does not expose; the property tests below check what that call produces.
describe.each(inverse.map((cells, i) => ({ row: i + 1, cells })))('xswiftec_inv row $row', ({ cells: r }) => {
  test.each([0, 1, 2, 3, 4, 5, 6, 7])('case %i', (c) => {
    const encoding = xswiftecInvEncoding(BigInt('0x' + r.x!), BigInt('0x' + r.u!), c)
    const expected = r[`case${c}_t`]!
    if (expected === '') {
      expect(encoding).toBeNull()
    } else {
      expect(toHex(encoding!)).toBe(r.u! + expected)
      for (const [, backend] of BACKENDS) expect(toHex(backend.ellswiftDecode(hex(r.u! + expected)))).toBe(r.x)
    }
  })
})

// secp256k1's group order; a secret key is 1 .. n-1, big-endian.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const scalar = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => Uint8Array.from(Buffer.from(k.toString(16).padStart(64, '0'), 'hex')))
const aux = fc.uint8Array({ minLength: 32, maxLength: 32 })
/** x(secretKey·G), by @noble/curves' getPublicKey rather than by either backend. */
const xOf = (secretKey: Uint8Array): string => toHex(secp256k1.getPublicKey(secretKey, true).subarray(1))

describe.each(BACKENDS)('%s key encodings', (_name, backend) => {
  test('ellswiftCreate(k, aux) decodes, on both backends, to the x coordinate of k·G', () => {
    fc.assert(fc.property(scalar, aux, (secretKey, auxRandom) => {
      const ell = backend.ellswiftCreate(secretKey, auxRandom)!
      expect(ell).toHaveLength(64)
      for (const [, decoder] of BACKENDS) expect(toHex(decoder.ellswiftDecode(ell))).toBe(xOf(secretKey))
    }), { numRuns: 40 })
  })

  test('the same key and aux give the same encoding; other aux, another encoding of the same point', () => {
    fc.assert(fc.property(scalar, aux, aux, (secretKey, aux1, aux2) => {
      fc.pre(!Buffer.from(aux1).equals(aux2))
      const e1 = toHex(backend.ellswiftCreate(secretKey, aux1)!)
      expect(toHex(backend.ellswiftCreate(secretKey, Uint8Array.from(aux1))!)).toBe(e1)
      const e2 = backend.ellswiftCreate(secretKey, aux2)!
      expect(toHex(e2)).not.toBe(e1)
      expect(toHex(backend.ellswiftDecode(e2))).toBe(xOf(secretKey))
    }), { numRuns: 40 })
  })

  test('fresh aux randomness reaches all 8 cases of the inverse map, as a uniform encoding must', () => {
    // Which case made each encoding, found by running every case on its (x, u): a selection that
    // dropped a case bit (say case & 3) would leave half of BIP-324's encodings out.
    const secretKey = Uint8Array.from(crypto.randomBytes(32))
    secretKey[0] = 0x7f // below the group order
    const x = BigInt('0x' + xOf(secretKey))
    const seen = new Set<number>()
    for (let i = 0; i < 400 && seen.size < 8; i++) {
      const ell = toHex(backend.ellswiftCreate(secretKey, Uint8Array.from(crypto.randomBytes(32)))!)
      const u = BigInt('0x' + ell.slice(0, 64))
      for (let c = 0; c < 8; c++) if (toHex(xswiftecInvEncoding(x, u, c) ?? new Uint8Array(0)) === ell) seen.add(c)
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  test('keygen\'s encoding decodes to the x coordinate of its secret key times G', () => {
    for (let i = 0; i < 20; i++) {
      const { secretKey, ellswift } = backend.keygen()
      for (const [, decoder] of BACKENDS) expect(toHex(decoder.ellswiftDecode(ellswift))).toBe(xOf(secretKey))
    }
  })
})

// BIP-324's shared secret, computed here from its definition: the tagged hash
// "bip324_ellswift_xonly_ecdh" of ell_a64 || ell_b64 || x(k·P), with x(k·P) from @noble/curves.
function bip324Secret (initiatorEll: Uint8Array, responderEll: Uint8Array, secretKey: Uint8Array, theirX: string): string {
  const shared = secp256k1.getSharedSecret(secretKey, hex('02' + theirX), true).subarray(1)
  const tag = crypto.createHash('sha256').update('bip324_ellswift_xonly_ecdh').digest()
  return crypto.createHash('sha256').update(tag).update(tag).update(initiatorEll).update(responderEll).update(shared).digest('hex')
}

test('a js key and a native key agree on the shared secret, both ways, and it is BIP-324\'s', () => {
  for (let i = 0; i < 10; i++) {
    const a = nat.keygen()
    const b = js.keygen()
    expect(toHex(js.ellswiftDecode(a.ellswift))).toBe(toHex(nat.ellswiftDecode(a.ellswift)))
    expect(toHex(nat.ellswiftDecode(b.ellswift))).toBe(toHex(js.ellswiftDecode(b.ellswift)))
    const expected = bip324Secret(a.ellswift, b.ellswift, a.secretKey, xOf(b.secretKey))
    expect(bip324Secret(a.ellswift, b.ellswift, b.secretKey, xOf(a.secretKey))).toBe(expected)
    for (const [, backend] of BACKENDS) {
      expect(toHex(backend.ecdh(a.ellswift, b.ellswift, a.secretKey, true)!)).toBe(expected)
      expect(toHex(backend.ecdh(b.ellswift, a.ellswift, b.secretKey, false)!)).toBe(expected)
    }
  }
})

describe.each([['native', 'js'], ['js', 'native']] as const)('%s initiator, %s responder', (ini, res) => {
  test('seeded handshakes agree on the session id and carry traffic both ways, byte for byte', () => {
    const rngOf = (seed: number) => {
      const rand = seeded(seed)
      return (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256))
    }
    const i = new Protocol({ role: 'initiator', backend: ini, rng: rngOf(1), decoys: [3] })
    const r = new Protocol({ role: 'responder', backend: res, rng: rngOf(2) })
    r.start()
    const r1 = r.receive(i.start())
    const i1 = i.receive(Buffer.concat(r1.send))
    const r2 = r.receive(Buffer.concat(i1.send))
    expect(i.sessionId).not.toBeNull()
    expect(toHex(i.sessionId!)).toBe(toHex(r.sessionId!))
    expect(r2.events.map((e) => e.type)).toEqual(['decoy', 'handshake'])
    const messages = [0, 1, 100, 70_000].map((n) => crypto.randomBytes(n))
    const toR = r.receive(i.sendMany(messages))
    const toI = i.receive(Buffer.concat(messages.map((m) => r.send(m))))
    expect(toR.messages.map(toHex)).toEqual(messages.map(toHex))
    expect(toI.messages.map(toHex)).toEqual(messages.map(toHex))
  })
})

test('auto falls back to the js backend, with one warning, when neither the addon nor the wasm engine can load', () => {
  jest.isolateModules(() => {
    jest.doMock('../lib/native/binding', () => ({
      native: () => { throw new Bip324Error('ERR_BIP324_NATIVE_UNAVAILABLE', 'no addon here\nTried: ...') }
    }))
    jest.doMock('../lib/crypto/wasm-node', () => ({
      wasmBackend: () => { throw new Bip324Error('ERR_BIP324_WASM_UNAVAILABLE', 'no wasm here') }
    }))
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { selectBackend } = require('../lib/crypto') as typeof import('../lib/crypto')
    expect(selectBackend('auto').name).toBe('js')
    expect(selectBackend('auto').name).toBe('js')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toContain('no addon here')
    expect(String(warn.mock.calls[0]![0])).toContain('no wasm here')
    expect(() => selectBackend('native')).toThrow(expect.objectContaining({ code: 'ERR_BIP324_NATIVE_UNAVAILABLE' }))
    warn.mockRestore()
  })
})

test('each backend is made once: the addon is asked what it was built with once, whatever the number of Protocols', () => {
  jest.dontMock('../lib/native/binding') // the fallback test's addon that cannot load
  jest.dontMock('../lib/crypto/wasm-node') // and its wasm engine
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = require('../lib/native/binding') as typeof import('../lib/native/binding')
    const addon = binding.native()
    const info = jest.spyOn(addon, 'nativeInfo')
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { selectBackend, jsBackend } = require('../lib/crypto') as typeof import('../lib/crypto')
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Protocol } = require('../lib/protocol') as typeof import('../lib/protocol')
    for (let i = 0; i < 3; i++) new Protocol({ role: 'initiator', backend: 'native' }).start()
    expect(info).toHaveBeenCalledTimes(1)
    expect(selectBackend('native')).toBe(selectBackend('auto'))
    expect(selectBackend('js')).toBe(jsBackend())
    info.mockRestore()
  })
})
