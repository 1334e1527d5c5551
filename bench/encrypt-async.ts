/**
 * What encryptAsync costs at 1 MiB and 4,000,000 bytes: from the call to `done` (the whole
 * encryption, copies included), the time the JavaScript thread was busy meanwhile (the event loop's
 * active time: the call, and the completion that runs done), and the part of it in the call; and
 * encrypt() for scale. Two ways: into an `out` of the caller's (PacketCipher.encryptAsync), fresh
 * for each call as Protocol.sendAsync made one per packet; and into a packet the addon makes (out
 * null, PacketCipher.encryptNewAsync, what Protocol.sendAsync uses). With a second addon file (say a
 * build of an older commit), it runs too, in interleaved rounds; each figure is the fastest of its
 * rounds. Not part of `npm run bench`.
 * Usage: tsc -p tsconfig.bench.json && node .bench/bench/encrypt-async.js [baseline.node]
 */

import path from 'node:path'
import { performance } from 'node:perf_hooks'

import type { Addon, CipherHandle } from '../lib/native/binding'

const SIZES = [1 << 20, 4_000_000]
const ROUNDS = 20
const CALLS = 5

interface Way { name: string, addon: Addon, made: boolean }
const built = require(path.join(__dirname, '..', '..', 'build', 'Release', 'bip324.node')) as Addon
const ways: Way[] = [{ name: 'this build, into out', addon: built, made: false }, { name: 'this build, packet made', addon: built, made: true }]
if (process.argv[2] !== undefined) ways.unshift({ name: 'baseline, into out', addon: require(path.resolve(process.argv[2])) as Addon, made: false })

interface Times { total: number, busy: number, call: number }

// One call, in microseconds: until done() runs, the event loop's active time until then, and
// until encryptAsync() returned.
function once (way: Way, handle: CipherHandle, contents: Uint8Array): Promise<Times> {
  const out = way.made ? null : new Uint8Array(Buffer.allocUnsafeSlow(contents.length + 20).buffer)
  return new Promise((resolve) => {
    const loop = performance.eventLoopUtilization()
    const start = process.hrtime.bigint()
    way.addon.encryptAsync(handle, out, contents, 0, () => {
      const total = Number(process.hrtime.bigint() - start) / 1e3
      resolve({ total, busy: performance.eventLoopUtilization(loop).active * 1e3, call })
    })
    const call = Number(process.hrtime.bigint() - start) / 1e3
  })
}

async function main (): Promise<void> {
  const key = new Uint8Array(32).fill(7)
  for (const size of SIZES) {
    const contents = new Uint8Array(size).fill(1)
    const out = new Uint8Array(size + 20)
    const best = ways.map(() => ({ total: Infinity, busy: Infinity, call: Infinity, sync: Infinity }))
    const handles = ways.map((w) => w.addon.cipherCreate(key, key))
    for (let round = 0; round < ROUNDS; round++) {
      // Each way goes first in turn, so that none always finds the caches warm.
      for (let k = 0; k < ways.length; k++) {
        const i = (k + round) % ways.length
        const b = best[i]!
        for (let c = 0; c < CALLS; c++) {
          const r = await once(ways[i]!, handles[i]!, contents)
          b.total = Math.min(b.total, r.total)
          b.busy = Math.min(b.busy, r.busy)
          b.call = Math.min(b.call, r.call)
          const start = process.hrtime.bigint()
          ways[i]!.addon.encrypt(handles[i]!, out, contents, 0)
          b.sync = Math.min(b.sync, Number(process.hrtime.bigint() - start) / 1e3)
        }
      }
    }
    for (const [i, way] of ways.entries()) {
      const b = best[i]!
      console.log(`${size} B, ${way.name}: ${b.total.toFixed(0)} us to done, JavaScript thread busy ${b.busy.toFixed(0)} us ` +
        `(${b.call.toFixed(0)} us in the call); encrypt() ${b.sync.toFixed(0)} us`)
    }
  }
}

void main()
