// The Peer layer and the connections under it on a public port (issue 26): a peer that never reads
// and streams pings costs at most the documented per-peer bound, whatever the application's
// handlers do (Core's fPauseSend); an error that arrives with 'ready' is never thrown at a program
// before it could listen; messages before an error are all delivered, even to a handler that
// writes; and the send side counts a cost per message.

import { once } from 'node:events'

import { connectAsync, type Bip324Socket, encodePayload, encodeV1Message, magicOf, probe } from '../lib'
import { coreNode } from './helpers/core-node'
import { DEFAULT_MAX_SEND_BUFFER, MESSAGE_OVERHEAD } from '../lib/net/options'
import { child } from './helpers/child'
import { badTag, floodBytes, floodPings, hostileClient, hostileServer, versionMessage } from './helpers/hostile-peer'
import { closed, rawClient, serverPair } from './helpers/net'

const MB = 1 << 20
// What one peer may make a connection hold: maxReceiveBuffer + maxSendBuffer + one message
// (5,000,000 + 1,000,000 + a 9-byte ping, each message counted with its 400-byte cost), with room for
// the objects around them; measured as live memory after a collection, while the flood stalls.
const PER_PEER_BOUND = 16 * MB
// The peak RSS a flood of tiny messages may add: collected garbage stays in RSS as heap pages.
// Before Core's fPauseSend held the answers, such a flood took a gigabyte in seconds. Under
// AddressSanitizer (npm run test:asan preloads it) every allocation carries redzones, so RSS says
// little there: the bound on what is held still applies.
const UNDER_ASAN = /asan/.test(process.env.LD_PRELOAD ?? '')
const PEAK_BOUND = (UNDER_ASAN ? 640 : 160) * MB

/** What one peer's flood may cost: what stays held within the per-peer bound, the peak within PEAK_BOUND. */
function expectWithinBounds ({ grown, held }: { grown: number, held: number }): void {
  expect(held).toBeLessThanOrEqual(PER_PEER_BOUND)
  expect(grown).toBeLessThanOrEqual(PEAK_BOUND)
}

/** A peer that has done its handshake and reads nothing more: `flood` streams pings for 3 s. */
interface Flooder {
  flood: () => Promise<number>
  close: () => void
}

// A v2 peer; as a Peer too (version and verack) when `asPeer`.
async function v2Flooder (port: number, asPeer: boolean): Promise<Flooder> {
  const peer = await hostileClient(port)
  if (asPeer) peer.socket.write(Buffer.concat([peer.packet(peer.version()), peer.packet({ type: 'verack' })]))
  return {
    // From here on it reads nothing: every answer the server makes stays on its side.
    flood: () => {
      peer.socket.pause()
      return floodPings(peer, 3000, new Uint8Array(8))
    },
    close: () => peer.socket.destroy()
  }
}

// A v1 Peer, to a server with v1: 'fallback'.
async function v1Flooder (port: number): Promise<Flooder> {
  const socket = await rawClient(port)
  socket.on('error', () => {})
  const magic = magicOf('mainnet')
  socket.write(Buffer.concat([encodeV1Message(magic, 'version', encodePayload(versionMessage())), encodeV1Message(magic, 'verack', new Uint8Array(0))]))
  const ping = encodeV1Message(magic, 'ping', new Uint8Array(8))
  return {
    flood: () => {
      socket.pause()
      return floodBytes(socket, 3000, Buffer.concat(Array.from({ length: 2000 }, () => ping)), 2000)
    },
    close: () => socket.destroy()
  }
}

