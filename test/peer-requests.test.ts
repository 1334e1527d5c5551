// A Peer's requests against stand-ins that answer as Bitcoin Core does, on 127.0.0.1: a chain
// served as Core serves it (test/helpers/chain-node.ts: in order, nothing for a block it lacks,
// notfound for a transaction) and the scripted Core of test/helpers/core-node.ts. Bounds are
// measured while the requests run, at the stand-in and at the Peer.

import { once } from 'node:events'

import {
  type Bip324Error, connectPeer, connectPeerAsync, decodeCheckedBlock, decodePayload, MAX_BLOCKS_IN_TRANSIT_PER_PEER, MAX_PEER_TX_REQUEST_IN_FLIGHT, type Message, type Peer
} from '../lib'
import { blockHash, type BlockHeader, encodeBlockHeader, hashFromHex, hashToHex, txid, wtxid } from '../lib/messages'
import { NETWORKS } from '../lib/network'
import { type Chain, filterOf } from './helpers/chain-responder'
import { chainNode, type ChainNode, type ChainNodeOptions } from './helpers/chain-node'
import { coreNode } from './helpers/core-node'
import { mineRegtestHeaders, REGTEST_GENESIS, regtestBlock } from './helpers/regtest-chain'

const hashOf = (h: BlockHeader): Uint8Array => blockHash(encodeBlockHeader(h))
const GENESIS = hashFromHex(NETWORKS.regtest.genesis)

const opened: Array<{ close: () => Promise<void> }> = []
const peers: Peer[] = []
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy()
  for (const n of opened.splice(0)) await n.close()
})

async function peerOf (chain: Chain, options: ChainNodeOptions = {}): Promise<{ peer: Peer, node: ChainNode }> {
  const node = await chainNode('regtest', chain, options)
  opened.push(node)
  const peer = await connectPeerAsync({ host: '127.0.0.1', port: node.port, network: 'regtest', pingInterval: 0 })
  peers.push(peer)
  return { peer, node }
}

// A Peer ready on the scripted Core stand-in (mainnet), and the stand-in's side of it.
async function peerOnCore (): Promise<{ peer: Peer, core: Awaited<ReturnType<Awaited<ReturnType<typeof coreNode>>['accepted']>> }> {
  const node = await coreNode()
  opened.push(node)
  const peer = connectPeer({ host: '127.0.0.1', port: node.port, pingInterval: 0 })
  peers.push(peer)
  const core = await node.accepted()
  await once(peer, 'ready')
  return { peer, core }
}

// A regtest chain of `count` blocks of one coinbase each, with its blocks served.
function blockChain (count: number): { chain: Chain, blocks: Array<{ header: BlockHeader, raw: Uint8Array }> } {
  const blocks: Array<{ header: BlockHeader, raw: Uint8Array }> = []
  let prev = REGTEST_GENESIS
  for (let height = 1; height <= count; height++) {
    const b = regtestBlock(height, prev)
    blocks.push(b)
    prev = b.header
  }
  const chain = { headers: [REGTEST_GENESIS, ...blocks.map((b) => b.header)], blocks: new Map(blocks.map((b) => [hashToHex(hashOf(b.header)), b.raw])) }
  return { chain, blocks }
}

async function rejection (p: Promise<unknown>): Promise<Bip324Error> {
  return await p.then(() => { throw new Error('resolved') }, (err: Bip324Error) => err)
}

