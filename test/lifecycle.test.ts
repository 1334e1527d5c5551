// The addon across environments and garbage collection: worker threads load their own instance,
// ciphers that are never destroyed are freed by their finalizers, destroyed ones at once.

import { spawnSync } from 'node:child_process'
import path from 'node:path'

const ROOT = path.join(__dirname, '..')

function runNode (args: string[], script: string): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [...args, '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 120000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('four worker threads each load the addon, encrypt, and exit cleanly', () => {
  const r = runNode([], `
    const { Worker } = require('node:worker_threads')
    const code = \`
      const { parentPort } = require('node:worker_threads')
      const addon = require('node-gyp-build')(${JSON.stringify(ROOT)})
      const key = new Uint8Array(32).fill(1)
      const c = addon.cipherCreate(key, key)
      const out = new Uint8Array(25)
      addon.encrypt(c, out, new Uint8Array(5), 0, new Uint8Array(0))
      parentPort.postMessage(Buffer.from(out).toString('hex'))\`
    const runs = Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true })
      w.on('message', resolve)
      w.on('error', reject)
    }))
    Promise.all(runs).then((outs) => console.log(new Set(outs).size + ' ' + outs[0].length))`)
  expect(r.stderr).toBe('')
  expect(r.stdout.trim()).toBe('1 50')
  expect(r.status).toBe(0)
})

test('200,000 ciphers left to the garbage collector are freed: memory stays flat', () => {
  const r = runNode(['--expose-gc'], `
    const addon = require('node-gyp-build')(${JSON.stringify(ROOT)})
    const key = new Uint8Array(32).fill(2)
    // N-API runs finalizers after the collection, from the event loop: let it turn between rounds.
    const round = async () => {
      for (let i = 0; i < 20000; i++) addon.cipherCreate(key, key)
      global.gc()
      await new Promise((resolve) => setImmediate(resolve))
    }
    ;(async () => {
      for (let i = 0; i < 3; i++) await round()
      const before = process.memoryUsage().rss
      for (let i = 0; i < 10; i++) await round()
      console.log(Math.round((process.memoryUsage().rss - before) / 1048576))
    })()`)
  expect(r.stderr).toBe('')
  // Each native cipher holds about 800 bytes: leaking 200,000 would add over 150 MiB.
  expect(Number(r.stdout.trim())).toBeLessThan(40)
  expect(r.status).toBe(0)
})

test('destroy() frees the native state at once: 100,000 ciphers made and destroyed in one synchronous loop stay small', () => {
  const r = runNode([], `
    const addon = require('node-gyp-build')(${JSON.stringify(ROOT)})
    const key = new Uint8Array(32).fill(9)
    const before = process.memoryUsage().rss
    for (let i = 0; i < 100000; i++) addon.cipherDestroy(addon.cipherCreate(key, key))
    console.log(Math.round((process.memoryUsage().rss - before) / 1048576))`)
  expect(r.stderr).toBe('')
  // Finalizers wait for the event loop: states kept until then hold about 105 MiB here; freed by
  // destroy(), what remains is the handles themselves (about 30 MiB until collected).
  expect(Number(r.stdout.trim())).toBeLessThan(64)
  expect(r.status).toBe(0)
})
