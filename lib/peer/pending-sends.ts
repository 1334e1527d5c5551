/**
 * What send() queues before 'ready', bounded as the transport bounds its send side: each message
 * costs its payload plus MESSAGE_OVERHEAD, so that empty ones are bounded too. Past maxSendBuffer
 * send() throws; the send that reaches it returns false, and a 'drain' is owed once the queue has
 * gone out.
 */

import { Bip324Error } from '../errors'
import { messageCost } from '../net/inbox'
import type { WriteCallback } from '../net/packet-writer'

interface Pending {
  type: string
  payload: Uint8Array
  cb: WriteCallback | undefined
}

/** @internal */
export class PendingSends {
  private readonly limit: number
  private queue: Pending[] = []
  private bytes = 0
  /** A send() returned false: 'drain' is owed. */
  drainOwed = false

  constructor (limit: number) {
    this.limit = limit
  }

  /** Queues a message; false once the queue holds `limit` bytes. */
  push (type: string, payload: Uint8Array, cb: WriteCallback | undefined): boolean {
    if (this.bytes >= this.limit) {
      throw new Bip324Error('ERR_BIP324_BAD_STATE', `${this.bytes} bytes already wait for the version handshake (maxSendBuffer ${this.limit}): wait for 'drain' or 'ready'`)
    }
    this.queue.push({ type, payload, cb })
    this.bytes += messageCost(payload.length)
    if (this.bytes < this.limit) return true
    this.drainOwed = true
    return false
  }

  /** Hands every message to `write`, in order; what the last write returned. */
  flush (write: (type: string, payload: Uint8Array, cb: WriteCallback | undefined) => boolean): boolean {
    let writable = true
    for (const p of this.take()) writable = write(p.type, p.payload, p.cb)
    return writable
  }

  /** Drops every message; each callback gets `err` on the next tick. */
  fail (err: () => Error): void {
    for (const p of this.take()) if (p.cb !== undefined) process.nextTick(p.cb, err())
  }

  private take (): Pending[] {
    const queue = this.queue
    this.queue = []
    this.bytes = 0
    return queue
  }
}
