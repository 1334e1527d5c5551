// JavaScript that runs while an entry point reads its arguments (a getter on an item, an
// Array.prototype getter behind a hole, a Proxy) or while it throws (the error class's
// constructor). Such code may destroy the cipher or detach a buffer; the binding must notice (it
// takes pointers and the cipher state only after the last getter ran, and uses none of them after a
// throw), and the backends must behave the same. Calls straight into the addon run in a child
// process each, so that a crash fails one test instead of ending the suite.

import { NUM_PACKET_OVERHEAD_BYTES as EXPANSION } from '../lib/crypto/packet-format'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

import { Bip324Error } from '../lib/errors'
import { variants } from './helpers/backends'

const ROOT = path.join(__dirname, '..')

// Runs `body` in a fresh node with `addon` (handed lib/errors.ts's Bip324Error as lib/native/binding.ts
// hands it, by its source: the child runs no TypeScript), a libsodium `cipher`, `attempt(fn)` (what
// fn threw) and `report(value)`; returns the reported value, or fails with how the process ended.
function inChild (body: string): Record<string, unknown> {
  const script = `
    const addon = require('node-gyp-build')(${JSON.stringify(ROOT)})
    const Bip324Error = ${Bip324Error.toString()}
    addon.setErrorClass(Bip324Error)
    const key = new Uint8Array(32).fill(1)
    const cipher = addon.cipherCreate(key, key, 'libsodium')
    const attempt = (fn) => { try { fn(); return { ok: true } } catch (e) { return { code: e.code, name: e.name, message: e.message, bip324: e instanceof Bip324Error } } }
    const zeros = (bytes) => new Uint8Array(bytes.buffer ?? bytes).every((b) => b === 0)
    const report = (value) => process.stdout.write(JSON.stringify(value))
    ${body}`
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60000 })
  if (r.status !== 0 || r.stdout === '') {
    throw new Error(`child ended with status ${r.status} signal ${r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`)
  }
  return JSON.parse(r.stdout) as Record<string, unknown>
}

describe('encryptBatch straight into the addon', () => {
  test('an item getter that destroys the cipher: ERR_BIP324_BAD_STATE, nothing encrypted', () => {
    const r = inChild(`
      const out = new Uint8Array(60)
      const items = [new Uint8Array(10), new Uint8Array(10)]
      Object.defineProperty(items, 1, { get () { addon.cipherDestroy(cipher); return new Uint8Array(10) } })
      report({ outcome: attempt(() => addon.encryptBatch(cipher, out, items)), untouched: zeros(out) })`)
    expect(r.outcome).toMatchObject({ code: 'ERR_BIP324_BAD_STATE' })
    expect(r.untouched).toBe(true)
  })

  test('an item getter that detaches out: ERR_BIP324_INVALID_ARG, no byte written to the moved memory', () => {
    const r = inChild(`
      const out = new Uint8Array(60)
      let moved
      const items = [new Uint8Array(10), new Uint8Array(10)]
      Object.defineProperty(items, 1, { get () { moved = structuredClone(out.buffer, { transfer: [out.buffer] }); return new Uint8Array(10) } })
      report({ outcome: attempt(() => addon.encryptBatch(cipher, out, items)), detached: out.length === 0, untouched: zeros(moved) })`)
    expect(r.outcome).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG', name: 'Bip324Error', bip324: true })
    expect(r.detached).toBe(true)
    expect(r.untouched).toBe(true)
  })

  test('an item getter that detaches an earlier item: ERR_BIP324_INVALID_ARG, nothing encrypted', () => {
    const r = inChild(`
      const out = new Uint8Array(60)
      const items = [new Uint8Array(10).fill(7), new Uint8Array(10)]
      const first = items[0]
      Object.defineProperty(items, 1, { get () { structuredClone(first.buffer, { transfer: [first.buffer] }); return new Uint8Array(10) } })
      report({ outcome: attempt(() => addon.encryptBatch(cipher, out, items)), untouched: zeros(out) })`)
    expect(r.outcome).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
    expect(r.untouched).toBe(true)
  })

  test('a hole that falls through to an Array.prototype getter destroying the cipher: ERR_BIP324_BAD_STATE', () => {
    const r = inChild(`
      const out = new Uint8Array(80)
      const items = [new Uint8Array(10), , new Uint8Array(10)]
      Object.defineProperty(Array.prototype, 1, { configurable: true, get () { addon.cipherDestroy(cipher); return new Uint8Array(0) } })
      let outcome
      try { outcome = attempt(() => addon.encryptBatch(cipher, out, items)) } finally { delete Array.prototype[1] }
      report({ outcome, untouched: zeros(out), cleaned: !(1 in []) })`)
    expect(r.outcome).toMatchObject({ code: 'ERR_BIP324_BAD_STATE' })
    expect(r.untouched).toBe(true)
    expect(r.cleaned).toBe(true)
  })

  test('a getter that throws: its error, nothing encrypted, the cipher still usable', () => {
    const r = inChild(`
      const out = new Uint8Array(30)
      const items = [new Uint8Array(10)]
      Object.defineProperty(items, 0, { get () { throw new Error('from the getter') } })
      const outcome = attempt(() => addon.encryptBatch(cipher, out, items))
      const untouched = zeros(out)
      addon.encryptBatch(cipher, out, [new Uint8Array(10)])
      report({ outcome, untouched, usable: !zeros(out) })`)
    expect(r.outcome).toMatchObject({ message: 'from the getter' })
    expect(r.untouched).toBe(true)
    expect(r.usable).toBe(true)
  })

  test('a Proxy is not an array to the binding: refused without running a trap', () => {
    const r = inChild(`
      let traps = 0
      const items = new Proxy([new Uint8Array(1)], { get (t, k) { traps++; return t[k] } })
      report({ outcome: attempt(() => addon.encryptBatch(cipher, new Uint8Array(21), items)), traps })`)
    expect(r.outcome).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG', name: 'Bip324Error', bip324: true })
    expect(r.traps).toBe(0)
  })
})

