/**
 * One row of the bad-input catalogue (docs/bad-input.md): what a peer or caller sends, what must
 * happen, and the memory it may cost. `run` performs it and reports what actually happened; the
 * catalogue test compares the two, so the document cannot say what the code does not do.
 */

export interface Outcome {
  /** The error code that came out, or 'none' when the input was accepted. */
  code: string
  /** The most bytes held for the peer (buffered) at any point between calls, where measurable. */
  maxBuffered?: number
}

export interface Case {
  id: string
  /** What arrives, in a few words. */
  input: string
  /** The error code, or 'none' when the input is legitimate and must be accepted. */
  expected: string
  /** What is closed or dropped, and what survives. */
  closed: string
  /** Upper bound on bytes held for this peer, checked against Outcome.maxBuffered. */
  bound?: number
  /** The memory column when there is no byte count to check (decoders, socket-level rows). */
  memory?: string
  run: () => Outcome | Promise<Outcome>
}

/** Tracks buffered bytes across calls. */
export class Meter {
  max = 0
  see (buffered: number): void {
    if (buffered > this.max) this.max = buffered
  }
}

export const ONE_PACKET = 4_000_013 + 20
export const HANDSHAKE_WINDOW = 64 + 4095 + 16
