/**
 * Lets v1-only software use encrypted transport: accepts v1 (plaintext) clients, connects to
 * their peer over BIP-324, and translates between v1 frames (magic, command, length, checksum)
 * and v2 contents (short or long message type) both ways. The peer is the one named in the
 * client's `version` message (the address it believes it is talking to), or a fixed target.
 */

import { EventEmitter } from 'node:events'
import net from 'node:net'

import { Bip324Error } from '../errors'
import { decodePayload, encodeV1Message, MAX_VERSION_PAYLOAD, V1MessageReader, type VersionMessage } from '../messages'
import { magicOf, type Network } from '../protocol/network'
import { connect } from './connect'
import { listen } from './listen'
import { bytesToIp } from './ip'
import type { Bip324Socket, ConnectionOptions } from './socket'

export interface ProxyOptions extends Omit<ConnectionOptions, 'mode' | 'network'> {
  network?: Network
  /** Every client goes to this peer; default: the address in the client's version message. */
  target?: { host: string, port: number }
  /** Milliseconds for a client to send its version message. Default: 30,000. */
  versionTimeout?: number
}

export interface ProxySession {
  client: string
  peer: string
  sessionId: string
}

export interface Bip324Proxy {
  on(event: 'session', listener: (session: ProxySession) => void): this
  on(event: 'sessionError', listener: (err: Error, client: string) => void): this
  on(event: 'listening' | 'close', listener: () => void): this
  on(event: 'error', listener: (err: Error) => void): this
}

type Message = { type: string, payload: Uint8Array }

export class Bip324Proxy extends EventEmitter {
  readonly server: net.Server
  private readonly sockets = new Set<net.Socket | Bip324Socket>()

  constructor (private readonly options: ProxyOptions = {}) {
    super()
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => { this.bridge(socket) })
    this.server.on('listening', () => this.emit('listening'))
    this.server.on('close', () => this.emit('close'))
    this.server.on('error', (err) => this.emit('error', err))
  }

  private track<T extends net.Socket | Bip324Socket> (s: T): T {
    this.sockets.add(s)
    s.once('close', () => this.sockets.delete(s))
    return s
  }

  private async bridge (client: net.Socket): Promise<void> {
    const { network = 'mainnet', target, versionTimeout = 30_000, ...connectOptions } = this.options
    const magic = magicOf(network)
    const name = `${client.remoteAddress}:${client.remotePort}`
    let greeted = false
    // Until its version arrives, a client may make us hold one version message and no more: the
    // first header is judged before its body is awaited.
    const reader = new V1MessageReader(magic, {
      checkHeader: (type, length) => {
        if (greeted) return
        if (type !== 'version') throw new Bip324Error('ERR_BIP324_BAD_MESSAGE_TYPE', `a v1 client must start with version, not ${type}`)
        if (length > MAX_VERSION_PAYLOAD) throw new Bip324Error('ERR_BIP324_OVERSIZED', `a ${length}-byte version message; the longest is ${MAX_VERSION_PAYLOAD} bytes`)
        greeted = true
      }
    })
    const early: Message[] = []
    let peer: Bip324Socket | undefined
    let failed = false
    const fail = (err: Error): void => {
      if (failed) return
      failed = true
      client.destroy()
      peer?.destroy()
      this.emit('sessionError', err, name)
    }
    this.track(client).on('error', fail)
    const read = (chunk: Buffer): Message[] => {
      const r = reader.push(chunk)
      if (r.error !== undefined) fail(r.error)
      return r.messages
    }
    try {
      let stop = (): void => {}
      const version = await new Promise<Message>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Bip324Error('ERR_BIP324_HANDSHAKE_TIMEOUT', `no version message within ${versionTimeout} ms`)), versionTimeout)
        const onData = (chunk: Buffer): void => {
          const r = reader.push(chunk)
          early.push(...r.messages)
          if (r.error !== undefined) reject(r.error)
          else if (early.length > 0) { client.pause(); resolve(early[0]!) }
        }
        // 'close' too: a client reset before its version leaves no timer behind.
        const closed = (): void => reject(new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the client closed before its version message'))
        client.on('data', onData).once('end', closed).once('close', closed)
        stop = () => { clearTimeout(timer); client.off('data', onData).off('end', closed).off('close', closed) }
      }).finally(() => stop())
      const to = target ?? addressIn(version)
      peer = this.track(await connect({ ...connectOptions, ...to, network, mode: 'messages' }))
    } catch (err) {
      fail(err as Error)
      return
    }
    if (client.destroyed) { peer.destroy(); return }
    this.pump(client, peer, magic, read, early, fail)
    this.emit('session', { client: name, peer: `${peer.remoteAddress}:${peer.remotePort}`, sessionId: Buffer.from(peer.sessionId).toString('hex') })
  }

  // Both directions, each following the other side's backpressure.
  private pump (client: net.Socket, peer: Bip324Socket, magic: Uint8Array, read: (chunk: Buffer) => Message[], early: Message[], fail: (err: Error) => void): void {
    const toPeer = (messages: Message[]): void => {
      if (peer.destroyed) return
      for (const m of messages) if (!peer.write(m)) { client.pause(); peer.once('drain', () => client.resume()) }
    }
    toPeer(early)
    client.on('data', (chunk: Buffer) => toPeer(read(chunk)))
    client.on('end', () => peer.end())
    client.on('close', () => peer.destroy())
    client.resume()
    peer.on('data', (m: { type: string | undefined, payload: Uint8Array }) => {
      // Message ids BIP-324 reserves for the future have no v1 name: dropped, as Bitcoin Core does.
      if (m.type === undefined) return
      if (!client.write(encodeV1Message(magic, m.type, m.payload))) { peer.pause(); client.once('drain', () => peer.resume()) }
    })
    peer.on('end', () => client.end())
    peer.on('error', fail)
    peer.on('close', () => client.destroy())
  }

  /** As net.Server.listen; resolves with the bound address. */
  listen (port = 0, host = '127.0.0.1'): Promise<net.AddressInfo> {
    return listen(this.server, port, host)
  }


  /** Stops accepting and closes every session. */
  close (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())))
  }
}

function addressIn (version: Message): { host: string, port: number } {
  const { receiver } = decodePayload('version', version.payload) as VersionMessage
  if (receiver.port === 0 || receiver.ip.every((b) => b === 0)) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'the client\'s version message names no peer address: start the proxy with a target')
  }
  return { host: bytesToIp(receiver.ip), port: receiver.port }
}

export function createProxy (options?: ProxyOptions): Bip324Proxy {
  return new Bip324Proxy(options)
}
