// decodeBlock and checkBlock on published blocks (the five genesis blocks as btcd serializes them,
// checked against Bitcoin Core's chainparams; mainnet block 542,213 and a testnet3 block from
// bitcoinjs-lib, checked against the hashes, roots and sizes published with them), then on blocks
// broken one way at a time, each expected to fail with the reject reason Bitcoin Core gives. The
// broken blocks that need a matching merkle root or witness commitment get it from the tests' own
// merkle function over node:crypto (test/helpers/bytes.ts), not from the library. Provenance:
// test/fixtures/blocks/README.md.

import {
  bip34Height, blockHash, blockMerkleRoot, blockWitnessMerkleRoot, checkBlock, computeMerkleRoot, decodeBlock, decodeCheckedBlock, decodePayload,
  decodeTransaction, hashFromHex, hashToHex, isCoinbase, MAX_BLOCK_WEIGHT, NETWORKS, type NetworkName, witnessCommitmentIndex
} from '../lib'
import { compactSize, hex, merkleRoot, sha256d, toHex } from './helpers/bytes'
import { badPayload, rejected } from './helpers/errors'
import { blockFixture } from './helpers/vectors'

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b
}
const caught = (f: () => unknown): { reason?: string } => {
  try {
    f()
  } catch (err) {
    return err as { reason?: string }
  }
  throw new Error('expected a throw')
}

// A block of these serialized transactions under `header80` with its merkle root set to `root`.
function block (header80: Uint8Array, root: Uint8Array, txs: Uint8Array[]): Buffer {
  const header = Buffer.from(header80)
  Buffer.from(root).copy(header, 36)
  return Buffer.concat([header, compactSize(txs.length), ...txs])
}

