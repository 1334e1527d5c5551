/**
 * The stand-ins of bench/pool.ts in a process of their own: `count` PeerServers, each on its own
 * 127.0.0.x (so that each is a network group of its own to the pool), speaking as Core does to a
 * pool's outbound connection; each asks by getdata for every transaction announced to it by inv
 * and counts those that come.
 * Usage (by bench/child.ts's spawn): pool-child.js, then requests.
 */

import { createPeerServer, INVENTORY_TYPE, type PeerServer, SERVICE_FLAGS } from '../lib'
import { serve } from './child'

export type Request =
  | { cmd: 'listen', count: number }
  | { cmd: 'received' }
  | { cmd: 'close' }

const servers: PeerServer[] = []
let received = 0

async function listen (count: number): Promise<string[]> {
  const addresses: string[] = []
  for (let i = 0; i < count; i++) {
    const host = `127.0.${1 + (i >> 8)}.${2 + (i & 0xff) % 250}`
    const server = createPeerServer({ services: SERVICE_FLAGS.NODE_NETWORK | SERVICE_FLAGS.NODE_WITNESS, relay: true, pingInterval: 0 }, (peer) => {
      peer.on('error', () => {})
      peer.on('message', (m) => {
        if (m.type === 'inv') {
          const wanted = m.inventory.filter((item) => item.invType === INVENTORY_TYPE.MSG_WTX)
          if (wanted.length > 0) peer.send({ type: 'getdata', inventory: wanted })
        } else if (m.type === 'tx') {
          received++
        }
      })
    })
    server.on('peerError', () => {})
    const { port } = await server.listenAsync(0, host)
    servers.push(server)
    addresses.push(`${host}:${port}`)
  }
  return addresses
}

serve(async (r: Request) => {
  if (r.cmd === 'listen') return await listen(r.count)
  if (r.cmd === 'received') return received
  await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()))
  return null
})
