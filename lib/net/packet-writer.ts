/**
 * Everything a connection writes to its TCP socket, in the order it was made, and the connection's
 * one measure of backpressure.
 *
 * - Packets leave in order: handshake bytes, messages, decoys. Messages queued while the socket was
 *   busy go out together, in one engine call per BATCH_BYTES. A message of OFFLOAD_FROM bytes or
 *   more is encrypted on the libuv thread pool while this thread writes the packet before it; a
 *   decoy asked for meanwhile waits for it, as the outbound cipher is the thread pool's until then.
 * - The load is what is queued and not yet taken by the kernel: messages accepted and not yet
 *   encrypted, each at its contents plus MESSAGE_OVERHEAD (so that a flood of empty writes is
 *   bounded too), and the packets the TCP socket still holds. At `limit` the writer is full: write()
 *   returns false, and the connection hands the peer's messages on no more (Bitcoin Core's
 *   fPauseSend) until `settled` finds it below again.
 */

import type { Socket } from 'node:net'

import type { Protocol } from '../protocol/protocol'
import { checkDecoyLength } from '../protocol/handshake'
import { messageCost } from './inbox'

/** As stream.Writable's write callback. */
export type WriteCallback = (err?: Error | null) => void

/** Batches stop at this many bytes: past glibc's largest mmap threshold (32 MiB), every output
 *  buffer would be fresh pages, and page faults would cost more than the encryption. */
const BATCH_BYTES = 1 << 18

/** Messages at least this big are encrypted on the libuv thread pool (Protocol.sendAsync) while
 *  this thread writes the packet before them: below it, handing the work over and back costs
 *  about what it saves. */
const OFFLOAD_FROM = 1 << 16

// Consecutive messages grouped up to BATCH_BYTES each; a bigger message goes alone.
function * groups (contents: readonly Uint8Array[]): Generator<Uint8Array[]> {
  let group: Uint8Array[] = []
  let bytes = 0
  for (const c of contents) {
    if (group.length > 0 && bytes + c.length > BATCH_BYTES) {
      yield group
      group = []
      bytes = 0
    }
    group.push(c)
    bytes += c.length
  }
  if (group.length > 0) yield group
}

/** What a write callback gets when the connection was destroyed before its message went out, as
 *  node:stream reports it. */
export function destroyedError (): Error {
  return Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' })
}

export class PacketWriter {
  /** Bytes handed to the TCP socket. */
  bytesSent = 0
  private readonly socket: Socket
  private readonly protocol: Protocol
  private readonly limit: number
  private readonly closed: () => boolean
  private readonly settled: () => void
  private readonly onWritten: (err?: Error | null) => void
  // The cost of messages accepted and not yet encrypted.
  private pending = 0
  // An encryption on the thread pool holds the outbound cipher: decoys asked for meanwhile wait.
  private offloading = false
  private decoysWaiting: number[] | undefined
  // The last offloaded packet, encrypted but not written yet: whatever is written next goes after it.
  private unwritten: { bytes: Uint8Array, cb: WriteCallback | undefined } | undefined

  /** `closed` tells whether the connection was destroyed; `settled` runs after each write the
   *  kernel took (the load went down). */
  constructor (socket: Socket, protocol: Protocol, limit: number, closed: () => boolean, settled: () => void) {
    this.socket = socket
    this.protocol = protocol
    this.limit = limit
    this.closed = closed
    this.settled = settled
    this.onWritten = () => { settled() }
  }

  /** Bytes queued and not taken by the kernel yet, as counted against the limit. */
  get load (): number {
    return this.pending + this.socket.writableLength + (this.unwritten?.bytes.length ?? 0)
  }

  get full (): boolean {
    return this.load >= this.limit
  }

  /** A message of `contents` bytes entered the queue. */
  accepted (contents: number): void {
    this.pending += messageCost(contents)
  }

  /** Bytes as they are (our key and garbage, handshake packets), after whatever was made before. */
  raw (bytes: Uint8Array, cb?: WriteCallback): void {
    if (this.unwritten !== undefined) this.flushUnwritten()
    this.bytesSent += bytes.length
    this.socket.write(bytes, cb === undefined ? this.onWritten : (err) => { cb(err); this.settled() })
  }

  /** Encrypts and writes queued messages; `cb` once they are written (or failed). */
  messages (contents: readonly Uint8Array[], cb: WriteCallback): void {
    if (contents.length === 1 && contents[0]!.length >= OFFLOAD_FROM) {
      this.offload(contents[0]!, cb)
      return
    }
    const packets: Uint8Array[] = []
    try {
      for (const group of groups(contents)) packets.push(group.length === 1 ? this.protocol.send(group[0]!) : this.protocol.sendMany(group))
    } catch (err) {
      cb(err as Error)
      return
    } finally {
      for (const c of contents) this.pending -= messageCost(c.length)
    }
    if (packets.length === 1) {
      this.raw(packets[0]!, cb)
      return
    }
    this.socket.cork()
    for (let i = 0; i < packets.length - 1; i++) this.raw(packets[i]!)
    this.raw(packets[packets.length - 1]!, cb)
    this.socket.uncork()
  }

  /** A decoy packet of `length` bytes; false once the writer is full. */
  decoy (length: number): boolean {
    if (this.offloading) {
      checkDecoyLength(length)
      ;(this.decoysWaiting ??= []).push(length)
      return false
    }
    this.raw(this.protocol.sendDecoy(length))
    return !this.full
  }

  /** Writes what is left, then half-closes the TCP socket. */
  finish (cb: WriteCallback): void {
    this.flushUnwritten()
    this.socket.end(cb)
  }

  private flushUnwritten (): void {
    const u = this.unwritten
    if (u === undefined) return
    this.unwritten = undefined
    if (this.closed()) {
      u.cb?.(destroyedError())
      return
    }
    this.raw(u.bytes, u.cb)
  }

  // A big message: encrypted on the thread pool. Once it is, the next message may start (the
  // callback, unless the writer is full) and this packet is written after the microtasks that
  // start it, so the thread pool encrypts the next while this thread copies this one into the kernel.
  private offload (contents: Uint8Array, cb: WriteCallback): void {
    let made: Promise<Uint8Array>
    try {
      made = this.protocol.sendAsync(contents)
    } catch (err) {
      this.pending -= messageCost(contents.length)
      cb(err as Error)
      return
    }
    this.offloading = true
    made.then((packet) => {
      this.offloading = false
      this.pending -= messageCost(contents.length)
      if (this.closed()) {
        cb(destroyedError())
        return
      }
      // The packet before this one, if it still waits (a backend that encrypts at once), goes first.
      this.flushUnwritten()
      const early = this.socket.writableLength < this.limit
      this.unwritten = { bytes: packet, cb: early ? undefined : cb }
      const decoys = this.decoysWaiting
      this.decoysWaiting = undefined
      for (const length of decoys ?? []) this.decoy(length)
      if (early) cb()
      setImmediate(() => { this.flushUnwritten() })
    }, (err: Error) => {
      this.offloading = false
      this.pending -= messageCost(contents.length)
      cb(err)
    })
  }
}