describe('getHeaders: one round, as Core answers getheaders', () => {
  const mined = mineRegtestHeaders(30)
  const chain = { headers: [REGTEST_GENESIS, ...mined] }

  test('a locator: the headers after its first known hash, up to the stop hash when one is given', async () => {
    const { peer, node } = await peerOf(chain)
    expect(await peer.getHeaders([GENESIS])).toEqual(mined)
    expect(await peer.getHeaders([hashOf(mined[9]!), GENESIS], { stop: hashOf(mined[14]!) })).toEqual(mined.slice(10, 15))
    const sent = decodePayload('getheaders', node.asked[1]!.payload)
    expect(sent.locator.map(hashToHex)).toEqual([hashToHex(hashOf(mined[9]!)), NETWORKS.regtest.genesis])
    expect(hashToHex(sent.stopHash)).toBe(hashToHex(hashOf(mined[14]!)))
  })

  test('an empty locator: the stop hash\'s header alone; [] for a block the node does not have, and for a zero stop hash, told by the pong (no timeout)', async () => {
    const { peer, node } = await peerOf(chain)
    expect(await peer.getHeaders([], { stop: hashOf(mined[4]!), timeout: 0 })).toEqual([mined[4]])
    expect(await peer.getHeaders([], { stop: new Uint8Array(32).fill(7), timeout: 0 })).toEqual([])
    expect(await peer.getHeaders([], { timeout: 0 })).toEqual([])
    expect(node.asked.map((m) => decodePayload('getheaders', m.payload).locator)).toEqual([[], [], []])
  })

  test('one getheaders in flight, as Core sends them; a headers that answers none (an announcement) is only emitted, the answer emitted too', async () => {
    // The stand-in is on mainnet; the headers are regtest's, which matching does not check.
    const { peer, core } = await peerOnCore()
    const emitted: Message[] = []
    peer.on('message', (m) => emitted.push(m))
    const first = peer.getHeaders([GENESIS])
    const second = peer.getHeaders([hashOf(mined[0]!)])
    await core.next('getheaders')
    const announced = mineRegtestHeaders(1, mined[20]!)
    core.send({ type: 'headers', headers: announced })
    await new Promise((resolve) => setTimeout(resolve, 50))
    // The second waits for the first's answer: one getheaders reached the node.
    expect(core.received.filter((m) => m.type === 'getheaders')).toHaveLength(1)
    core.send({ type: 'headers', headers: mined.slice(0, 3) })
    expect(await first).toEqual(mined.slice(0, 3))
    await core.next('getheaders', (m) => decodePayload('getheaders', m.payload).locator.length === 1 && hashToHex(decodePayload('getheaders', m.payload).locator[0]!) === hashToHex(hashOf(mined[0]!)))
    core.send({ type: 'headers', headers: mined.slice(1, 2) })
    expect(await second).toEqual(mined.slice(1, 2))
    expect(emitted.filter((m) => m.type === 'headers').map((m) => m.type === 'headers' && m.headers)).toEqual([announced, mined.slice(0, 3), mined.slice(1, 2)])
  })
})

test('syncHeaders: 2,500 headers in rounds of 2,000, checked, following a reorganisation at height 1,995 to the new tip, with Core\'s chainwork', async () => {
  const mined = mineRegtestHeaders(2_500)
  const chain = { headers: [REGTEST_GENESIS, ...mined] }
  const fork = mineRegtestHeaders(600, mined[1_994]!)
  let replies = 0
  const { peer } = await peerOf(chain, {
    tamper: (reply) => {
      if (reply.type === 'headers' && ++replies === 1) chain.headers = [REGTEST_GENESIS, ...mined.slice(0, 1_995), ...fork]
      return reply
    }
  })
  const rounds = []
  for await (const round of peer.syncHeaders()) rounds.push(round)
  expect(rounds.map((r) => [r.fork.height, r.tip.height, r.headers.length])).toEqual([[0, 2_000, 2_000], [1_995, 2_595, 600]])
  expect(hashToHex(rounds[1]!.tip.hash)).toBe(hashToHex(hashOf(fork[599]!)))
  expect(hashToHex(rounds[1]!.fork.hash)).toBe(hashToHex(hashOf(mined[1_994]!)))
  // Regtest's 2 per header (blockProof of 0x207fffff), genesis included.
  expect(rounds[1]!.tip.work).toBe(2n * BigInt(2_595 + 1))
  expect(rounds[0]!.hashes.map(hashToHex)).toEqual(mined.slice(0, 2_000).map((h) => hashToHex(hashOf(h))))
})

