/**
 * Asks a Bitcoin node who it is: a Peer's version handshake (over BIP-324, or v1 after a v1
 * fallback), then the connection closes. What `bip324 connect` prints.
 */

import type { VersionMessage } from '../messages'
import type { ConnectOptions } from '../net/connect'
import { connectPeerAsync } from './connect'

export interface ProbeOptions extends Omit<ConnectOptions, 'mode' | 'v1Fallback'> {
  /** Retry over v1 if the peer closes on our key as a v1 node does (connect()'s v1Fallback). */
  v1Fallback?: boolean
  /** Milliseconds for the whole probe, handshake included. Default: 10,000. */
  timeout?: number
}

export interface ProbeResult {
  transport: 'v1' | 'v2'
  /** v2 only: the 32-byte session id, as Peer's `sessionId`. */
  sessionId?: Uint8Array
  /** v2 only: the session id as the node's `getpeerinfo` prints it (Peer's `sessionIdHex`): compare
   *  the two to rule out a man in the middle. */
  sessionIdHex?: string
  version: Omit<VersionMessage, 'type'>
}

/** Connects, runs the version handshake and closes; resolves with what the node said. */
export async function probe (options: ProbeOptions): Promise<ProbeResult> {
  const { timeout = 10_000, ...rest } = options
  // Both deadlines from the start: the transport's, then the version handshake's. No pings: the
  // probe is over once the node has said who it is.
  const peer = await connectPeerAsync({ ...rest, handshakeTimeout: timeout, versionTimeout: timeout, pingInterval: 0 })
  // The node has said who it is: close as nodes do, a FIN both ways, not a reset (an error while
  // closing no longer matters to the answer).
  peer.on('error', () => {})
  await new Promise<void>((resolve) => peer.close(resolve))
  const { transport, sessionId, sessionIdHex } = peer
  return { transport, ...(sessionId !== undefined && sessionIdHex !== undefined && { sessionId, sessionIdHex }), version: peer.versionMessage! }
}
