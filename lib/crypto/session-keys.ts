/** The key schedule's 192 bytes as the engine writes them (bip324_key_schedule), split into SessionKeys. */

import type { SessionKeys } from './backend'

/** Copies of the six outputs, in bip324_engine.h's order; the caller wipes `keys`. */
export function splitKeys (keys: Uint8Array): SessionKeys {
  const part = (i: number): Uint8Array => keys.slice(32 * i, 32 * i + 32)
  // What a session keeps (both terminators and the session id): views of one 64-byte copy, one
  // allocation per session rather than three.
  const kept = keys.slice(128)
  return {
    initiatorL: part(0),
    initiatorP: part(1),
    responderL: part(2),
    responderP: part(3),
    initiatorGarbageTerminator: kept.subarray(0, 16),
    responderGarbageTerminator: kept.subarray(16, 32),
    sessionId: kept.subarray(32)
  }
}
