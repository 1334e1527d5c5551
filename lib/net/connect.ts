/** Opens a TCP connection and runs the handshake as initiator. */

import net from 'node:net'

import { Bip324Error } from '../errors'
import { checkBoolean, checkConnectionOptions, checkInteger } from './options'
import type { Bip324Socket, ConnectionOptions } from './socket'
import { established } from './wrap'

export interface ConnectOptions extends ConnectionOptions {
  host?: string
  port: number
  /** Retry once over v1 when the peer closes during the handshake, as Bitcoin Core does. */
  v1Fallback?: boolean
}

/** A plain v1 connection, after v1Fallback: the caller speaks v1 over it. */
export interface V1Connection {
  transport: 'v1'
  socket: net.Socket
}

function open (host: string, port: number, signal: AbortSignal | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, allowHalfOpen: true, noDelay: true, ...(signal && { signal }) })
    socket.once('connect', () => { socket.off('error', reject); resolve(socket) })
    socket.once('error', reject)
  })
}

export function connect (options: ConnectOptions & { v1Fallback: true }): Promise<Bip324Socket | V1Connection>
export function connect (options: ConnectOptions): Promise<Bip324Socket>
export async function connect (options: ConnectOptions): Promise<Bip324Socket | V1Connection> {
  checkConnectOptions(options)
  const { host = '127.0.0.1', port, v1Fallback = false, ...rest } = options
  const socket = await open(host, port, rest.signal)
  try {
    return await established(socket, { ...rest, role: 'initiator' })
  } catch (err) {
    if (!v1Fallback || (err as Bip324Error).code !== 'ERR_BIP324_PEER_CLOSED') throw err
    return { transport: 'v1', socket: await open(host, port, rest.signal) }
  }
}

function checkConnectOptions (options: ConnectOptions): void {
  checkConnectionOptions(options)
  const { host, port } = options
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'host must be a non-empty string')
  if (port === undefined) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'port is required')
  checkInteger(port, 'port', 1, 65535)
  checkBoolean(options.v1Fallback, 'v1Fallback')
}
