/**
 * v1 messages from a raw socket, one wait at a time: for the callers that await the first few
 * messages of a v1 peer (the proxy's client version, read while it dials the peer) before
 * anything else reads the socket.
 *
 * - Bounded in bytes: the socket is read only while a wait is on, and paused when it ends, so what
 *   is held is the rest of the last chunk read and at most one partial message, whose header the
 *   reader judges (maxPayload, checkHeader) before its body is awaited.
 * - Each wait ends with a message, null (the socket ended or closed), or an error: the reader's,
 *   the socket's, its timeout's or its signal's. Messages that arrived before a reader error come
 *   first; once broken or ended, every later wait ends the same way.
 * - A wait removes the listeners it added, and only those: the socket's other listeners are
 *   someone else's.
 */

import type { Socket } from 'node:net'

import { Bip324Error } from '../errors'
import { type V1Message, V1MessageReader, type V1MessageReaderOptions } from '../messages'
import { abortError } from './abort'

export interface V1WaitOptions {
  /** Milliseconds for this wait. Default: none. */
  timeout?: number
  /** What a timeout rejects with. Default: ERR_BIP324_HANDSHAKE_TIMEOUT, "no v1 message within N ms". */
  timeoutError?: () => Error
  /** Ends the wait with the signal's reason. */
  signal?: AbortSignal
}

export class V1SocketReader {
  /** For a caller that reads the socket itself after the last wait (the proxy's relay). */
  readonly reader: V1MessageReader
  private readonly socket: Socket
  private readonly queue: V1Message[] = []
  private error: Error | undefined
  private ended = false

  constructor (socket: Socket, magic: Uint8Array, options?: V1MessageReaderOptions) {
    this.socket = socket
    this.reader = new V1MessageReader(magic, options)
  }

  /** The next message, or null once the socket has ended or closed. */
  next (options: V1WaitOptions = {}): Promise<V1Message | null> {
    const queued = this.queue.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    const { socket } = this
    if (this.error !== undefined) return Promise.reject(this.error)
    if (this.ended || socket.readableEnded || socket.destroyed) {
      this.ended = true
      return Promise.resolve(null)
    }
    const { timeout, timeoutError, signal } = options
    if (signal?.aborted === true) return Promise.reject(abortError(signal))
    return new Promise<V1Message | null>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError)
        socket.pause()
      }
      const onData = (chunk: Buffer): void => {
        const r = this.reader.push(chunk)
        this.queue.push(...r.messages)
        if (r.error !== undefined) this.error = r.error
        const message = this.queue.shift()
        if (message !== undefined) { finish(); resolve(message) } else if (this.error !== undefined) { finish(); reject(this.error) }
      }
      // 'close' too: a socket reset before its end leaves no wait behind.
      const onEnd = (): void => { this.ended = true; finish(); resolve(null) }
      const onError = (err: Error): void => { this.error = err; finish(); reject(err) }
      const onAbort = (): void => { finish(); reject(abortError(signal!)) }
      const timer = timeout === undefined
        ? undefined
        : setTimeout(() => {
          finish()
          reject(timeoutError?.() ?? new Bip324Error('ERR_BIP324_HANDSHAKE_TIMEOUT', `no v1 message within ${timeout} ms`))
        }, timeout)
      signal?.addEventListener('abort', onAbort)
      socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError)
      socket.resume()
    })
  }

  /** Hands over what was read past the last message next() returned, and the error that broke the
   *  stream if one did, for a caller that reads on by itself: next() returns none of it. */
  rest (): { messages: V1Message[], error?: Error } {
    const messages = this.queue.splice(0)
    return this.error === undefined ? { messages } : { messages, error: this.error }
  }
}
