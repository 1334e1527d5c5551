/**
 * A regtest chain of headers mined here, for the headers command's tests: regtest's easy target
 * (bits 0x207fffff, about one nonce in two) makes thousands of valid headers a matter of
 * milliseconds. It starts at regtest's genesis block, whose header is written out from Bitcoin
 * Core's chainparams (CreateGenesisBlock(1296688602, 2, 0x207fffff, 1, 50 * COIN)), and its hash
 * checked against the one Core asserts there (NETWORKS.regtest.genesis).
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/kernel/chainparams.cpp (CRegTestParams)
 */

import { randomBytes } from 'node:crypto'

import { blockHash, type BlockHeader, encodeBlockHeader, hashFromHex, hashToHex } from '../../lib/messages'
import { NETWORKS } from '../../lib/network'

/** Regtest's genesis header, field by field as chainparams.cpp builds it. */
export const REGTEST_GENESIS: BlockHeader = {
  version: 1,
  prevBlock: new Uint8Array(32),
  merkleRoot: hashFromHex('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'),
  time: 1296688602,
  bits: 0x207fffff,
  nonce: 2
}

// Whether a hash meets bits 0x207fffff: its target is 0x7fffff followed by 29 zero bytes, so the
// hash (a little-endian number) must be below 0x7fffff * 2^232. Only the top three bytes decide.
function meetsRegtestTarget (hash: Uint8Array): boolean {
  const top = hash[31]! << 16 | hash[30]! << 8 | hash[29]!
  return top < 0x7fffff || (top === 0x7fffff && hash.subarray(0, 29).every((b) => b === 0))
}

/** `count` headers after `after` (genesis by default), each on the one before, each meeting its
 *  target, ten minutes apart. */
export function mineRegtestHeaders (count: number, after: BlockHeader = REGTEST_GENESIS): BlockHeader[] {
  const headers: BlockHeader[] = []
  let prev = blockHash(encodeBlockHeader(after))
  if (after === REGTEST_GENESIS && hashToHex(prev) !== NETWORKS.regtest.genesis) throw new Error('the regtest genesis header is not the one Core asserts')
  for (let i = 0; i < count; i++) {
    const header: BlockHeader = { version: 0x20000000, prevBlock: prev, merkleRoot: new Uint8Array(randomBytes(32)), time: after.time + 600 * (i + 1), bits: 0x207fffff, nonce: 0 }
    let hash = blockHash(encodeBlockHeader(header))
    while (!meetsRegtestTarget(hash)) {
      header.nonce++
      hash = blockHash(encodeBlockHeader(header))
    }
    headers.push(header)
    prev = hash
  }
  return headers
}