test('syncHeaders from a header of the chain: the rounds after it, its height and work carried on', async () => {
  const mined = mineRegtestHeaders(30)
  const { peer, node } = await peerOf({ headers: [REGTEST_GENESIS, ...mined] })
  const rounds = []
  for await (const round of peer.syncHeaders({ from: { hash: hashOf(mined[9]!), height: 10, work: 22n } })) rounds.push(round)
  expect(rounds.map((r) => [r.fork.height, r.tip.height, r.tip.work])).toEqual([[10, 30, 22n + 2n * 20n]])
  expect(rounds[0]!.headers).toEqual(mined.slice(10))
  expect(decodePayload('getheaders', node.asked[0]!.payload).locator.map(hashToHex)).toEqual([hashToHex(hashOf(mined[9]!))])
  expect(() => peer.syncHeaders({ from: { hash: new Uint8Array(31), height: 1, work: 0n } })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('syncHeaders: a header failing its proof of work ends the sync with Core\'s reason', async () => {
  const mined = mineRegtestHeaders(20)
  let bad = { ...mined[10]!, nonce: 0 }
  while ((hashOf(bad)[31]! & 0x80) === 0) bad = { ...bad, nonce: bad.nonce + 1 }
  const { peer } = await peerOf({ headers: [REGTEST_GENESIS, ...mined.slice(0, 10), bad] })
  const err = await rejection((async () => { for await (const _ of peer.syncHeaders()); })())
  expect(err).toMatchObject({ code: 'ERR_BIP324_BAD_PAYLOAD', reason: 'high-hash' })
})

describe('blocks', () => {
  test('getBlock: the block\'s bytes, decodable; one the node does not have: ERR_BIP324_NOT_FOUND at the pong, not at a timeout', async () => {
    const { chain, blocks } = blockChain(3)
    const { peer, node } = await peerOf(chain)
    const raw = await peer.getBlock(hashOf(blocks[1]!.header))
    expect(raw).toEqual(blocks[1]!.raw)
    expect(hashToHex(decodeCheckedBlock(raw, { network: 'regtest' }).hash)).toBe(hashToHex(hashOf(blocks[1]!.header)))
    const missing = new Uint8Array(32).fill(3)
    const err = await rejection(peer.getBlock(missing, { timeout: 0 }))
    expect(err).toMatchObject({ name: 'Bip324Error', code: 'ERR_BIP324_NOT_FOUND' })
    expect(err.message).toContain(hashToHex(missing))
    expect(decodePayload('getdata', node.asked[1]!.payload).inventory).toEqual([{ invType: 0x40000002, hash: missing }])
    expect(peer.requestsInFlight).toEqual({ blocks: 0, transactions: 0, all: 0 })
  })

  test('getBlocks: 40 blocks in order, at most 16 in flight (measured at the node and at the Peer), or fewer when asked', async () => {
    const { chain, blocks } = blockChain(40)
    const hashes = blocks.map((b) => hashOf(b.header))
    const { peer, node } = await peerOf(chain, { latency: 2 })
    let got = 0
    let most = 0
    for await (const raw of peer.getBlocks(hashes)) {
      expect(raw).toEqual(blocks[got++]!.raw)
      most = Math.max(most, peer.requestsInFlight.blocks)
    }
    expect(got).toBe(40)
    expect(node.blocksInFlight.most).toBe(MAX_BLOCKS_IN_TRANSIT_PER_PEER)
    expect(most).toBeLessThanOrEqual(MAX_BLOCKS_IN_TRANSIT_PER_PEER)
    node.blocksInFlight.most = 0
    got = 0
    for await (const raw of peer.getBlocks(hashes.slice(0, 12), { inFlight: 4 })) expect(raw).toEqual(blocks[got++]!.raw)
    expect(node.blocksInFlight.most).toBe(4)
    expect(peer.requestsInFlight.all).toBe(0)
  })

  test('getBlocks: a break gives up the blocks still asked for (their turns free at once); an abort ends the iteration with AbortError', async () => {
    const { chain, blocks } = blockChain(40)
    const hashes = blocks.map((b) => hashOf(b.header))
    const { peer } = await peerOf(chain, { latency: 2 })
    for await (const raw of peer.getBlocks(hashes)) {
      expect(raw).toEqual(blocks[0]!.raw)
      expect(peer.requestsInFlight.blocks).toBe(MAX_BLOCKS_IN_TRANSIT_PER_PEER - 1)
      break
    }
    expect(peer.requestsInFlight).toEqual({ blocks: 0, transactions: 0, all: 0 })
    const controller = new AbortController()
    let got = 0
    const err = await rejection((async () => {
      for await (const _ of peer.getBlocks(hashes, { signal: controller.signal })) if (++got === 3) controller.abort()
    })())
    expect(err).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
    expect(got).toBe(3)
    expect(peer.requestsInFlight.all).toBe(0)
  })

  test('getBlocks: a block the node lacks ends the iteration with ERR_BIP324_NOT_FOUND after the blocks before it', async () => {
    const { chain, blocks } = blockChain(3)
    const { peer } = await peerOf(chain)
    const got: Uint8Array[] = []
    const err = await rejection((async () => {
      for await (const raw of peer.getBlocks([hashOf(blocks[0]!.header), new Uint8Array(32).fill(1), hashOf(blocks[2]!.header)])) got.push(raw)
    })())
    expect(err.code).toBe('ERR_BIP324_NOT_FOUND')
    expect(got).toEqual([blocks[0]!.raw])
  })
})

test('getTransaction: by txid and by wtxid (MSG_WTX); one the node does not have: its notfound, ERR_BIP324_NOT_FOUND', async () => {
  const { chain, blocks } = blockChain(1)
  // The coinbase of block 1: its bytes after the header and the count.
  const tx = blocks[0]!.raw.subarray(81)
  const { peer, node } = await peerOf({ ...chain, transactions: new Map([[hashToHex(txid(tx)), tx], [hashToHex(wtxid(tx)), tx]]) })
  expect(await peer.getTransaction(txid(tx))).toEqual(tx)
  expect(await peer.getTransaction(wtxid(tx), { by: 'wtxid' })).toEqual(tx)
  const err = await rejection(peer.getTransaction(new Uint8Array(32).fill(5), { timeout: 0 }))
  expect(err.code).toBe('ERR_BIP324_NOT_FOUND')
  expect(node.asked.map((m) => decodePayload('getdata', m.payload).inventory[0]!.invType)).toEqual([0x40000001, 5, 0x40000001])
})

test('BIP-157: getCFilters, getCFHeaders and getCFCheckpt, matched by filter type and stop hash', async () => {
  const mined = mineRegtestHeaders(1_005)
  const { peer } = await peerOf({ headers: [REGTEST_GENESIS, ...mined] })
  const stop = hashOf(mined[9]!)
  const filters = await peer.getCFilters(0, 3, stop)
  expect(filters.map((f) => hashToHex(f.blockHash))).toEqual(mined.slice(2, 10).map((h) => hashToHex(hashOf(h))))
  expect(filters.map((f) => f.filter)).toEqual(mined.slice(2, 10).map((h) => filterOf(hashOf(h))))
  const cfheaders = await peer.getCFHeaders(0, 1, stop)
  expect(cfheaders).toMatchObject({ type: 'cfheaders', filterType: 0, stopHash: stop })
  expect(cfheaders.filterHashes).toHaveLength(10)
  const checkpt = await peer.getCFCheckpt(0, hashOf(mined[1_004]!))
  expect(checkpt.filterHeaders).toHaveLength(1)
})

describe('timeouts, AbortSignal, close, bounds', () => {
  test('a request with no answer: ERR_BIP324_TIMEOUT at its timeout, and it leaves the table', async () => {
    const { peer } = await peerOf({ headers: [REGTEST_GENESIS] }, { silent: true })
    const started = Date.now()
    const err = await rejection(peer.getBlock(new Uint8Array(32), { timeout: 100 }))
    expect(err.code).toBe('ERR_BIP324_TIMEOUT')
    expect(Date.now() - started).toBeGreaterThanOrEqual(95)
    expect(peer.requestsInFlight.all).toBe(0)
  })

  test('AbortSignal: an abort rejects with Node\'s AbortError (ABORT_ERR, the reason as cause); an aborted signal at once', async () => {
    const { peer } = await peerOf({ headers: [REGTEST_GENESIS] }, { silent: true })
    const controller = new AbortController()
    const pending = peer.getHeaders([GENESIS], { signal: controller.signal })
    controller.abort('enough')
    expect(await rejection(pending)).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: 'enough' })
    expect(await rejection(peer.getTransaction(new Uint8Array(32), { signal: AbortSignal.abort() }))).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
    expect(peer.requestsInFlight.all).toBe(0)
    // The getheaders' turn was given back: the next one goes out.
    const next = peer.getHeaders([GENESIS], { timeout: 50 })
    expect((await rejection(next)).code).toBe('ERR_BIP324_TIMEOUT')
  })

  test('a Peer that closes rejects every request in flight or waiting with its error, and every later one', async () => {
    const { chain, blocks } = blockChain(1)
    const { peer } = await peerOf(chain, { silent: true })
    peer.on('error', () => {})
    const pending = [
      peer.getHeaders([GENESIS]), peer.getHeaders([GENESIS]), peer.getBlock(hashOf(blocks[0]!.header)),
      peer.getTransaction(new Uint8Array(32)), peer.getCFilters(0, 0, GENESIS), peer.getCFCheckpt(0, GENESIS)
    ].map(rejection)
    const err = new Error('going away')
    const closed = new Promise((resolve) => peer.once('close', resolve))
    peer.destroy(err)
    for (const p of pending) expect(await p).toBe(err)
    await closed
    expect(await rejection(peer.getBlock(new Uint8Array(32)))).toBe(err)
  })

  test('the node closing the connection: ERR_BIP324_PEER_CLOSED (the stand-in answers no getdata for a transaction)', async () => {
    const { peer, core } = await peerOnCore()
    const pending = rejection(peer.getTransaction(new Uint8Array(32)))
    await core.next('getdata')
    core.connection.end()
    expect((await pending).code).toBe('ERR_BIP324_PEER_CLOSED')
  })

  test('a getcfilters answer that never reaches the stop hash: ERR_BIP324_LIMIT after 1,000 filters (Core\'s MAX_GETCFILTERS_SIZE), no more held', async () => {
    const { peer, core } = await peerOnCore()
    const stop = new Uint8Array(32).fill(9)
    const pending = rejection(peer.getCFilters(0, 1, stop, { timeout: 0 }))
    await core.next('getcfilters')
    // Filters for other blocks, one more than a request may hold: the request ends at the limit.
    for (let i = 0; i <= 1000; i++) core.send({ type: 'cfilter', filterType: 0, blockHash: Uint8Array.of(i & 0xff, i >> 8, ...new Uint8Array(30)), filter: Uint8Array.of(1) })
    const err = await pending
    expect(err.code).toBe('ERR_BIP324_LIMIT')
    expect(err.message).toMatch(/^the peer sent 1000 filters/)
    expect(peer.requestsInFlight.all).toBe(0)
  })

  test('at most 100 transactions in flight (measured at the Peer and at the node), at most 1,000 requests in all', async () => {
    const { peer, node } = await peerOf({ headers: [REGTEST_GENESIS] }, { silent: true })
    peer.on('error', () => {})
    const pending = Array.from({ length: 1_000 }, (_, i) => rejection(peer.getTransaction(new Uint8Array(32).fill(i % 256).fill(i >> 8, 0, 1))))
    expect((await rejection(peer.getTransaction(new Uint8Array(32)))).code).toBe('ERR_BIP324_LIMIT')
    expect(peer.requestsInFlight).toEqual({ blocks: 0, transactions: MAX_PEER_TX_REQUEST_IN_FLIGHT, all: 1_000 })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(node.asked).toHaveLength(MAX_PEER_TX_REQUEST_IN_FLIGHT)
    peer.destroy(new Error('done'))
    for (const p of pending) expect((await p).message).toBe('done')
  })

  test('before \'ready\' or after end(): ERR_BIP324_BAD_STATE; wrong arguments: ERR_BIP324_INVALID_ARG, thrown', async () => {
    const { chain } = blockChain(1)
    const node = await chainNode('regtest', chain)
    opened.push(node)
    const peer = connectPeer({ host: '127.0.0.1', port: node.port, network: 'regtest', pingInterval: 0 })
    peers.push(peer)
    expect((await rejection(peer.getHeaders([GENESIS]))).code).toBe('ERR_BIP324_BAD_STATE')
    await once(peer, 'ready')
    expect(() => peer.getBlock(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(() => peer.getHeaders(Array.from({ length: 102 }, () => GENESIS))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(() => peer.getBlocks([], { inFlight: 17 })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    expect(() => peer.getTransaction(GENESIS, { timeout: -1 })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    peer.end()
    expect((await rejection(peer.getHeaders([GENESIS]))).code).toBe('ERR_BIP324_BAD_STATE')
  })
})
