// What only the wasm backend has, and how it meets the native one: BIP-324's xswiftec_inv vectors
// and the packet vectors' mid_x_shared through the module's own libsecp256k1, packets across
// backends in both directions (encrypt, decrypt and batches, across rekeys), the wiping of keys
// and plaintext in the module's memory, both loaders, and the fallback of 'auto' to wasm. The
// suites parameterised over backends (test/helpers/backends.ts) run on both modules too.

import crypto from 'node:crypto'
import fs from 'node:fs'

import fc from 'fast-check'

import { Bip324Error, hasSimd128, loadWasmBackend, nativeBackend, wasmBackend, wasmBackendSync } from '../lib'
import type { Backend, PacketCipher } from '../lib/crypto/backend'
import { NUM_PACKET_OVERHEAD_BYTES as EXPANSION } from '../lib/crypto/packet-format'
import { wasmTesting } from '../lib/crypto/wasm'
import { wasmFile } from '../lib/crypto/wasm-node'
import { variants } from './helpers/backends'
import { hex, toHex } from './helpers/bytes'
import { readCsv } from './helpers/vectors'

const EMPTY = new Uint8Array(0)
const inverse = readCsv('xswiftec_inv_test_vectors.csv')
const packets = readCsv('packet_encoding_test_vectors.csv')
const wasms = variants.filter((v) => v.backend.name === 'wasm')
const nat = nativeBackend()

test('both modules are under test: SIMD128 and scalar', () => {
  expect(wasms.map((v) => v.provider).sort()).toEqual(['scalar', 'simd128'])
})

describe.each(wasms)('$name', ({ backend }) => {
  const t = wasmTesting(backend)

  // Every row and case: the module's own inverse (libsecp256k1's, as ellswift_create runs it) gives
  // the t the BIP lists, or nothing where the BIP lists none.
  test.each(inverse.map((cells, i) => ({ row: i + 1, cells })))('xswiftec_inv row $row, all 8 cases', ({ cells: r }) => {
    for (let c = 0; c < 8; c++) {
      const got = t.xswiftecInv(hex(r.x!), hex(r.u!), c)
      expect({ c, t: got === null ? '' : toHex(got) }).toEqual({ c, t: r[`case${c}_t`] })
    }
  })

  test.each(packets.map((cells, i) => ({ row: i + 1, cells })))('x-only ECDH gives mid_x_shared (row $row)', ({ cells: r }) => {
    expect(toHex(t.ecdhX(hex(r.in_ellswift_theirs!), hex(r.in_priv_ours!))!)).toBe(r.mid_x_shared)
  })

  test('packets cross to and from the native engine: random sizes, aad and headers, across rekeys, one by one and in batches', () => {
    const keys = [crypto.randomBytes(32), crypto.randomBytes(32)] as const
    const pair = (a: Backend, b: Backend): [PacketCipher, PacketCipher] => [a.createCipher(...keys), b.createCipher(...keys)]
    for (const [from, to] of [pair(backend, nat), pair(nat, backend)]) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 255 }), (contents, aad, header) => {
        const packet = new Uint8Array(contents.length + EXPANSION)
        from.encrypt(packet, contents, aad, header)
        expect(to.decryptLength(packet.subarray(0, 3))).toBe(contents.length)
        const plain = new Uint8Array(contents.length)
        expect(to.decrypt(plain, packet.subarray(3), aad)).toBe(header)
        expect(toHex(plain)).toBe(toHex(contents))
      }), { numRuns: 300 })
      const items = Array.from({ length: 250 }, (_, i) => crypto.randomBytes((i * 37) % 300))
      const out = new Uint8Array(items.reduce((n, it) => n + it.length + EXPANSION, 0))
      from.encryptBatch(out, items)
      const plain = new Uint8Array(out.length)
      const got = to.decryptBatch(plain, out, 1000)
      expect(got).toMatchObject({ status: 'more', consumed: out.length, pending: null })
      expect(got.packets.map((p) => toHex(p.contents))).toEqual(items.map(toHex))
      from.destroy()
      to.destroy()
    }
  })

  test('a 1 MiB packet, and the module\'s memory grown meanwhile, both ways', () => {
    const keys = [crypto.randomBytes(32), crypto.randomBytes(32)] as const
    const contents = crypto.randomBytes(1 << 20)
    for (const [from, to] of [[backend, nat], [nat, backend]] as const) {
      const send = from.createCipher(...keys)
      const recv = to.createCipher(...keys)
      const packet = new Uint8Array(contents.length + EXPANSION)
      send.encrypt(packet, contents, EMPTY, 0)
      const plain = new Uint8Array(contents.length + 100)
      const got = recv.decryptBatch(plain, packet, 1 << 20)
      expect(got.status).toBe('more')
      expect(Buffer.compare(got.packets[0]!.contents, contents)).toBe(0)
    }
  })

  // What a call copied in (keys, a secret key, plaintext) is zeroed when it returns; a cipher's
  // state when it is destroyed. Searched for in the whole memory of the module.
  const holds = (needle: Uint8Array): boolean => Buffer.from(t.memory()).indexOf(needle) !== -1

  test('keys, secret keys and plaintext do not stay in the module\'s memory', () => {
    const ours = backend.keygen()
    const theirs = backend.keygen()
    expect(holds(ours.secretKey)).toBe(false)
    const secret = backend.ecdh(ours.ellswift, theirs.ellswift, ours.secretKey, true)!
    expect(holds(ours.secretKey)).toBe(false)
    expect(holds(secret)).toBe(false)
    const keys = backend.keySchedule(secret, Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9))
    for (const k of [keys.initiatorL, keys.initiatorP, keys.sessionId, secret]) expect(holds(k)).toBe(false)

    const send = backend.createCipher(keys.initiatorL, keys.initiatorP)
    const recv = backend.createCipher(keys.initiatorL, keys.initiatorP)
    const contents = crypto.randomBytes(5000)
    const packet = new Uint8Array(contents.length + EXPANSION)
    send.encrypt(packet, contents, EMPTY, 0)
    expect(holds(contents)).toBe(false)
    const plain = new Uint8Array(contents.length)
    recv.decryptLength(packet.subarray(0, 3))
    expect(recv.decrypt(plain, packet.subarray(3), EMPTY)).toBe(0)
    expect(holds(contents)).toBe(false)
    const batch = new Uint8Array(2 * (contents.length + EXPANSION))
    send.encryptBatch(batch, [contents, contents])
    expect(holds(contents)).toBe(false)
    recv.decryptBatch(new Uint8Array(batch.length), batch, contents.length)
    expect(holds(contents)).toBe(false)

    // The cipher states hold the keys until destroy().
    expect(holds(keys.initiatorP)).toBe(true)
    send.destroy()
    recv.destroy()
    expect(holds(keys.initiatorL)).toBe(false)
    expect(holds(keys.initiatorP)).toBe(false)
    expect(() => send.encrypt(packet, contents, EMPTY, 0)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
    send.destroy() // twice: nothing more to do
  })
})

