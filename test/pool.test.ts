/**
 * The pool (lib/pool/pool.ts) against several Core stand-ins at once (test/helpers/core-node.ts),
 * each on its own 127.0.0.x: DNS seeds through an injected resolver, addresses gossiped from one
 * stand-in leading to a connection to another, stand-ins killed and restarted under the pool,
 * misbehaviour and discouragement, inbound peers and getaddr, a transaction announced and served,
 * a connection to ourselves, and `.onion` names through the SOCKS5 test server.
 *
 * 127.0.0.x are one network group to Core (loopback) and not routable, so the tests give the pool a
 * `netGroup` of their own: each address its own group (or all one, to see the one-per-group rule).
 */

import fs from 'node:fs'
import path from 'node:path'

import { INVENTORY_TYPE, type Peer, SERVICE_FLAGS } from '../lib'
import { decodePayload, decodeTransaction } from '../lib/messages'
import { onionName } from '../lib/net/address'
import { Pool, type PoolOptions } from '../lib/pool/pool'
import { CORE_SERVICES, type CoreBehaviour, type CoreNode, coreClient, coreNode, type Scripted } from './helpers/core-node'
import { v1OnlyNode } from './helpers/fake-node'
import { nextEvent } from './helpers/net'
import { socks5Server } from './helpers/socks5-server'

const eachItsOwn = (host: string): string => host
const TX = Uint8Array.from(Buffer.from(fs.readFileSync(path.join(__dirname, 'fixtures', 'blocks', 'rust-bitcoin-segwit-tx.hex'), 'utf8').trim(), 'hex'))

const pools: Pool[] = []
const nodes: CoreNode[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => new Promise<void>((resolve) => p.close(resolve))))
  await Promise.all(nodes.splice(0).map((n) => n.close()))
})

function pool (options: PoolOptions): Pool {
  const p = new Pool({ dnsSeeds: false, blockRelayOnly: 0, maxAttemptsPerSecond: 50, netGroup: eachItsOwn, pingInterval: 0, ...options })
  pools.push(p)
  return p
}

async function standIn (host: string, b: CoreBehaviour = {}, port = 0): Promise<CoreNode> {
  const node = await coreNode(b, host, port)
  nodes.push(node)
  return node
}

const at = (host: string, node: CoreNode): string => `${host}:${node.port}`

