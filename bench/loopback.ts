/**
 * End to end over 127.0.0.1 in this process: a BIP-324 connection pair next to plain node:net
 * sockets moving the same messages, and complete connections (TCP + handshake) per second on each
 * backend. Trials interleaved (bip324, tcp, bip324, tcp ...) so that machine noise hits both alike;
 * each ratio is the median of the per-trial ratios.
 */

import { handshakesPerSecond, loopbackPair, measureTcp, measureV2 } from '../lib/cli/loopback'
import { formatSize } from '../lib/cli/output'
import { formatRatio, formatSpread, interleave, ratio, type Stat, stat } from './harness'

export interface LoopbackRow {
  messageSize: number
  messages: number
  /** Bytes per second. */
  v2: Stat
  tcp: Stat
  ratio: Stat
}

export interface LoopbackResults {
  throughput: LoopbackRow[]
  /** Complete connections per second, and native / js per trial. */
  handshakesPerSecond: { native: Stat, wasm: Stat, js: Stat, ratio: Stat, wasmRatio: Stat }
}

const mbps = (s: Stat): string => `${(s.median / 1e6).toFixed(0)} MB/s ${formatSpread(s)}`

export async function loopback (say: (line?: string) => void, quick: boolean): Promise<LoopbackResults> {
  const trials = quick ? 3 : 9
  const throughput: LoopbackRow[] = []
  say('\n### Loopback: one connection on 127.0.0.1, both ends in this process, next to plain TCP\n')
  say(`Medians of ${trials} trials per transport, interleaved; the ratio is the median of the per-trial ratios.\n`)
  say('| message | messages | bip324 (native) | plain TCP | bip324 / TCP |')
  say('| ---: | ---: | ---: | ---: | ---: |')
  const pair = await loopbackPair({ backend: 'native' })
  for (const [size, count] of [[1 << 20, quick ? 32 : 128], [64, quick ? 20_000 : 100_000]] as const) {
    const runs = await interleave(trials, {
      v2: async () => (await measureV2(pair, size, count)).bytesPerSecond,
      tcp: async () => (await measureTcp(size, count)).bytesPerSecond
    })
    const row = { messageSize: size, messages: count, v2: stat(runs.v2), tcp: stat(runs.tcp), ratio: ratio(runs.v2, runs.tcp) }
    throughput.push(row)
    say(`| ${formatSize(size)} | ${count.toLocaleString('en-US')} | ${mbps(row.v2)} | ${mbps(row.tcp)} | ${formatRatio(row.ratio)} |`)
  }
  await pair.close()
  const count = quick ? 20 : 100
  const hs = await interleave(trials, {
    native: () => handshakesPerSecond(count, { backend: 'native' }),
    wasm: () => handshakesPerSecond(count, { backend: 'wasm' }),
    js: () => handshakesPerSecond(Math.ceil(count / 10), { backend: 'js' })
  })
  const perSecond = { native: stat(hs.native), wasm: stat(hs.wasm), js: stat(hs.js), ratio: ratio(hs.native, hs.js), wasmRatio: ratio(hs.wasm, hs.js) }
  say(`\nComplete connections per second (TCP connect + handshake, both sides in this process): native ${perSecond.native.median.toFixed(0)} ${formatSpread(perSecond.native)}, ` +
    `wasm ${perSecond.wasm.median.toFixed(0)} ${formatSpread(perSecond.wasm)} (${formatRatio(perSecond.wasmRatio, 1)} js), ` +
    `js ${perSecond.js.median.toFixed(1)} ${formatSpread(perSecond.js)} (native ${formatRatio(perSecond.ratio, 1)} js)`)
  return { throughput, handshakesPerSecond: perSecond }
}
