/**
 * Lets v1-only software use encrypted transport: accepts v1 (plaintext) clients, connects to
 * their peer over BIP-324, and translates between v1 frames (magic, command, length, checksum)
 * and v2 contents (short or long message type) both ways. The peer is the one named in the
 * client's `version` message (the address it believes it is talking to), or a fixed target.
 *
 * Whoever can reach the proxy chooses that address, so it is not taken on trust: loopback, private
 * and the other special-purpose blocks of ranges.ts are refused unless the operator allows them,
 * and at most `maxSessions` clients are served at once, each with at most one connection out.
 *
 * Its methods are net.Server's (tcp-server.ts): close() stops accepting and lets the sessions
 * run on; closeAllConnections() or [Symbol.asyncDispose]() ends them.
 */

import * as net from 'node:net'
import { inspect } from 'node:util'

import { Bip324Error } from '../errors'
import { decodePayload, encodeV1Message, MAX_VERSION_PAYLOAD, type VersionMessage } from '../messages'
import { magicOf, type Network } from '../network'
import { connect } from './connect'
import { checkConnectionOptions } from './options'
import { bytesToIp, formatHostPort, parseHostPort } from './ip'
import { type Cidr, inCidr, parseCidr, specialRange } from './ranges'
import { type Bip324Socket, type ConnectionOptions, settled } from './socket'
import { TcpServer } from './tcp-server'
import { V1SocketReader } from './v1-socket-reader'
import { invalid } from '../checks'

/** Bytes of a client's messages held while its peer is dialled: the read that sees its reset. */
const DIAL_HOLD = 1 << 16

/**
 * Decides whether a client's version message may send the proxy to host:port. `host` is written as
 * bytesToIp does (dotted IPv4, IPv6 in full hex groups); `range` names the special-purpose block it
 * is in ('loopback', 'private', ...; undefined for a public address), for a callback that keeps the
 * default refusal: `(host, port, range) => range === undefined && ...`. Only `true` allows; anything
 * else, a throw or a rejection refuses. The client waits for the answer, holding its session slot.
 */
export type AllowTarget = (host: string, port: number, range: string | undefined) => boolean | Promise<boolean>

export interface ProxyOptions extends Omit<ConnectionOptions, 'mode' | 'network'> {
  network?: Network
  /** Every client goes to this peer, whatever its version message says; then `allow` and
   *  `allowTarget` have nothing to decide and are refused. Default: the address in the version message. */
  target?: { host: string, port: number }
  /** Destinations a version message may name even in a special-purpose block: "10.0.0.0/8" or
   *  "fc00::/7" (any port), "127.0.0.1" or "::1" (one address, any port), "127.0.0.1:8333" or
   *  "[::1]:8333" (one address and port). IP addresses only: a version message carries no names.
   *  Checked first; a match is allowed without asking `allowTarget`. */
  allow?: readonly string[]
  /** For destinations `allow` does not match: its answer is final (public ones included), in place
   *  of the default, which refuses special-purpose blocks and allows the rest. */
  allowTarget?: AllowTarget
  /** Clients served at once, counted from accept (those yet to send their version included): one
   *  more is closed at once, and the proxy emits 'drop' as net.Server does. Default: 32. */
  maxSessions?: number
  /** Milliseconds for a client to send its version message. Default: 30,000; 0 turns it off. */
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
  /** A client turned away at accept, maxSessions being served. */
  on(event: 'drop', listener: (data?: net.DropArgument) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
}

/** Clients served at once when maxSessions is not given. */
export const DEFAULT_MAX_SESSIONS = 32

type Message = { type: string, payload: Uint8Array }
type Destination = { host: string, port: number }
type AllowEntry = { block: Cidr, port?: number }

export class Bip324Proxy extends TcpServer {
  private readonly network: Network
  private readonly magic: Uint8Array
  private readonly target: Destination | undefined
  private readonly allow: AllowEntry[]
  private readonly allowTarget: AllowTarget | undefined
  private readonly versionTimeout: number
  private readonly connectOptions: Omit<ConnectionOptions, 'mode' | 'network'>

