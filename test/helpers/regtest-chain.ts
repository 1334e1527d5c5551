/**
 * A regtest chain of headers mined here, for the headers command's tests: regtest's easy target
 * (bits 0x207fffff, about one nonce in two) makes thousands of valid headers a matter of
 * milliseconds. It starts at regtest's genesis block, whose header is written out from Bitcoin
 * Core's chainparams (CreateGenesisBlock(1296688602, 2, 0x207fffff, 1, 50 * COIN)), and its hash
 * checked against the one Core asserts there (NETWORKS.regtest.genesis).
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/kernel/chainparams.cpp (CRegTestParams)
 */

import { randomBytes } from 'node:crypto'

import { blockHash, type BlockHeader, doubleSha256, encodeBlockHeader, hashFromHex, hashToHex } from '../../lib/messages'
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

/** A regtest block of one coinbase transaction at `height` (BIP 34: its scriptSig starts with the
 *  height), on `prev`, mined to regtest's target. */
export function regtestBlock (height: number, prev: BlockHeader): { header: BlockHeader, raw: Uint8Array } {
  // OP_<height> and a byte (Core wants a scriptSig of 2 to 100 bytes), or the height's minimal
  // CScriptNum push: little-endian, a zero byte after a top bit that would read as a sign.
  const bytes: number[] = []
  for (let h = height; h > 0; h = Math.floor(h / 256)) bytes.push(h % 256)
  if ((bytes[bytes.length - 1]! & 0x80) !== 0) bytes.push(0)
  const scriptSig = height <= 16 ? [0x50 + height, 0] : [bytes.length, ...bytes]
  const coinbase = Buffer.concat([
    Buffer.from('01000000' + '01' + '00'.repeat(32) + 'ffffffff', 'hex'),
    Buffer.from([scriptSig.length, ...scriptSig]),
    Buffer.from('ffffffff' + '01' + '00f2052a01000000' + '01' + '51' + '00000000', 'hex')
  ])
  const header: BlockHeader = { version: 0x20000000, prevBlock: blockHash(encodeBlockHeader(prev)), merkleRoot: doubleSha256(coinbase), time: prev.time + 600, bits: 0x207fffff, nonce: 0 }
  while (blockHash(encodeBlockHeader(header))[31]! >= 0x7f) header.nonce++
  return { header, raw: Uint8Array.from([...encodeBlockHeader(header), 1, ...coinbase]) }
}
