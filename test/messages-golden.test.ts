// Known bytes from public sources, decoded and hashed: each expected value comes from the cited
// document (or from Bitcoin's chain itself), never from our own encoder.

import {
  blockHash, decodeBlockHeader, decodePayload, encodePayload, hashFromHex, hashToHex, txid, wtxid
} from '../lib/messages'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const ipv4Mapped = (a: number, b: number, c: number, d: number): Uint8Array => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d)

// The mainnet genesis block header and its first transaction, as in Bitcoin Core's
// src/kernel/chainparams.cpp (CreateGenesisBlock) and any block explorer.
const GENESIS_HEADER =
  '01000000' + '00'.repeat(32) +
  '3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a' + '29ab5f49' + 'ffff001d' + '1dac2b7c'
const GENESIS_HASH = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'
const GENESIS_COINBASE =
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104' +
  '455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365' +
  '636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967' +
  'f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c' +
  '702b6bf11d5fac00000000'
const GENESIS_TXID = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'
// Block 1, whose header points back at the genesis block.
const BLOCK1_HEADER =
  '010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1f' +
  'ee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299'
const BLOCK1_HASH = '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048'

test('the genesis header hashes to 000000000019d6…e26f', () => {
  expect(hashToHex(blockHash(hex(GENESIS_HEADER)))).toBe(GENESIS_HASH)
  expect(toHex(hashFromHex(GENESIS_HASH))).toBe(toHex(blockHash(hex(GENESIS_HEADER))))
})

test('the genesis header decodes to its published fields', () => {
  const h = decodeBlockHeader(hex(GENESIS_HEADER))
  expect(h.version).toBe(1)
  expect(h.prevBlock).toEqual(new Uint8Array(32))
  expect(hashToHex(h.merkleRoot)).toBe(GENESIS_TXID) // one transaction: the root is its txid
  expect(h.time).toBe(1231006505) // 2009-01-03 18:15:05 UTC
  expect(h.bits).toBe(0x1d00ffff)
  expect(h.nonce).toBe(2083236893)
})

test('the genesis coinbase has txid 4a5e1e4b…a33b, and no witness so wtxid is the same', () => {
  expect(hashToHex(txid(hex(GENESIS_COINBASE)))).toBe(GENESIS_TXID)
  expect(hashToHex(wtxid(hex(GENESIS_COINBASE)))).toBe(GENESIS_TXID)
})

test('a headers message of blocks 0 and 1 decodes, and block 1 links to the genesis hash', () => {
  const payload = hex('02' + GENESIS_HEADER + '00' + BLOCK1_HEADER + '00')
  const msg = decodePayload('headers', payload)
  expect(msg.headers).toHaveLength(2)
  expect(hashToHex(msg.headers[1]!.prevBlock)).toBe(GENESIS_HASH)
  expect(hashToHex(blockHash(hex(BLOCK1_HEADER)))).toBe(BLOCK1_HASH)
  expect(msg.headers[1]!.time).toBe(1231469665) // 2009-01-09 02:54:25 UTC
  expect(toHex(encodePayload(msg))).toBe(toHex(payload))
})

