/**
 * An outbound Peer in the shape of net.connect / tls.connect: the Peer at once, 'ready' (and the
 * listener) once the version handshake is done, failures as 'error'. The transport options go to
 * connect() unchanged (v1Fallback, handshakeTimeout, signal, and any connect() adds), in
 * 'messages' mode; connectPeerAsync is the same as a promise.
 */

import { Bip324Error } from '../errors'
import { connect, type ConnectOptions } from '../net/connect'
import { checkPeerOptions, type PeerOptions, transportOptions } from './options'
import { Peer } from './peer'

/** connect()'s options (in 'messages' mode, not half-open) and the Peer's. */
export interface ConnectPeerOptions extends PeerOptions, Omit<ConnectOptions<'messages'>, 'mode' | 'allowHalfOpen'> {}

/** Connects to a node and runs the version handshake; returns the Peer at once. `listener` is
 *  added to 'ready'. Options are checked at once (ERR_BIP324_INVALID_ARG). */
export function connectPeer (options: ConnectPeerOptions, listener?: () => void): Peer {
  checkPeerOptions(options)
  const peer = new Peer(connect({ ...transportOptions(options), mode: 'messages', allowHalfOpen: false }), { ...options, proxied: options.socks !== undefined })
  if (listener !== undefined) peer.once('ready', listener)
  return peer
}

/** connectPeer() as a promise: the Peer once 'ready', or its error. */
export function connectPeerAsync (options: ConnectPeerOptions): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const peer = connectPeer(options)
    const settle = (): void => {
      peer.off('ready', onReady).off('error', onError).off('close', onClose)
    }
    const onReady = (): void => { settle(); resolve(peer) }
    const onError = (err: Error): void => { settle(); reject(err) }
    const onClose = (): void => { settle(); reject(new Bip324Error('ERR_BIP324_BAD_STATE', 'the Peer closed before its version handshake was done')) }
    peer.once('ready', onReady).once('error', onError).once('close', onClose)
  })
}