// Floods a server in a child process from a peer that never reads; reports its peak growth and
// what it holds while the flood stalls.
async function floodServer (script: string, connect: (port: number) => Promise<Flooder>): Promise<{ grown: number, held: number, sent: number }> {
  const server = child(script + `
    server.listenAsync(0, '127.0.0.1').then(({ port }) => report({ port }))
    requests.on('line', (line) => {
      if (line === 'watch') { watchPeak(); report({ watching: true }) } else report({ grown: peak.max - peak.base, held: live() - peak.live })
    })
  `)
  try {
    const { port } = await server.next<{ port: number }>()
    const peer = await connect(port)
    await new Promise((resolve) => setTimeout(resolve, 200))
    server.send('watch')
    await server.next()
    const sent = await peer.flood()
    server.send('report')
    const { grown, held } = await server.next<{ grown: number, held: number }>()
    peer.close()
    console.log(`flood: ${sent} pings sent, peak RSS +${(grown / MB).toFixed(1)} MB, held +${(held / MB).toFixed(1)} MB`)
    return { grown, held, sent }
  } finally {
    server.kill()
  }
}

describe('a peer that never reads and streams pings', () => {
  test('costs a default PeerServer at most the per-peer bound: its pongs stop the Peer reading (fPauseSend)', async () => {
    const { grown, held, sent } = await floodServer(`
      const server = bip324.createPeerServer({ network: 'mainnet' }, (peer) => { peer.on('error', () => {}) })
      server.on('peerError', () => {})
    `, (port) => v2Flooder(port, true))
    expectWithinBounds({ grown, held })
    // The kernel took far fewer than a free-running server would have answered.
    expect(sent).toBeGreaterThan(0)
  }, 30_000)

  test('costs a PeerServer whose application answers every ping itself, ignoring send(), at most the per-peer bound', async () => {
    expectWithinBounds(await floodServer(`
      const server = bip324.createPeerServer({ network: 'mainnet' }, (peer) => {
        peer.on('error', () => {})
        peer.on('message', (m, raw) => { if (m.type === 'ping') { peer.sendRaw('pong', raw.payload); peer.sendRaw('pong', raw.payload) } })
      })
      server.on('peerError', () => {})
    `, (port) => v2Flooder(port, true)))
  }, 30_000)

  test('costs a connection server in messages mode that echoes pongs without looking at write() at most the per-peer bound', async () => {
    expectWithinBounds(await floodServer(`
      const server = bip324.createServer({ mode: 'messages' }, (c) => {
        c.on('error', () => {})
        c.on('data', ({ type, payload }) => { if (type === 'ping') c.write({ type: 'pong', payload }) })
      })
    `, (port) => v2Flooder(port, false)))
  }, 30_000)

  test('costs a raw-mode server that echoes every message without looking at write() at most the per-peer bound', async () => {
    expectWithinBounds(await floodServer(`
      const server = bip324.createServer({}, (c) => { c.on('error', () => {}); c.on('data', (m) => c.write(m)) })
    `, (port) => v2Flooder(port, false)))
  }, 30_000)
})

test('an outbound Peer to a node that never reads and streams pings costs at most the per-peer bound', async () => {
  let flooding: Promise<number> | undefined
  const node = await hostileServer((peer) => {
    // Version and verack at once (an outbound Peer takes them whenever they come), then nothing read.
    peer.socket.write(Buffer.concat([peer.packet(peer.version()), peer.packet({ type: 'verack' })]))
    peer.socket.pause()
    setTimeout(() => { flooding = floodPings(peer, 3000, new Uint8Array(8)) }, 200)
  })
  const client = child(`
    const peer = bip324.connectPeer({ host: '127.0.0.1', port: ${node.port}, network: 'mainnet' })
    peer.on('error', () => {})
    peer.once('ready', () => { watchPeak(); report({ ready: true }) })
    requests.on('line', () => report({ grown: peak.max - peak.base, held: live() - peak.live }))
  `)
  try {
    await client.next()
    await new Promise((resolve) => setTimeout(resolve, 250))
    await flooding
    client.send('report')
    const { grown, held } = await client.next<{ grown: number, held: number }>()
    console.log(`outbound flood: peak RSS +${(grown / MB).toFixed(1)} MB, held +${(held / MB).toFixed(1)} MB`)
    expectWithinBounds({ grown, held })
  } finally {
    client.kill()
    await node.close()
  }
}, 30_000)