// A segwit transaction with the txid and wtxid Bitcoin Core's decoderawtransaction gives for it, from
// rust-bitcoin's transaction tests (bitcoin/src/blockdata/transaction.rs, test `txid`).
const SEGWIT_TX =
  '01000000000102ff34f95a672bb6a4f6ff4a7e90fa8c7b3be7e70ffc39bc99be3bda67942e836c00000000' +
  '23220020cde476664d3fa347b8d54ef3aee33dcb686a65ced2b5207cbf4ec5eda6b9b46e4f414d4c934ad8' +
  '1d330314e888888e3bd22c7dde8aac2ca9227b30d7c40093248af7812201000000232200200af6f6a071a6' +
  '9d5417e592ed99d256ddfd8b3b2238ac73f5da1b06fc0b2e79d54f414d4c0ba0c8f505000000001976a914' +
  'dcb5898d9036afad9209e6ff0086772795b1441088ac033c0f000000000017a914889f8c10ff2bd4bb9dab' +
  'b68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87' +
  '033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914' +
  '889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb6' +
  '8c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c8703' +
  '3c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a91488' +
  '9f8c10ff2bd4bb9dabb68c5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c' +
  '5c0d700a46925e6c87033c0f000000000017a914889f8c10ff2bd4bb9dabb68c5c0d700a46925e6c870500' +
  '47304402200380b8663e727d7e8d773530ef85d5f82c0b067c97ae927800a0876a1f01d8e2022021ee611e' +
  'f6507dfd217add2cd60a8aea3cbcfec034da0bebf3312d19577b8c290147304402207bd9943ce1c2c5547b' +
  '120683fd05d78d23d73be1a5b5a2074ff586b9c853ed4202202881dcf435088d663c9af7b23efb3c03b9db' +
  'c0c899b247aa94a74d9b4b3c84f501483045022100ba12bba745af3f18f6e56be70f8382ca8e107d1ed5ce' +
  'aa3e8c360d5ecf78886f022069b38ebaac8fe6a6b97b497cbbb115f3176f7213540bef08f9292e5a72de52' +
  'de01695321023c9cd9c6950ffee24772be948a45dc5ef1986271e46b686cb52007bac214395a2102756e27' +
  'cb004af05a6e9faed81fd68ff69959e3c64ac8c9f6cd0e08fd0ad0e75d2103fa40da236bd82202a985a910' +
  '4e851080b5940812685769202a3b43e4a8b13e6a53ae050048304502210098b9687b81d725a7970d1eee91' +
  'ff6b89bc9832c2e0e3fb0d10eec143930b006f02206f77ce19dc58ecbfef9221f81daad90bb4f468df3912' +
  '12abc4f084fe2cc9bdef01483045022100e5479f81a3ad564103da5e2ec8e12f61f3ac8d312ab68763c1dd' +
  'd7bae94c20610220789b81b7220b27b681b1b2e87198897376ba9d033bc387f084c8b8310c8539c2014830' +
  '45022100aa1cc48a2d256c0e556616444cc08ae4959d464e5ffff2ae09e3550bdab6ce9f02207192d5e332' +
  '9a56ba7b1ead724634d104f1c3f8749fe6081e6233aee3e855817a016953210260de9cc68658c61af984e3' +
  'ab0281d17cfca1cc035966d335f474932d5e6c5422210355fbb768ce3ce39360277345dbb5f376e706459e' +
  '5a2b5e0e09a535e61690647021023222ceec58b94bd25925dd9743dae6b928737491bd940fc5dd7c6f5d5f' +
  '2adc1e53ae00000000'
// The same test's non-segwit transaction, whose txid and wtxid are one.
const LEGACY_TX =
  '01000000010c7196428403d8b0c88fcb3ee8d64f56f55c8973c9ab7dd106bb4f3527f5888d000000006a47' +
  '30440220503a696f55f2c00eee2ac5e65b17767cd88ed04866b5637d3c1d5d996a70656d02202c9aff698f' +
  '343abb6d176704beda63fcdec503133ea4f6a5216b7f925fa9910c0121024d89b5a13d6521388969209df2' +
  '7a8469bd565aff10e8d42cef931fad5121bfb8ffffffff02b825b404000000001976a914ef79e7ee9fff98' +
  'bcfd08473d2b76b02a48f8c69088ac0000000000000000296a273236303039343836393731373233313237' +
  '3633313032313332353630353838373931323132373000000000'

test('a segwit transaction: the txid strips the witness, the wtxid does not', () => {
  expect(hashToHex(txid(hex(SEGWIT_TX)))).toBe('9652aa62b0e748caeec40c4cb7bc17c6792435cc3dfe447dd1ca24f912a1c6ec')
  expect(hashToHex(wtxid(hex(SEGWIT_TX)))).toBe('d6ac4a5e61657c4c604dcde855a1db74ec6b3e54f32695d72c5e11c7761ea1b4')
})

