/**
 * One row of the bad-input catalogue (docs/bad-input.md): what a peer or caller sends, what must
 * happen, and the memory it may cost. `run` performs it and reports what actually happened; the
 * catalogue test compares the two, so the document cannot say what the code does not do.
 */

import { nativeBackend } from '../../lib'
import type { Backend, PacketCipher } from '../../lib/crypto/backend'

export interface Outcome {
  /** The error code that came out, or 'none' when the input was accepted. */
  code: string
  /** The most bytes held for the peer (buffered), sampled inside every engine call the input
   *  caused and after each call, where measurable. */
  maxBuffered?: number
  /** Whether the session (or socket) ended: it must exactly when an error came out. */
  closed?: boolean
  /** Bytes the protocol answered the hostile input with, where the row states it. */
  sent?: number
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
  /** The most bytes we may send in answer to the input (0: nothing), checked against Outcome.sent. */
  sends?: number
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

// What `watch` samples inside engine calls, while a call it wraps runs.
let probe: (() => void) | null = null

function meteredCipher (c: PacketCipher): PacketCipher {
  const sample = <T>(result: T): T => { probe?.(); return result }
  return {
    get provider () { return c.provider },
    encrypt: (...a) => sample(c.encrypt(...a)),
    encryptAsync: async (...a) => { await c.encryptAsync(...a); probe?.() },
    decryptLength: (...a) => { probe?.(); return sample(c.decryptLength(...a)) },
    decrypt: (...a) => { probe?.(); return sample(c.decrypt(...a)) },
    encryptBatch: (...a) => sample(c.encryptBatch(...a)),
    decryptBatch: (...a) => { probe?.(); return sample(c.decryptBatch(...a)) },
    destroy: () => c.destroy()
  }
}

/** The native backend with every cipher call sampling the probe: catalogue rows build the
 *  protocol they measure on it, so that a bound is checked while receive() runs, not only after
 *  it has let go of its buffers. */
export const metered: Backend = (() => {
  const inner = nativeBackend()
  return { ...inner, createCipher: (l, p, provider) => meteredCipher(inner.createCipher(l, p, provider)) }
})()

/** Runs `call`, sampling `buffered()` into `meter` inside each engine call it makes and after it. */
export function watch<T> (meter: Meter, buffered: () => number, call: () => T): T {
  probe = () => meter.see(buffered())
  try {
    return call()
  } finally {
    probe = null
    meter.see(buffered())
  }
}

export const ONE_PACKET = 4_000_013 + 20
export const HANDSHAKE_WINDOW = 64 + 4095 + 16
