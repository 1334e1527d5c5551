/**
 * Telling a v1 peer from a v2 one, as a responder (Bitcoin Core's V2Transport does the same): a v1
 * initiator starts with a `version` message, whose first 16 bytes are the network magic and the
 * NUL-padded command "version". A v2 key matches them with probability 2^-128. Core also refuses,
 * as a responder, another network's v1 `version` (its magic differs, its command does not); and
 * an initiator's close counts as a v1 peer's only once a v1 header's worth of our key went out.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-handshake
 */

import { Bip324Error } from '../errors'
import { ascii, concat, EMPTY, equal, hex } from '../bytes'
import type { Initialized } from './handshake'

export const V1_PREFIX_BYTES = 16


const MAGIC_BYTES = 4
// The command field of a v1 `version` header: what follows the magic in v1Prefix.
const VERSION_COMMAND = ascii('version\0\0\0\0\0')

/**
 * A responder's peer whose first 16 bytes are a v1 `version` header under another network's magic
 * (under ours it is a v1 peer, found first): Bitcoin Core disconnects it ("V1 peer with wrong
 * MessageStart", V2Transport::ProcessReceivedKeyBytes), and so do we, with this error. Undefined
 * while fewer than 16 bytes are in, or when bytes 4..16 are not that command.
 */
export function wrongMessageStart (received: Uint8Array, magic: Uint8Array): Bip324Error | undefined {
  if (received.length < V1_PREFIX_BYTES || !equal(received.subarray(MAGIC_BYTES, V1_PREFIX_BYTES), VERSION_COMMAND)) return undefined
  return new Bip324Error('ERR_BIP324_BAD_MAGIC',
    `a v1 peer with wrong MessageStart ${hex(received.subarray(0, MAGIC_BYTES))} (this network's is ${hex(magic)}): another network's v1 version message`)
}

/** magic || "version" padded with NULs to 12 bytes. */
export function v1Prefix (magic: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(V1_PREFIX_BYTES)
  prefix.set(magic, 0)
  prefix.set(VERSION_COMMAND, MAGIC_BYTES)
  return prefix
}

/** 'v1' once all 16 bytes match, 'v2' at the first byte that does not, 'undecided' before. */
export function detectV1 (prefix: Uint8Array, received: Uint8Array): 'v1' | 'v2' | 'undecided' {
  const n = Math.min(received.length, V1_PREFIX_BYTES)
  for (let i = 0; i < n; i++) if (received[i] !== prefix[i]) return 'v2'
  return n === V1_PREFIX_BYTES ? 'v1' : 'undecided'
}

export type V1CheckResult =
  /** Fewer than 16 bytes, all matching: every byte is held. */
  | { kind: 'needMoreData' }
  /** A v1 peer: every byte it sent, this call's input included. */
  | { kind: 'v1', data: Uint8Array }
  /** A v2 peer: `held` (what earlier calls gave) and then this call's input belong to its key. */
  | { kind: 'v2', held: Uint8Array }

/** A responder before it sends its key: the handshake waits while the peer might be v1. */
export class V1Check {
  private readonly prefix: Uint8Array
  private held: Uint8Array = EMPTY

  constructor (readonly handshake: Initialized) {
    this.prefix = v1Prefix(handshake.magic)
  }

  /** Bytes held while undecided: at most 15. */
  get buffered (): number {
    return this.held.length
  }

  /** Throws ERR_BIP324_BAD_MAGIC for another network's v1 `version` (wrongMessageStart), wiped. */
  receive (input: Uint8Array): V1CheckResult {
    const head = concat(this.held, input.subarray(0, V1_PREFIX_BYTES - this.held.length))
    const verdict = detectV1(this.prefix, head)
    if (verdict === 'v1') return { kind: 'v1', data: concat(this.held, input) }
    if (verdict === 'v2') {
      // With 16 bytes in, another network's v1 peer is refused before our key goes out to it (later
      // bytes are judged by SentKey, as Core judges them in its KEY state).
      const wrong = wrongMessageStart(head, this.prefix.subarray(0, MAGIC_BYTES))
      if (wrong !== undefined) {
        this.destroy()
        throw wrong
      }
      return { kind: 'v2', held: this.held }
    }
    this.held = head
    return { kind: 'needMoreData' }
  }

  /** Wipes the handshake's secrets. */
  destroy (): void {
    this.handshake.destroy()
  }
}