describe('an error that comes with ready is not thrown before anyone could listen', () => {
  // A node that answers our version with its own, verack, and a packet with a bad tag, in one TCP write.
  async function readyThenBadPacket (): Promise<{ port: number, close: () => Promise<void> }> {
    return hostileServer((peer) => {
      // At once: an outbound Peer sent its version before it reads the node's.
      const version = peer.packet(peer.version())
      const verack = peer.packet({ type: 'verack' })
      const bad = badTag(peer.packet({ type: 'ping', nonce: 1n }))
      peer.socket.write(Buffer.concat([version, verack, bad]))
    })
  }

  test("the README's peer client (await connectPeerAsync, then listen) gets the error on its listener", async () => {
    const node = await readyThenBadPacket()
    const program = child(`
      bip324.connectPeerAsync({ host: '127.0.0.1', port: ${node.port}, network: 'mainnet' }).then((peer) => {
        peer.on('error', (err) => report({ error: err.code }))
        peer.on('close', (hadError) => { report({ close: hadError }); process.exit(0) })
      }, (err) => { report({ rejected: err.code }); process.exit(0) })
    `)
    try {
      const first = await program.next<{ error?: string, rejected?: string }>()
      expect(first).toEqual({ error: 'ERR_BIP324_BAD_MAC' })
      expect(await program.next()).toEqual({ close: true })
      expect(await program.exited).toBe(0)
      expect(program.stderr()).not.toMatch(/Unhandled/)
    } finally {
      program.kill()
      await node.close()
    }
  })

  test('probe() inside try/catch settles and the process lives on', async () => {
    const node = await readyThenBadPacket()
    const program = child(`
      bip324.probe({ host: '127.0.0.1', port: ${node.port}, network: 'mainnet' })
        .then((r) => report({ resolved: r.version.userAgent }), (err) => report({ rejected: err.code }))
        .then(() => setTimeout(() => { report({ alive: true }); process.exit(0) }, 200))
    `)
    try {
      const settled = await program.next<{ resolved?: string, rejected?: string }>()
      // The node said who it is before its bad packet: that is what a probe asks.
      expect(settled).toEqual({ resolved: '/hostile:0/' })
      expect(await program.next()).toEqual({ alive: true })
      expect(await program.exited).toBe(0)
    } finally {
      program.kill()
      await node.close()
    }
  })
})

describe('messages that arrived before an error are all delivered, then the error', () => {
  // Three messages and a packet with a bad tag, in one TCP write, right after the handshake.
  async function threeThenBad (): Promise<{ port: number, close: () => Promise<void> }> {
    return hostileServer((peer) => {
      const packets = [1, 2, 3].map((i) => peer.protocol.send(Uint8Array.of(i)))
      packets.push(badTag(peer.protocol.send(Uint8Array.of(4))))
      peer.socket.write(Buffer.concat(packets))
    })
  }

  test.each([
    ['echoes in its data handler', true],
    ['only reads', false]
  ])('to an application that %s: 3 of 3, then ERR_BIP324_BAD_MAC', async (_what, echo) => {
    const node = await threeThenBad()
    try {
      const conn: Bip324Socket = await connectAsync({ host: '127.0.0.1', port: node.port }) as Bip324Socket
      const got: number[] = []
      conn.on('data', (m: Uint8Array) => {
        got.push(m[0]!)
        if (echo) conn.write(m)
      })
      const [err] = await once(conn, 'error') as [Error & { code: string }]
      expect(got).toEqual([1, 2, 3])
      expect(err.code).toBe('ERR_BIP324_BAD_MAC')
    } finally {
      await node.close()
    }
  })

  test('a write made after the error waits, and its callback gets ERR_STREAM_DESTROYED when the connection closes', async () => {
    const node = await threeThenBad()
    try {
      const conn = await connectAsync({ host: '127.0.0.1', port: node.port }) as Bip324Socket
      const callbacks: Array<string | undefined> = []
      conn.on('error', () => {})
      conn.on('data', (m: Uint8Array) => {
        if (m[0] === 3) conn.write(m, (err?: Error | null) => callbacks.push((err as NodeJS.ErrnoException | null | undefined)?.code))
      })
      await closed(conn)
      await new Promise((resolve) => setImmediate(resolve))
      expect(callbacks).toEqual(['ERR_STREAM_DESTROYED'])
    } finally {
      await node.close()
    }
  })
})