// Resolves once `test` holds, checked every 20 ms.
async function until (test: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function peersOf (p: Pool): string[] {
  return p.peers.map((x) => x.address).sort()
}

test('keeps its outbound peers from the application\'s addresses: v2, getaddr sent, relay asked, one per network group', async () => {
  const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4']
  const standIns = await Promise.all(hosts.map((h) => standIn(h)))
  const p = pool({ outbound: 3, addresses: hosts.map((h, i) => at(h, standIns[i]!)) })
  p.start()
  await until(() => p.peers.length === 3, '3 peers')
  expect(peersOf(p)).toEqual(hosts.map((h, i) => at(h, standIns[i]!)).sort())
  expect(p.stats()).toMatchObject({ outboundFullRelay: 3, blockRelayOnly: 0, inbound: 0, v2: 3, v1: 0 })
  for (const node of standIns) {
    const side = await node.accepted()
    await side.next('getaddr')
    const version = decodePayload('version', side.received.find((m) => m.type === 'version')!.payload)
    expect(version.relay).toBe(true)
    expect(version.services & SERVICE_FLAGS.NODE_P2P_V2).toBe(SERVICE_FLAGS.NODE_P2P_V2)
  }
  expect(p.book.sizeTried).toBe(3)

  // All in one group: one outbound connection, however many are wanted.
  const one = pool({ outbound: 3, netGroup: () => 'one group', addresses: hosts.map((h, i) => at(h, standIns[i]!)) })
  one.start()
  await until(() => one.peers.length === 1, 'a peer')
  await sleep(300)
  expect(one.stats()).toMatchObject({ outboundFullRelay: 1, connecting: 0 })
})

test('block-relay-only connections: relay false, no getaddr, their addr ignored', async () => {
  const node = await standIn('127.0.0.5', {
    afterVerack: [{ type: 'addrv2', addresses: [{ time: Math.floor(Date.now() / 1000), services: CORE_SERVICES, networkId: 1, addr: Uint8Array.of(127, 0, 0, 99), port: 8333 }] }]
  })
  const p = pool({ outbound: 0, blockRelayOnly: 1, addresses: [at('127.0.0.5', node)] })
  const [, info] = await new Promise<[Peer, { type: string }]>((resolve) => { p.once('peer', (...args) => resolve(args)); p.start() })
  expect(info.type).toBe('block-relay-only')
  const side = await node.accepted()
  // Its addrv2 came with its verack's answer: time to be (not) processed.
  await sleep(200)
  expect(decodePayload('version', side.received.find((m) => m.type === 'version')!.payload).relay).toBe(false)
  expect(side.received.some((m) => m.type === 'getaddr')).toBe(false)
  expect(p.book.find({ host: '127.0.0.99', port: 8333 })).toBeUndefined()
})

test('an addr flood of 3,000 entries: Core\'s token bucket takes what our getaddr asked for (1,000) and one more, the rest is counted and dropped before it is looked at', async () => {
  const time = Math.floor(Date.now() / 1000)
  const flood = (n: number): Scripted => ({ type: 'addrv2', addresses: Array.from({ length: 1000 }, (_, i) => ({ time, services: CORE_SERVICES, networkId: 1, addr: Uint8Array.of(10, n, i >> 8, i & 0xff), port: 8333 })) })
  const node = await standIn('127.0.0.6', { afterVerack: [flood(1), flood(2), flood(3)] })
  const p = pool({ outbound: 1, addresses: [at('127.0.0.6', node)] })
  p.start()
  await until(() => p.stats().addrRateLimited >= 3000 - 1001 - 1, 'the flood past the bucket')
  // Every entry past the bucket is dropped before it is looked at: the book holds what the tokens allowed.
  const { addrRateLimited, book } = p.stats()
  expect(addrRateLimited).toBeLessThanOrEqual(3000 - 1000)
  expect(book.size).toBeGreaterThan(0)
  expect(book.size).toBeLessThanOrEqual(1 + 1001 + 1)
})

test('DNS seeds through the injected resolver: the answers, at the network\'s port, become peers', async () => {
  // Seed answers carry no port: the stand-in listens on mainnet's 8333, on an address of its own.
  let node: CoreNode | undefined
  let host = ''
  for (let x = 200; node === undefined && x < 250; x++) {
    host = `127.0.0.${x}`
    node = await standIn(host, {}, 8333).catch(() => undefined)
  }
  const asked: string[] = []
  const p = pool({ outbound: 1, dnsSeeds: ['seed.example.'], resolver: async (name) => { asked.push(name); return [host, 'not an address'] } })
  p.start()
  await until(() => p.peers.length === 1, 'the seed\'s node')
  expect(asked).toEqual(['seed.example.'])
  expect(peersOf(p)).toEqual([`${host}:8333`])
})

test('gossip: an addrv2 from one stand-in leads to a connection to another', async () => {
  const b = await standIn('127.0.0.7')
  const a = await standIn('127.0.0.6', {
    afterVerack: [{ type: 'addrv2', addresses: [{ time: Math.floor(Date.now() / 1000), services: CORE_SERVICES, networkId: 1, addr: Uint8Array.of(127, 0, 0, 7), port: b.port }] }]
  })
  const p = pool({ outbound: 2, addresses: [at('127.0.0.6', a)] })
  p.start()
  await until(() => p.peers.length === 2, 'the gossiped peer')
  expect(peersOf(p)).toEqual([at('127.0.0.6', a), at('127.0.0.7', b)].sort())
  expect(p.book.find({ host: '127.0.0.7', port: b.port })).toMatchObject({ tried: true })
})

test('a stand-in killed is replaced; restarted, it is taken back when another goes', async () => {
  const hosts = ['127.0.0.8', '127.0.0.9', '127.0.0.10']
  const standIns = await Promise.all(hosts.map((h) => standIn(h)))
  const p = pool({ outbound: 2, addresses: hosts.map((h, i) => at(h, standIns[i]!)) })
  const closed: Array<{ address: string, code: string | undefined }> = []
  p.on('peerClosed', (_peer, info, err) => closed.push({ address: info.address, code: (err as { code?: string } | undefined)?.code }))
  p.start()
  await until(() => p.peers.length === 2, '2 peers')
  const first = peersOf(p)
  const victim = standIns.findIndex((n, i) => first.includes(at(hosts[i]!, n)))
  const victimAddress = at(hosts[victim]!, standIns[victim]!)
  const victimPort = standIns[victim]!.port
  await standIns[victim]!.close()
  await until(() => closed.length === 1, 'peerClosed')
  expect(closed[0]!.address).toBe(victimAddress)
  await until(() => p.peers.length === 2 && !peersOf(p).includes(victimAddress), 'a replacement')
  const spare = hosts.map((h, i) => at(h, standIns[i]!)).find((a) => !first.includes(a))
  expect(peersOf(p)).toContain(spare)

  // Restarted at its address; then another goes, and it is the only one left to connect to.
  standIns[victim] = await standIn(hosts[victim]!, {}, victimPort)
  const other = standIns.findIndex((n, i) => i !== victim && peersOf(p).includes(at(hosts[i]!, n)))
  await standIns[other]!.close()
  await until(() => p.peers.length === 2 && peersOf(p).includes(victimAddress), 'the restarted stand-in')
})

test('a v1-only node: v2 first, then the v1 retry when allowed; never over v1 with v1: false', async () => {
  const node = await v1OnlyNode()
  try {
    const p = pool({ outbound: 1, addresses: [`127.0.0.1:${node.port}`] })
    p.start()
    await until(() => p.peers.length === 1, 'the v1 peer')
    expect(p.peers[0]!.peer.transport).toBe('v1')
    expect(p.stats()).toMatchObject({ v1: 1, v2: 0, attempts: 1 })
    await new Promise<void>((resolve) => p.close(resolve))
    const connections = node.v1Connections

    const strict = pool({ outbound: 1, v1: false, addresses: [`127.0.0.1:${node.port}`] })
    strict.start()
    const ready: Peer[] = []
    strict.on('peer', (peer) => ready.push(peer))
    await until(() => strict.stats().attempts >= 4, 'four attempts')
    await new Promise<void>((resolve) => strict.close(resolve))
    await sleep(100)
    expect(ready).toEqual([])
    // Each v2 attempt reached the node (which dropped it as a v1 node does); no v1 retry followed,
    // which would be a second connection per attempt.
    expect(node.v1Connections - connections).toBeLessThanOrEqual(strict.stats().attempts)
  } finally {
    await Promise.all(pools.splice(0).map((p) => new Promise<void>((resolve) => p.close(resolve))))
    await node.close()
  }
})

test('misbehaviour: the peer is disconnected and discouraged, and not connected to again', async () => {
  // wtxidrelay after verack: Core's Misbehaving, which disconnects.
  const node = await standIn('127.0.0.11', { afterVerack: [{ type: 'wtxidrelay' }] })
  const p = pool({ outbound: 1, addresses: [at('127.0.0.11', node)] })
  p.start()
  const [, info, err] = await nextEvent<[Peer, { address: string }, Error | undefined]>(p, 'peerClosed')
  expect(info.address).toBe(at('127.0.0.11', node))
  expect(err).toMatchObject({ code: 'ERR_BIP324_MISBEHAVIOR' })
  expect(p.isDiscouraged('127.0.0.11')).toBe(true)
  const attempts = p.stats().attempts
  await sleep(400)
  expect(p.stats()).toMatchObject({ attempts, discouraged: 1, outboundFullRelay: 0 })
})

test('an outbound peer without the required services is closed and not counted', async () => {
  const node = await standIn('127.0.0.12', { services: SERVICE_FLAGS.NODE_NETWORK | SERVICE_FLAGS.NODE_P2P_V2 })
  const p = pool({ outbound: 1, addresses: [at('127.0.0.12', node)] })
  const ready: Peer[] = []
  p.on('peer', (peer) => ready.push(peer))
  p.start()
  const side = await node.accepted()
  await side.closed
  await sleep(200)
  expect(ready).toEqual([])
  expect(p.book.find({ host: '127.0.0.12', port: node.port })!.services).toBe(SERVICE_FLAGS.NODE_NETWORK | SERVICE_FLAGS.NODE_P2P_V2)
  expect(p.selectAddresses(1)).toEqual([])
})

test('inbound peers: getaddr answered once from the book; a transaction announced by wtxid and served by getdata', async () => {
  const book = Array.from({ length: 40 }, (_, i) => `${20 + i}.${i}.1.1:8333`)
  const p = pool({ outbound: 0, addresses: book })
  p.start()
  p.listen(0, '127.0.0.1')
  await nextEvent(p.peerServer!, 'listening')
  const { port } = p.peerServer!.address() as { port: number }
  const inbound = nextEvent<[Peer, { type: string }]>(p, 'peer')
  const client = await coreClient(port)
  const [, info] = await inbound
  expect(info.type).toBe('inbound')

  client.send({ type: 'getaddr' })
  const answer = decodePayload('addrv2', (await client.next('addrv2')).payload)
  // Core's 23% of the book.
  expect(answer.addresses).toHaveLength(9)
  for (const a of answer.addresses) expect(book).toContain(`${Array.from(a.addr).join('.')}:${a.port}`)
  client.send({ type: 'getaddr' })

  const tx = decodeTransaction(TX)
  const announced = p.announce(TX)
  expect(announced.peers).toBe(1)
  const inv = decodePayload('inv', (await client.next('inv')).payload)
  expect(inv.inventory).toEqual([{ invType: INVENTORY_TYPE.MSG_WTX, hash: tx.wtxid }])
  const unknown = new Uint8Array(32).fill(9)
  client.send({ type: 'getdata', inventory: [{ invType: INVENTORY_TYPE.MSG_WTX, hash: tx.wtxid }, { invType: INVENTORY_TYPE.MSG_WTX, hash: unknown }] })
  expect(Buffer.from((await client.next('tx')).payload)).toEqual(Buffer.from(TX))
  expect(decodePayload('notfound', (await client.next('notfound')).payload).inventory).toEqual([{ invType: INVENTORY_TYPE.MSG_WTX, hash: unknown }])
  // The second getaddr was not answered.
  expect(client.received.filter((m) => m.type === 'addrv2')).toHaveLength(1)

  // A getdata naming it 50,000 times (the most an inventory holds) is served until the send buffer
  // is full (maxSendBuffer, 1,000,000 bytes), the rest dropped; the pong after it says it is done.
  client.send({ type: 'getdata', inventory: Array.from({ length: 50_000 }, () => ({ invType: INVENTORY_TYPE.MSG_WTX, hash: tx.wtxid })) })
  client.send({ type: 'ping', nonce: 77n })
  await client.next('pong', (m) => m.payload[0] === 77)
  const served = client.received.filter((m) => m.type === 'tx').length - 1
  expect(served).toBeGreaterThan(0)
  expect(served * (TX.length + 400)).toBeLessThanOrEqual(1_000_000 + TX.length + 400)
})

test('a connection to ourselves is found and the address left alone', async () => {
  const p = pool({ outbound: 1 })
  p.listen(0, '127.0.0.1')
  await nextEvent(p.peerServer!, 'listening')
  const { port } = p.peerServer!.address() as { port: number }
  p.addAddresses([`127.0.0.1:${port}`])
  const ready: Peer[] = []
  p.on('peer', (peer) => ready.push(peer))
  p.start()
  await until(() => p.stats().attempts === 1 && p.stats().connecting === 0, 'the attempt to end')
  await sleep(400)
  expect(p.stats().attempts).toBe(1)
  expect(ready).toEqual([])
})

test('.onion addresses only through the SOCKS5 proxy, with fresh isolation credentials per connection', async () => {
  const [a, b] = [await standIn('127.0.0.1'), await standIn('127.0.0.1')]
  const onionA = onionName(new Uint8Array(32).fill(0x11))
  const onionB = onionName(new Uint8Array(32).fill(0x22))
  const proxy = await socks5Server({ names: { [onionA]: a.port, [onionB]: b.port } })
  try {
    const p = pool({ outbound: 2, proxy: { host: '127.0.0.1', port: proxy.port }, onlyNet: ['onion'], addresses: [`${onionA}:8333`, `${onionB}:8333`, at('127.0.0.13', a)] })
    p.start()
    await until(() => p.peers.length === 2, '2 onion peers')
    expect(peersOf(p)).toEqual([`${onionA}:8333`, `${onionB}:8333`].sort())
    expect(proxy.requests.map((r) => [r.atyp, r.host]).sort()).toEqual([['domain', onionA], ['domain', onionB]].sort())
    const [r1, r2] = proxy.requests
    expect(r1!.username).toMatch(/^[0-9a-f]{32}$/)
    expect(r1!.username).not.toBe(r2!.username)
    // Our version named no address for a proxied peer.
    const side = await a.accepted()
    const version = decodePayload('version', side.received.find((m) => m.type === 'version')!.payload)
    expect(Array.from(version.receiver.ip).every((x) => x === 0)).toBe(true)
  } finally {
    await Promise.all(pools.splice(0).map((p) => new Promise<void>((resolve) => p.close(resolve))))
    await proxy.close()
  }
})

test('close() ends every connection and the timers: the pool keeps nothing alive', async () => {
  const node = await standIn('127.0.0.14')
  const p = pool({ outbound: 1, addresses: [at('127.0.0.14', node)] })
  p.start()
  p.listen(0, '127.0.0.1')
  await until(() => p.peers.length === 1, 'a peer')
  const side = await node.accepted()
  await new Promise<void>((resolve) => p.close(resolve))
  await side.closed
  expect(p.peers).toEqual([])
  expect(p.peerServer!.listening).toBe(false)
})
