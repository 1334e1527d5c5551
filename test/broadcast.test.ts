// broadcastTransaction (lib/pool/broadcast.ts), Core's private broadcast, against Core stand-ins on
// 127.0.0.1: what each one got (and what it did not), a peer that never asks, a v1-only node, and
// the SOCKS5 test server's view of the credentials.

import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import { broadcastTransaction, connectPeerAsync } from '../lib'
import { decodePayload, hashFromHex, INVENTORY_TYPE } from '../lib/messages'
import { type CoreSide, coreNode } from './helpers/core-node'
import { v1OnlyNode } from './helpers/fake-node'
import { socks5Server } from './helpers/socks5-server'

// rust-bitcoin's segwit transaction and the ids its tests give for it.
const TX_HEX = fs.readFileSync(path.join(__dirname, 'fixtures', 'blocks', 'rust-bitcoin-segwit-tx.hex'), 'utf8').replace(/\s+/g, '')
const TX = Uint8Array.from(Buffer.from(TX_HEX, 'hex'))
const TXID = 'f5864806e3565c34d1b41e716f72609d00b55ea5eac5b924c9719a842ef42206'
const WTXID = '80b7d8a82d5d5bf92905b06f2014dd699e03837ca172e3a59d51426ebbe3e7f5'
const reversed = (hex: string): string => Buffer.from(hex, 'hex').reverse().toString('hex')

// What a stand-in saw of one private broadcast: Core's p2p_private_broadcast.py checks the same.
async function expectPrivateBroadcast (side: CoreSide): Promise<void> {
  await side.closed
  expect(side.received.map((m) => m.type)).toEqual(['version', 'verack', 'inv', 'tx', 'ping'])
  const version = decodePayload('version', side.received[0]!.payload)
  expect(version).toMatchObject({
    version: 70016,
    services: 0n,
    timestamp: 0n,
    receiver: { services: 0n, ip: new Uint8Array(16), port: 0 },
    sender: { services: 0n, ip: new Uint8Array(16), port: 0 },
    userAgent: '/pynode:0.0.1/',
    startHeight: 0,
    relay: false
  })
  const inv = decodePayload('inv', side.received[2]!.payload)
  expect(inv.inventory.map((i) => [i.invType, Buffer.from(i.hash).toString('hex')])).toEqual([[INVENTORY_TYPE.MSG_TX, reversed(TXID)]])
  expect(Buffer.from(side.received[3]!.payload).toString('hex')).toBe(TX_HEX)
}

test('three Core stand-ins: each gets version (nothing of ours in it), inv by txid, the tx after its getdata and a ping; no pong, wtxidrelay or sendaddrv2', async () => {
  const nodes = await Promise.all([0, 1, 2].map(() => coreNode({ getdata: true })))
  try {
    const result = await broadcastTransaction(TX, { peers: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) })
    expect(result).toEqual({
      txid: TXID,
      wtxid: WTXID,
      peers: nodes.map((n) => ({ peer: `127.0.0.1:${n.port}`, transport: 'v2', sent: true }))
    })
    for (const n of nodes) await expectPrivateBroadcast(await n.accepted())
  } finally {
    await Promise.all(nodes.map((n) => n.close()))
  }
})