test('write() says false after at most maxSendBuffer / 400 empty messages: each message costs 400 bytes on the send side too', async () => {
  const { client, close } = await serverPair()
  try {
    // The server never reads, so nothing leaves our side once the TCP buffers are full.
    let writes = 0
    while (client.write(new Uint8Array(0)) && writes < 3_000_000) writes++
    expect(writes).toBeLessThanOrEqual(Math.ceil(DEFAULT_MAX_SEND_BUFFER / MESSAGE_OVERHEAD))
  } finally {
    await close()
  }
})

test("a flood of malformed pings from one peer leaves another peer's ping round trip under 15 ms (median)", async () => {
  const server = child(`
    const server = bip324.createPeerServer({ network: 'mainnet' }, (peer) => { peer.on('error', () => {}) })
    server.on('peerError', () => {})
    server.listenAsync(0, '127.0.0.1').then(({ port }) => report({ port }))
  `)
  const { port } = await server.next<{ port: number }>()
  // Another peer, in a process of its own: it pings every 20 ms and reports the median of `count`.
  const pinger = child(`
    const peer = bip324.connectPeer({ host: '127.0.0.1', port: ${port}, network: 'mainnet', pingInterval: 0 })
    peer.on('error', () => {})
    const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1]
    const measure = (count) => new Promise((resolve) => {
      const rtts = []
      const next = () => peer.ping((err, ms) => {
        if (!err) rtts.push(ms)
        if (rtts.length === count) resolve(median(rtts)); else setTimeout(next, 20)
      })
      next()
    })
    peer.once('ready', () => report({ ready: true }))
    requests.on('line', (line) => measure(Number(line)).then((median) => report({ median })))
  `)
  let attacker: Awaited<ReturnType<typeof hostileClient>> | undefined
  try {
    await pinger.next()
    pinger.send('30')
    const { median: idle } = await pinger.next<{ median: number }>()
    attacker = await hostileClient(port)
    attacker.socket.write(Buffer.concat([attacker.packet(attacker.version()), attacker.packet({ type: 'verack' })]))
    attacker.socket.resume()
    // Empty pings: each is a malformed payload the Peer must look at and drop.
    const flooding = floodPings(attacker, 4000, new Uint8Array(0))
    await new Promise((resolve) => setTimeout(resolve, 300))
    pinger.send('50')
    const { median: flooded } = await pinger.next<{ median: number }>()
    const sent = await flooding
    console.log(`ping round trip: idle ${idle.toFixed(2)} ms, during a flood of ${sent} empty pings ${flooded.toFixed(2)} ms`)
    expect(flooded).toBeLessThan(15)
  } finally {
    attacker?.socket.destroy()
    pinger.kill()
    server.kill()
  }
}, 60_000)

test('a v1 peer (v1: fallback) that never reads and streams pings costs a PeerServer whose application answers each with 1 KB at most the per-peer bound', async () => {
  // The answers outgrow what the kernel's buffers absorb within the flood (its pongs alone would not).
  expectWithinBounds(await floodServer(`
    const answer = new Uint8Array(1000)
    const server = bip324.createPeerServer({ network: 'mainnet', v1: 'fallback' }, (peer) => {
      peer.on('error', () => {})
      peer.on('message', (m) => { if (m.type === 'ping') peer.sendRaw('pong', answer) })
    })
    server.on('peerError', () => {})
  `, v1Flooder))
}, 30_000)

test('probe() closes as nodes do, a FIN both ways, where destroy() made the node read a reset ("Connection reset by peer")', async () => {
  const node = await coreNode()
  try {
    const probing = probe({ host: '127.0.0.1', port: node.port, network: 'mainnet' })
    const side = await node.accepted()
    const errors: string[] = []
    side.connection.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message))
    const result = await probing
    expect(result.transport).toBe('v2')
    await side.closed
    expect(errors).toEqual([])
  } finally {
    await node.close()
  }
})