test('loadWasmBackend takes the bytes or a compiled module; each call makes its own instance', async () => {
  const bytes = fs.readFileSync(wasmFile())
  const fromBytes = await loadWasmBackend(bytes)
  // The package's types have no WebAssembly (neither ES2022's nor Node's declare it).
  const { Module } = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly
  const fromModule = await loadWasmBackend(new Module(bytes))
  const sync = wasmBackendSync(bytes)
  expect(hasSimd128()).toBe(true)
  expect([fromBytes, fromModule, sync].map((b) => [b.name, b.providers])).toEqual(Array(3).fill(['wasm', ['simd128']]))
  const keys = [crypto.randomBytes(32), crypto.randomBytes(32)] as const
  const packets = [fromBytes, fromModule, sync, nat].map((b) => {
    const packet = new Uint8Array(10 + EXPANSION)
    b.createCipher(...keys).encrypt(packet, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), EMPTY, 0)
    return toHex(packet)
  })
  expect(new Set(packets).size).toBe(1)
  expect(wasmTesting(fromBytes).memory().buffer).not.toBe(wasmTesting(sync).memory().buffer)
  expect(() => wasmTesting(nat)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  expect(() => fromBytes.createCipher(...keys, 'libsodium')).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('selectBackend(\'wasm\') is the Node loader\'s backend, made once', () => {
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { selectBackend } = require('../lib/crypto') as typeof import('../lib/crypto')
    expect(selectBackend('wasm').name).toBe('wasm')
    expect(selectBackend('wasm')).toBe(selectBackend('wasm'))
  })
  expect(wasmBackend().providers).toEqual(['simd128'])
})

test('auto falls back to the wasm backend, with one warning naming it and why, when the addon cannot load', () => {
  jest.isolateModules(() => {
    jest.doMock('../lib/native/binding', () => ({
      native: () => { throw new Bip324Error('ERR_BIP324_NATIVE_UNAVAILABLE', 'no addon here\nTried: ...') }
    }))
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { selectBackend } = require('../lib/crypto') as typeof import('../lib/crypto')
    expect(selectBackend('auto').name).toBe('wasm')
    expect(selectBackend('auto').name).toBe('wasm')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toBe('bip324: using the wasm backend: no addon here')
    expect(warn.mock.calls[0]![1]).toEqual({ code: 'BIP324_WASM_FALLBACK' })
    warn.mockRestore()
  })
  jest.dontMock('../lib/native/binding')
})

test('a missing module file is ERR_BIP324_WASM_UNAVAILABLE, naming the file and the fix', () => {
  jest.isolateModules(() => {
    jest.doMock('node:fs', () => ({ ...jest.requireActual('node:fs'), readFileSync: () => { throw new Error('ENOENT: gone') } }))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { wasmBackend: load } = require('../lib/crypto/wasm-node') as typeof import('../lib/crypto/wasm-node')
    expect(load).toThrow(expect.objectContaining({ code: 'ERR_BIP324_WASM_UNAVAILABLE', message: expect.stringContaining('npm run build:wasm') }))
  })
  jest.dontMock('node:fs')
})
