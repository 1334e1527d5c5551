// PacketCipher.encryptAsync (natively on the libuv thread pool): the same packets as encrypt(), in
// one sequence with it; the cipher refuses every other call while one runs; destroy() meanwhile
// is carried out when it ends. The vectors run through it in packet-vectors.test.ts.

import { spawnSync } from 'node:child_process'
import path from 'node:path'

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
      else if (i % 3 === 1 && mixed.encryptNewAsync !== undefined) a.set(await mixed.encryptNewAsync(c, EMPTY, i & 0x80))
      else mixed.encrypt(a, c, EMPTY, i & 0x80)
      plain.encrypt(b, c, EMPTY, i & 0x80)
      expect(Buffer.compare(a, b)).toBe(0)
    }
    mixed.destroy()
    plain.destroy()
  })

  test('encryptNewAsync, where the backend has it, resolves to a plain Uint8Array of the packet alone', async () => {
    const c = make()
    if (c.encryptNewAsync === undefined) return
    const twin = make()
    const aad = contents(50, 9)
    const packet = await c.encryptNewAsync(contents(100000, 8), aad, 0)
    const want = new Uint8Array(100020)
    twin.encrypt(want, contents(100000, 8), aad, 0)
    expect(Object.getPrototypeOf(packet)).toBe(Uint8Array.prototype)
    expect([packet.byteOffset, packet.buffer.byteLength]).toEqual([0, 100020])
    expect(Buffer.compare(packet, want)).toBe(0)
    await expect(c.encryptNewAsync(new Uint8Array(2 ** 24), EMPTY, 0)).rejects.toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
    c.destroy()
    twin.destroy()
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

// JavaScript may detach any buffer it handed encryptAsync (structuredClone or postMessage with a
// transfer list) while the thread pool works: once the buffer's new owner is collected, its bytes
// are freed. The thread pool must not read or write them. Each script runs in a process of its own
// against dist/, so that a crash fails one test: one thread-pool thread, kept busy by a pbkdf2 of
// about 100 ms while the buffers are detached and collected, so the encryption starts only once
// their bytes are gone; and glibc told to return every block of 64 KiB or more to the system when
// freed, so that touching them faults instead of reading what the allocator put there.
describe('encryptAsync while the caller detaches its buffers', () => {
  const DIST = path.join(__dirname, '..', 'dist')
  const PRELUDE = `
    const bip324 = require(${JSON.stringify(DIST)})
    const report = (value) => process.stdout.write(JSON.stringify(value))
    const poolBusy = () => new Promise((resolve) => require('node:crypto').pbkdf2('p', 's', 100000, 64, 'sha512', resolve))
    const detach = (view) => { structuredClone(view.buffer, { transfer: [view.buffer] }) }
    const collect = () => { for (let i = 0; i < 4; i++) global.gc() }
    const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
    const KEY = new Uint8Array(32).fill(5)
  `
  const run = (script: string): { status: number | null, signal: NodeJS.Signals | null, stderr: string, report: Record<string, unknown> | undefined } => {
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', PRELUDE + script], {
      encoding: 'utf8',
      timeout: 60000,
      env: { ...process.env, UV_THREADPOOL_SIZE: '1', MALLOC_MMAP_THRESHOLD_: '65536' }
    })
    return { status: r.status, signal: r.signal, stderr: r.stderr, report: r.stdout === '' ? undefined : JSON.parse(r.stdout) as Record<string, unknown> }
  }

  test('contents and aad detached and collected right after the call: the packet is the one encrypt() makes of them as they were', () => {
    const r = run(`
      ;(async () => {
        const results = []
        for (const provider of bip324.nativeInfo().providers) {
          for (const way of ['encryptAsync', 'encryptNewAsync']) {
            const backend = bip324.nativeBackend()
            const cipher = backend.createCipher(KEY, KEY, provider)
            const twin = backend.createCipher(KEY, KEY, provider)
            const contents = bytes(1 << 20, 1)
            const aad = bytes(100000, 2)
            const want = new Uint8Array(contents.length + 20)
            twin.encrypt(want, contents, aad, 0)
            const out = new Uint8Array(contents.length + 20)
            const blocked = poolBusy()
            const running = way === 'encryptAsync' ? cipher.encryptAsync(out, contents, aad, 0).then(() => out) : cipher.encryptNewAsync(contents, aad, 0)
            detach(contents)
            detach(aad)
            collect()
            await blocked
            const packet = await running
            results.push({ provider, way, detached: contents.length === 0 && aad.length === 0, same: Buffer.compare(packet, want) === 0 })
          }
        }
        report(results)
      })()`)
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null })
    expect(r.report).toEqual(expect.arrayContaining([
      { provider: 'libsodium', way: 'encryptAsync', detached: true, same: true },
      { provider: 'libsodium', way: 'encryptNewAsync', detached: true, same: true }
    ]))
    for (const result of r.report as unknown as Array<Record<string, unknown>>) expect(result).toMatchObject({ detached: true, same: true })
  })

  test('out detached and collected meanwhile: the promise rejects with ERR_BIP324_INVALID_ARG, nothing is written to freed memory', () => {
    const r = run(`
      ;(async () => {
        const cipher = bip324.nativeBackend().createCipher(KEY, KEY, 'libsodium')
        const out = new Uint8Array((1 << 20) + 20)
        const blocked = poolBusy()
        const running = cipher.encryptAsync(out, bytes(1 << 20, 3), new Uint8Array(0), 0)
        detach(out)
        collect()
        await blocked
        const outcome = await running.then(() => 'resolved', (err) => err.code)
        // The cipher is usable again (a session cannot go on, but the cipher says so by its error).
        const next = new Uint8Array(30)
        cipher.encrypt(next, new Uint8Array(10), new Uint8Array(0), 0)
        report({ outcome, detached: out.length === 0 })
      })()`)
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null })
    expect(r.report).toEqual({ outcome: 'ERR_BIP324_INVALID_ARG', detached: true })
  })

  test('a Bip324Socket writing a 1 MiB chunk whose buffer is transferred away and collected: the peer gets the bytes written', () => {
    const r = run(`
      ;(async () => {
        const { loopbackPair } = require(${JSON.stringify(path.join(DIST, 'cli', 'loopback'))})
        const pair = await loopbackPair()
        await Promise.all([pair.client, pair.peer].map((s) => s.sessionId !== undefined || new Promise((resolve) => s.once('handshake', resolve))))
        const chunk = bytes(1 << 20, 4)
        const want = Buffer.from(chunk)
        const received = new Promise((resolve, reject) => { pair.peer.once('data', resolve); pair.peer.once('error', reject) })
        const blocked = poolBusy()
        const written = new Promise((resolve) => pair.client.write(chunk, resolve))
        detach(chunk)
        collect()
        await blocked
        const got = await received
        const writeError = await written
        report({ detached: chunk.length === 0, length: got.length, same: want.equals(got), writeError: writeError?.code ?? null })
        await pair.close()
      })()`)
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null })
    expect(r.report).toEqual({ detached: true, length: 1 << 20, same: true, writeError: null })
  })
})
