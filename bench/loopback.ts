/**
 * End to end over 127.0.0.1: a BIP-324 connection pair next to plain node:net sockets moving the
 * same messages, samples interleaved so that machine noise hits both alike; and complete
 * connections (TCP + handshake) per second on each backend.
 */

import { handshakesPerSecond, loopbackPair, measureTcp, measureV2 } from '../lib/cli/loopback'
import { formatSize } from '../lib/cli/output'

export interface LoopbackRow {
  messageSize: number
  messages: number
  /** Median bytes per second. */
  v2: number
  tcp: number
  ratio: number
}

export interface LoopbackResults {
  throughput: LoopbackRow[]
  handshakesPerSecond: Record<'native' | 'js', number>
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export async function loopback (say: (line?: string) => void, quick: boolean): Promise<LoopbackResults> {
  const samples = quick ? 3 : 7
  const throughput: LoopbackRow[] = []
  say('\n### Loopback: one connection on 127.0.0.1, both ends in this process, next to plain TCP\n')
  say('| message | messages | bip324 (native) | plain TCP | bip324 / TCP |')
  say('| ---: | ---: | ---: | ---: | ---: |')
  const pair = await loopbackPair({ backend: 'native' })
  for (const [size, count] of [[1 << 20, quick ? 32 : 128], [64, quick ? 20_000 : 100_000]] as const) {
    const v2: number[] = []
    const tcp: number[] = []
    for (let i = 0; i < samples; i++) {
      v2.push((await measureV2(pair, size, count)).bytesPerSecond)
      tcp.push((await measureTcp(size, count)).bytesPerSecond)
    }
    const row = { messageSize: size, messages: count, v2: median(v2), tcp: median(tcp), ratio: median(v2) / median(tcp) }
    throughput.push(row)
    say(`| ${formatSize(size)} | ${count.toLocaleString('en-US')} | ${(row.v2 / 1e6).toFixed(0)} MB/s | ${(row.tcp / 1e6).toFixed(0)} MB/s | ${row.ratio.toFixed(2)}x |`)
  }
  await pair.close()
  const count = quick ? 20 : 100
  const hs = {
    native: await handshakesPerSecond(count, { backend: 'native' }),
    js: await handshakesPerSecond(Math.ceil(count / 10), { backend: 'js' })
  }
  say(`\nComplete connections per second (TCP connect + handshake, both sides in this process): native ${hs.native.toFixed(0)}, js ${hs.js.toFixed(1)} (${(hs.native / hs.js).toFixed(1)}x)`)
  return { throughput, handshakesPerSecond: hs }
}
