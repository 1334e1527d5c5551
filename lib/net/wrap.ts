/**
 * Runs the BIP-324 handshake over a connected socket and hands back the encrypted connection, or,
 * for a responder facing a v1 peer, the socket and every byte it sent. Timeouts, aborts and the
 * peer closing early become one typed error each.
 */

import type { Socket } from 'node:net'

import { Bip324Error } from '../errors'
import type { Role } from '../protocol/constants'
import { Protocol } from '../protocol/protocol'
import {
  checkConnectionOptions, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RECEIVE_BUFFER, DEFAULT_MAX_SEND_BUFFER
} from './options'
import { Bip324Socket, type ConnectionOptions, type SocketSettings, type V1Handoff } from './socket'

export interface WrapOptions extends ConnectionOptions {
  role: Role
}

function abortError (signal: AbortSignal): Error {
  const err = new Error('the operation was aborted', { cause: signal.reason }) as Error & { code: string }
  err.name = 'AbortError'
  err.code = 'ABORT_ERR'
  return err
}

/** @internal The handshake, reporting a v1 peer instead of refusing it. Options are checked by
 *  the caller (checkConnectionOptions), once for every connection they serve. */
export function handshake (socket: Socket, options: WrapOptions): Promise<Bip324Socket | V1Handoff> {
  const {
    handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT, idleTimeout = DEFAULT_IDLE_TIMEOUT, signal, allowHalfOpen = false, mode = 'raw',
    maxReceiveBuffer = DEFAULT_MAX_RECEIVE_BUFFER, maxSendBuffer = DEFAULT_MAX_SEND_BUFFER, ...protocolOptions
  } = options
  const settings: SocketSettings = { allowHalfOpen, mode, maxReceiveBuffer, maxSendBuffer }
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      socket.destroy()
      reject(abortError(signal))
      return
    }
    const protocol = new Protocol({ ...protocolOptions, v1: 'report' })
    const moved = { sent: 0, received: 0 }
    const send = (bytes: Uint8Array): void => {
      moved.sent += bytes.length
      socket.write(bytes)
    }
    let timer: NodeJS.Timeout | undefined
    const cleanup = (): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('close', onEnd)
      socket.off('error', fail)
      signal?.removeEventListener('abort', onAbort)
    }
    const fail = (err: Error): void => {
      cleanup()
      protocol.destroy()
      socket.destroy()
      reject(err)
    }
    const onEnd = (): void => fail(protocol.awaitingTerminator
      ? new Bip324Error('ERR_BIP324_NO_TERMINATOR', 'the peer sent its key and garbage, then closed without a garbage terminator of this network: another network?')
      : new Bip324Error('ERR_BIP324_PEER_CLOSED', 'the peer closed the connection during the handshake'))
    const onAbort = (): void => fail(abortError(signal!))
    const onData = (chunk: Buffer): void => {
      const r = protocol.receive(chunk)
      for (const bytes of r.send) send(bytes)
      const v1 = r.events.find((e) => e.type === 'v1')
      if (v1 !== undefined) {
        cleanup()
        socket.pause()
        resolve({ transport: 'v1', socket, data: v1.data })
        return
      }
      // The handshake is done once the peer's version packet authenticated, even if a bad packet
      // follows it in the same chunk: that error belongs to the connection, delivered below.
      if (!r.events.some((e) => e.type === 'handshake')) {
        if (r.error !== undefined) fail(r.error)
        else moved.received += chunk.length
        return
      }
      cleanup()
      // What came with the last handshake bytes (messages, or an error such as a bad packet) waits
      // a turn of the event loop, the socket paused meanwhile: whoever awaits the connection, or
      // gets it from 'connection', has attached its listeners by then.
      socket.pause()
      const connection = new Bip324Socket(socket, protocol, settings, moved)
      attach(connection, socket, protocol, idleTimeout, signal)
      resolve(connection)
      setImmediate(() => {
        connection.deliver({ ...r, send: [] }, chunk.length)
        connection.resumeReading()
      })
    }
    socket.on('data', onData)
    socket.on('end', onEnd)
    socket.on('close', onEnd)
    socket.on('error', fail)
    signal?.addEventListener('abort', onAbort, { once: true })
    if (handshakeTimeout > 0) {
      timer = setTimeout(() => fail(new Bip324Error('ERR_BIP324_HANDSHAKE_TIMEOUT', `no BIP-324 handshake within ${handshakeTimeout} ms`)), handshakeTimeout)
    }
    const first = protocol.start()
    if (first.length > 0) send(first)
  })
}

// After the handshake: the socket feeds the connection until either ends.
function attach (connection: Bip324Socket, socket: Socket, protocol: Protocol, idleTimeout: number, signal: AbortSignal | undefined): void {
  let heard = Date.now()
  socket.on('data', (chunk: Buffer) => {
    heard = Date.now()
    connection.deliver(protocol.receive(chunk), chunk.length)
  })
  socket.on('end', () => {
    if (protocol.buffered > 0) connection.destroy(new Bip324Error('ERR_BIP324_TRUNCATED', 'the peer closed the connection in the middle of a packet'))
    else connection.push(null)
  })
  socket.on('error', (err) => connection.destroy(err))
  socket.on('close', () => { if (!connection.destroyed) connection.destroy() })
  if (idleTimeout > 0) {
    // Only the peer's bytes count (socket.setTimeout would count our writes too). The timer is
    // armed once per idleTimeout, not per chunk: on firing it looks at when the peer last spoke.
    const check = (): void => {
      const quiet = Date.now() - heard
      if (quiet >= idleTimeout) connection.destroy(new Bip324Error('ERR_BIP324_IDLE_TIMEOUT', `nothing from the peer for ${idleTimeout} ms`))
      else timer = setTimeout(check, idleTimeout - quiet).unref()
    }
    let timer = setTimeout(check, idleTimeout).unref()
    connection.once('close', () => clearTimeout(timer))
  }
  if (signal !== undefined) {
    const onAbort = (): void => { connection.destroy(abortError(signal)) }
    signal.addEventListener('abort', onAbort, { once: true })
    connection.once('close', () => signal.removeEventListener('abort', onAbort))
  }
}

/** Runs the handshake over a socket you already have; resolves once it is complete. A v1 peer (as
 *  responder) is ERR_BIP324_V1_PEER: use createServer({ v1: 'fallback' }) to serve both. */
export async function wrap (socket: Socket, options: WrapOptions): Promise<Bip324Socket> {
  checkConnectionOptions(options)
  return await established(socket, options)
}

/** @internal wrap() for callers that checked the options already. */
export async function established (socket: Socket, options: WrapOptions): Promise<Bip324Socket> {
  const result = await handshake(socket, options)
  if (result.transport === 'v1') {
    result.socket.destroy()
    throw new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks the v1 protocol')
  }
  return result
}
