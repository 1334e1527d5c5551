/**
 * Opens a TCP connection and runs the handshake as initiator, in the shape of tls.connect: the
 * socket comes back at once, 'handshake' (and the callback) when the session is established,
 * failures as 'error'. connectAsync is the same as a promise, for `await`. With `socks`, the TCP
 * connection is to a SOCKS5 proxy (Tor), which connects on to the peer first (socks.ts).
 */

import * as net from 'node:net'

import { checkBoolean, checkInteger, invalid } from '../checks'
import { defaultPortOf } from '../network'
import { checkConnectionOptions, settingsOf } from './options'
import { Bip324Socket, type ConnectionOptions, type Mode, settled, type V1Connection } from './socket'
import { keepErrors } from './keep-errors'
import { checkSocksOptions, type Destination, negotiate, type SocksProxy } from './socks'

export interface ConnectOptions<M extends Mode = Mode> extends ConnectionOptions<M> {
  /** Default: 'localhost', as node:net's. */
  host?: string
  /** Default: the network's default port (NETWORKS: 8333 on mainnet, the default network); a
   *  custom `{ magic }` network has none, and needs a port. */
  port?: number
  /** Retry once over v1 when the peer closes (or resets) the connection as a v1 peer does, by
   *  Bitcoin Core's rule (V2Transport::ShouldReconnectV1): nothing received from it, and our key
   *  sent (24 bytes or more: a v1 header's worth). The socket then emits 'v1' with the new plain
   *  connection and closes. Any other failure is reported as it is. */
  v1Fallback?: boolean
  /** Connect through this SOCKS5 proxy (Tor: `{ host: '127.0.0.1', port: 9050 }`). `host` goes to
   *  it unresolved, so `.onion` names work; the negotiation counts within handshakeTimeout, and
   *  the v1 retry goes through it too. The proxy's refusals are ERR_BIP324_SOCKS; remoteAddress
   *  and remotePort are then the proxy's. */
  socks?: SocksProxy
}

const tcp = ({ host, port }: Destination): net.Socket => net.connect({ host, port, allowHalfOpen: true, noDelay: true })

// The SOCKS client's own deadline: ours, which started first and so ends first; with
// handshakeTimeout 0 (none of ours), the 0 goes on and the client keeps its default of 30 s.
const tunnelTo = (socks: SocksProxy, to: Destination, timeout: number) => (socket: net.Socket): Promise<void> => negotiate(socket, socks, to, timeout)

// connect()'s arguments as one options object: (options[, cb]), (port[, host][, cb]).
function normalize (args: unknown[]): [ConnectOptions, (() => void) | undefined] {
  const cb = typeof args[args.length - 1] === 'function' ? args.pop() as () => void : undefined
  const [first, host] = args
  if (typeof first === 'number' || typeof first === 'string') {
    if (host !== undefined && typeof host !== 'string') throw invalid('host must be a string')
    return [{ port: Number(first), ...(host !== undefined && { host }) }, cb]
  }
  return [first as ConnectOptions, cb]
}

/** Connects to a BIP-324 peer; returns the socket at once. `listener` is added to 'handshake'. */
export function connect<M extends Mode = 'raw'> (options: ConnectOptions<M>, listener?: () => void): Bip324Socket<M>
export function connect (port: number, host?: string, listener?: () => void): Bip324Socket<'raw'>
export function connect (port: number, listener?: () => void): Bip324Socket<'raw'>
export function connect (...args: unknown[]): Bip324Socket<Mode> {
  const [options, listener] = normalize(args)
  checkConnectOptions(options)
  // checkConnectOptions made sure a port is given or the network names one.
  const { host = 'localhost', port = defaultPortOf(options.network) as number, v1Fallback = false, socks, ...rest } = options
  const to = { host, port }
  const settings = settingsOf(rest, 'initiator')
  const tunnel = socks === undefined ? undefined : tunnelTo(socks, to, settings.handshakeTimeout)
  const connection: Bip324Socket<Mode> = new Bip324Socket(tcp(socks ?? to), {
    ...settings,
    ...(tunnel !== undefined && { tunnel }),
    ...(v1Fallback && { onPeerClosed: () => fallBack(connection, socks ?? to, tunnel) })
  })
  if (listener !== undefined) connection.once('handshake', listener)
  return connection
}

// The v1 retry: a new plain connection (through the same proxy, if any), handed over by 'v1',
// then this one closes.
function fallBack (connection: Bip324Socket<Mode>, via: Destination, tunnel: ((socket: net.Socket) => Promise<void>) | undefined): void {
  const socket = tcp(via)
  let handedOver = false
  const fail = (err: Error): void => {
    socket.destroy()
    connection.destroy(err)
  }
  socket.on('error', fail)
  socket.once('connect', () => {
    const ready = tunnel === undefined ? Promise.resolve() : tunnel(socket)
    ready.then(() => {
      socket.off('error', fail)
      if (connection.destroyed) { socket.destroy(); return }
      handedOver = true
      keepErrors(socket)
      connection.emit('v1', { transport: 'v1', socket } satisfies V1Connection)
      connection.destroy()
    }, fail)
  })
  connection.once('close', () => { if (!handedOver) socket.destroy() })
}

/** connect() as a promise: the socket once the handshake is done (or, with v1Fallback, the plain
 *  connection), or the connection's error. */
export function connectAsync<M extends Mode = 'raw'> (options: ConnectOptions<M> & { v1Fallback: true }): Promise<Bip324Socket<M> | V1Connection>
export function connectAsync<M extends Mode = 'raw'> (options: ConnectOptions<M>): Promise<Bip324Socket<M>>
export function connectAsync (port: number, host?: string): Promise<Bip324Socket<'raw'>>
export function connectAsync (...args: unknown[]): Promise<Bip324Socket<Mode> | V1Connection> {
  try {
    return settled((connect as (...a: unknown[]) => Bip324Socket<Mode>)(...args))
  } catch (err) {
    return Promise.reject(err)
  }
}

function checkConnectOptions (options: ConnectOptions): void {
  checkConnectionOptions(options)
  const { host, port } = options
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw invalid('host must be a non-empty string')
  if (port !== undefined) checkInteger(port, 'port', 1, 65535)
  else if (defaultPortOf(options.network) === undefined) throw invalid('port is required with a custom network: it has no default port')
  checkBoolean(options.v1Fallback, 'v1Fallback')
  if (options.socks !== undefined) checkSocksOptions(options.socks, host ?? 'localhost')
}
