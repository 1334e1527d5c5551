/**
 * Asks a Bitcoin node who it is: the BIP-324 handshake (or v1, after a v1 fallback), then the
 * version/verack exchange every peer starts with. What `bip324 connect` prints.
 */

import * as crypto from 'node:crypto'
import type { Socket } from 'node:net'

import { Bip324Error } from '../errors'
import { decodePayload, encodePayload, encodeV1Message, type VersionMessage } from '../messages'
import { magicOf, type Network, SERVICE_FLAGS } from '../network'
import { PACKAGE_VERSION } from '../package'
import { abortError } from './abort'
import { connectAsync, type ConnectOptions } from './connect'
import { ipToBytes } from './ip'
import type { Bip324Socket } from './socket'
import { V1SocketReader } from './v1-socket-reader'

const PROTOCOL_VERSION = 70016
// BIP-14's /name:version/, with the version of the package running.
const USER_AGENT = `/bip324.js:${PACKAGE_VERSION}/`

export interface ProbeOptions extends Omit<ConnectOptions, 'mode' | 'v1Fallback'> {
  /** Retry over v1 if the peer closes on our key as a v1 node does (connect()'s v1Fallback). */
  v1Fallback?: boolean
  /** Milliseconds for the whole probe, handshake included. Default: 10,000. */
  timeout?: number
}

export interface ProbeResult {
  transport: 'v1' | 'v2'
  /** Hex, v2 only: compare it with the node's `getpeerinfo` to rule out a man in the middle. */
  sessionId?: string
  version: Omit<VersionMessage, 'type'>
}

function ourVersion (remoteAddress: string | undefined, services: bigint): Uint8Array {
  const none = { services: 0n, ip: new Uint8Array(16), port: 0 }
  return encodePayload({
    type: 'version',
    version: PROTOCOL_VERSION,
    services,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    receiver: remoteAddress === undefined ? none : { services: 0n, ip: ipToBytes(remoteAddress), port: 0 },
    sender: none,
    nonce: crypto.randomBytes(8).readBigUInt64LE(),
    userAgent: USER_AGENT,
    startHeight: 0,
    relay: false
  })
}

function timeoutError (ms: number): Bip324Error {
  return new Bip324Error('ERR_BIP324_HANDSHAKE_TIMEOUT', `no version and verack from the peer within ${ms} ms`)
}

// Reads messages until version and verack have both arrived; answers verack.
async function exchange (next: () => Promise<{ type: string | undefined, payload: Uint8Array } | null>, send: (type: string, payload: Uint8Array) => void): Promise<Omit<VersionMessage, 'type'>> {
  let version: VersionMessage | undefined
  let verack = false
  while (version === undefined || !verack) {
    const m = await next()
    if (m === null) throw new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the peer closed the connection before version and verack')
    if (m.type === 'version' && version === undefined) {
      version = decodePayload('version', m.payload) as VersionMessage
      send('verack', new Uint8Array(0))
    } else if (m.type === 'verack') {
      verack = true
    }
  }
  const { type: _, ...fields } = version
  return fields
}

// The peer's address as our version gives it: none through a proxy, as Bitcoin Core does (the TCP
// socket's is the proxy's).
const peerAddress = (socket: Socket, proxied: boolean): string | undefined => proxied ? undefined : socket.remoteAddress

async function overV2 (connection: Bip324Socket<'messages'>, proxied: boolean): Promise<ProbeResult> {
  const iterator = connection[Symbol.asyncIterator]()
  // We speak v2 and serve nothing else.
  connection.write({ type: 'version', payload: ourVersion(peerAddress(connection.socket, proxied), SERVICE_FLAGS.NODE_P2P_V2) })
  const version = await exchange(async () => {
    const r = await iterator.next()
    return r.done === true ? null : r.value
  }, (type, payload) => connection.write({ type, payload }))
  return { transport: 'v2', sessionId: Buffer.from(connection.sessionId ?? []).toString('hex'), version }
}

async function overV1 (socket: Socket, network: Network, signal: AbortSignal, proxied: boolean): Promise<ProbeResult> {
  const magic = magicOf(network)
  const v1 = new V1SocketReader(socket, magic)
  socket.write(encodeV1Message(magic, 'version', ourVersion(peerAddress(socket, proxied), 0n)))
  const version = await exchange(() => v1.next({ signal }), (type, payload) => socket.write(encodeV1Message(magic, type, payload)))
  return { transport: 'v1', version }
}

export async function probe (options: ProbeOptions): Promise<ProbeResult> {
  const { timeout = 10_000, network = 'mainnet', v1Fallback = false, signal: outer, ...rest } = options
  const controller = new AbortController()
  const { signal } = controller
  const timer = setTimeout(() => controller.abort(timeoutError(timeout)), timeout)
  const forward = (): void => controller.abort(outer?.reason)
  outer?.addEventListener('abort', forward, { once: true })
  let onAbort = (): void => {}
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => {})
  let close = (): void => {}
  try {
    const result = await connectAsync({ ...rest, network, signal, handshakeTimeout: timeout, mode: 'messages', v1Fallback: v1Fallback as true })
    close = () => { if (result.transport === 'v2') result.destroy(); else result.socket.destroy() }
    const proxied = rest.socks !== undefined
    return await Promise.race([result.transport === 'v2' ? overV2(result, proxied) : overV1(result.socket, network, signal, proxied), aborted])
  } catch (err) {
    // An abort by our timer reads better as the timeout it is.
    throw signal.aborted && signal.reason instanceof Bip324Error ? signal.reason : err
  } finally {
    clearTimeout(timer)
    outer?.removeEventListener('abort', forward)
    signal.removeEventListener('abort', onAbort)
    close()
  }
}
