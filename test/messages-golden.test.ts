// Known bytes from public sources, decoded, encoded and hashed: each expected value comes from the
// cited document (or from Bitcoin's chain itself), never from our own encoder.

import fs from 'node:fs'
import path from 'node:path'

import {
  blockHash, decodeBlockHeader, decodePayload, encodeBlockHeader, encodePayload, encodeV1Message, hashFromHex, hashToHex,
  type KnownMessage, txid, wtxid
} from '../lib/messages'
import { hex, sha256d, toHex } from './helpers/bytes'

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

test('the developer reference\'s version message with bytes appended after relay decodes to the same values: the extra bytes are ignored, as Bitcoin Core ignores them', () => {
  const plain = decodePayload('version', hex(DEVREF_VERSION))
  for (const extra of ['00', 'deadbeef', 'ff'.repeat(1000)]) {
    expect(decodePayload('version', hex(DEVREF_VERSION + extra))).toEqual(plain)
  }
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

test('the wiki\'s 60002 version message with bytes appended: the first is read as relay and the rest ignored, as Bitcoin Core reads them', () => {
  const plain = decodePayload('version', hex(WIKI_VERSION))
  expect(decodePayload('version', hex(WIKI_VERSION + '00' + 'abcdef'))).toEqual({ ...plain, relay: false })
  expect(decodePayload('version', hex(WIKI_VERSION + '01'))).toEqual({ ...plain, relay: true })
})

// The wiki's addr message: one address, 10.0.0.1:8333.
// https://en.bitcoin.it/wiki/Protocol_documentation#addr
test('the wiki\'s addr message decodes to 10.0.0.1:8333', () => {
  const payload = hex('01 E215104D 0100000000000000 00000000000000000000FFFF0A000001 208D')
  expect(decodePayload('addr', payload)).toEqual({
    type: 'addr',
    addresses: [{ time: 1292899810, services: 1n, ip: ipv4Mapped(10, 0, 0, 1), port: 8333 }]
  })
  expect(toHex(encodePayload(decodePayload('addr', payload)))).toBe(toHex(payload))
})

// ---------------------------------------------------------------------------------------------------
// Every codec against bytes someone else produced, both ways: the bytes decode to the fields the source
// states, and those fields encode to the bytes. The fields are written out here from the source's own
// annotations (its numbers, its displayed hashes), never read back from our encoder; where a source
// shows only bytes for a field, the value is read by hand from the field layout and the comment says so.
//
// Sources, pinned:
//   Core      github.com/bitcoin/bitcoin: src/test/netbase_tests.cpp @ 2edbe032cf6cc57e320a16348fffaf83391b84df,
//             src/test/net_tests.cpp @ 2d500ee504a63ead2e94211be56be2fabf406864,
//             src/test/bloom_tests.cpp @ 875e9c9197c27f561147ab9455a942c9ce90a48d,
//             src/test/data/blockfilters.json (BIP-158's vectors) @ fe6e42cda5481e894c977550a443cb892f8f6963
//   devref    github.com/bitcoin-dot-org/developer.bitcoin.org @ 813ba3fb5eae85cfdfffe91d12f2df653ea8b725,
//             reference/p2p_networking.rst (https://developer.bitcoin.org/reference/p2p_networking.html)
//   bitcoinrb github.com/chaintope/bitcoinrb @ 4069b5310e13be25f402d0bdc4e1fcc171bd206e,
//             spec/bitcoin/message/<name>_spec.rb (whole v1 frames from `to_pkt`, payloads from `parse_from_payload`)
//   bitcoin-s github.com/bitcoin-s/bitcoin-s @ 42d963b191639d055e04118370fb2110b8e65ef1,
//             core-test/src/test/scala/org/bitcoins/core/serializers/p2p/messages/Raw*SerializerTest.scala
//             ("cribbed from a P2P log dump with Bitcoin-S node")
//   btcd      github.com/btcsuite/btcd @ 2c67bc29cedf391baf5e2d453855256432bb2006, wire/msg*_test.go
//   rust-bitcoin github.com/rust-bitcoin/rust-bitcoin @ 42226547fab3a81cd138d4c7070b441c02ce06a6, p2p/src/bip152.rs
//   Core434   github.com/bitcoin/bitcoin @ 8598ec220450b05eff03fc1d1c81f51269cca247,
//             test/functional/p2p_bip434_feature.py: its payloads are `feature_wire(id, data)`,
//             ser_compact_size(len(id)) + id + ser_compact_size(len(data)) + data, written out here
//             byte for byte (a CompactSize below 253 is that one byte, 512 is fd 0002)
// ---------------------------------------------------------------------------------------------------

/** A hash as its source displays it (Core's GetHex, explorers: reversed), as the bytes on the wire. */
const displayed = (s: string): Uint8Array => hex(s).reverse()
const zeros = (n: number): Uint8Array => new Uint8Array(n)
const IPV6_LOOPBACK = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)

// Service bits, by Bitcoin Core's names (src/protocol.h).
const NODE_NETWORK = 1n
const NODE_WITNESS = 1n << 3n
const NODE_COMPACT_FILTERS = 1n << 6n
const NODE_NETWORK_LIMITED = 1n << 10n
const MSG_TX = 1

/** A v1 frame read by hand from its layout (magic, command, LE length, checksum), checked with node:crypto. */
function unframe (frameHex: string, type: string): { magic: Uint8Array, payload: Uint8Array } {
  const frame = hex(frameHex)
  const command = Buffer.from(frame.subarray(4, 16)).toString('latin1').replace(/\0+$/, '')
  const length = frame[16]! | (frame[17]! << 8) | (frame[18]! << 16) | (frame[19]! * 2 ** 24)
  const payload = frame.subarray(24)
  expect(command).toBe(type)
  expect(payload).toHaveLength(length)
  expect(toHex(frame.subarray(20, 24))).toBe(toHex(sha256d(payload).subarray(0, 4)))
  return { magic: frame.subarray(0, 4), payload }
}

interface Golden {
  source: string
  /** The payload, or a whole v1 frame carrying it. */
  payload?: string
  frame?: string
  message: KnownMessage
}

const DEVREF_ADDR_TIME = 1414012889 // "[Epoch time]: 1414012889"
// Core's fixture_addresses (netbase_tests.cpp): three ::1 addresses with edge-case times, ports and services.
const CORE_ADDRESSES = [
  { time: 0x4966bc61, services: 0n, port: 0 }, // Fri Jan  9 02:54:25 UTC 2009, NODE_NONE
  { time: 0x83766279, services: NODE_NETWORK, port: 0x00f1 }, // Tue Nov 22 11:22:33 UTC 2039
  { time: 0xffffffff, services: NODE_WITNESS | NODE_COMPACT_FILTERS | NODE_NETWORK_LIMITED, port: 0xf1f2 } // Sun Feb  7 06:28:15 UTC 2106
]

// The devref's getblocks locator, which bitcoinrb's getheaders/getblocks share the layout of.
const DEVREF_LOCATOR = [
  hex('d39f608a7775b537729884d4e6633bb2 105e55a16a14d31b0000000000000000'),
  hex('5c3e6403d40837110a2e8afb602b1c01 714bda7ce23bea0a0000000000000000')
]
const BITCOINRB_LOCATOR = [
  hex('d18af7986e37cce50bd1840a4355b76c3127847538f598ca3c11050000000000'),
  hex('16fcb7157eb73f293f39a5f999beae35638fd760531968e5ba06010000000000'),
  hex('b243161b0c4df323ef0a7db26b1d5af1312c76b0cb1dd804e634000000000000')
]
const BITCOINRB_LOCATOR_PAYLOAD = '7f110100 03' + BITCOINRB_LOCATOR.map(toHex).join('') + '00'.repeat(32)
const BITCOINRB_INVENTORY = [
  { invType: MSG_TX, hash: hex('099c332dc6d71c968a3f47d6ffd43436062c72dad477b515ce2e108e1e6f1096') },
  { invType: MSG_TX, hash: hex('e6cf87650476e8677543885e388761f09c732e66d479501f9d9c19cdb2b50e05') }
]
const BITCOINRB_INVENTORY_PAYLOAD = '02' + BITCOINRB_INVENTORY.map((i) => '01000000' + toHex(i.hash)).join('')

const GOLDEN: Golden[] = [
  // version
  {
    // Version.new(timestamp: 1497706959, services: 0, version: 70015, user_agent: '/bitcoinrb:0.1.0/',
    // nonce: 13469974270669794112, relay: false, both addresses NetworkAddr.new(port: 18333)): the
    // addresses take bitcoinrb's defaults, 127.0.0.1 and DEFAULT_SERVICE_FLAGS = NODE_WITNESS
    // (lib/bitcoin/message.rb, network_addr.rb), the start height Version's default 0. A nonce past 2^63.
    source: 'bitcoinrb version_spec.rb to_pkt (relay false, nonce > 2^63)',
    frame: '0b11090776657273696f6e000000000067000000613c82ee' +
      '7f1101000000000000000000cf31455900000000080000000000000000000000000000000000ffff7f000001479d' +
      '080000000000000000000000000000000000ffff7f000001479d40abec703bf6eeba112f626974636f696e72623a302e312e302f0000000000',
    message: {
      type: 'version',
      version: 70015,
      services: 0n,
      timestamp: 1497706959n,
      receiver: { services: NODE_WITNESS, ip: ipv4Mapped(127, 0, 0, 1), port: 18333 },
      sender: { services: NODE_WITNESS, ip: ipv4Mapped(127, 0, 0, 1), port: 18333 },
      nonce: 13469974270669794112n,
      userAgent: '/bitcoinrb:0.1.0/',
      startHeight: 0,
      relay: false
    }
  },

  // The messages that are only their type: BIP-130 (sendheaders), BIP-37 (filterclear), BIP-155
  // (sendaddrv2) and BIP-339 (wtxidrelay) each define "an empty message"; the frames show length 0
  // and checksum 5df6e0e2, SHA256d of nothing.
  { source: 'bitcoinrb ver_ack_spec.rb', frame: '0b11090776657261636b000000000000000000005df6e0e2', message: { type: 'verack' } },
  { source: 'bitcoinrb get_addr_spec.rb', frame: '0b110907676574616464720000000000000000005df6e0e2', message: { type: 'getaddr' } },
  { source: 'bitcoinrb mem_pool_spec.rb', frame: '0b1109076d656d706f6f6c0000000000000000005df6e0e2', message: { type: 'mempool' } },
  { source: 'bitcoinrb send_headers_spec.rb', frame: '0b11090773656e646865616465727300000000005df6e0e2', message: { type: 'sendheaders' } },
  { source: 'bitcoinrb filter_clear_spec.rb', frame: '0b11090766696c746572636c65617200000000005df6e0e2', message: { type: 'filterclear' } },
  { source: 'bitcoinrb send_addr_v2_spec.rb (regtest)', frame: 'fabfb5da73656e646164647276320000000000005df6e0e2', message: { type: 'sendaddrv2' } },
  { source: 'bitcoinrb wtixd_relay_spec.rb (mainnet)', frame: 'f9beb4d9777478696472656c61790000000000005df6e0e2', message: { type: 'wtxidrelay' } },

  // ping and pong (BIP-31): a uint64 nonce, little-endian.
  { source: 'bitcoinrb ping_spec.rb: Ping.new(2989705664)', frame: '0b11090770696e670000000000000000080000006d539cecc04933b200000000', message: { type: 'ping', nonce: 2989705664n } },
  { source: 'bitcoinrb pong_spec.rb: Pong.new(2989705664)', frame: '0b110907706f6e670000000000000000080000006d539cecc04933b200000000', message: { type: 'pong', nonce: 2989705664n } },
  { source: 'btcd msgping_test.go TestPingWire: Nonce 123123', payload: 'f3e0010000000000', message: { type: 'ping', nonce: 123123n } },
  { source: 'btcd msgpong_test.go TestPongWire: Nonce 456456', payload: '08f7060000000000', message: { type: 'pong', nonce: 456456n } },
  // The devref shows only the nonce's bytes: the value is read by hand, uint64 little-endian.
  { source: 'devref ping hexdump (value read by hand)', payload: '0094102111e2af4d', message: { type: 'ping', nonce: 0x4dafe21121109400n } },

  // feefilter (BIP-133): an int64 fee rate.
  { source: 'devref feefilter: "satoshis per kilobyte: 48,508"', payload: '7cbd000000000000', message: { type: 'feefilter', feeRate: 48508n } },
  { source: 'bitcoinrb fee_filter_spec.rb: FeeFilter.new(1_000)', frame: '0b11090766656566696c74657200000008000000e80fd19fe803000000000000', message: { type: 'feefilter', feeRate: 1000n } },
  { source: 'btcd msgfeefilter_test.go TestFeeFilterWire: MinFee 123123', payload: 'f3e0010000000000', message: { type: 'feefilter', feeRate: 123123n } },

  // addr
  {
    source: 'Core netbase_tests.cpp stream_addrv1_hex (fixture_addresses)',
    payload: '03' +
      '61bc6649 0000000000000000 00000000000000000000000000000001 0000' +
      '79627683 0100000000000000 00000000000000000000000000000001 00f1' +
      'ffffffff 4804000000000000 00000000000000000000000000000001 f1f2',
    message: { type: 'addr', addresses: CORE_ADDRESSES.map((a) => ({ ...a, ip: IPV6_LOOPBACK })) }
  },
  {
    source: 'bitcoinrb addr_spec.rb: 92.169.156.82:18333, time 2989705664, services 1',
    frame: '0b1109076164647200000000000000001f0000003d9273fa01c04933b2010000000000000000000000000000000000ffff5ca99c52479d',
    message: { type: 'addr', addresses: [{ time: 2989705664, services: NODE_NETWORK, ip: ipv4Mapped(92, 169, 156, 82), port: 18333 }] }
  },
  {
    // The devref shows the first of 1,000 entries; the count here is 1, written by hand.
    source: 'devref addr hexdump, first entry (count 1 by hand)',
    payload: '01 d91f4854 0100000000000000 00000000000000000000ffffc0000233 208d',
    message: { type: 'addr', addresses: [{ time: DEVREF_ADDR_TIME, services: NODE_NETWORK, ip: ipv4Mapped(192, 0, 2, 51), port: 8333 }] }
  },

  // addrv2 (BIP-155)
  {
    source: 'Core netbase_tests.cpp stream_addrv2_hex (fixture_addresses)',
    payload: '03' +
      '61bc6649 00 02 10 00000000000000000000000000000001 0000' +
      '79627683 01 02 10 00000000000000000000000000000001 00f1' +
      'ffffffff fd4804 02 10 00000000000000000000000000000001 f1f2',
    message: { type: 'addrv2', addresses: CORE_ADDRESSES.map((a) => ({ ...a, networkId: 2, addr: IPV6_LOOPBACK })) }
  },
  {
    source: 'devref addrv2 hexdump, first entry (count 1 by hand)',
    payload: '01 d91f4854 fd4804 01 04 c0000233 208d',
    message: {
      type: 'addrv2',
      addresses: [{ time: DEVREF_ADDR_TIME, services: NODE_WITNESS | NODE_COMPACT_FILTERS | NODE_NETWORK_LIMITED, networkId: 1, addr: Uint8Array.of(192, 0, 2, 51), port: 8333 }]
    }
  },

  // inv, getdata, notfound
  {
    source: 'devref inv hexdump: two MSG_TX entries',
    payload: '02' +
      '01000000 de55ffd709ac1f5dc509a0925d0b1fc442ca034f224732e429081da1b621f55a' +
      '01000000 91d36d997037e08018262978766f24b8a055aaf1d872e94ae85e9817b2c68dc7',
    message: {
      type: 'inv',
      inventory: [
        { invType: MSG_TX, hash: hex('de55ffd709ac1f5dc509a0925d0b1fc442ca034f224732e429081da1b621f55a') },
        { invType: MSG_TX, hash: hex('91d36d997037e08018262978766f24b8a055aaf1d872e94ae85e9817b2c68dc7') }
      ]
    }
  },
  { source: 'bitcoinrb inv_spec.rb', frame: '0b110907696e760000000000000000004900000075a56c59' + BITCOINRB_INVENTORY_PAYLOAD, message: { type: 'inv', inventory: BITCOINRB_INVENTORY } },
  { source: 'bitcoinrb get_data_spec.rb', frame: '0b1109076765746461746100000000004900000075a56c59' + BITCOINRB_INVENTORY_PAYLOAD, message: { type: 'getdata', inventory: BITCOINRB_INVENTORY } },
  {
    source: 'bitcoinrb not_found_spec.rb',
    frame: '0b1109076e6f74666f756e640000000025000000e969f2210101000000cbfb4ac9621ba90f7958cc8f726647105c2ece288eaa9018346639bbad6754ab',
    message: { type: 'notfound', inventory: [{ invType: MSG_TX, hash: hex('cbfb4ac9621ba90f7958cc8f726647105c2ece288eaa9018346639bbad6754ab') }] }
  },

  // getblocks and getheaders: an int32 version, a locator, a stop hash.
  {
    source: 'devref getblocks hexdump: protocol 70001, two hashes',
    payload: '71110100 02' + DEVREF_LOCATOR.map(toHex).join('') + '00'.repeat(32),
    message: { type: 'getblocks', version: 70001, locator: DEVREF_LOCATOR, stopHash: zeros(32) }
  },
  { source: 'bitcoinrb get_blocks_spec.rb: GetBlocks.new(70015, 3 hashes)', frame: '0b110907676574626c6f636b7300000085000000aa956d88' + BITCOINRB_LOCATOR_PAYLOAD, message: { type: 'getblocks', version: 70015, locator: BITCOINRB_LOCATOR, stopHash: zeros(32) } },
  { source: 'bitcoinrb get_headers_spec.rb: GetHeaders.new(70015, 3 hashes)', frame: '0b11090767657468656164657273000085000000aa956d88' + BITCOINRB_LOCATOR_PAYLOAD, message: { type: 'getheaders', version: 70015, locator: BITCOINRB_LOCATOR, stopHash: zeros(32) } },

  // headers
  {
    // Version and time as annotated; bits and nonce are shown as bytes only and read by hand (uint32 LE).
    source: 'devref headers hexdump: one version-2 header',
    payload: '01' + '02000000' +
      'b6ff0b1b1680a2862a30ca44d346d9e8910d334beb48ca0c0000000000000000' +
      '9d10aa52ee949386ca9385695f04ede270dda20810decd12bc9b048aaab31471' +
      '24d95a54' + '30c31b18' + 'fe9f0864' + '00',
    message: {
      type: 'headers',
      headers: [{
        version: 2,
        prevBlock: hex('b6ff0b1b1680a2862a30ca44d346d9e8910d334beb48ca0c0000000000000000'),
        merkleRoot: hex('9d10aa52ee949386ca9385695f04ede270dda20810decd12bc9b048aaab31471'),
        time: 1415239972,
        bits: 0x181bc330,
        nonce: 0x64089ffe
      }]
    }
  },

  // filterload (BIP-37): the filter, nHashFuncs, nTweak, nFlags.
  { source: 'devref filterload hexdump: 2 bytes, 11 hash functions, tweak 0, BLOOM_UPDATE_NONE', payload: '02 b50f 0b000000 00000000 00', message: { type: 'filterload', filter: hex('b50f'), hashFuncs: 11, tweak: 0, flags: 0 } },
  { source: 'bitcoinrb filter_load_spec.rb', frame: '0b11090766696c7465726c6f616400000c0000008b7f507b02b50f0b0000000000000000', message: { type: 'filterload', filter: hex('b50f'), hashFuncs: 11, tweak: 0, flags: 0 } },
  // CBloomFilter(3 elements, 0.01, tweak, BLOOM_UPDATE_ALL = 1) serialized: 3 bytes, and BIP-37's
  // nHashFuncs = bytes * 8 / n * ln 2 = 5.5, truncated to 5 (8 for the 2-element, 0.001 filter).
  { source: 'Core bloom_tests.cpp bloom_create_insert_serialize', payload: '03614e9b050000000000000001', message: { type: 'filterload', filter: hex('614e9b'), hashFuncs: 5, tweak: 0, flags: 1 } },
  { source: 'Core bloom_tests.cpp bloom_create_insert_serialize_with_tweak: nTweak 2147483649', payload: '03ce4299050000000100008001', message: { type: 'filterload', filter: hex('ce4299'), hashFuncs: 5, tweak: 2147483649, flags: 1 } },
  { source: 'Core bloom_tests.cpp bloom_create_insert_key', payload: '038fc16b080000000000000001', message: { type: 'filterload', filter: hex('8fc16b'), hashFuncs: 8, tweak: 0, flags: 1 } },

  // filteradd
  { source: 'devref filteradd hexdump: a 32-byte TXID', payload: '20 fdacf9b3eb077412e7a968d2e4f11b9a9dee312d666187ed77ee7d26af16cb0b', message: { type: 'filteradd', data: hex('fdacf9b3eb077412e7a968d2e4f11b9a9dee312d666187ed77ee7d26af16cb0b') } },
  { source: 'bitcoinrb filter_add_spec.rb', frame: '0b11090766696c7465726164640000002100000072851a0a20fdacf9b3eb077412e7a968d2e4f11b9a9dee312d666187ed77ee7d26af16cb0b', message: { type: 'filteradd', data: hex('fdacf9b3eb077412e7a968d2e4f11b9a9dee312d666187ed77ee7d26af16cb0b') } },

  // sendcmpct (BIP-152): a bool and a uint64 version.
  { source: 'bitcoinrb send_cmpct_spec.rb: SendCmpct.new(MODE_LOW, 1)', frame: '0b11090773656e64636d70637400000009000000ccfe104a000100000000000000', message: { type: 'sendcmpct', announce: false, version: 1n } },
  // No outside source shows announce = 1 or version 2: built by hand from BIP-152's layout ("a 1-byte
  // integer followed by a 8-byte integer", the second little-endian).
  { source: 'BIP-152 field layout, by hand: announce 1, version 2', payload: '01 0200000000000000', message: { type: 'sendcmpct', announce: true, version: 2n } },

  // getblocktxn (BIP-152): a block hash and differentially encoded indexes.
  {
    source: 'bitcoinrb get_block_txn_spec.rb: indexes 5..9',
    payload: 'ca8fb932735c229005040eeefed540f36dfab54c68acd92e54ad69c200000000 05 05 00 00 00 00',
    message: { type: 'getblocktxn', blockHash: displayed('00000000c269ad542ed9ac684cb5fa6df340d5feee0e040590225c7332b98fca'), indexes: [5, 6, 7, 8, 9] }
  },
  ...([
    [[4, 0, 5, 1, 10], [0, 6, 8, 19]],
    [[1, 0], [0]],
    [[5, 0, 0, 0, 0, 0], [0, 1, 2, 3, 4]],
    [[3, 1, 1, 1], [1, 3, 5]],
    [[3, 0, 0, 253, 0, 1], [0, 1, 258]] // 253, 0, 1 is CompactSize(256)
  ] as Array<[number[], number[]]>).map(([encoded, indexes]): Golden => ({
    source: `rust-bitcoin bip152.rs getblocktx_differential_encoding: [${indexes.join(', ')}]`,
    payload: '00'.repeat(32) + toHex(Uint8Array.from(encoded)),
    message: { type: 'getblocktxn', blockHash: zeros(32), indexes }
  })),

  // BIP-157: getcfilters and getcfheaders (filter type, uint32 start height, stop hash).
  {
    source: 'bitcoinrb get_cfilters_spec.rb: start height 1,000',
    frame: 'fabfb5da6765746366696c7465727300250000000dc31ee1' + '00 e8030000 4b75600dbb3ce35fa383b7439be10a66a2e7023bcb6b3a45bf83e57de020a954',
    message: { type: 'getcfilters', filterType: 0, startHeight: 1000, stopHash: hex('4b75600dbb3ce35fa383b7439be10a66a2e7023bcb6b3a45bf83e57de020a954') }
  },
  {
    source: 'bitcoin-s RawGetCompactFiltersMessageSerializerTest: start height 3101',
    payload: '00 1d0c0000 83abc1c5f4d8c065208b3c0b5f8b61a373c79b647b0421c56ee50c6f0ddd2917',
    message: { type: 'getcfilters', filterType: 0, startHeight: 3101, stopHash: hex('83abc1c5f4d8c065208b3c0b5f8b61a373c79b647b0421c56ee50c6f0ddd2917') }
  },
  {
    source: 'bitcoinrb get_cfheaders_spec.rb: start height 1',
    frame: 'fabfb5da67657463666865616465727325000000bb8434a5' + '00 01000000 eb07535100f930e08933a82705333cfbb0d4e0387b8bba78e0d4c5d1b0f3cb14',
    message: { type: 'getcfheaders', filterType: 0, startHeight: 1, stopHash: hex('eb07535100f930e08933a82705333cfbb0d4e0387b8bba78e0d4c5d1b0f3cb14') }
  },
  {
    source: 'bitcoin-s RawGetCompactFilterHeadersMessageSerializerTest: start height 2000',
    payload: '00 d0070000 6f0ee334fbba823804e14042c33bc5dfa5126e5076d8dcff02d4a045f266f427',
    message: { type: 'getcfheaders', filterType: 0, startHeight: 2000, stopHash: hex('6f0ee334fbba823804e14042c33bc5dfa5126e5076d8dcff02d4a045f266f427') }
  },

  // cfilter
  {
    source: 'bitcoinrb cfilter_spec.rb',
    frame: 'fabfb5da6366696c746572000000000026000000ad8e627f' + '00 037f1dcd4c46e1305ceaef7083a56c3824db5439e5d09e349eed59500ee6c867 04 011c9340',
    message: { type: 'cfilter', filterType: 0, blockHash: hex('037f1dcd4c46e1305ceaef7083a56c3824db5439e5d09e349eed59500ee6c867'), filter: hex('011c9340') }
  },
  {
    // The block is mainnet's genesis: its hash is the one Core's chainparams.cpp and explorers show.
    source: 'bitcoin-s RawCompactFilterMessageSerializerTest: the genesis block\'s filter',
    payload: '00 6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000 04 017fa880',
    message: { type: 'cfilter', filterType: 0, blockHash: displayed(GENESIS_HASH), filter: hex('017fa880') }
  },

  // cfheaders
  {
    source: 'bitcoin-s RawCompactFilterHeadersMessageSerializerTest: 3 hashes after a zero header',
    payload: '00 226f1acd30ec19b541dba2478b673a142283bb39ccddef75015e3caf0ec89f48' + '00'.repeat(32) + '03' +
      '1f30de30fabb7892d15eb985cc5d6c34c54a11b7e4c51f3da498f16255a27bb1' +
      '57965194aaa7ad3890c977d1b3c738d0a43a357ec645df28dc5c21876fb529c4' +
      '87eb3f35daf3b6adba13b40c2f0d0e99dee59b624b0e09d870894e1a0d6d3bb0',
    message: {
      type: 'cfheaders',
      filterType: 0,
      stopHash: hex('226f1acd30ec19b541dba2478b673a142283bb39ccddef75015e3caf0ec89f48'),
      previousFilterHeader: zeros(32),
      filterHashes: [
        hex('1f30de30fabb7892d15eb985cc5d6c34c54a11b7e4c51f3da498f16255a27bb1'),
        hex('57965194aaa7ad3890c977d1b3c738d0a43a357ec645df28dc5c21876fb529c4'),
        hex('87eb3f35daf3b6adba13b40c2f0d0e99dee59b624b0e09d870894e1a0d6d3bb0')
      ]
    }
  },

  // getcfcheckpt and cfcheckpt
  {
    source: 'bitcoinrb get_cfcheckpt_spec.rb',
    frame: 'fabfb5da6765746366636865636b707421000000c4a7f260' + '00 24b7278b7099b25da182ad89cdc6505ec1ee5a1a7124535963b86a8e37064648',
    message: { type: 'getcfcheckpt', filterType: 0, stopHash: hex('24b7278b7099b25da182ad89cdc6505ec1ee5a1a7124535963b86a8e37064648') }
  },
  {
    source: 'bitcoin-s RawGetCompactFilterCheckpointMessageSerializerTest',
    payload: '00 06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f',
    message: { type: 'getcfcheckpt', filterType: 0, stopHash: hex('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f') }
  },
  {
    source: 'bitcoinrb cfcheckpt_spec.rb: one header',
    frame: 'fabfb5da6366636865636b7074000000420000009f0ac0cb' +
      '00 3212f2fefbc11b3785b6b0747a89f645946a4fd97909f12d3f6b796ee9aea810 01 b8f0c5394bd31f1810b5b815943620b8a0bd4fa6717f6da8061a3fbdc51fca8d',
    message: {
      type: 'cfcheckpt',
      filterType: 0,
      stopHash: hex('3212f2fefbc11b3785b6b0747a89f645946a4fd97909f12d3f6b796ee9aea810'),
      filterHeaders: [hex('b8f0c5394bd31f1810b5b815943620b8a0bd4fa6717f6da8061a3fbdc51fca8d')]
    }
  },
  {
    source: 'bitcoin-s RawCompactFilterCheckPointMessageSerializerTest: three headers',
    payload: '00 6f0ee334fbba823804e14042c33bc5dfa5126e5076d8dcff02d4a045f266f427 03' +
      '93daaed620ff44fb7a760860ee8084f7f8c722d6c7ea9d1e1a35059253f876e6' +
      '2c2faad9d5e25594914772dc815e157debf385cbe5de5a0aea59d15af42b19ad' +
      'dd9cc1baf1453d682d27958c0f64c97a69249d655151c3b25b1ef1a993ec4f4f',
    message: {
      type: 'cfcheckpt',
      filterType: 0,
      stopHash: hex('6f0ee334fbba823804e14042c33bc5dfa5126e5076d8dcff02d4a045f266f427'),
      filterHeaders: [
        hex('93daaed620ff44fb7a760860ee8084f7f8c722d6c7ea9d1e1a35059253f876e6'),
        hex('2c2faad9d5e25594914772dc815e157debf385cbe5de5a0aea59d15af42b19ad'),
        hex('dd9cc1baf1453d682d27958c0f64c97a69249d655151c3b25b1ef1a993ec4f4f')
      ]
    }
  },
  // Core's BIP-434 test, the payloads it expects the node to take (_expect_accept). The longest id
  // and data are the test's "a" * 80 and b"\x00" * 512.
  { source: 'Core434 test_feature_id_length_boundaries: "abcd", the shortest id', payload: '04 61626364 00', message: { type: 'feature', featureId: 'abcd', featureData: zeros(0) } },
  { source: 'Core434 test_feature_id_length_boundaries: 80 x "a", the longest id', payload: '50' + '61'.repeat(80) + '00', message: { type: 'feature', featureId: 'a'.repeat(80), featureData: zeros(0) } },
  { source: 'Core434 test_feature_data_length_boundaries: 512 zero bytes of data, the most', payload: '04 61626364 fd0002' + '00'.repeat(512), message: { type: 'feature', featureId: 'abcd', featureData: zeros(512) } },
  { source: 'Core434 test_non_ascii_feature_id_accepted: id 00 ff 01 7f ("BIP says SHOULD, not MUST")', payload: '04 00ff017f 00', message: { type: 'feature', featureId: '\x00\xff\x01\x7f', featureData: zeros(0) } },
  { source: 'Core434 test_many_features_in_handshake: "feat0000"', payload: '08 6665617430303030 00', message: { type: 'feature', featureId: 'feat0000', featureData: zeros(0) } }
]

describe('golden payloads, both ways', () => {
  test.each(GOLDEN.map((g) => [g.message.type, g.source, g] as const))('%s: %s', (type, _source, g) => {
    const framed = g.frame === undefined ? undefined : unframe(g.frame, type)
    const payload = framed?.payload ?? hex(g.payload!)
    expect(decodePayload(type, payload)).toEqual(g.message)
    expect(toHex(encodePayload(g.message))).toBe(toHex(payload))
    if (framed !== undefined) expect(toHex(encodeV1Message(framed.magic, type, encodePayload(g.message)))).toBe(toHex(hex(g.frame!)))
  })

  // Every command with a codec, as Bitcoin Core names them (src/protocol.h NetMsgType), found by asking
  // decodePayload: a type without a codec comes back as { raw }, whatever the payload.
  const CORE_COMMANDS = [
    'version', 'verack', 'addr', 'addrv2', 'sendaddrv2', 'inv', 'getdata', 'merkleblock', 'getblocks', 'getheaders',
    'tx', 'headers', 'block', 'getaddr', 'mempool', 'ping', 'pong', 'notfound', 'filterload', 'filteradd', 'filterclear',
    'sendheaders', 'feefilter', 'sendcmpct', 'cmpctblock', 'getblocktxn', 'blocktxn', 'getcfilters', 'cfilter',
    'getcfheaders', 'cfheaders', 'getcfcheckpt', 'cfcheckpt', 'wtxidrelay', 'sendtxrcncl', 'feature'
  ]
  const hasCodec = (type: string): boolean => {
    try {
      return !('raw' in decodePayload(type, new Uint8Array(0)))
    } catch {
      return true
    }
  }

  test('every command with a codec has a golden vector here', () => {
    const withCodec = CORE_COMMANDS.filter(hasCodec)
    expect(withCodec.length).toBeGreaterThanOrEqual(30)
    const covered = new Set<string>(GOLDEN.map((g) => g.message.type))
    expect(withCodec.filter((type) => !covered.has(type))).toEqual([])
  })
})

describe('golden payloads: what a table row cannot show', () => {
  test('bitcoin-s\'s captured testnet getheaders: 31 hashes back to the testnet genesis block', () => {
    // P2PMessageTestUtil.rawGetHeadersMsg (testkit-core/src/main/scala/org/bitcoins/testkitcore/node/).
    const payload = hex(
      '721101001f693a1ceb6eabcd03f7f7e22a763efec0f4fd1618a50558283b23600000000000e933b17e7f39aa00f24cabbae1e618ecbfbd70a3ec' +
      'c4f63072dc790000000000e53160d1edccfd7feed401233c274fbc229f7f0d2b6152735344ec0000000000110274616c7161a8aca8390e1a472f' +
      '22de7470368e5066f20d050000000000008f98d517947a765069f976de05f910a65743fbac59a430aaf30d350000000000572b328dc2155a8531' +
      '57bebcc616fc82fd6996cb348d6a3cd929c500000000007d2c3eca25e06b684132325c85673675b928c3d0ee2eec553c01000000000000a5e239' +
      'f5b4c6998078e71a065bd71216583e88bf80a93d170253460000000000b6c926f4cb309d2d87f40d4790905f3f29cd05f3ea26854e0607000000' +
      '00000032668e2de62f181cdeabad351318008288993b3db3e411216aad70000000000079f9e80a6ffe62ab13daa65e6410c8d36d513e198fc161' +
      'b90cd1d40000000000bbf6a01b2faeb102d177ab03131263166790548181ff3cb04308000000000000b90ef011e62cd6c259939ac4ad372c5f39' +
      '5718a93ade933fd5503b0000000000f346a56f2fa278919c40cdde7ea424058543ce2237f6c9df174e2300000000002fd1795f0dbbc70f7a41d3' +
      '69d4b89c56bf1c6cf2c43ef8f8ed00000000000000643a31c93787ab66b51a4ccfc2ce867d855f4ad64b2a3136e1a12d00000000001323867c8b' +
      '11027eac79e0cc71fce91f24b1066c6423e69ec409000000000000d1eb1916bab3839da423f1e5aa1c271204bd5564bac6fefd498e0f00000000' +
      '00a4dcf02c42a71b5b10433917dda89a0d34984a065c0b05a52d03000000000000c57477df9128ef4f71366c4a89e432445d94b0c2b02e7a9ccb' +
      '060000000000004c45281d6afa17835d264cc8ba181b8c51501247c128d644e2000000000000005c6d201f400a544250bae463ff28f47d53f32d' +
      '97ae27b5b73b5f580000000000b1def34939f027654943457d69e104304c9798c0af837a7e1f1500000000000069164c8213a0d6b38fe1d9a2c6' +
      '3bcfb5808b65f6e50376726a120000000000002893d0fdafe84e3670a31b22ba80edfb841746462417bad024ac5e0000000000063015920d27be' +
      'fb9ff25f9a1989cda07e4ce62fa9ac8ec0f5b401000000000040a936762fbde4b51bea3ad59dfe202f16dd220761235172960c000000000000332d' +
      '487a5cc80c00296c43c5bec6b6b1a41a499ce2efd6b6d8514b00000000009400a26083d0551175374c45746488d1c9eaea8d891e69f2e57c5712' +
      '000000005d62facd94114f5ee55ab6e6797a5c6a8d0e0626b9200ffdf647f15c0000000043497fd7f826957108f4a30fd9cec3aeba79972084e9' +
      '0ead01ea3309000000000000000000000000000000000000000000000000000000000000000000000000')
    const msg = decodePayload('getheaders', payload)
    expect(msg.version).toBe(70002) // ProtocolVersion70002
    expect(msg.locator).toHaveLength(31) // CompactSizeUInt(31)
    expect(toHex(msg.locator[0]!)).toBe('693a1ceb6eabcd03f7f7e22a763efec0f4fd1618a50558283b23600000000000')
    // A locator ends at the genesis block: testnet3's, 000000000933ea01… (Core's chainparams.cpp).
    expect(hashToHex(msg.locator[30]!)).toBe('000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943')
    expect(msg.stopHash).toEqual(zeros(32))
    expect(toHex(encodePayload(msg))).toBe(toHex(payload))
  })

  test('bitcoinrb\'s testnet headers: each header hashes to the hash the spec gives, and the second links to the first', () => {
    const payload = hex('02' +
      '00000020d74691935ea3e3a1a1b72191d9540ab6de1ac0f1ccb928b9a40b6f1c0000000059b250a16ae1bdd0d066f0bbff76722550783076372d9687550c31f565f72836cf8a5059ffff001de5baa202' + '00' +
      '00000020f5e0e8a8e4374d258a3067bdaee39db29a1e9f5a29f9585136150a0d000000002c6e32d84acfe697a08d8c2071a0956927fad8ab028b8969a7c3c794dced35cec2905059ffff001db75e5200' + '00')
    const msg = decodePayload('headers', payload)
    expect(msg.headers).toHaveLength(2)
    // headers_spec.rb gives the block hashes as the bytes of the hash (not reversed).
    const hashes = ['f5e0e8a8e4374d258a3067bdaee39db29a1e9f5a29f9585136150a0d00000000', 'a11ad960c23169f8fe050840edb3526a27bc057b0c51d30f509cee5300000000']
    msg.headers.forEach((h, i) => {
      expect(h.version).toBe(0x20000000) // BIP-9 version bits, top bits 001
      expect(h.bits).toBe(0x1d00ffff) // testnet's minimum difficulty, as in the genesis block
      expect(toHex(blockHash(encodeBlockHeader(h)))).toBe(hashes[i])
    })
    expect(toHex(msg.headers[1]!.prevBlock)).toBe(hashes[0])
    expect(toHex(encodePayload(msg))).toBe(toHex(payload))
  })

  test('bitcoinrb\'s 1,000-hash cfheaders (fixture): the count, stop hash and first hash the spec gives', () => {
    const payload = hex(fs.readFileSync(path.join(__dirname, 'fixtures', 'messages', 'bitcoinrb-cfheaders-payload.hex'), 'utf8').trim())
    // The spec's to_pkt frame header: 32,068 bytes (447d0000), checksum 263597a2.
    expect(payload).toHaveLength(0x7d44)
    expect(toHex(sha256d(payload).subarray(0, 4))).toBe('263597a2')
    const msg = decodePayload('cfheaders', payload)
    expect(msg.filterType).toBe(0)
    expect(toHex(msg.stopHash)).toBe('498fc25f2126fb1180345d594f91d5a432d7725dbc2c0d4ee639986cf1253f67')
    expect(msg.filterHashes).toHaveLength(1000)
    expect(toHex(msg.filterHashes[0]!)).toBe('9c43b77346d2548664cc75d714f686ae6dc1f070bc2d8954ecfa1bc28c3d69a1')
    expect(toHex(encodePayload(msg))).toBe(toHex(payload))
  })

  // BIP-158's vectors (Core's blockfilters.json, testnet3): height, block hash, previous basic header,
  // basic filter, basic header; hashes displayed reversed, as Core's GetHex writes them.
  const BIP158 = [
    { height: 0, block: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943', prevHeader: '00'.repeat(32), filter: '019dfca8', header: '21584579b7eb08997773e5aeff3a7f932700042d0ed2a6129012b7d7ae81b750' },
    { height: 2, block: '000000006c02c8ea6e4ff69651f7fcde348fb9d557a06e6957b65552002a7820', prevHeader: 'd7bdac13a59d745b1add0d2ce852f1a0442e8945fc1bf3848d3cbffd88c24fe1', filter: '0174a170', header: '186afd11ef2b5e7e3504f2e8cbf8df28a1fd251fe53d60dff8b1467d1b386cf0' },
    { height: 3, block: '000000008b896e272758da5297bcd98fdc6d97c9b765ecec401e286dc1fdbe10', prevHeader: '186afd11ef2b5e7e3504f2e8cbf8df28a1fd251fe53d60dff8b1467d1b386cf0', filter: '016cf7a0', header: '8d63aadf5ab7257cb6d2316a57b16f517bff1c6388f124ec4c04af1212729d2a' },
    { height: 926485, block: '000000000000015d6077a411a8f5cc95caf775ccf11c54e27df75ce58d187313', prevHeader: '8f13b9a9c85611635b47906c3053ac53cfcec7211455d4cb0d63dc9acc13d472', filter: '09027acea61b6cc3fb33f5d52f7d088a6b2f75d234e89ca800', header: '546c574a0472144bcaf9b6aeabf26372ad87c7af7d1ee0dbfae5e099abeae49c' }
  ]

  // No outside source gives these as message bytes: the payloads are laid out by hand from BIP-157
  // (filter type, block hash, CompactSize length, filter), the values are BIP-158's.
  test.each(BIP158)('cfilter for BIP-158\'s block $height: the displayed block hash and the filter', (v) => {
    const filter = hex(v.filter)
    const payload = Uint8Array.from(Buffer.concat([Uint8Array.of(0), displayed(v.block), Uint8Array.of(filter.length), filter]))
    const msg = decodePayload('cfilter', payload)
    expect(hashToHex(msg.blockHash)).toBe(v.block)
    expect(msg).toEqual({ type: 'cfilter', filterType: 0, blockHash: displayed(v.block), filter })
    expect(toHex(encodePayload(msg))).toBe(toHex(payload))
  })

  test('cfheaders for BIP-158\'s blocks 2 and 3: the decoded hashes chain into BIP-158\'s filter headers', () => {
    // BIP-157: filter hash = SHA256d(filter); header = SHA256d(filter hash || previous header).
    const [, two, three] = BIP158 as [typeof BIP158[0], typeof BIP158[0], typeof BIP158[0]]
    const filterHashes = [two, three].map((v) => sha256d(hex(v.filter)))
    const payload = Uint8Array.from(Buffer.concat([Uint8Array.of(0), displayed(three.block), displayed(two.prevHeader), Uint8Array.of(2), ...filterHashes]))
    const msg = decodePayload('cfheaders', payload)
    expect(hashToHex(msg.stopHash)).toBe(three.block)
    let header = msg.previousFilterHeader
    const chained = msg.filterHashes.map((h) => (header = sha256d(h, header)))
    expect(chained.map(hashToHex)).toEqual([two.header, three.header])
    expect(toHex(encodePayload(msg))).toBe(toHex(payload))
  })

  test('BIP-158\'s genesis filter header is SHA256d(filter hash || 32 zero bytes), as the test above assumes', () => {
    expect(hashToHex(sha256d(sha256d(hex(BIP158[0]!.filter)), zeros(32)))).toBe(BIP158[0]!.header)
  })
})

describe('golden malformed addrv2 entries (Core net_tests.cpp cnetaddr_unserialize_v2)', () => {
  // Core's test vectors are a network id, a CompactSize length and the address; the time, services and
  // port around them are written by hand from BIP-155's layout: time 0, services 0, port 8333.
  const entry = (netaddr: string): Uint8Array => hex('01' + '00000000' + '00' + netaddr + '208d')

  test.each([
    ['IPv4 1.2.3.4', '01 04 01020304', 1, '01020304'],
    ['IPv6 102:304:506:708:90a:b0c:d0e:f10', '02 10 0102030405060708090a0b0c0d0e0f10', 2, '0102030405060708090a0b0c0d0e0f10'],
    ['TORv2 6hzph5hv6337r6p2.onion (opaque to us, as to Core since v22)', '03 0a f1f2f3f4f5f6f7f8f9fa', 3, 'f1f2f3f4f5f6f7f8f9fa'],
    ['TORv3 pg6mmjiy…cryd.onion', '04 20 79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f', 4, '79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f'],
    ['I2P ukeu3k5o…kdq.b32.i2p', '05 20 a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87', 5, 'a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87'],
    ['CJDNS fc00:1:2:3:4:5:6:7', '06 10 fc000001000200030004000500060007', 6, 'fc000001000200030004000500060007'],
    ['an unknown network with 4 bytes', 'aa 04 01020304', 0xaa, '01020304'],
    ['an unknown network with 0 bytes', 'aa 00', 0xaa, '']
  ])('valid: %s', (_name, netaddr, networkId, addr) => {
    const payload = entry(netaddr)
    const msg = decodePayload('addrv2', payload)
    expect(msg).toEqual({ type: 'addrv2', addresses: [{ time: 0, services: 0n, networkId, addr: hex(addr), port: 8333 }] })
    expect(toHex(encodePayload(msg))).toBe(toHex(payload))
  })

  test.each([
    ['IPv4 with length 5', '01 05 01020304', 'ERR_BIP324_BAD_PAYLOAD'],
    ['IPv4 with length 513 ("Address too long: 513 > 512")', '01 fd0102 01020304', 'ERR_BIP324_LIMIT'],
    ['IPv4 whose address is cut short', '01 04 0102', 'ERR_BIP324_BAD_PAYLOAD'],
    ['IPv6 with length 4', '02 04 00', 'ERR_BIP324_BAD_PAYLOAD'],
    ['TORv3 with length 0', '04 00 00', 'ERR_BIP324_BAD_PAYLOAD'],
    ['I2P with length 3', '05 03 00', 'ERR_BIP324_BAD_PAYLOAD'],
    ['CJDNS with length 1', '06 01 00', 'ERR_BIP324_BAD_PAYLOAD'],
    ['an unknown network with length 2^25 (MAX_SIZE)', 'aa fe00000002 01020304050607', 'ERR_BIP324_LIMIT']
  ])('refused: %s', (_name, netaddr, code) => {
    expect(() => decodePayload('addrv2', entry(netaddr))).toThrow(expect.objectContaining({ code }))
  })

  test('rust-bitcoin\'s getblocktxn gaps that overflow (u64::MAX - 1, u64::MAX) are refused', () => {
    for (const gaps of ['02 fffeffffffffffffff 00', '01 ffffffffffffffffff']) {
      expect(() => decodePayload('getblocktxn', hex('00'.repeat(32) + gaps))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_PAYLOAD' }))
    }
  })
})

describe('golden malformed feature payloads (Core434 _expect_disconnect: "invalid feature payload")', () => {
  test.each([
    ['test_feature_id_length_boundaries: an empty id', '00 00', 'ERR_BIP324_BAD_PAYLOAD'],
    ['test_feature_id_length_boundaries: a 3-byte id', '03 616161 00', 'ERR_BIP324_BAD_PAYLOAD'],
    ['test_feature_id_length_boundaries: an 81-byte id', '51' + '61'.repeat(81) + '00', 'ERR_BIP324_LIMIT'],
    ['test_feature_data_length_boundaries: 513 bytes of data', '04 61626364 fd0102' + '00'.repeat(513), 'ERR_BIP324_LIMIT'],
    ['test_trailing_bytes_disconnect: a byte after the data', '04 61626364 00 00', 'ERR_BIP324_BAD_PAYLOAD'],
    ['test_truncated_feature_id_disconnect: an id of 10 announced, 5 sent', '0a 6162636465', 'ERR_BIP324_BAD_PAYLOAD'],
    ['test_truncated_feature_data_disconnect: data of 10 announced, 2 sent', '04 61626364 0a 7878', 'ERR_BIP324_BAD_PAYLOAD']
  ])('refused: %s', (_name, payload, code) => {
    expect(() => decodePayload('feature', hex(payload))).toThrow(expect.objectContaining({ code }))
  })
})

describe('raw payloads from real messages pass through untouched', () => {
  // rust-bitcoin p2p/src/message.rs full_round_ser_der_raw_network_message: a merkleblock, a
  // cmpctblock and a blocktxn as captured; Core's bloom_tests.cpp merkle_block_1's block header.
  test.each([
    ['merkleblock', '0100000079cda856b143d9db2c1caff01d1aecc8630d30625d10e8b4b8b0000000000000b50cc069d6a3e33e3ff84a5c41d9d3febe7c770fdcc96b2c3ff60abe184f196367291b4d4c86041b8fa45d630100000001b50cc069d6a3e33e3ff84a5c41d9d3febe7c770fdcc96b2c3ff60abe184f19630101'],
    ['cmpctblock', '00000030d923ad36ff2d955abab07f8a0a6e813bc6e066b973e780c5e36674cad5d1cd1f6e265f2a17a0d35cbe701fe9d06e2c6324cfe135f6233e8b767bfa3fb4479b71115dc562ffff7f2006000000000000000000000000010002000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0302ee00ffffffff0100f9029500000000015100000000'],
    ['blocktxn', '2e93c0cff39ff605020072d96bc3a8d20b8447e294d08092351c8583e08d9b5a01020000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff0402dc0000ffffffff0200f90295000000001976a9142b4569203694fc997e13f2c0a1383b9e16c77a0d88ac0000000000000000266a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf90120000000000000000000000000000000000000000000000000000000000000000000000000']
  ])('%s', (type, payloadHex) => {
    const raw = hex(payloadHex)
    const msg = decodePayload(type, raw)
    expect(msg).toEqual({ type, raw })
    expect(encodePayload(msg)).toBe(raw)
  })

  test('the header of Core\'s merkle_block_1 block hashes to the block its comment names', () => {
    // "Random real block (0000000000013b8ab2cd513b0261a14096412195a72a0c4827d229dcc7e0f7af)"
    const header = hex('0100000090f0a9f110702f808219ebea1173056042a714bad51b916cb6800000000000005275289558f51c9966699404ae2294730c3c9f9bda53523ce50e9b95e558da2fdb261b4d4c86041b1ab1bf93')
    expect(hashToHex(blockHash(header))).toBe('0000000000013b8ab2cd513b0261a14096412195a72a0c4827d229dcc7e0f7af')
    expect(toHex(encodeBlockHeader(decodeBlockHeader(header)))).toBe(toHex(header))
  })
})
