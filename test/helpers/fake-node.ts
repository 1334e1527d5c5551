/**
 * Stand-ins for a Bitcoin node on 127.0.0.1, written from the protocol: they answer version with
 * version + verack, ping with pong, getheaders and getdata as a node whose chain is its network's
 * genesis block alone (test/helpers/chain-responder.ts, the genesis blocks of
 * test/fixtures/blocks), inv with a getdata for its entries (as a node lacking them), and echo
 * anything else back but the version handshake's own; the transactions that come are kept in `txs`.
 * `v2` serves BIP-324 and v1 (as Bitcoin Core does with v2 enabled); `v1only` drops a connection
 * whose first bytes are not a v1 message, as a node without BIP-324 does.
 */

import net from 'node:net'

import { type Bip324Socket, createServer, type Network, magicOf } from '../../lib'
import { blockHash, decodeBlockHeader, decodePayload, encodePayload, encodeV1Message, hashToHex, V1MessageReader } from '../../lib/messages'
import { answer as answerFromChain, type Chain } from './chain-responder'
import { blockFixture } from './vectors'

export const NODE_USER_AGENT = '/Satoshi:28.1.0/'
export const NODE_START_HEIGHT = 871_234
export const NODE_SERVICES = 1n | 8n | 1024n | 2048n

type Message = { type: string | undefined, payload: Uint8Array }

// The version handshake's messages: echoed, wtxidrelay and sendaddrv2 would come after our verack,
// where Bitcoin Core (and a Peer) disconnect for them.
const NOT_ECHOED: ReadonlySet<string> = new Set(['verack', 'wtxidrelay', 'sendaddrv2', 'sendtxrcncl'])

// A named network's chain of one block, its genesis; a custom network's has none.
function genesisChain (network: Network): Chain {
  if (typeof network !== 'string') return { headers: [] }
  const block = blockFixture(`genesis-${network}.hex`)
  const header = block.subarray(0, 80)
  return { headers: [decodeBlockHeader(header)], blocks: new Map([[hashToHex(blockHash(header)), block]]) }
}

function answer (m: Message, send: (type: string, payload: Uint8Array) => void, chain: Chain, txs: string[], userAgent = NODE_USER_AGENT): void {
  if (m.type === 'tx') txs.push(Buffer.from(m.payload).toString('hex'))
  if (m.type === 'version') {
    const theirs = decodePayload('version', m.payload)
    send('version', encodePayload({
      type: 'version',
      version: 70016,
      services: NODE_SERVICES,
      timestamp: BigInt(Math.floor(Date.now() / 1000)),
      receiver: theirs.sender,
      sender: { services: NODE_SERVICES, ip: new Uint8Array(16), port: 0 },
      nonce: 42n,
      userAgent,
      startHeight: NODE_START_HEIGHT,
      relay: true
    }))
    send('verack', new Uint8Array(0))
  } else if (m.type === 'ping') {
    send('pong', m.payload)
  } else if (m.type === 'inv') {
    // inv and getdata share one payload format.
    send('getdata', m.payload)
  } else if (m.type === 'getheaders' || m.type === 'getdata') {
    for (const r of answerFromChain(chain, decodePayload(m.type, m.payload))) send(r.type, 'payload' in r ? r.payload : encodePayload(r))
  } else if (m.type !== undefined && !NOT_ECHOED.has(m.type)) {
    send(m.type, m.payload)
  }
}

function speakV1 (socket: net.Socket, network: Network, txs: string[], already: Uint8Array = new Uint8Array(0)): void {
  const magic = magicOf(network)
  const chain = genesisChain(network)
  const reader = new V1MessageReader(magic)
  const send = (type: string, payload: Uint8Array): void => { socket.write(encodeV1Message(magic, type, payload)) }
  const feed = (chunk: Uint8Array): void => {
    const r = reader.push(chunk)
    for (const m of r.messages) answer(m, send, chain, txs)
    if (r.error !== undefined) socket.destroy()
  }
  socket.on('data', feed)
  socket.on('error', () => {})
  socket.resume()
  if (already.length > 0) feed(already)
}

export interface FakeNode {
  port: number
  /** Session ids of the v2 connections it accepted, hex. */
  sessions: string[]
  v1Connections: number
  /** The transactions it was sent, hex. */
  txs: string[]
  close: () => Promise<void>
}

/** `userAgent`: what its version message says it is (a hostile node's, in a test of what we print). */
export async function v2Node (network: Network = 'mainnet', userAgent = NODE_USER_AGENT): Promise<FakeNode> {
  const node = { sessions: [] as string[], v1Connections: 0, txs: [] as string[] }
  const server = createServer({ network, mode: 'messages', v1: 'fallback' })
  const chain = genesisChain(network)
  server.on('connection', (c) => {
    node.sessions.push(Buffer.from(c.sessionId!).toString('hex'))
    c.on('data', (m: Message) => answer(m, (type, payload) => c.write({ type, payload }), chain, node.txs, userAgent))
    c.on('error', () => {})
  })
  server.on('v1', ({ socket, data }) => { node.v1Connections++; speakV1(socket, network, node.txs, data) })
  const { port } = await server.listenAsync(0, '127.0.0.1')
  return Object.assign(node, { port, close: () => server[Symbol.asyncDispose]() })
}

export async function v1OnlyNode (network: Network = 'mainnet'): Promise<FakeNode> {
  const node = { sessions: [] as string[], v1Connections: 0, txs: [] as string[] }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    node.v1Connections++
    speakV1(socket, network, node.txs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(node, {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) })
  })
}
