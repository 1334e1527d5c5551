// Proof of work against Bitcoin Core's own vectors and parameters: SetCompact's cases from Core's
// src/test/arith_uint256_tests.cpp, each network's powLimit from src/kernel/chainparams.cpp,
// bitcoinjs-lib's targets and headers (a valid mainnet header and the same with its nonce zeroed),
// the genesis blocks (test/fixtures/blocks/README.md), Blockchair's chain work of the genesis block,
// and checkHeaders on a run of real headers.

import {
  blockHash, blockProof, checkHeaders, checkProofOfWork, decodeBlockHeader, decodeCompact, deriveTarget, encodeBlockHeader,
  hashFromHex, hashToHex, NETWORKS, type NetworkName, powLimitOf
} from '../lib'
import { hex } from './helpers/bytes'
import { rejected } from './helpers/errors'
import { blockFixture } from './helpers/vectors'

const genesisHeader = (network: NetworkName): Uint8Array =>
  blockFixture(`genesis-${network}.hex`).subarray(0, 80)
const invalidArg = expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' })

// Bitcoin Core, src/test/arith_uint256_tests.cpp (commit 03b645bfdbae164bc1f9157b505255eb68af1c02),
// bignum_SetCompact: nCompact, GetHex() of the result, fNegative, fOverflow.
const CORE_SET_COMPACT: Array<[number, string | undefined, boolean, boolean]> = [
  [0, '0', false, false],
  [0x00123456, '0', false, false],
  [0x01003456, '0', false, false],
  [0x02000056, '0', false, false],
  [0x03000000, '0', false, false],
  [0x04000000, '0', false, false],
  [0x00923456, '0', false, false],
  [0x01803456, '0', false, false],
  [0x02800056, '0', false, false],
  [0x03800000, '0', false, false],
  [0x04800000, '0', false, false],
  [0x01123456, '12', false, false],
  [0x01fedcba, '7e', true, false],
  [0x02123456, '1234', false, false],
  [0x03123456, '123456', false, false],
  [0x04123456, '12345600', false, false],
  [0x04923456, '12345600', true, false],
  [0x05009234, '92340000', false, false],
  [0x20123456, '1234560000000000000000000000000000000000000000000000000000000000', false, false],
  // Core checks only the flags of this one.
  [0xff123456, undefined, false, true]
]

test.each(CORE_SET_COMPACT.map(([bits, ...rest]) => [`0x${bits.toString(16).padStart(8, '0')}`, bits, ...rest] as const))(
  'SetCompact(%s) as Bitcoin Core\'s arith_uint256 tests have it', (_name, bits, target, negative, overflow) => {
    const got = decodeCompact(bits)
    if (target !== undefined) expect(got.target).toBe(BigInt(`0x${target}`))
    expect({ negative: got.negative, overflow: got.overflow }).toEqual({ negative, overflow })
  })

// bitcoinjs-lib test/fixtures/block.json (commit 248789d25b9833ed286c9ca4b9bfd93f099fd8a3), "targets".
// bitcoinjs-lib does not report the sign bit; Core's SetCompact does (see 0x04923456 above).
test.each([
  ['1d00ffff', '00000000ffff0000000000000000000000000000000000000000000000000000', false],
  ['1b80ffff', '000000000000ffff000000000000000000000000000000000000000000000000', true],
  ['1b0404cb', '00000000000404cb000000000000000000000000000000000000000000000000', false],
  ['1814dd04', '000000000000000014dd04000000000000000000000000000000000000000000', false],
  ['0cffca00', '00000000000000000000000000000000000000007fca00000000000000000000', true],
  ['207fffff', '7fffff0000000000000000000000000000000000000000000000000000000000', false]
])('bits %s give bitcoinjs-lib\'s target %s (negative: %s)', (bits, target, negative) => {
  expect(decodeCompact(parseInt(bits, 16))).toEqual({ target: BigInt(`0x${target}`), negative, overflow: false })
  if (negative) expect(deriveTarget(parseInt(bits, 16), powLimitOf('regtest'))).toBeUndefined()
})