  /** Throws ERR_BIP324_INVALID_ARG for an option of the wrong type or out of range. */
  constructor (options: ProxyOptions = {}) {
    super(net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => { this.bridge(socket) }))
    if (options === null || typeof options !== 'object') throw invalid(`options: expected an object, got ${inspect(options)}`)
    const { network = 'mainnet', target, allow, allowTarget, versionTimeout = 30_000, maxSessions = DEFAULT_MAX_SESSIONS, ...connectOptions } = options
    this.magic = magicOf(network)
    this.network = network
    if (target !== undefined) {
      const { host, port } = Object(target) as Partial<Destination>
      if (typeof host !== 'string' || host === '' || !isPort(port)) throw invalid(`target: expected { host, port } with a port in 1..65535, got ${inspect(target)}`)
      if (allow !== undefined || allowTarget !== undefined) throw invalid('target sends every client to one peer: allow and allowTarget would have nothing to decide')
      this.target = { host, port }
    }
    if (allow !== undefined && !Array.isArray(allow)) throw invalid(`allow: expected an array of strings, got ${inspect(allow)}`)
    this.allow = (allow ?? []).map(allowEntry)
    if (allowTarget !== undefined && typeof allowTarget !== 'function') throw invalid(`allowTarget: expected a function, got ${inspect(allowTarget)}`)
    this.allowTarget = allowTarget
    if (!Number.isInteger(versionTimeout) || versionTimeout < 0) throw invalid(`versionTimeout: expected an integer number of milliseconds >= 0, got ${inspect(versionTimeout)}`)
    this.versionTimeout = versionTimeout
    if (!Number.isInteger(maxSessions) || maxSessions < 1) throw invalid(`maxSessions: expected an integer >= 1, got ${inspect(maxSessions)}`)
    // What each outbound connection will take, checked now rather than at every client.
    checkConnectionOptions({ ...connectOptions, network })
    this.connectOptions = connectOptions
    // net.Server counts accepted sockets until they close, and closes the one over the limit
    // before it reaches us: a session is its client socket.
    this.server.maxConnections = maxSessions
    this.server.on('drop', (data) => this.emit('drop', data))
  }

