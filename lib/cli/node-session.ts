/**
 * A command's conversation with a node: a Peer connected to the NodeTarget (failures in the
 * target's words), and requests that wait for their answer within --timeout.
 */

import type { Message } from '../messages'
import { connectPeerAsync, type Peer, type RawPeerMessage } from '../peer'
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

// A bug, or a value the library refused (a usage error), goes on as it is: report.ts tells which.
function failureOf (err: unknown, target: NodeTarget): unknown {
  if (!isOperational(err) || err.code === 'ERR_BIP324_INVALID_ARG') return err
  return nodeFailure(err, target)
}

/**
 * Sends `request` and resolves with the first message `pick` takes (its result), or rejects with
 * the Failure of the Peer failing (its error, in the target's words), the peer closing first
 * (ERR_BIP324_PEER_CLOSED), or sending nothing `pick` takes within --timeout (ETIMEDOUT); `what`
 * names the answer in the message.
 */
export function ask<T> (peer: Peer, target: NodeTarget, request: Message, pick: (message: Message, raw: RawPeerMessage) => T | undefined, what: string): Promise<T> {
  return exchange(peer, target, request, pick, what, false) as Promise<T>
}

/**
 * As ask, for a request a node answers only when it has the answer and else ignores (Core's
 * getheaders for one hash): a ping follows it, and resolves undefined when its pong comes first.
 * Core handles a peer's messages one at a time, in order, so an answer would have come before.
 */
export function askIfKnown<T> (peer: Peer, target: NodeTarget, request: Message, pick: (message: Message, raw: RawPeerMessage) => T | undefined, what: string): Promise<T | undefined> {
  return exchange(peer, target, request, pick, what, true)
}

function exchange<T> (peer: Peer, target: NodeTarget, request: Message, pick: (message: Message, raw: RawPeerMessage) => T | undefined, what: string, ping: boolean): Promise<T | undefined> {
  const closed = (): Failure => new Failure(`${target.where} closed the connection before sending ${what}`, 'ERR_BIP324_PEER_CLOSED')
  if (peer.destroyed) {
    const err = failures.get(peer)
    return Promise.reject(err === undefined ? closed() : failureOf(err, target))
  }
  return new Promise((resolve, reject) => {
    let settled = false
    const done = (): void => {
      settled = true
      clearTimeout(timer)
      peer.off('message', onMessage).off('error', onError).off('close', onClose)
    }
    const onMessage = (message: Message, raw: RawPeerMessage): void => {
      const picked = pick(message, raw)
      if (picked === undefined) return
      done()
      resolve(picked)
    }
    // 'error' comes before 'close': the Peer's reason wins.
    const onError = (err: Error): void => {
      done()
      reject(failureOf(err, target))
    }
    const onClose = (): void => {
      done()
      reject(closed())
    }
    const timer = setTimeout(() => {
      done()
      reject(new Failure(`${target.where} sent no ${what} within ${target.timeout} ms (--timeout)`, 'ETIMEDOUT'))
    }, target.timeout)
    peer.on('message', onMessage).on('error', onError).on('close', onClose)
    peer.send(request)
    // An error here is the Peer closing, which onError or onClose reports.
    if (ping) {
      peer.ping((err) => {
        if (err !== null || settled) return
        done()
        resolve(undefined)
      })
    }
  })
}
