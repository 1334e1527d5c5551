/**
 * `bip324 bench`: a short benchmark any user can run where the package is installed: packet
 * encrypt + decrypt on each backend, and loopback throughput next to plain TCP. Ratios within one
 * run are what to compare; `npm run bench` in the repository is the full suite.
 */

import { performance } from 'node:perf_hooks'

import { selectBackend } from '../crypto'
import type { Backend } from '../crypto/backend'
import { NUM_PACKET_OVERHEAD_BYTES } from '../crypto/packet-format'
import { loopbackPair, measureTcp, measureV2 } from './loopback'
import { formatBytes, formatSize, type Output } from './output'

export const usage = `bip324 bench [--json]

Measures packet encrypt + decrypt on the native and JS backends (32 B and 1 MiB contents) and
loopback throughput next to plain TCP, for a few seconds. Prints ratios measured in this run.`

// Best of a few samples of about 50 ms: packets per second.
function packetRate (backend: Backend, size: number): number {
  const key = new Uint8Array(32).fill(7)
  const send = backend.createCipher(key, key)
  const recv = backend.createCipher(key, key)
  const contents = new Uint8Array(size)
  const packet = new Uint8Array(size + NUM_PACKET_OVERHEAD_BYTES)
  const aad = new Uint8Array(0)
  let best = 0
  for (let sample = 0; sample < 5; sample++) {
    let n = 0
    const start = performance.now()
    while (performance.now() - start < 50) {
      send.encrypt(packet, contents, aad, 0)
      recv.decryptLength(packet.subarray(0, 3))
      recv.decrypt(contents, packet.subarray(3), aad)
      n++
    }
    best = Math.max(best, n / ((performance.now() - start) / 1000))
  }
  send.destroy()
  recv.destroy()
  return best
}

export async function bench (out: Output): Promise<number> {
  const native = selectBackend('native')
  const js = selectBackend('js')
  const packets = [32, 1 << 20].map((size) => {
    const n = packetRate(native, size)
    const j = packetRate(js, size)
    return { size, native: n * size, js: j * size, ratio: n / j }
  })
  out.say('packets, encrypt + decrypt')
  for (const p of packets) out.say(`  ${formatSize(p.size).padEnd(6)} native ${formatBytes(p.native)}/s, js ${formatBytes(p.js)}/s: native ${p.ratio.toFixed(1)}x js`)

  const pair = await loopbackPair({ backend: 'native' })
  const loopback = []
  out.say('loopback, one connection on 127.0.0.1')
  for (const [size, count] of [[1 << 20, 64], [64, 50_000]] as const) {
    const v2 = await measureV2(pair, size, count)
    const tcp = await measureTcp(size, count)
    loopback.push({ size, v2: v2.bytesPerSecond, tcp: tcp.bytesPerSecond, ratio: v2.bytesPerSecond / tcp.bytesPerSecond })
    out.say(`  ${formatSize(size).padEnd(6)} bip324 ${formatBytes(v2.bytesPerSecond)}/s, plain TCP ${formatBytes(tcp.bytesPerSecond)}/s: ${(v2.bytesPerSecond / tcp.bytesPerSecond).toFixed(2)}x`)
  }
  await pair.close()
  if (out.json) process.stdout.write(JSON.stringify({ packets, loopback }, null, 2) + '\n')
  return 0
}
