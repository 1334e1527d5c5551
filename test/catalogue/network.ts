/** Catalogue rows at the socket: silence, slowness, early closes, timeouts, v1 clients, floods. */

import crypto from 'node:crypto'

import { type Bip324Socket, connectAsync, connectPeerAsync, magicOf, Protocol, v1Prefix } from '../../lib'
import { badTag, hostileServer } from '../helpers/hostile-peer'
import { againstServer, closed, nextEvent, rawServer, read, serverPair } from '../helpers/net'
import { type Socks5ServerOptions, socks5Server } from '../helpers/socks5-server'
import type { Case } from './case'

/** connect() through a misbehaving SOCKS5 proxy: the error it ends with. */
function socksCase (id: string, input: string, options: Socks5ServerOptions): Case {
  return {
    id,
    input,
    expected: 'ERR_BIP324_SOCKS',
    closed: 'the connection to the proxy; nothing of ours (no key) was sent',
    memory: 'one read of the proxy\'s bytes (64 KiB at most), until the socks client has parsed its reply (at most 262 bytes); 6 kept for the verdict',
    run: async () => {
      const proxy = await socks5Server(options)
      const err = await connectAsync({ host: 'examplexyz.onion', port: 8333, socks: { host: '127.0.0.1', port: proxy.port } })
        .then(() => ({ code: 'none' }), (e: Error & { code: string }) => e)
      await proxy.close()
      return { code: err.code }
    }
  }
}

const HANDSHAKE_MEMORY = 'the handshake holds at most key + 4,095 + 16 bytes (see garbage-drip)'

