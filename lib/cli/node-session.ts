/**
 * A command's conversation with a node: a Peer connected to the NodeTarget (failures in the
 * target's words), and requests that wait for their answer within --timeout.
 */

import type { Message } from '../messages'
import { connectPeerAsync, type Peer, type RawPeerMessage } from '../peer'
import { Failure } from './errors'
import { nodeFailure, type NodeTarget } from './node-target'
import { isOperational } from './report'

/** A Peer of `target`, ready, that relays nothing to us (we only ask). */
export async function connectNode (target: NodeTarget): Promise<Peer> {
  const { host, port, network, timeout, backend, fallback, socks } = target
  try {
    return await connectPeerAsync({
      host, port, network, backend, v1Fallback: fallback, relay: false,
      handshakeTimeout: timeout, versionTimeout: timeout, ...(socks !== undefined && { socks })
    })
  } catch (err) {
    // A bug, or a value the library refused (a usage error): report.ts tells which.
    if (!isOperational(err) || err.code === 'ERR_BIP324_INVALID_ARG') throw err
    throw nodeFailure(err, target)
  }
}

/**
 * Sends `request` and resolves with the first message `pick` takes (its result), or rejects with
 * the Failure of the peer closing first (ERR_BIP324_PEER_CLOSED) or sending nothing `pick` takes
 * within --timeout (ETIMEDOUT); `what` names the answer in the message.
 */
export function ask<T> (peer: Peer, target: NodeTarget, request: Message, pick: (message: Message, raw: RawPeerMessage) => T | undefined, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      peer.off('message', onMessage).off('close', onClose)
    }
    const onMessage = (message: Message, raw: RawPeerMessage): void => {
      const picked = pick(message, raw)
      if (picked === undefined) return
      done()
      resolve(picked)
    }
    const onClose = (): void => {
      done()
      reject(new Failure(`${target.where} closed the connection before sending ${what}`, 'ERR_BIP324_PEER_CLOSED'))
    }
    const timer = setTimeout(() => {
      done()
      reject(new Failure(`${target.where} sent no ${what} within ${target.timeout} ms (--timeout)`, 'ETIMEDOUT'))
    }, target.timeout)
    peer.on('message', onMessage).on('close', onClose)
    peer.send(request)
  })
}