  private async bridge (client: net.Socket): Promise<void> {
    const { magic, versionTimeout } = this
    const name = `${client.remoteAddress}:${client.remotePort}`
    let greeted = false
    // Until its version arrives, a client may make us hold one version message and no more: the
    // first header is judged before its body is awaited.
    const v1 = new V1SocketReader(client, magic, {
      checkHeader: (type, length) => {
        if (greeted) return
        if (type !== 'version') throw new Bip324Error('ERR_BIP324_BAD_MESSAGE_TYPE', `a v1 client must start with version, not ${type}`)
        if (length > MAX_VERSION_PAYLOAD) throw new Bip324Error('ERR_BIP324_OVERSIZED', `a ${length}-byte version message; the proxy holds at most ${MAX_VERSION_PAYLOAD} bytes (every field, a 256-byte user agent, no bytes past relay)`)
        greeted = true
      }
    })
    let early: Message[]
    let peer: Bip324Socket<'messages'> | undefined
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
      const r = v1.reader.push(chunk)
      if (r.error !== undefined) fail(r.error)
      return r.messages
    }
    try {
      const version = await v1.next({
        ...(versionTimeout !== 0 && { timeout: versionTimeout }),
        timeoutError: () => new Bip324Error('ERR_BIP324_HANDSHAKE_TIMEOUT', `no version message within ${versionTimeout} ms`)
      })
      if (version === null) throw new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the client closed before its version message')
      // What came with the version (the client paused since): relayed once the peer is there.
      const rest = v1.rest()
      if (rest.error !== undefined) throw rest.error
      early = [version, ...rest.messages]
      const to = this.target ?? await this.destination(version)
      peer = this.track(await this.dialReading(to, client, (chunk) => { early.push(...read(chunk)) }))
    } catch (err) {
      fail(err as Error)
      return
    }
    if (client.destroyed) { peer.destroy(); return }
    this.pump(client, peer, magic, read, early, fail)
    this.emit('session', { client: name, peer: `${peer.remoteAddress}:${peer.remotePort}`, sessionId: Buffer.from(peer.sessionId ?? []).toString('hex') })
  }

  // dial(), with the client read meanwhile: a paused socket never learns of a reset (the kernel
  // reports it to a read), so a client gone right after its version would hold its slot until
  // handshakeTimeout. What it sends meanwhile goes to `hold`, up to DIAL_HOLD bytes, past which
  // it is paused again.
  private async dialReading (to: Destination, client: net.Socket, hold: (chunk: Buffer) => void): Promise<Bip324Socket<'messages'>> {
    let held = 0
    const onData = (chunk: Buffer): void => {
      hold(chunk)
      held += chunk.length
      if (held >= DIAL_HOLD) client.pause()
    }
    client.on('data', onData)
    client.resume()
    try {
      return await this.dial(to, client)
    } finally {
      client.off('data', onData)
      client.pause()
    }
  }

  // The peer for `client`. The session ends with its client, so its dial does too: a client that
  // resets after its version frees its slot at once, and a dial left behind would let clients
  // keep any number of connections open from the proxy's address (each waiting up to
  // handshakeTimeout for nobody), whatever maxSessions.
  private async dial (to: Destination, client: net.Socket): Promise<Bip324Socket<'messages'>> {
    const gone = (): Bip324Error => new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the client closed before its peer was connected')
    if (client.destroyed) throw gone()
    const connection = connect({ ...this.connectOptions, ...to, network: this.network, mode: 'messages' })
    const cancel = (): void => { connection.destroy(gone()) }
    // Its end counts too: a reset that came while the socket was paused reads as an end (the
    // kernel reports the error once, to the read that was not made), and a client that ends before
    // its peer is there has nothing more to say to it.
    client.once('close', cancel).once('end', cancel)
    try {
      // No v1Fallback: settled gives the connection or its error.
      return await settled(connection) as Bip324Socket<'messages'>
    } finally {
      client.off('close', cancel).off('end', cancel)
    }
  }

  // Both directions, each following the other side's backpressure.
  private pump (client: net.Socket, peer: Bip324Socket<'messages'>, magic: Uint8Array, read: (chunk: Buffer) => Message[], early: Message[], fail: (err: Error) => void): void {
    const toPeer = (messages: Message[]): void => {
      if (peer.destroyed) return
      for (const m of messages) if (!peer.write(m)) { client.pause(); peer.once('drain', () => client.resume()) }
    }
    toPeer(early)
    client.on('data', (chunk: Buffer) => toPeer(read(chunk)))
    client.on('end', () => peer.end())
    client.on('close', () => peer.destroy())
    client.resume()
    peer.on('data', (m) => {
      // Message ids BIP-324 reserves for the future have no v1 name: dropped, as Bitcoin Core does.
      if (m.type === undefined) return
      if (!client.write(encodeV1Message(magic, m.type, m.payload))) { peer.pause(); client.once('drain', () => peer.resume()) }
    })
    peer.on('end', () => client.end())
    peer.on('error', fail)
    peer.on('close', () => client.destroy())
  }

  // The peer a version message names, once the operator's rules let the proxy go there: the allow
  // list, else allowTarget, else the default (no special-purpose block). Nothing connects before.
  private async destination (version: Message): Promise<Destination> {
    const { receiver } = decodePayload('version', version.payload) as VersionMessage
    if (receiver.port === 0 || receiver.ip.every((b) => b === 0)) {
      throw invalid('the client\'s version message names no peer address: start the proxy with a target')
    }
    const to = { host: bytesToIp(receiver.ip), port: receiver.port }
    const where = formatHostPort(to.host, to.port)
    if (this.allow.some((a) => inCidr(receiver.ip, a.block) && (a.port === undefined || a.port === to.port))) return to
    const range = specialRange(receiver.ip)
    if (this.allowTarget === undefined) {
      if (range === undefined) return to
      throw new Bip324Error('ERR_BIP324_TARGET_REFUSED', `${where} is ${range.name} (${range.cidr}): refused unless the proxy's allow or allowTarget lets clients go there`)
    }
    let verdict: unknown
    try {
      verdict = await this.allowTarget(to.host, to.port, range?.name)
    } catch (err) {
      throw new Bip324Error('ERR_BIP324_TARGET_REFUSED', `allowTarget failed for ${where}, so it is refused: ${err instanceof Error ? err.message : inspect(err)}`, { cause: err })
    }
    if (verdict !== true) throw new Bip324Error('ERR_BIP324_TARGET_REFUSED', `allowTarget refused ${where}`)
    return to
  }
}


function isPort (port: unknown): port is number {
  return Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535
}

function allowEntry (entry: unknown, i: number): AllowEntry {
  if (typeof entry === 'string' && (entry.includes('/') || net.isIP(entry) !== 0)) {
    try {
      return { block: parseCidr(entry) }
    } catch (err) {
      throw invalid(`allow[${i}]: ${(err as Error).message}`)
    }
  }
  // Else an IP and port; with no default port (0), parseHostPort refuses a bare host name.
  let hostPort: Destination | undefined
  try { hostPort = parseHostPort(String(entry), 0) } catch { /* reported below, with the forms allow takes */ }
  if (typeof entry !== 'string' || hostPort === undefined || net.isIP(hostPort.host) === 0) {
    throw invalid(`allow[${i}]: expected an IP address, a CIDR block (10.0.0.0/8, fc00::/7) or an address and port (127.0.0.1:8333, [::1]:8333), got ${inspect(entry)}`)
  }
  return { block: parseCidr(hostPort.host), port: hostPort.port }
}

export function createProxy (options?: ProxyOptions): Bip324Proxy {
  return new Bip324Proxy(options)
}