test('a peer that never asks: sent false, ERR_BIP324_TIMEOUT at the lifetime, and the next address takes its place', async () => {
  const silent = await coreNode()
  const asking = await coreNode({ getdata: true })
  try {
    const started = Date.now()
    const result = await broadcastTransaction(TX, { peers: [{ host: '127.0.0.1', port: silent.port }, { host: '127.0.0.1', port: asking.port }], count: 1, timeout: 300 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(result.peers).toEqual([
      { peer: `127.0.0.1:${silent.port}`, transport: 'v2', sent: false, error: expect.objectContaining({ code: 'ERR_BIP324_TIMEOUT', message: expect.stringContaining('did not ask for the transaction within 300 ms') }) },
      { peer: `127.0.0.1:${asking.port}`, transport: 'v2', sent: true }
    ])
    expect((await silent.accepted()).received.map((m) => m.type)).toEqual(['version', 'verack', 'inv'])
  } finally {
    await Promise.all([silent.close(), asking.close()])
  }
})

test('a v1-only node with v1Fallback: sent over v1; without it, not sent (ERR_BIP324_PEER_CLOSED)', async () => {
  const node = await v1OnlyNode()
  try {
    const peers = [{ host: '127.0.0.1', port: node.port }]
    expect(await broadcastTransaction(TX, { peers, v1Fallback: true })).toMatchObject({ peers: [{ transport: 'v1', sent: true }] })
    expect(node.txs).toEqual([TX_HEX])
    const without = await broadcastTransaction(TX, { peers })
    expect(without.peers).toEqual([{ peer: `127.0.0.1:${node.port}`, transport: undefined, sent: false, error: expect.objectContaining({ code: 'ERR_BIP324_PEER_CLOSED' }) }])
  } finally {
    await node.close()
  }
})

test('through SOCKS5: names go unresolved, every connection (the v1 retry too) with credentials of its own', async () => {
  const a = await coreNode({ getdata: true })
  const b = await v1OnlyNode()
  const proxy = await socks5Server({ names: { 'a.example': a.port, 'b.example': b.port } })
  try {
    const result = await broadcastTransaction(TX, {
      peers: [{ host: 'a.example' }, { host: 'b.example' }],
      socks: { host: '127.0.0.1', port: proxy.port },
      v1Fallback: true
    })
    expect(result.peers).toEqual([{ peer: 'a.example:8333', transport: 'v2', sent: true }, { peer: 'b.example:8333', transport: 'v1', sent: true }])
    // a, then b over v2, then b's v1 retry: the same proxy, fresh credentials each time.
    expect(proxy.requests.map((r) => r.host).sort()).toEqual(['a.example', 'b.example', 'b.example'])
    expect(proxy.requests.every((r) => r.atyp === 'domain' && r.methods.includes(2) && r.username !== undefined)).toBe(true)
    expect(new Set(proxy.requests.map((r) => r.username)).size).toBe(3)
    await expectPrivateBroadcast(await a.accepted())
  } finally {
    await Promise.all([a.close(), b.close(), proxy.close()])
  }
})

test('a malformed transaction, a bad port, backend or network are refused before any connection; an abort rejects with AbortError', async () => {
  let connections = 0
  const server = net.createServer((s) => { connections++; s.destroy() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  try {
    await expect(broadcastTransaction(TX.subarray(0, 40), { peers: [{ host: '127.0.0.1', port }] })).rejects.toMatchObject({ code: 'ERR_BIP324_BAD_PAYLOAD' })
    await expect(broadcastTransaction(TX, { peers: [{ host: '127.0.0.1', port: 0 }] })).rejects.toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
    await expect(broadcastTransaction(TX, { peers: [{ host: '127.0.0.1', port }], backend: 'bogus' as 'js' })).rejects.toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
    await expect(broadcastTransaction(TX, { peers: [{ host: '127.0.0.1', port }], network: 'moonnet' as 'mainnet' })).rejects.toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
    expect(connections).toBe(0)
    const silent = await coreNode()
    const controller = new AbortController()
    const ours = await connectPeerAsync({ host: '127.0.0.1', port: silent.port, pingInterval: 0 })
    const pending = broadcastTransaction(TX, { peers: [{ host: '127.0.0.1', port: silent.port }], signal: controller.signal, announcedOn: ours })
    await silent.accepted()
    await silent.accepted()
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
    // The Peer given to listen on is left as it was.
    expect(ours.listenerCount('message')).toBe(0)
    ours.destroy()
    await silent.close()
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

test('announcedOn: an inv of the transaction on an ordinary connection of ours is the network relaying it back; none within the timeout is announced false', async () => {
  const sender = await coreNode({ getdata: true })
  const observer = await coreNode()
  const ours = await connectPeerAsync({ host: '127.0.0.1', port: observer.port, relay: true, pingInterval: 0 })
  try {
    const observed = await observer.accepted()
    const peers = [{ host: '127.0.0.1', port: sender.port }]
    const pending = broadcastTransaction(TX, { peers, announcedOn: ours })
    await (await sender.accepted()).next('tx')
    observed.send({ type: 'inv', inventory: [{ invType: INVENTORY_TYPE.MSG_WTX, hash: hashFromHex(WTXID) }] })
    expect(await pending).toMatchObject({ peers: [{ sent: true }], announced: true })
    const started = Date.now()
    expect(await broadcastTransaction(TX, { peers, announcedOn: ours, timeout: 200 })).toMatchObject({ peers: [{ sent: true }], announced: false })
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
    expect(ours.listenerCount('message')).toBe(0)
  } finally {
    ours.destroy()
    await Promise.all([sender.close(), observer.close()])
  }
})