// Bitcoin Core, src/kernel/chainparams.cpp: each chain's CreateGenesisBlock(nTime, nNonce, nBits, ...)
// and the hashGenesisBlock and hashMerkleRoot it asserts.
const CORE_GENESIS: Record<NetworkName, { hash: string, merkleRoot: string, time: number, nonce: number, bits: number }> = {
  mainnet: { hash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f', merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b', time: 1231006505, nonce: 2083236893, bits: 0x1d00ffff },
  testnet3: { hash: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943', merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b', time: 1296688602, nonce: 414098458, bits: 0x1d00ffff },
  testnet4: { hash: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043', merkleRoot: '7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e', time: 1714777860, nonce: 393743547, bits: 0x1d00ffff },
  signet: { hash: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6', merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b', time: 1598918400, nonce: 52613770, bits: 0x1e0377ae },
  regtest: { hash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206', merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b', time: 1296688602, nonce: 2, bits: 0x207fffff }
}

describe('the genesis blocks', () => {
  test('NETWORKS has the genesis hash Core asserts for each chain', () => {
    expect(Object.keys(CORE_GENESIS)).toEqual(Object.keys(NETWORKS))
    for (const [name, { hash }] of Object.entries(CORE_GENESIS)) expect(NETWORKS[name as NetworkName].genesis).toBe(hash)
  })

  test.each(Object.keys(CORE_GENESIS) as NetworkName[])('%s: decodes, checks (proof of work included), and has Core\'s hash, root and fields', (network) => {
    const bytes = blockFixture(`genesis-${network}.hex`)
    const core = CORE_GENESIS[network]
    const b = decodeCheckedBlock(bytes, { network })
    expect(hashToHex(b.hash)).toBe(core.hash)
    expect(b.header).toEqual({ version: 1, prevBlock: new Uint8Array(32), merkleRoot: hashFromHex(core.merkleRoot), time: core.time, bits: core.bits, nonce: core.nonce })
    expect(b.transactions).toHaveLength(1)
    const [coinbase] = b.transactions
    expect(isCoinbase(coinbase!)).toBe(true)
    expect(hashToHex(coinbase!.txid)).toBe(core.merkleRoot) // one transaction: the root is its txid
    expect(coinbase!.hasWitness).toBe(false)
    expect(coinbase!.outputs.map((o) => o.value)).toEqual([50n * 100_000_000n]) // 50 * COIN
    expect(toHex(b.raw)).toBe(toHex(bytes))
  })

  test('the mainnet genesis block as a block message: decodePayload keeps it raw, decodeBlock decodes that', () => {
    const payload = blockFixture('genesis-mainnet.hex')
    const msg = decodePayload('block', payload)
    expect(msg).toEqual({ type: 'block', raw: payload })
    expect(hashToHex(decodeBlock(msg.raw).hash)).toBe(NETWORKS.mainnet.genesis)
  })
})

// bitcoinjs-lib's "Block with witness commit": mainnet block 542,213, with the values published beside it.
const BLOCK_542213 = {
  id: '000000000000000000143a2c56c0214236dadfd30df41d4a0345492ad6d861ec',
  merkleRoot: '135e9b653aee9a70028aff2db53d4f43f4484ad52558c3ae300410b79cb6a864', // as serialized, not reversed
  witnessCommit: '4a657fcaa2149342376247e2e283a55a6b92dcc35d4d89e4ac7b74488cb63be2',
  size: 2355,
  strippedSize: 2209,
  weight: 8982
}

describe('mainnet block 542,213 (segwit, with a witness commitment)', () => {
  const bytes = blockFixture('bitcoinjs-block-542213.hex')

  test('decodes and checks on mainnet: its hash and merkle root', () => {
    const b = decodeCheckedBlock(bytes, { network: 'mainnet' })
    expect(hashToHex(b.hash)).toBe(BLOCK_542213.id)
    expect(toHex(b.header.merkleRoot)).toBe(BLOCK_542213.merkleRoot)
    expect(toHex(blockMerkleRoot(b.transactions).root)).toBe(BLOCK_542213.merkleRoot)
    expect(b.raw.length).toBe(BLOCK_542213.size)
  })

  test('its transactions, found by decoding one after another, tile the block exactly', () => {
    const b = decodeBlock(bytes)
    expect(b.transactions).toHaveLength(4)
    expect(toHex(Buffer.concat([b.raw.subarray(0, 81), ...b.transactions.map((tx) => tx.raw)]))).toBe(toHex(bytes))
    expect(b.transactions.map((tx) => tx.hasWitness)).toEqual([true, false, true, false])
    expect(b.transactions.map(isCoinbase)).toEqual([true, false, false, false])
  })

  test('weight 8982 and stripped size 2209, from the transactions\' weights', () => {
    const b = decodeBlock(bytes)
    const weight = 4 * 81 + b.transactions.reduce((n, tx) => n + tx.weight, 0)
    expect(weight).toBe(BLOCK_542213.weight)
    expect((weight - BLOCK_542213.size) / 3).toBe(BLOCK_542213.strippedSize)
  })

  test('the witness commitment: the coinbase output holds the published one, and it commits to the wtxids', () => {
    const b = decodeBlock(bytes)
    const at = witnessCommitmentIndex(b)
    expect(at).toBe(1)
    const script = b.transactions[0]!.outputs[at]!.scriptPubKey
    expect(toHex(script)).toBe('6a24aa21a9ed' + BLOCK_542213.witnessCommit)
    const reserved = b.transactions[0]!.inputs[0]!.witness
    expect(reserved.map(toHex)).toEqual(['00'.repeat(32)])
    expect(toHex(sha256d(blockWitnessMerkleRoot(b.transactions), reserved[0]!))).toBe(BLOCK_542213.witnessCommit)
  })
})

describe('the header object and the height in the coinbase', () => {
  test('blockHash of the decoded header is the published block hash, as of its 80 bytes', () => {
    const b = decodeBlock(blockFixture('bitcoinjs-block-542213.hex'))
    expect(hashToHex(blockHash(b.header))).toBe(BLOCK_542213.id)
    expect(blockHash(b.header)).toEqual(blockHash(b.raw.subarray(0, 80)))
    const genesis = decodeBlock(blockFixture('genesis-mainnet.hex'))
    expect(hashToHex(blockHash(genesis.header))).toBe(NETWORKS.mainnet.genesis)
  })

  test('a header object with a field out of range is ERR_BIP324_INVALID_ARG', () => {
    const { header } = decodeBlock(blockFixture('genesis-mainnet.hex'))
    for (const bad of [{ ...header, nonce: 2 ** 32 }, { ...header, prevBlock: new Uint8Array(31) }]) {
      expect(() => blockHash(bad)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    }
  })

  test('block 542,213 says 542,213 in its coinbase (03 054608), from the block or the coinbase alone', () => {
    const b = decodeBlock(blockFixture('bitcoinjs-block-542213.hex'))
    expect(toHex(b.transactions[0]!.inputs[0]!.scriptSig.subarray(0, 4))).toBe('03054608')
    expect(bip34Height(b)).toBe(542_213)
    expect(bip34Height(b.transactions[0]!)).toBe(542_213)
  })

  test('the genesis block predates BIP-34: its scriptSig starts with a push that is not its height', () => {
    // 04 ffff001d, the bits of the genesis block (chainparams.cpp's CreateGenesisBlock, "486604799").
    expect(bip34Height(decodeBlock(blockFixture('genesis-mainnet.hex')))).toBe(486_604_799)
  })

  // Coinbases written by hand around the scriptSig, with the height pushed as Core's `CScript() <<
  // nHeight` pushes it (script.h push_int64: OP_0, OP_1..OP_16, else a minimal CScriptNum), which
  // ContextualCheckBlock compares byte for byte, and pushes Core would not write.
  const coinbase = (scriptSig: string): ReturnType<typeof decodeTransaction> => decodeTransaction(Buffer.concat([
    hex('01000000' + '01' + '00'.repeat(32) + 'ffffffff'), compactSize(scriptSig.length / 2), hex(scriptSig), hex('ffffffff' + '01' + '00'.repeat(8) + '00' + '00000000')
  ]))

  test.each([
    ['OP_0', '0000', 0], ['OP_1 (regtest block 1: Core\'s miner adds OP_0)', '5100', 1], ['OP_16', '6000', 16],
    ['17, one byte', '0111', 17], ['127', '017f', 127], ['128, a sign byte after 0x80', '028000', 128],
    ['2^23 - 1', '03ffff7f', 8_388_607], ['2^23, four bytes', '0400008000', 8_388_608], ['2^31 - 1', '04ffffff7f', 2_147_483_647]
  ])('%s: %s reads as %i', (_name, scriptSig, height) => {
    expect(bip34Height(coinbase(scriptSig))).toBe(height)
  })

  test.each([
    ['an empty scriptSig', ''], ['a push of 1 as a byte (Core writes OP_1)', '0101'], ['a padded push of 5', '020500'],
    ['a negative number', '0181'], ['OP_1NEGATE', '4f'], ['a 5-byte push', '050000000001'], ['a push cut short', '03ffff'],
    ['an opcode, not a push', '76a9']
  ])('no height: %s', (_name, scriptSig) => {
    expect(bip34Height(coinbase(scriptSig))).toBeUndefined()
  })

  test('a transaction that is not a coinbase is ERR_BIP324_INVALID_ARG', () => {
    const b = decodeBlock(blockFixture('bitcoinjs-block-542213.hex'))
    expect(() => bip34Height(b.transactions[1]!)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })
})

// bitcoinjs-lib's "Block (~3 KiB)": testnet3, 10 transactions, no witness data.
const TESTNET3_10TX = { id: '000000005ee8f3674748276fdc56a0202714d94bde87cd943195cc84cf57caf0', merkleRoot: '0ebdaf5341d911e69ab53928e3f9f46e5ece27b950f3b43eae521a602bde41d3' }

test('a testnet3 block of 10 transactions decodes and checks on testnet3, with its published hash and root', () => {
  const b = decodeCheckedBlock(blockFixture('bitcoinjs-block-testnet3-10tx.hex'), { network: 'testnet3' })
  expect(hashToHex(b.hash)).toBe(TESTNET3_10TX.id)
  expect(toHex(b.header.merkleRoot)).toBe(TESTNET3_10TX.merkleRoot)
  expect(b.transactions).toHaveLength(10)
  expect(witnessCommitmentIndex(b)).toBe(-1)
})

test('computeMerkleRoot: no leaves give zeros, one leaf is itself, as Core\'s ComputeMerkleRoot', () => {
  expect(computeMerkleRoot([])).toEqual({ root: new Uint8Array(32), mutated: false })
  const leaf = sha256d(hex('00'))
  expect(computeMerkleRoot([leaf])).toEqual({ root: new Uint8Array(leaf), mutated: false })
  expect(computeMerkleRoot([leaf, leaf]).mutated).toBe(true)
})

describe('blocks Bitcoin Core would reject, each with Core\'s reason', () => {
  const good = blockFixture('bitcoinjs-block-542213.hex')
  const genesisHeader = blockFixture('genesis-mainnet.hex').subarray(0, 80)
  const genesisCoinbase = blockFixture('genesis-mainnet.hex').subarray(81)
  const legacyTx = blockFixture('rust-bitcoin-legacy-tx.hex')
  const segwitTx = blockFixture('rust-bitcoin-segwit-tx.hex')
  // Where the coinbase's witness (one 32-byte zero reserved value) ends and tx 1 begins.
  const RESERVED = '0120' + '00'.repeat(32) + '00000000' + '01000000'
  const reservedAt = toHex(good).indexOf(RESERVED) / 2
  const withCoinbaseWitness = (witness: string): Buffer =>
    Buffer.concat([good.subarray(0, reservedAt), hex(witness), good.subarray(reservedAt + 34)])

  test('the coinbase witness sits where this file says (the setup of the witness cases)', () => {
    expect(reservedAt).toBeGreaterThan(81)
    expect(toHex(good).lastIndexOf(RESERVED) / 2).toBe(reservedAt)
    expect(toHex(withCoinbaseWitness('0120' + '00'.repeat(32)))).toBe(toHex(good))
  })

  test('cut anywhere: malformed, with no reject reason', () => {
    for (let cut = 0; cut < good.length; cut++) expect(() => decodeBlock(good.subarray(0, cut))).toThrow(badPayload(/truncated|malformed transaction/))
    expect(caught(() => decodeBlock(good.subarray(0, 100))).reason).toBeUndefined()
  })

  test('a byte after the last transaction', () => {
    expect(() => decodeBlock(Buffer.concat([good, Buffer.of(0)]))).toThrow(badPayload(/1 unexpected bytes after the payload/))
  })

  test('a transaction count of 2^32 - 1, or one more than there are: refused by the bytes left', () => {
    const huge = Buffer.concat([good.subarray(0, 80), hex('feffffffff'), good.subarray(81)])
    expect(() => decodeBlock(huge)).toThrow(badPayload(/transactions: 4294967295 announced/))
    const five = Buffer.from(good)
    five[80] = 5
    expect(() => decodeBlock(five)).toThrow(badPayload(/malformed transaction/))
  })

  test('a byte of the header\'s merkle root flipped: bad-txnmrklroot (high-hash first when the network is given, as Core checks the header first)', () => {
    const bad = Buffer.from(good)
    bad[36]! ^= 1
    expect(() => decodeCheckedBlock(bad)).toThrow(rejected('bad-txnmrklroot'))
    expect(() => decodeCheckedBlock(bad, { network: 'mainnet' })).toThrow(rejected('high-hash'))
  })

  test('the last two transactions repeated, same merkle root (CVE-2012-2459): bad-txns-duplicate', () => {
    const original = decodeBlock(blockFixture('bitcoinjs-block-testnet3-10tx.hex'))
    const txs = original.transactions.map((tx) => tx.raw)
    const mutated = block(original.raw.subarray(0, 80), original.header.merkleRoot, [...txs, txs[8]!, txs[9]!])
    expect(toHex(merkleRoot([...txs, txs[8]!, txs[9]!].map((t) => sha256d(t))))).toBe(toHex(original.header.merkleRoot))
    expect(() => decodeCheckedBlock(mutated)).toThrow(rejected('bad-txns-duplicate'))
  })

  test('no transactions: bad-blk-length', () => {
    expect(() => decodeCheckedBlock(block(genesisHeader, new Uint8Array(32), []))).toThrow(rejected('bad-blk-length'))
  })

  test('over 1,000,000 bytes without witness data: bad-blk-length', () => {
    // 5,200 distinct transactions of 193 bytes: rust-bitcoin's legacy one with the lock time varied.
    const txs = fillers(5200)
    expect(() => decodeCheckedBlock(block(genesisHeader, merkleRoot(txs.map((t) => sha256d(t))), txs))).toThrow(rejected('bad-blk-length'))
  })

  test('a first transaction that is not a coinbase: bad-cb-missing', () => {
    expect(() => decodeCheckedBlock(block(genesisHeader, sha256d(legacyTx), [legacyTx]))).toThrow(rejected('bad-cb-missing'))
  })

  test('a second coinbase: bad-cb-multiple', () => {
    // bitcoinjs-lib's witness coinbase, serialized without its witness: a coinbase all the same.
    const coinbase2 = hex('02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff05022b020101ffffffff02c0cf402500000000232103c6c5964853fd00fb3271ac002831c66825102d223c706ce0ee99e73db3be4aa1ac0000000000000000266a24aa21a9edff828eb21f40ab251d9f107792670aba9299028b894a364fda570f6a089dcfe900000000')
    const txs = [genesisCoinbase, coinbase2]
    expect(() => decodeCheckedBlock(block(genesisHeader, merkleRoot(txs.map((t) => sha256d(t))), txs))).toThrow(rejected('bad-cb-multiple'))
  })

  test('a coinbase reserved value of 31 bytes, or two of them: bad-witness-nonce-size (the txids, so the merkle root, unchanged)', () => {
    expect(() => decodeCheckedBlock(withCoinbaseWitness('011f' + '00'.repeat(31)))).toThrow(rejected('bad-witness-nonce-size'))
    expect(() => decodeCheckedBlock(withCoinbaseWitness('0220' + '00'.repeat(32) + '00'))).toThrow(rejected('bad-witness-nonce-size'))
  })

  test('another reserved value, or a witness byte of another transaction changed: bad-witness-merkle-match', () => {
    expect(() => decodeCheckedBlock(withCoinbaseWitness('0120' + '01' + '00'.repeat(31)))).toThrow(rejected('bad-witness-merkle-match'))
    const b = decodeBlock(good)
    const witnessItem = b.transactions[2]!.inputs[0]!.witness[0]!
    const at = witnessItem.byteOffset - b.raw.byteOffset + 10 // a byte inside tx 2's signature
    const bad = Buffer.from(good)
    bad[at]! ^= 1
    expect(() => decodeCheckedBlock(bad)).toThrow(rejected('bad-witness-merkle-match'))
  })

  test('witness data in a block without a commitment: unexpected-witness', () => {
    const txids = [sha256d(genesisCoinbase), hashFromHex('f5864806e3565c34d1b41e716f72609d00b55ea5eac5b924c9719a842ef42206')] // rust-bitcoin's txid
    expect(() => decodeCheckedBlock(block(genesisHeader, merkleRoot(txids), [genesisCoinbase, segwitTx]))).toThrow(rejected('unexpected-witness'))
  })

  // A block of a segwit coinbase (a zero reserved value; its scriptSig `pad` bytes of OP_TRUE, its
  // outputs scripts made from the right commitment) and `fillers`.
  const commitmentScript = (commitment: Uint8Array): Buffer => Buffer.concat([hex('6a24aa21a9ed'), commitment])
  function segwitBlock (fillers: Buffer[], pad = 2, scripts: (commitment: Uint8Array) => Buffer[] = (c) => [commitmentScript(c)]): Buffer {
    const witnessRoot = merkleRoot([Buffer.alloc(32), ...fillers.map((t) => sha256d(t))])
    const outputs = scripts(sha256d(witnessRoot, Buffer.alloc(32)))
    const input = Buffer.concat([Buffer.alloc(32), hex('ffffffff'), compactSize(pad), Buffer.alloc(pad, 0x51), hex('ffffffff')])
    const vout = Buffer.concat([compactSize(outputs.length), ...outputs.map((o) => Buffer.concat([Buffer.alloc(8), compactSize(o.length), o]))])
    const base = Buffer.concat([u32(2), hex('01'), input, vout, u32(0)])
    const full = Buffer.concat([u32(2), hex('0001'), hex('01'), input, vout, hex('0120'), Buffer.alloc(32), u32(0)])
    return block(genesisHeader, merkleRoot([sha256d(base), ...fillers.map((t) => sha256d(t))]), [full, ...fillers])
  }
  const fillers = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.concat([legacyTx.subarray(0, legacyTx.length - 4), u32(i)]))

  test('a block built here with a commitment passes; with two, the last counts (Core\'s GetWitnessCommitmentIndex)', () => {
    expect(() => decodeBlock(segwitBlock(fillers(3)))).not.toThrow()
    const wrong = commitmentScript(Buffer.alloc(32, 7))
    expect(() => decodeBlock(segwitBlock(fillers(3), 2, (c) => [wrong, commitmentScript(c)]))).not.toThrow()
    expect(() => decodeCheckedBlock(segwitBlock(fillers(3), 2, (c) => [commitmentScript(c), wrong]))).toThrow(rejected('bad-witness-merkle-match'))
    // A longer script still counts (Core: at least 38 bytes); a shorter one is no commitment.
    expect(() => decodeCheckedBlock(segwitBlock(fillers(3), 2, (c) => [commitmentScript(c), Buffer.concat([wrong, hex('00')])]))).toThrow(rejected('bad-witness-merkle-match'))
    expect(() => decodeBlock(segwitBlock(fillers(3), 2, (c) => [commitmentScript(c), wrong.subarray(0, 37)]))).not.toThrow()
  })

  // The same, with as many fillers as fit and the scriptSig padded (300 bytes or more, so its length
  // takes 3 bytes) for the size without witness data to be `stripped`.
  function heavyBlock (stripped: number): Buffer {
    const count = Math.floor((stripped - 80 - 3 - 400) / legacyTx.length)
    const baseWithoutPad = 4 + 1 + (32 + 4 + 3 + 4) + (1 + 8 + 1 + 38) + 4
    const b = segwitBlock(fillers(count), stripped - 80 - 3 - count * legacyTx.length - baseWithoutPad)
    expect(b.length - 36).toBe(stripped) // marker, flag and the 34-byte witness: 36 bytes of witness data
    return b
  }

  test('a block of 1,000,000 bytes without its witness and 36 of witness: bad-blk-weight; 9 bytes lighter, at the limit, it passes', () => {
    expect(() => decodeCheckedBlock(heavyBlock(1_000_000))).toThrow(rejected('bad-blk-weight'))
    // Weight 4 x stripped + 36: at most MAX_BLOCK_WEIGHT from 999,991 bytes down.
    const light = decodeBlock(heavyBlock(999_991))
    expect(4 * 80 + 4 * 3 + light.transactions.reduce((n, tx) => n + tx.weight, 0)).toBe(MAX_BLOCK_WEIGHT)
  })

  test('bits changed, set negative or overflowing: high-hash on the network', () => {
    for (const bits of [0x1700ffff, 0x17a819a1, 0xff123456]) {
      const bad = Buffer.from(good)
      bad.writeUInt32LE(bits, 72)
      expect(() => decodeCheckedBlock(bad, { network: 'mainnet' })).toThrow(rejected('high-hash'))
    }
    expect(() => decodeCheckedBlock(blockFixture('genesis-regtest.hex'), { network: 'mainnet' })).toThrow(rejected('high-hash'))
  })

  test('the error names the block by its hash and gives Core\'s debug message', () => {
    const bad = Buffer.from(good)
    bad[36]! ^= 1
    expect(() => decodeCheckedBlock(bad)).toThrow(/^block [0-9a-f]{64}: bad-txnmrklroot \(hashMerkleRoot mismatch\)$/)
  })

  test('decodeBlock only decodes; checkBlock then gives decodeCheckedBlock\'s verdict', () => {
    const bad = Buffer.from(good)
    bad[36]! ^= 1
    const b = decodeBlock(bad)
    expect(b.transactions).toHaveLength(4)
    expect(() => checkBlock(b)).toThrow(rejected('bad-txnmrklroot'))
    expect(() => checkBlock(decodeBlock(good), { network: 'mainnet' })).not.toThrow()
  })

  test.each([
    ['options to decodeBlock (it checked with them until 0.1: refused, not skipped)', () => decodeBlock(good, { network: 'mainnet' })],
    ['options that are not an object', () => decodeCheckedBlock(good, null as unknown as object)],
    ['an unknown network, before anything is decoded', () => decodeCheckedBlock(new Uint8Array(0), { network: 'bitcoin' as NetworkName })],
    ['bytes that are not a Uint8Array', () => decodeBlock('00' as unknown as Uint8Array)]
  ])('%s: ERR_BIP324_INVALID_ARG', (_name, f) => {
    expect(f).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })

  test('over 4,000,000 bytes: ERR_BIP324_OVERSIZED', () => {
    expect(() => decodeBlock(new Uint8Array(4_000_001))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_OVERSIZED' }))
  })
})