// Bitcoin Core, src/kernel/chainparams.cpp: consensus.powLimit of each chain.
const CORE_POW_LIMITS: Record<NetworkName, string> = {
  mainnet: '00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  testnet3: '00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  testnet4: '00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  signet: '00000377ae000000000000000000000000000000000000000000000000000000',
  regtest: '7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
}

test('every network\'s powLimit is Bitcoin Core\'s', () => {
  expect(Object.keys(CORE_POW_LIMITS)).toEqual(Object.keys(NETWORKS))
  for (const [name, limit] of Object.entries(CORE_POW_LIMITS)) {
    expect(NETWORKS[name as NetworkName].powLimit).toBe(limit)
    expect(powLimitOf(name as NetworkName)).toBe(BigInt(`0x${limit}`))
  }
  expect(powLimitOf({ powLimit: 5n })).toBe(5n)
})

test.each(Object.keys(NETWORKS) as NetworkName[])('the %s genesis header meets its own target on its network', (network) => {
  const header = genesisHeader(network)
  expect(hashToHex(blockHash(header))).toBe(NETWORKS[network].genesis)
  expect(checkProofOfWork(blockHash(header), decodeBlockHeader(header).bits, network)).toBe(true)
})

test('a target over the network\'s powLimit fails however low the hash: regtest\'s genesis on mainnet, signet\'s on testnet4', () => {
  for (const [from, on] of [['regtest', 'mainnet'], ['signet', 'testnet4']] as const) {
    const header = genesisHeader(from)
    expect(checkProofOfWork(blockHash(header), decodeBlockHeader(header).bits, on)).toBe(false)
  }
  // The other way round each is within the larger limit.
  const mainnet = genesisHeader('mainnet')
  expect(checkProofOfWork(blockHash(mainnet), 0x1d00ffff, 'regtest')).toBe(true)
})

// bitcoinjs-lib test/fixtures/block.json: mainnet block 370,090's header, and the same with nonce 0
// ("valid": false).
const HEADER_370090 = '03000000af7b8278e9c67a6d6b3453239d83406a1b21aaed2bfeb10e0000000000000000a4a4dda66b46547ff41d668543f1f20a5974488257a1f35a07c1815187b30ab9913dd05504dd14189f370acd'
const HEADER_370090_NONCE_0 = '03000000af7b8278e9c67a6d6b3453239d83406a1b21aaed2bfeb10e0000000000000000a4a4dda66b46547ff41d668543f1f20a5974488257a1f35a07c1815187b30ab9913dd05504dd141800000000'

test('bitcoinjs-lib\'s block 370,090 header passes, and fails with its nonce zeroed', () => {
  const good = hex(HEADER_370090)
  expect(hashToHex(blockHash(good))).toBe('0000000000000000110f732932babf666ee2d7438529f55a286a751c30dff720')
  expect(checkProofOfWork(blockHash(good), 0x1814dd04, 'mainnet')).toBe(true)
  const bad = hex(HEADER_370090_NONCE_0)
  expect(hashToHex(blockHash(bad))).toBe('3d7e96a81344bf43c4cb695de640993f2a1cc4511dcc95f3e777ebc7f037ec0f')
  expect(checkProofOfWork(blockHash(bad), 0x1814dd04, 'mainnet')).toBe(false)
})

test('negative, zero and overflowing bits give no target, so no hash meets them', () => {
  const limit = powLimitOf('regtest')
  for (const bits of [0x04923456, 0x1d80ffff, 0, 0x03000000, 0xff123456, 0x23000001]) expect(deriveTarget(bits, limit)).toBeUndefined()
  expect(checkProofOfWork(new Uint8Array(32), 0x1d80ffff, 'regtest')).toBe(false) // even the zero hash
  expect(checkProofOfWork(new Uint8Array(32), 0xff123456, 'regtest')).toBe(false)
  expect(deriveTarget(0x1d00ffff, powLimitOf('mainnet'))).toBe(BigInt('0x00000000ffff0000000000000000000000000000000000000000000000000000'))
})

