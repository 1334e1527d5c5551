/**
 * A command's conversation with a node: a Peer connected to the NodeTarget, and the failures of
 * its requests in the target's words.
 */

import { connectPeerAsync, type Peer } from '../peer'
import { Failure } from './errors'
import { nodeFailure, type NodeTarget, reachFailure } from './node-target'
import { isOperational } from './report'

/** A Peer of `target`, ready, that relays nothing to us (we only ask). Its failure from then on
 *  (a reset, a ping timeout, a broken rule) is kept for the request it ends, never thrown. */
export async function connectNode (target: NodeTarget): Promise<Peer> {
  const { host, port, network, timeout, backend, fallback, socks } = target
  const started = Date.now()
  let peer: Peer
  try {
    peer = await connectPeerAsync({
      host, port, network, backend, v1Fallback: fallback, relay: false,
      handshakeTimeout: timeout, versionTimeout: timeout, ...(socks !== undefined && { socks })
    })
  } catch (err) {
    // Not reached: found out why as connect does (a v1-only node, a service that is not Bitcoin).
    if (!isOperational(err) || err.code === 'ERR_BIP324_INVALID_ARG') throw err
    throw await reachFailure(err, target, started)
  }
  peer.on('error', (err) => failures.set(peer, err))
  return peer
}

const failures = new WeakMap<Peer, Error>()

/**
 * What `request` (a Peer's request, made with { timeout: target.timeout }) resolves with, or its
 * failure in the target's words: the Peer's error (a reset, a ping timeout, a broken rule), the
 * peer closing first (ERR_BIP324_PEER_CLOSED), no answer within --timeout (ETIMEDOUT); `what`
 * names the answer in the message. Other errors (a check of the answer) go on as they are.
 */
export async function answerOf<T> (peer: Peer, target: NodeTarget, what: string, request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (err) {
    throw failureOf(peer, err, target, what)
  }
}

function failureOf (peer: Peer, err: unknown, target: NodeTarget, what: string): unknown {
  if (!isOperational(err)) return err
  if (err.code === 'ERR_BIP324_TIMEOUT') return new Failure(`${target.where} sent no ${what} within ${target.timeout} ms (--timeout)`, 'ETIMEDOUT')
  // The Peer's own error ended the request: a bug or a refused value goes on as it is (report.ts tells which).
  if (failures.get(peer) === err && err.code !== 'ERR_BIP324_INVALID_ARG') return nodeFailure(err, target)
  if (err.code === 'ERR_BIP324_PEER_CLOSED' || err.code === 'ERR_STREAM_DESTROYED') return new Failure(`${target.where} closed the connection before sending ${what}`, 'ERR_BIP324_PEER_CLOSED')
  return err
}
