/**
 * What a connection received and has not handed to the application yet, and the one place that
 * decides when it reads from the peer and when it hands messages on, as Bitcoin Core's CConnman
 * and ProcessMessages decide it for a node:
 *
 * - Reading stops while the messages held (here, and handed on but not yet taken by the reader)
 *   cost `limit` bytes or more, each counted as its contents plus MESSAGE_OVERHEAD (Core's
 *   fPauseRecv past -maxreceivebuffer), and goes on below it.
 * - Nothing is handed on while the owner says no: its send side is full (Core's fPauseSend past
 *   -maxsendbuffer), so that a peer that never reads cannot make the application's answers pile up,
 *   whatever its handlers do with write()'s result.
 * - Messages are handed on for at most TURN_MS, or BYTES_PER_TURN bytes, in one turn of the event
 *   loop; the rest wait
 *   for setImmediate, after the other connections' I/O (Core hands one message per peer per turn of
 *   its loop), so one flooding peer cannot keep the others waiting.
 * - The end of input (the peer's FIN, a transport error, a reset) is input too: it comes after
 *   every message that arrived before it, so nothing already received is lost.
 */

import { performance } from 'node:perf_hooks'

import { MESSAGE_OVERHEAD } from './options'

/** Milliseconds of handing messages on in one turn before the other connections get theirs:
 *  long enough that a busy but honest peer loses little to the extra turns of the event loop
 *  (each costs microseconds: a count of 64 messages cost small messages a quarter of their
 *  throughput), short enough that the others' wait stays short whatever each message costs. */
export const TURN_MS = 1
/** The clock is read once per this many messages: reading it costs about what a cheap message does. */
const MESSAGES_PER_CLOCK = 16
/** Contents bytes handed on in one turn (a message that crosses it still goes): what the
 *  application decodes in one turn grows with the bytes (a 50,000-entry inv is 1.8 MB). */
export const BYTES_PER_TURN = 1 << 20

/** What an inbox hands its messages to. */
export interface InboxOwner<T> {
  /** Whether a message may be handed on now (false while the send side is full). */
  accepting: () => boolean
  /** Hands one message on; true if it waits in the reader's queue (it counts until taken()). */
  hand: (message: T) => boolean
  /** Every message is handed on and the input ended: with an error, or at the peer's end. */
  ended: (error: Error | undefined) => void
  /** Reading from the peer should stop (false) or go on (true). */
  reading: (on: boolean) => void
}

/** What a message costs against the limit: its contents and what holding one costs beyond them. */
export function messageCost (contents: number): number {
  return contents + MESSAGE_OVERHEAD
}

export class Inbox<T> {
  private readonly owner: InboxOwner<T>
  private readonly limit: number
  private readonly size: (message: T) => number
  private readonly queue: T[] = []
  private head = 0
  private held = 0
  private reads = true
  private scheduled = false
  // Set while handing a message on: a pump() from the reader's handler (a 'drain' it caused) is the
  // running loop's to continue, not a second loop inside the first.
  private pumping = false
  private end: { error: Error | undefined } | undefined
  private endReported = false

  constructor (limit: number, size: (message: T) => number, owner: InboxOwner<T>) {
    this.limit = limit
    this.size = size
    this.owner = owner
  }

  /** Bytes held, as counted against the limit (messages here and in the reader's queue). */
  get bytes (): number {
    return this.held
  }

  /** Messages received and not handed on yet. */
  get length (): number {
    return this.queue.length - this.head
  }

  /** Whether the owner should be reading from the peer now. */
  get reading (): boolean {
    return this.reads
  }

  add (messages: readonly T[]): void {
    for (const m of messages) {
      this.queue.push(m)
      this.held += messageCost(this.size(m))
    }
    // Before pump(), which may be waiting for its next turn: the budget holds whatever pump does.
    this.updateReading()
    this.pump()
  }

  /** The input ended; the first end counts. */
  close (error?: Error): void {
    this.end ??= { error }
    this.pump()
  }

  /** The reader took a message it had been handed and that waited in its queue. */
  taken (message: T): void {
    this.held -= messageCost(this.size(message))
    this.updateReading()
  }

  /** Hands on what may be handed on now; call again when the owner accepts again. */
  pump (): void {
    if (this.scheduled || this.pumping) return
    // Called after every write the kernel took: with nothing to hand on or report, nothing to do.
    if (this.head === this.queue.length && (this.end === undefined || this.endReported)) return
    const start = performance.now()
    let handed = 0
    let bytes = 0
    while (this.head < this.queue.length) {
      if (!this.owner.accepting()) {
        this.compact()
        this.updateReading()
        return
      }
      if (bytes >= BYTES_PER_TURN || (++handed % MESSAGES_PER_CLOCK === 0 && performance.now() - start >= TURN_MS)) {
        this.compact()
        this.scheduled = true
        setImmediate(() => {
          this.scheduled = false
          this.pump()
        })
        this.updateReading()
        return
      }
      const m = this.queue[this.head] as T
      this.queue[this.head++] = undefined as T
      bytes += this.size(m)
      this.pumping = true
      try {
        if (!this.owner.hand(m)) this.held -= messageCost(this.size(m))
      } finally {
        this.pumping = false
      }
    }
    this.queue.length = this.head = 0
    this.updateReading()
    if (this.end !== undefined && !this.endReported) {
      this.endReported = true
      this.owner.ended(this.end.error)
    }
  }

  // Drops the slots of messages handed on, once they are most of the queue: a queue that never
  // empties (a peer that keeps it busy) would otherwise grow by a slot per message for good.
  private compact (): void {
    if (this.head < 1024 || this.head * 2 < this.queue.length) return
    this.queue.splice(0, this.head)
    this.head = 0
  }

  private updateReading (): void {
    const on = this.end === undefined && this.held < this.limit
    if (on === this.reads) return
    this.reads = on
    this.owner.reading(on)
  }
}