test('blockProof: the genesis block\'s chain work is 0x100010001 (Blockchair\'s API documentation, block 0), regtest\'s bits give 2', () => {
  // github.com/Blockchair/Blockchair.Support, API_DOCUMENTATION_EN.md, the dashboards/block/0 example:
  // "chainwork": "0000000000000000000000000000000000000000000000000000000100010001".
  expect(blockProof(0x1d00ffff)).toBe(0x100010001n)
  // 2^256 / (0x7fffff * 2^232 + 1), rounded down.
  expect(blockProof(0x207fffff)).toBe(2n)
  for (const bits of [0, 0x04923456, 0xff123456]) expect(blockProof(bits)).toBe(0n)
})

// Mainnet blocks 0 and 1 (as in test/messages-golden.test.ts).
const BLOCK0 = genesisHeader('mainnet')
const BLOCK1 = hex('010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299')

describe('checkHeaders', () => {
  const headers = [decodeBlockHeader(BLOCK0), decodeBlockHeader(BLOCK1)]

  test('blocks 0 and 1: their hashes, and twice the genesis work', () => {
    const chain = checkHeaders(headers, { network: 'mainnet', prevBlock: new Uint8Array(32) })
    expect(chain.hashes.map(hashToHex)).toEqual([NETWORKS.mainnet.genesis, '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048'])
    expect(chain.work).toBe(2n * 0x100010001n)
    expect(checkHeaders([headers[1]!], { network: 'mainnet', prevBlock: hashFromHex(NETWORKS.mainnet.genesis) }).hashes).toHaveLength(1)
    expect(checkHeaders([], { network: 'mainnet' })).toEqual({ hashes: [], work: 0n })
  })

  test('out of order, or not on the given tip: prev-blk-not-found', () => {
    expect(() => checkHeaders([headers[1]!, headers[0]!], { network: 'mainnet' })).toThrow(rejected('prev-blk-not-found'))
    expect(() => checkHeaders(headers, { network: 'mainnet', prevBlock: hashFromHex(NETWORKS.testnet3.genesis) })).toThrow(rejected('prev-blk-not-found'))
  })

  test('a header whose hash misses its target, or whose bits are over the limit: high-hash', () => {
    expect(() => checkHeaders([{ ...headers[0]!, nonce: 0 }], { network: 'mainnet' })).toThrow(rejected('high-hash'))
    expect(() => checkHeaders([decodeBlockHeader(genesisHeader('regtest'))], { network: 'mainnet' })).toThrow(rejected('high-hash'))
    expect(() => checkHeaders([decodeBlockHeader(genesisHeader('regtest'))], { network: 'regtest' })).not.toThrow()
  })

  test('the error names the header by its hash', () => {
    const bad = { ...headers[0]!, nonce: 0 }
    expect(() => checkHeaders([bad], { network: 'mainnet' })).toThrow(hashToHex(blockHash(encodeBlockHeader(bad))))
  })

  test('bad arguments are ERR_BIP324_INVALID_ARG', () => {
    expect(() => checkHeaders(headers, { network: 'mainnet3' as NetworkName })).toThrow(invalidArg)
    expect(() => checkHeaders(headers, undefined as unknown as { network: NetworkName })).toThrow(invalidArg)
    expect(() => checkHeaders(headers, { network: 'mainnet', prevBlock: new Uint8Array(31) })).toThrow(invalidArg)
    expect(() => checkHeaders('headers' as unknown as [], { network: 'mainnet' })).toThrow(invalidArg)
  })
})

test.each([
  ['bits -1', () => decodeCompact(-1)],
  ['bits 2^32', () => decodeCompact(2 ** 32)],
  ['bits 1.5', () => decodeCompact(1.5)],
  ['an unknown network', () => powLimitOf('toString' as NetworkName)],
  ['a powLimit as a number', () => powLimitOf({ powLimit: 5 as unknown as bigint })],
  ['a powLimit of 2^256', () => powLimitOf({ powLimit: 1n << 256n })],
  ['a hash of 31 bytes', () => checkProofOfWork(new Uint8Array(31), 0x1d00ffff, 'mainnet')]
])('%s is ERR_BIP324_INVALID_ARG', (_name, f) => {
  expect(f).toThrow(invalidArg)
})
