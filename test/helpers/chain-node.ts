/**
 * A Core stand-in on 127.0.0.1 (test/helpers/core-node.ts) that serves a chain
 * (test/helpers/chain-responder.ts): getheaders, getdata and the BIP-157 requests, and pings. It
 * handles a connection's requests one at a time, in order, as Core's ProcessMessages does (a pong
 * never overtakes a block asked for before its ping), each `latency` ms after the one before. It
 * records what it was asked and counts the blocks asked for and not yet sent, to measure a
 * client's bound while it runs.
 */

import { createServer, decodePayload, encodePayload, INVENTORY_TYPE, MSG_WITNESS_FLAG, type Network } from '../../lib'
import { answer, type Chain } from './chain-responder'
import { behaveAsCore, type CoreBehaviour, type Wire } from './core-node'

export interface ChainNodeOptions {
  /** May change a reply before it goes. */
  tamper?: (reply: Wire) => Wire
  behaviour?: CoreBehaviour
  /** Milliseconds each request takes, in order. Default 0: at once. */
  latency?: number
  /** Answers nothing after the version handshake, pings included. */
  silent?: boolean
}

export interface ChainNode {
  port: number
  /** The requests it got: getheaders, getdata and the BIP-157 ones. */
  asked: Wire[]
  /** Blocks asked for and not sent yet, now and at most so far. */
  blocksInFlight: { now: number, most: number }
  close: () => Promise<void>
}

const REQUESTS: ReadonlySet<string> = new Set(['getheaders', 'getdata', 'getcfilters', 'getcfheaders', 'getcfcheckpt'])

// The blocks a getdata asks for (MSG_BLOCK, with or without the witness flag).
function blocksIn (m: Wire): number {
  if (m.type !== 'getdata') return 0
  return decodePayload('getdata', m.payload).inventory.filter((i) => (i.invType & ~MSG_WITNESS_FLAG) === INVENTORY_TYPE.MSG_BLOCK).length
}

export async function chainNode (network: Network, chain: Chain, options: ChainNodeOptions = {}): Promise<ChainNode> {
  const { tamper = (r) => r, latency = 0, silent = false } = options
  const asked: Wire[] = []
  const blocksInFlight = { now: 0, most: 0 }
  const server = createServer({ mode: 'messages', network }, (c) => {
    const side = behaveAsCore(c, true, { ...options.behaviour, pongDelay: 'never' })
    let turn = Promise.resolve()
    const handle = (m: Wire): void => {
      if (m.type === 'ping') {
        side.send({ type: 'pong', payload: m.payload.subarray(0, 8) })
        return
      }
      for (const reply of answer(chain, decodePayload(m.type, m.payload))) {
        side.send(tamper('payload' in reply ? reply : { type: reply.type, payload: encodePayload(reply) }))
      }
      // Sent, or never to be: Core sends nothing for a block it does not have.
      blocksInFlight.now -= blocksIn(m)
    }
    c.on('data', (m: Wire) => {
      if (REQUESTS.has(m.type)) asked.push(m)
      if (silent || (m.type !== 'ping' && !REQUESTS.has(m.type))) return
      blocksInFlight.now += blocksIn(m)
      blocksInFlight.most = Math.max(blocksInFlight.most, blocksInFlight.now)
      if (latency === 0) handle(m)
      else turn = turn.then(async () => await new Promise((resolve) => setTimeout(resolve, latency))).then(() => handle(m))
    })
  })
  const { port } = await server.listenAsync(0, '127.0.0.1')
  return { port, asked, blocksInFlight, close: () => server[Symbol.asyncDispose]() }
}
