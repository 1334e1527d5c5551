/**
 * What a connection may cost, with Bitcoin Core's figures beside ours, and the one check every
 * network entry point runs on its options: a wrong option is ERR_BIP324_INVALID_ARG when connect(),
 * wrap(), createServer() or createProxy() is called, not a failure of each connection later.
 */

import { checkBoolean, checkInteger, invalid } from '../checks'
import { selectBackend } from '../crypto'
import type { Role } from '../protocol/constants'
import { checkProtocolOptions } from '../protocol/protocol'
import type { ConnectionOptions, SocketSettings } from './socket'

/** Received messages the application has not read yet, in bytes (contents plus MESSAGE_OVERHEAD
 *  each) before the socket stops reading from the peer. Bitcoin Core: -maxreceivebuffer=5000 KB,
 *  past which it stops reading from that peer (fPauseRecv). The message that crosses it is still
 *  queued, so what is held is at most this, one message and one partial packet. */
export const DEFAULT_MAX_RECEIVE_BUFFER = 5_000_000
/** Contents queued by write() before it returns false. Bitcoin Core: -maxsendbuffer=1000 KB, past
 *  which it stops processing that peer's messages until its send queue drains (fPauseSend). */
export const DEFAULT_MAX_SEND_BUFFER = 1_000_000
/** What a received message costs beyond its contents (the Uint8Array, its ArrayBuffer and its place
 *  in the stream's queue; test/peer-public-port.test.ts measures it). As Core's
 *  CNetMessage::GetMemoryUsage does, the budget counts it, so a flood of tiny messages is bounded in
 *  memory too, not only in payload bytes. */
export const MESSAGE_OVERHEAD = 400
/** Bitcoin Core: -peertimeout=60 s for a new connection to send its version message. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 60_000
/** Bitcoin Core: TIMEOUT_INTERVAL, 20 minutes without a byte from the peer (pings keep a healthy
 *  peer talking every 2 minutes). */
export const DEFAULT_IDLE_TIMEOUT = 20 * 60_000

// setTimeout's largest delay: longer ones fire at once.
const MAX_TIMER = 2 ** 31 - 1

// Options that make every handshake alike: a server or a client reusing one key pair for every
// connection would be linkable and, with a fixed rng, predictable.
const DETERMINISTIC = ['rng', 'secretKey', 'ellswift'] as const

/** Checks every option of a connection (Protocol's included), so each entry point can refuse a bad
 *  one at once. */
export function checkConnectionOptions (options: ConnectionOptions): void {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object')
  for (const key of DETERMINISTIC) {
    if (key in options) {
      throw invalid(`${key} makes every handshake alike; it is for the sans-IO Protocol in tests, not for network connections`)
    }
  }
  const { mode, signal } = options
  if (mode !== undefined && mode !== 'raw' && mode !== 'messages') throw invalid(`mode must be 'raw' or 'messages', got ${String(mode)}`)
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid('signal must be an AbortSignal')
  checkInteger(options.handshakeTimeout, 'handshakeTimeout', 0, MAX_TIMER)
  checkInteger(options.idleTimeout, 'idleTimeout', 0, MAX_TIMER)
  checkInteger(options.maxReceiveBuffer, 'maxReceiveBuffer', 1, Number.MAX_SAFE_INTEGER)
  checkInteger(options.maxSendBuffer, 'maxSendBuffer', 1, Number.MAX_SAFE_INTEGER)
  checkBoolean(options.allowHalfOpen, 'allowHalfOpen')
  // A server's `v1` option is its own (what to do with v1 peers); its Protocols always report them.
  const { v1: _server, ...protocolOptions } = options as ConnectionOptions & { v1?: unknown }
  checkProtocolOptions({ role: 'initiator', ...protocolOptions, backend: selectBackend(protocolOptions.backend) })
}

/** A connection's settings, defaults resolved: what is left once the connection options are taken
 *  out goes to its Protocol. */
export function settingsOf (options: ConnectionOptions, role: Role): SocketSettings {
  const {
    handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT, idleTimeout = DEFAULT_IDLE_TIMEOUT, signal, allowHalfOpen = false, mode = 'raw',
    maxReceiveBuffer = DEFAULT_MAX_RECEIVE_BUFFER, maxSendBuffer = DEFAULT_MAX_SEND_BUFFER, ...protocol
  } = options
  // 'auto' and 'native' are resolved here, in the Node layer: the core knows only what it is given.
  return { protocol: { ...protocol, backend: selectBackend(protocol.backend), role, v1: 'report' }, mode, allowHalfOpen, maxReceiveBuffer, maxSendBuffer, handshakeTimeout, idleTimeout, signal }
}