// The addon throws after it took pointers and the cipher state (a size check fails in step 3 of
// native/binding_args.h): the constructor runs then, and whatever it destroys must not be used.
describe('an error class whose constructor destroys what the call took', () => {
  test('encrypt with a wrong out size: the constructor destroys the cipher and detaches out; nothing written, its error thrown', () => {
    const r = inChild(`
      const out = new Uint8Array(40)
      let moved, constructed = 0
      addon.setErrorClass(class { constructor (code, message) {
        if (constructed++ === 0) {
          addon.cipherDestroy(cipher)
          moved = structuredClone(out.buffer, { transfer: [out.buffer] })
        }
        return Object.assign(new Error(message), { code })
      } })
      const outcome = attempt(() => addon.encrypt(cipher, out, new Uint8Array(10), 0, new Uint8Array(0)))
      const destroyed = attempt(() => addon.cipherProvider(cipher))
      report({ outcome, destroyed, constructed, untouched: zeros(moved) })`)
    expect(r.outcome).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG', message: 'out must be contents.length + 20 bytes' })
    expect(r.constructed).toBe(2)
    expect(r.untouched).toBe(true)
    expect(r.destroyed).toMatchObject({ code: 'ERR_BIP324_BAD_STATE' })
  })

  test('decryptBatch with overlapping buffers: the constructor destroys the cipher; nothing decrypted, its error thrown', () => {
    const r = inChild(`
      const buffer = new Uint8Array(200)
      let constructed = 0
      addon.setErrorClass(class { constructor (code, message) {
        constructed++
        if (constructed === 1) addon.cipherDestroy(cipher)
        return Object.assign(new Error(message), { code })
      } })
      const outcome = attempt(() => addon.decryptBatch(cipher, buffer.subarray(0, 100), new Uint32Array(16), buffer.subarray(50), 1000))
      report({ outcome, constructed, untouched: zeros(buffer) })`)
    expect(r.outcome).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG', message: 'plain must not overlap input' })
    expect(r.constructed).toBe(1)
    expect(r.untouched).toBe(true)
  })

  test('a constructor that throws: its error propagates, and the addon stays usable', () => {
    const r = inChild(`
      addon.setErrorClass(class { constructor () { throw new Error('from the constructor') } })
      const outcome = attempt(() => addon.encrypt(cipher, new Uint8Array(3), new Uint8Array(10), 0, new Uint8Array(0)))
      const out = new Uint8Array(30)
      addon.encrypt(cipher, out, new Uint8Array(10), 0, new Uint8Array(0))
      report({ outcome, usable: !zeros(out) })`)
    expect(r.outcome).toMatchObject({ message: 'from the constructor' })
    expect(r.usable).toBe(true)
  })

  test('before any class is handed over (an addon loaded straight through node-gyp-build): an Error with the same code and message', () => {
    const script = `
      const addon = require('node-gyp-build')(${JSON.stringify(ROOT)})
      try { addon.ellswiftDecode(new Uint8Array(32), new Uint8Array(63)) } catch (e) {
        process.stdout.write(JSON.stringify({ name: e.name, code: e.code, message: e.message, plain: Object.getPrototypeOf(e) === Error.prototype }))
      }`
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60000 })
    expect(JSON.parse(r.stdout)).toEqual({ name: 'Error', code: 'ERR_BIP324_INVALID_ARG', message: 'ell64 must be 64 bytes, got 63', plain: true })
  })
})

describe.each(variants)('$name: encryptBatch reads its items before it checks the cipher', ({ backend, provider }) => {
  const key = new Uint8Array(32).fill(3)

  test('a Proxy array encrypts as the plain array does', () => {
    const items = [Uint8Array.of(1, 2), Uint8Array.of(3)]
    const plain = new Uint8Array(3 + 2 * EXPANSION)
    const proxied = new Uint8Array(plain.length)
    backend.createCipher(key, key, provider).encryptBatch(plain, items)
    backend.createCipher(key, key, provider).encryptBatch(proxied, new Proxy(items, {}))
    expect(Buffer.from(proxied).equals(plain)).toBe(true)
  })

  test('a Proxy whose trap destroys the cipher: ERR_BIP324_BAD_STATE, nothing encrypted', () => {
    const cipher = backend.createCipher(key, key, provider)
    const items = [Uint8Array.of(1, 2), Uint8Array.of(3)]
    const hostile = new Proxy(items, {
      get (target, k, receiver) {
        if (k === '1') cipher.destroy()
        return Reflect.get(target, k, receiver) as unknown
      }
    })
    const out = new Uint8Array(3 + 2 * EXPANSION)
    expect(() => cipher.encryptBatch(out, hostile)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_STATE' }))
    expect(out.every((b) => b === 0)).toBe(true)
  })

  test('an item that is not a Uint8Array: ERR_BIP324_INVALID_ARG', () => {
    const cipher = backend.createCipher(key, key, provider)
    expect(() => cipher.encryptBatch(new Uint8Array(EXPANSION), [[1, 2] as unknown as Uint8Array]))
      .toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })
})
