// What only the pure-JavaScript backend has, and how it meets the native one: the ElligatorSwift
// inverse map's vectors, the fallback when the addon is missing, and sessions across backends.

import crypto from 'node:crypto'

import { elligatorSwift } from '@scure/btc-signer/p2p.js'

import { Bip324Error, jsBackend, nativeBackend, Protocol } from '../lib'
import { hex, readCsv, toHex } from './helpers/vectors'
import { seeded } from './helpers/pair'

const inverse = readCsv('xswiftec_inv_test_vectors.csv')

test('the inverse vectors are all here: 32 rows of 8 cases', () => {
  expect(inverse).toHaveLength(32)
  expect(Object.keys(inverse[0]!).filter((c) => /^case\d_t$/.test(c))).toHaveLength(8)
})

describe.each(inverse.map((cells, i) => ({ row: i + 1, cells })))('xswiftec_inv row $row', ({ cells: r }) => {
  test.each([0, 1, 2, 3, 4, 5, 6, 7])('case %i', (c) => {
    const t = elligatorSwift._inv(BigInt('0x' + r.x!), BigInt('0x' + r.u!), c)
    const expected = r[`case${c}_t`]!
    if (expected === '') {
      expect(t).toBeUndefined()
    } else {
      expect((t as bigint).toString(16).padStart(64, '0')).toBe(expected)
      expect(toHex(jsBackend().ellswiftDecode(hex(r.u! + expected)))).toBe(r.x)
    }
  })
})

test('the js backend encodes deterministically from the secret key and aux randomness', () => {
  const js = jsBackend()
  const { secretKey } = js.keygen()
  const aux = crypto.randomBytes(32)
  expect(toHex(js.ellswiftCreate(secretKey, aux)!)).toBe(toHex(js.ellswiftCreate(secretKey, aux)!))
  expect(toHex(js.ellswiftCreate(secretKey, crypto.randomBytes(32))!)).not.toBe(toHex(js.ellswiftCreate(secretKey, aux)!))
})

test('both backends decode each other\'s keys to the same point and agree on shared secrets', () => {
  const js = jsBackend()
  const nat = nativeBackend()
  for (let i = 0; i < 10; i++) {
    const a = nat.keygen()
    const b = js.keygen()
    expect(toHex(js.ellswiftDecode(a.ellswift))).toBe(toHex(nat.ellswiftDecode(a.ellswift)))
    expect(toHex(nat.ellswiftDecode(b.ellswift))).toBe(toHex(js.ellswiftDecode(b.ellswift)))
    expect(toHex(nat.ecdh(a.ellswift, b.ellswift, a.secretKey, true)!)).toBe(toHex(js.ecdh(b.ellswift, a.ellswift, b.secretKey, false)!))
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

test('auto falls back to the js backend, with one warning, when the addon cannot load', () => {
  jest.isolateModules(() => {
    jest.doMock('../lib/native/binding', () => ({
      native: () => { throw new Bip324Error('ERR_BIP324_NATIVE_UNAVAILABLE', 'no addon here\nTried: ...') }
    }))
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { selectBackend } = require('../lib/crypto') as typeof import('../lib/crypto')
    expect(selectBackend('auto').name).toBe('js')
    expect(selectBackend('auto').name).toBe('js')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toContain('no addon here')
    expect(() => selectBackend('native')).toThrow(expect.objectContaining({ code: 'ERR_BIP324_NATIVE_UNAVAILABLE' }))
    warn.mockRestore()
  })
})
