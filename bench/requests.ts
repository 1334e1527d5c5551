/**
 * A Peer's requests per second: small blocks (one coinbase each, about 180 B) from a stand-in that
 * serves them as Core does (test/helpers/chain-node.ts), over 127.0.0.1 in this process. getBlocks
 * with 16 in flight (Core's MAX_BLOCKS_IN_TRANSIT_PER_PEER) next to one at a time: each request
 * is a getdata and the ping after it, each answer a block and a pong.
 */

import { connectPeerAsync, MAX_BLOCKS_IN_TRANSIT_PER_PEER } from '../lib'
import { blockHash, type BlockHeader, encodeBlockHeader, hashToHex } from '../lib/messages'
import { chainNode } from '../test/helpers/chain-node'
import { REGTEST_GENESIS, regtestBlock } from '../test/helpers/regtest-chain'
import { formatRatio, formatSpread, interleave, ratio, type Stat, stat } from './harness'

export interface RequestsResults {
  blocks: number
  /** Blocks per second, 16 in flight and one at a time, and their ratio per trial. */
  inFlight16: Stat
  oneAtATime: Stat
  ratio: Stat
}

export async function requests (say: (line?: string) => void, quick: boolean): Promise<RequestsResults> {
  const trials = quick ? 3 : 9
  const count = quick ? 500 : 2_000
  const hashes: Uint8Array[] = []
  const served = new Map<string, Uint8Array>()
  const headers: BlockHeader[] = [REGTEST_GENESIS]
  for (let height = 1; height <= count; height++) {
    const b = regtestBlock(height, headers[height - 1]!)
    const hash = blockHash(encodeBlockHeader(b.header))
    headers.push(b.header)
    hashes.push(hash)
    served.set(hashToHex(hash), b.raw)
  }
  const node = await chainNode('regtest', { headers, blocks: served })
  const peer = await connectPeerAsync({ host: '127.0.0.1', port: node.port, network: 'regtest', pingInterval: 0 })
  const perSecond = async (inFlight: number): Promise<number> => {
    const started = process.hrtime.bigint()
    let got = 0
    for await (const _ of peer.getBlocks(hashes, { inFlight })) got++
    return got / (Number(process.hrtime.bigint() - started) / 1e9)
  }
  const runs = await interleave(trials, { many: () => perSecond(MAX_BLOCKS_IN_TRANSIT_PER_PEER), one: () => perSecond(1) })
  await new Promise<void>((resolve) => peer.close(resolve))
  await node.close()
  const results = { blocks: count, inFlight16: stat(runs.many), oneAtATime: stat(runs.one), ratio: ratio(runs.many, runs.one) }
  say('\n### Requests: small blocks from a stand-in on 127.0.0.1, both ends in this process\n')
  say(`Peer.getBlocks of ${count.toLocaleString('en-US')} one-transaction regtest blocks (about 180 B), medians of ${trials} interleaved trials.\n`)
  say('| in flight | blocks per second |')
  say('| ---: | ---: |')
  say(`| ${MAX_BLOCKS_IN_TRANSIT_PER_PEER} | ${results.inFlight16.median.toFixed(0)} ${formatSpread(results.inFlight16)} |`)
  say(`| 1 | ${results.oneAtATime.median.toFixed(0)} ${formatSpread(results.oneAtATime)} |`)
  say(`\n${MAX_BLOCKS_IN_TRANSIT_PER_PEER} in flight / one at a time: ${formatRatio(results.ratio)}`)
  return results
}