export const networkCases: Case[] = [
  {
    id: 'silent-peer',
    input: 'a TCP client that connects and sends nothing',
    expected: 'ERR_BIP324_HANDSHAKE_TIMEOUT',
    closed: 'the socket, at handshakeTimeout (default 60 s; 150 ms here)',
    memory: 'nothing received, nothing held',
    run: () => againstServer({ handshakeTimeout: 150 }, () => {})
  },
  {
    id: 'one-byte-at-a-time',
    input: 'a client sending one byte every 20 ms',
    expected: 'ERR_BIP324_HANDSHAKE_TIMEOUT',
    closed: 'the socket, at handshakeTimeout whatever the progress',
    memory: HANDSHAKE_MEMORY,
    run: async () => {
      let drip: NodeJS.Timeout | undefined
      const out = await againstServer({ handshakeTimeout: 300 }, (c) => { drip = setInterval(() => c.write(Uint8Array.of(1)), 20) })
      clearInterval(drip)
      return out
    }
  },
  {
    id: 'closes-mid-key',
    input: 'a client that sends 40 of the 64 key bytes and closes',
    expected: 'ERR_BIP324_PEER_CLOSED',
    closed: 'the socket',
    memory: 'the 40 bytes',
    run: () => againstServer({}, (c) => { c.end(crypto.randomBytes(40)) })
  },
  {
    id: 'closes-mid-garbage',
    input: 'a client that sends its key and 100 bytes of garbage, then closes',
    expected: 'ERR_BIP324_NO_TERMINATOR',
    closed: 'the socket; a BIP-324 peer sends its terminator right after its garbage, so one that closes without it is not of this network',
    memory: HANDSHAKE_MEMORY,
    run: () => againstServer({}, (c) => {
      c.end(Buffer.concat([new Protocol({ role: 'initiator', garbageLength: 0 }).start(), crypto.randomBytes(100)]))
    })
  },
  {
    id: 'v1-client-refused',
    input: 'a v1 client (magic and "version") to a server with the default v1: reject',
    expected: 'ERR_BIP324_V1_PEER',
    closed: 'the socket; use v1: "fallback" to serve it',
    memory: '16 bytes',
    run: () => againstServer({}, (c) => { c.write(v1Prefix(magicOf('mainnet'))) })
  },
  {
    id: 'garbage-flood-tcp',
    input: '10 MB of random bytes over TCP',
    expected: 'ERR_BIP324_NO_TERMINATOR',
    closed: 'the socket, after 64 + 4,095 + 16 bytes have been searched',
    memory: HANDSHAKE_MEMORY + ', plus one socket read',
    run: () => againstServer({}, (c) => { c.write(crypto.randomBytes(10_000_000)) })
  },
  {
    id: 'closes-mid-packet',
    input: 'after the handshake, 2 bytes of a length field and a close',
    expected: 'ERR_BIP324_TRUNCATED',
    closed: 'the connection, after delivering every complete message before it',
    bound: 2,
    run: async () => {
      const { client, peer, close } = await serverPair()
      const got = read(peer, 1)
      client.write(Buffer.from('complete'))
      expect(Buffer.from((await got)[0]!).toString()).toBe('complete')
      const failed = nextEvent<[Error & { code: string }]>(peer, 'error')
      client.socket.write(crypto.randomBytes(2))
      await new Promise((resolve) => setTimeout(resolve, 20))
      const held = peer.buffered
      client.socket.end()
      const [err] = await failed
      await close()
      return { code: err.code, maxBuffered: held }
    }
  },
  {
    id: 'fallback-peer-talked',
    input: 'to an initiator with v1Fallback, a peer that sends 10 bytes and closes',
    expected: 'ERR_BIP324_PEER_CLOSED',
    closed: 'the connection, with no v1 retry: a v1 node sends nothing (Bitcoin Core\'s ShouldReconnectV1)',
    memory: 'the 10 bytes',
    run: async () => {
      const talker = await rawServer((s) => s.once('data', () => s.end(crypto.randomBytes(10))))
      const err = await connectAsync({ port: talker.port, v1Fallback: true }).then(() => ({ code: 'none' }), (e: Error & { code: string }) => e)
      await talker.close()
      return { code: err.code }
    }
  },
  socksCase('socks-reply-refused', 'a SOCKS5 proxy that answers the CONNECT with reply 0xf0 (Tor: onion service descriptor can not be found)', { reply: 0xf0 }),
  socksCase('socks-not-socks5', 'a "SOCKS5 proxy" whose answer starts with 0x04 (a SOCKS4 server, or not a proxy at all)', { answer: Uint8Array.of(4, 0) }),
  socksCase('socks-closes-before-reply', 'a SOCKS5 proxy that reads our greeting and closes', { closesAfterGreeting: true }),
  {
    id: 'idle-after-handshake',
    input: 'a peer that completes the handshake, then sends nothing (idleTimeout 150 ms)',
    expected: 'ERR_BIP324_IDLE_TIMEOUT',
    closed: 'the connection',
    bound: 0,
    run: async () => {
      const { peer, close } = await serverPair({ idleTimeout: 150 })
      const [err] = await nextEvent<[Error & { code: string }]>(peer, 'error')
      const held = peer.buffered
      await close()
      return { code: err.code, maxBuffered: held }
    }
  },
  {
    id: 'reader-stops-reading',
    input: 'a peer that sends 64 MiB while our application reads nothing',
    expected: 'none',
    closed: 'nothing: the socket is paused (TCP backpressure reaches the peer)',
    bound: 65536 + 20,
    run: async () => {
      const { client, peer, close } = await serverPair({ maxReceiveBuffer: 4 * 65536 })
      peer.pause()
      for (let i = 0; i < 1024; i++) client.write(new Uint8Array(65536))
      await new Promise((resolve) => setTimeout(resolve, 300))
      const held = peer.buffered
      expect(peer.readableLength).toBeLessThanOrEqual(8)
      expect(peer.counters.bytesReceived).toBeLessThan(64 << 20)
      await close()
      await closed(peer)
      return { code: 'none', maxBuffered: held }
    }
  },
  {
    id: 'messages-then-bad-packet',
    input: 'three messages and a packet with a bad tag in one TCP write, to an application that writes in its data handler',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the connection, once the reader took the three messages (all three reach the handler; its writes meanwhile wait and fail with ERR_STREAM_DESTROYED)',
    memory: 'the three messages, within maxReceiveBuffer, until read',
    run: async () => {
      const node = await hostileServer((peer) => {
        const packets = [1, 2, 3].map((i) => peer.protocol.send(Uint8Array.of(i)))
        packets.push(badTag(peer.protocol.send(Uint8Array.of(4))))
        peer.socket.write(Buffer.concat(packets))
      })
      const conn = await connectAsync({ host: '127.0.0.1', port: node.port }) as Bip324Socket
      const got: number[] = []
      conn.on('data', (m: Uint8Array) => { got.push(m[0]!); conn.write(m) })
      const [err] = await nextEvent<[Error & { code: string }]>(conn, 'error')
      await node.close()
      expect(got).toEqual([1, 2, 3])
      return { code: err.code, closed: conn.destroyed }
    }
  },
  {
    id: 'ready-then-bad-packet',
    input: 'version, verack and a packet with a bad tag in one TCP write, to a program awaiting connectPeerAsync()',
    expected: 'ERR_BIP324_BAD_MAC',
    closed: 'the Peer, a turn after \'ready\': the error reaches the listener attached after the await, never an unhandled \'error\'',
    memory: 'nothing beyond the version handshake',
    run: async () => {
      const node = await hostileServer((peer) => {
        // At once: an outbound Peer sent its version before it reads the node's.
        peer.socket.write(Buffer.concat([peer.packet(peer.version()), peer.packet({ type: 'verack' }), badTag(peer.packet({ type: 'ping', nonce: 1n }))]))
      })
      const peer = await connectPeerAsync({ host: '127.0.0.1', port: node.port, network: 'mainnet' })
      const [err] = await nextEvent<[Error & { code: string }]>(peer, 'error')
      await node.close()
      return { code: err.code, closed: peer.destroyed }
    }
  }
]