test('a legacy transaction: txid and wtxid are both 971ed48a…68dd', () => {
  expect(hashToHex(txid(hex(LEGACY_TX)))).toBe('971ed48a62c143bbd9c87f4bafa2ef213cfa106c6e140f111931d0be307468dd')
  expect(hashToHex(wtxid(hex(LEGACY_TX)))).toBe('971ed48a62c143bbd9c87f4bafa2ef213cfa106c6e140f111931d0be307468dd')
})

test('tx and block payloads are carried raw, untouched', () => {
  const raw = hex(SEGWIT_TX)
  const msg = decodePayload('tx', raw)
  expect(msg).toEqual({ type: 'tx', raw })
  expect(encodePayload(msg)).toBe(raw)
})

// The developer reference's version message (protocol 70002, with the relay flag), with the values
// its annotations give. https://developer.bitcoin.org/reference/p2p_networking.html#version
const DEVREF_VERSION =
  '721101000100000000000000bc8f5e5400000000010000000000000000000000000000000000ffffc61b6409208d' +
  '010000000000000000000000000000000000ffffcb0071c0208d128035cbc97953f80f2f5361746f7368693a302e392e332f' +
  'cf05050001'

test('the developer reference\'s version message decodes to its annotated values', () => {
  const payload = hex(DEVREF_VERSION)
  const msg = decodePayload('version', payload)
  expect(msg).toEqual({
    type: 'version',
    version: 70002,
    services: 1n, // NODE_NETWORK
    timestamp: 1415483324n,
    receiver: { services: 1n, ip: ipv4Mapped(198, 27, 100, 9), port: 8333 },
    sender: { services: 1n, ip: ipv4Mapped(203, 0, 113, 192), port: 8333 },
    nonce: 0xf85379c9cb358012n,
    userAgent: '/Satoshi:0.9.3/',
    startHeight: 329167,
    relay: true
  })
  expect(toHex(encodePayload(msg))).toBe(toHex(payload))
})

// The wiki's protocol-60002 version message: no relay byte, which came with 70001.
// https://en.bitcoin.it/wiki/Protocol_documentation#version
const WIKI_VERSION =
  '62EA0000010000000000000011B2D05000000000010000000000000000000000000000000000FFFF000000000000' +
  '010000000000000000000000000000000000FFFF0000000000003B2EB35D8CE617650F2F5361746F7368693A302E' +
  '372E322FC03E0300'

test('the wiki\'s 60002 version message, without a relay byte, decodes with relay left out', () => {
  const payload = hex(WIKI_VERSION)
  expect(payload).toHaveLength(100) // "Payload is 100 bytes long"
  const msg = decodePayload('version', payload)
  expect(msg).toEqual({
    type: 'version',
    version: 60002,
    services: 1n,
    timestamp: 1355854353n, // Tue Dec 18 10:12:33 PST 2012
    receiver: { services: 1n, ip: ipv4Mapped(0, 0, 0, 0), port: 0 },
    sender: { services: 1n, ip: ipv4Mapped(0, 0, 0, 0), port: 0 },
    nonce: 0x6517e68c5db32e3bn,
    userAgent: '/Satoshi:0.7.2/',
    startHeight: 212672
  })
  expect('relay' in msg).toBe(false)
  expect(toHex(encodePayload(msg))).toBe(toHex(payload))
})

// The wiki's addr message: one address, 10.0.0.1:8333.
// https://en.bitcoin.it/wiki/Protocol_documentation#addr
test('the wiki\'s addr message decodes to 10.0.0.1:8333', () => {
  const payload = hex('01 E215104D 0100000000000000 00000000000000000000FFFF0A000001 208D')
  expect(decodePayload('addr', payload)).toEqual({
    type: 'addr',
    addresses: [{ time: 1292899810, services: 1n, ip: ipv4Mapped(10, 0, 0, 1), port: 8333 }]
  })
})
