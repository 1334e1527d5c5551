/**
 * The sans-IO BIP-324 transport most users want: bytes in, messages, events and bytes to send out.
 * No sockets, no timers and no Node APIs, so the same object serves streams, tests, fuzzers and
 * other runtimes.
 *
 *   const p = new Protocol({ role: 'initiator', network: 'mainnet' })
 *   socket.write(p.start())
 *   socket.on('data', (chunk) => {
 *     const r = p.receive(chunk)
 *     for (const out of r.send) socket.write(out)
 *     for (const m of r.messages) handle(m)
 *     if (r.error) socket.destroy(r.error)
 *   })
 *   socket.write(p.send(contents))
 *
 * Protocol holds one value, the handshake's current type state (see ./handshake), and drives the
 * same chain of states that callers framing their own I/O use.
 *
 * Peer errors never throw: receive() returns what arrived before the error, then the error, and the
 * protocol is closed with its keys wiped. Misuse (a call in the wrong state) throws.
 */

import { Bip324Error } from '../errors'
import type { OutboundCipher } from './ciphers'
import type { Role } from './constants'
import { MAX_CONTENTS_LIMIT, NUM_PACKET_OVERHEAD_BYTES } from '../crypto/packet-format'
import {
  checkDecoyLength, checkOptionsObject, checkSendVersionOptions, type HandshakeOptions, Initialized, type ReceivedKey, ReceivedGarbage, resolveHandshakeOptions,
  SentKey, SentVersion
} from './handshake'
import { Session } from './session'
import { V1Check } from './v1'
import { V1_HEADER_BYTES } from '../v1-header'
import { checkInteger, invalid } from '../checks'

export interface ProtocolOptions extends HandshakeOptions {
  /** Contents lengths of decoy packets sent before our version packet. Their bytes count toward
   *  the peer's garbage window, so the default garbage may be that much shorter (garbageLength). */
  decoys?: readonly number[]
  /** Our version packet's contents. Default: empty. Counted as decoys are. */
  version?: Uint8Array
  /** As a responder, what to do with a v1 peer: report it (default) or refuse it as an error. */
  v1?: 'report' | 'reject'
}

export type ProtocolEvent =
  /** The handshake completed: both sides hold the same session id. */
  | { type: 'handshake', sessionId: Uint8Array, version: Uint8Array }
  /** A decoy packet arrived and was dropped. */
  | { type: 'decoy', length: number }
  /** (Responder) the peer speaks v1: here is every byte it sent, for a v1 implementation to carry on. */
  | { type: 'v1', data: Uint8Array }

export interface ReceiveResult {
  /** Bytes to write to the peer, in order. */
  send: Uint8Array[]
  /** Contents of genuine packets after the version packet, in order. */
  messages: Uint8Array[]
  events: ProtocolEvent[]
  /** Set when the session broke; everything before it is in messages and events. */
  error?: Bip324Error
}

export type ProtocolState = 'handshake' | 'ready' | 'v1' | 'closed'

/** How the connection under a protocol ended: the peer's end of stream, or a reset (or a broken
 *  pipe) that the network reported. */
export type CloseCause = 'eof' | 'reset'

/** What an end of the connection means (Protocol.closed): the rust crate's ProtocolFailureSuggestion. */
export interface CloseVerdict {
  /** The error to report; undefined when there is none of ours: a clean end after the handshake,
   *  or a reset that says nothing more than the network's own error (report that one). */
  error: Bip324Error | undefined
  /** An initiator should retry over v1: Bitcoin Core's ShouldReconnectV1 (see shouldReconnectV1). */
  retryV1: boolean
}

// The options Protocol adds to the handshake's.
function checkOwnOptions (options: ProtocolOptions): void {
  checkOptionsObject(options)
  const { v1 } = options
  if (v1 !== undefined && v1 !== 'report' && v1 !== 'reject') {
    throw invalid(`v1 must be 'report' or 'reject', got ${String(v1)}`)
  }
  checkSendVersionOptions(options)
}

/** Throws ERR_BIP324_INVALID_ARG unless `length` is a decoy's contents length sendDecoy() takes. */
/** Throws ERR_BIP324_INVALID_ARG for any option `new Protocol(options)` would refuse; builds nothing. */
export function checkProtocolOptions (options: ProtocolOptions): void {
  checkOwnOptions(options)
  resolveHandshakeOptions(options)
}

/** Where a protocol ended, with what its session counted (kept for the caller's statistics). */
class Ended {
  constructor (
    readonly state: 'v1' | 'closed',
    readonly packets: { sent: number, received: number },
    readonly sessionId: Uint8Array | null,
    readonly peerVersion: Uint8Array | null
  ) {}
}

type Current = Initialized | V1Check | SentKey | SentVersion | ReceivedGarbage | Session | Ended

export class Protocol {
  readonly role: Role
  readonly #options: ProtocolOptions
  #current: Current
  /** Decoys received and dropped. */
  decoysReceived = 0
  // Bytes the peer sent, for what its close means.
  #bytesReceived = 0

  constructor (options: ProtocolOptions) {
    checkOwnOptions(options)
    this.#options = options
    this.role = options.role
    this.#current = Initialized.create(options)
  }

  get state (): ProtocolState {
    const current = this.#current
    if (current instanceof Ended) return current.state
    return current instanceof Session ? 'ready' : 'handshake'
  }

  /** The session id, once the handshake is done (and after the session closed). */
  get sessionId (): Uint8Array | null {
    const current = this.#current
    return current instanceof Session || current instanceof Ended ? current.sessionId : null
  }

  /** The peer's version packet contents, once the handshake is done. */
  get peerVersion (): Uint8Array | null {
    const current = this.#current
    return current instanceof Session || current instanceof Ended ? current.peerVersion : null
  }

  /** True while we hold the peer's key and look for its garbage terminator. A BIP-324 peer sends
   *  its terminator right after its garbage, so a peer that closes now never sent one of this
   *  network: what a caller should report is ERR_BIP324_NO_TERMINATOR, not an early close (and a
   *  v1 peer, which never sends 64 bytes first, cannot be here). */
  get awaitingTerminator (): boolean {
    return this.#current instanceof SentVersion
  }

  /**
   * Whether an initiator whose connection just ended should retry over v1: Bitcoin Core's
   * V2Transport::ShouldReconnectV1. Only when nothing at all was received (a v1 peer answers a v2
   * key with nothing but a close) and at least a v1 header's worth (24 bytes) of ours went out
   * (`bytesSent`: what the transport handed to the network), enough for a v1 peer to have read a
   * header and refused its magic. A close before that, or after the peer sent anything, is not a
   * v1 peer's: retrying would hide a network fault.
   */
  shouldReconnectV1 (bytesSent: number): boolean {
    const current = this.#current
    return this.role === 'initiator' && current instanceof SentKey && current.buffered === 0 && bytesSent >= V1_HEADER_BYTES
  }

  /**
   * What it means that the connection ended now, decided once for every I/O layer. `bytesSent` is
   * what the transport handed to the network (see shouldReconnectV1); `cause` is the network's error
   * for a reset. During the handshake: a v1 peer's close (retry over v1, if the caller allows it), a
   * peer of another network (ERR_BIP324_NO_TERMINATOR: its key came, its terminator did not; a reset
   * says the same, as a peer that gives up at its 4,111-byte window resets while our bytes are unread
   * there), or an early close (ERR_BIP324_PEER_CLOSED; a reset is the network's error as it is).
   * After it: ERR_BIP324_TRUNCATED in the middle of a packet, else a clean end.
   */
  closed (how: CloseCause, bytesSent: number, cause?: Error): CloseVerdict {
    const retryV1 = this.shouldReconnectV1(bytesSent)
    const current = this.#current
    // Ended already: whatever ended it was reported then.
    if (current instanceof Ended) return { error: undefined, retryV1: false }
    if (current instanceof Session) {
      return { error: current.buffered > 0 ? new Bip324Error('ERR_BIP324_TRUNCATED', 'the peer closed the connection in the middle of a packet') : undefined, retryV1 }
    }
    if (this.awaitingTerminator) {
      const error = how === 'eof'
        ? new Bip324Error('ERR_BIP324_NO_TERMINATOR', 'the peer sent its key and garbage, then closed without a garbage terminator of this network: another network?')
        : new Bip324Error('ERR_BIP324_NO_TERMINATOR', `the peer reset the connection before sending a garbage terminator of this network: another network? (${String((cause as { code?: unknown } | undefined)?.code ?? 'reset')})`, cause === undefined ? undefined : { cause })
      return { error, retryV1 }
    }
    if (how === 'reset') return { error: undefined, retryV1 }
    const after = this.#bytesReceived > 0 ? `, after sending ${this.#bytesReceived} bytes` : ''
    return { error: new Bip324Error('ERR_BIP324_PEER_CLOSED', `the peer closed the connection during the handshake${after}`, { stage: 'transport' }), retryV1 }
  }

  /** Packets sent and received so far (decoys included). */
  get packets (): { sent: number, received: number } {
    const current = this.#current
    // Before our version packet no state has a cipher yet, so nothing has moved.
    return 'packets' in current ? current.packets : { sent: 0, received: 0 }
  }

  /** Bytes held while waiting for the rest of a key, garbage or packet. */
  get buffered (): number {
    const current = this.#current
    return current instanceof Initialized || current instanceof Ended ? 0 : current.buffered
  }

  /** What to send first: our key and garbage as initiator; nothing as responder, which waits to rule
   *  out a v1 peer before answering. Call once. */
  start (): Uint8Array {
    const current = this.#current
    if (!(current instanceof Initialized)) {
      throw new Bip324Error('ERR_BIP324_BAD_STATE', current instanceof Ended ? `start() in state ${current.state}` : 'start() was already called')
    }
    if (this.role === 'responder') {
      this.#current = new V1Check(current)
      return new Uint8Array(0)
    }
    const { state, bytes } = current.sendKey(undefined, this.#following())
    this.#current = state
    return bytes
  }

  /** Takes bytes from the peer, in any chunking. */
  receive (chunk: Uint8Array): ReceiveResult {
    const current = this.#current
    if (current instanceof Initialized || current instanceof Ended) {
      throw new Bip324Error('ERR_BIP324_BAD_STATE', `receive() in state ${current instanceof Ended ? current.state : 'not started'}`)
    }
    // Checked here, not by the state that reads it: an error from there would end the session as
    // if the peer had sent something wrong, and misuse throws.
    if (!(chunk instanceof Uint8Array)) throw invalid('chunk must be a Uint8Array')
    const result: ReceiveResult = { send: [], messages: [], events: [] }
    this.#bytesReceived += chunk.length
    try {
      this.#advance(chunk, result)
    } catch (err) {
      if (!(err instanceof Bip324Error)) throw err
      result.error = err
    }
    if (result.error !== undefined) this.#end('closed')
    return result
  }

  /** One genuine packet. Allowed once our version packet is out, before the peer's arrives. */
  send (contents: Uint8Array): Uint8Array {
    return this.#outbound().encrypt(contents)
  }

  /** As send(), with the encryption off the JavaScript thread where the backend can: for big
   *  contents, so that the caller can write the previous packet meanwhile. Until it settles,
   *  every other send throws ERR_BIP324_BAD_STATE. */
  sendAsync (contents: Uint8Array): Promise<Uint8Array> {
    return this.#outbound().encryptAsync(contents)
  }

  /** Genuine packets for every item, back to back, in one engine call. */
  sendMany (contents: readonly Uint8Array[]): Uint8Array {
    return this.#outbound().encryptMany(contents)
  }

  /** A decoy packet of `length` zero bytes (encrypted, it looks like any other packet). */
  sendDecoy (length: number): Uint8Array {
    checkDecoyLength(length)
    return this.#outbound().encrypt(new Uint8Array(length), 'decoy')
  }

  /** Wipes every key; the protocol refuses further use. */
  destroy (): void {
    if (!(this.#current instanceof Ended)) this.#end('closed')
  }

  #outbound (): OutboundCipher {
    const current = this.#current
    if (current instanceof Session || current instanceof SentVersion || current instanceof ReceivedGarbage) return current.outbound
    throw new Bip324Error('ERR_BIP324_BAD_STATE', `cannot send in state ${this.state}: the handshake has not sent our version packet`)
  }

  // Hands the chunk to the current state, and what it does not use to the next, until all is used.
  #advance (chunk: Uint8Array, result: ReceiveResult): void {
    let input = chunk
    while (input.length > 0) {
      const current = this.#current
      if (current instanceof Session) {
        const { packets, error } = current.receive(input)
        for (const packet of packets) {
          if (packet.type === 'decoy') this.#decoy(packet.contents.length, result)
          else result.messages.push(packet.contents)
        }
        if (error !== undefined) result.error = error
        return
      } else if (current instanceof V1Check) {
        const r = current.receive(input)
        if (r.kind === 'needMoreData') return
        if (r.kind === 'v1') {
          this.#end('v1')
          if (this.#options.v1 === 'reject') throw new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks the v1 protocol')
          result.events.push({ type: 'v1', data: r.data })
          return
        }
        const { state, bytes } = current.handshake.sendKey(undefined, this.#following())
        this.#current = state
        result.send.push(bytes)
        // Fewer than 16 bytes: they cannot complete the key, so the input still follows them.
        state.receiveKey(r.held)
      } else if (current instanceof SentKey) {
        const r = current.receiveKey(input)
        if (r.kind === 'needMoreData') return
        input = input.subarray(r.consumed)
        this.#current = this.#sendVersion(r.state, result)
      } else if (current instanceof SentVersion) {
        const r = current.receiveGarbage(input)
        if (r.kind === 'needMoreData') return
        input = input.subarray(r.consumed)
        this.#current = r.state
      } else if (current instanceof ReceivedGarbage) {
        const r = current.receiveVersion(input)
        if (r.kind === 'needMoreData') return
        input = input.subarray(r.consumed)
        if (r.kind === 'decoy') {
          this.#decoy(r.length, result)
          continue
        }
        this.#current = r.session
        result.events.push({ type: 'handshake', sessionId: r.session.sessionId, version: r.session.peerVersion })
      } else {
        return
      }
    }
  }

  // The bytes #sendVersion sends after our terminator: they count toward the peer's garbage window.
  #following (): number {
    const { decoys = [], version } = this.#options
    return decoys.reduce((n, length) => n + length + NUM_PACKET_OVERHEAD_BYTES, (version?.length ?? 0) + NUM_PACKET_OVERHEAD_BYTES)
  }

  #sendVersion (state: ReceivedKey, result: ReceiveResult): SentVersion {
    const { decoys, version } = this.#options
    const sent = state.sendVersion({ ...(decoys !== undefined && { decoys }), ...(version !== undefined && { version }) })
    result.send.push(sent.bytes)
    return sent.state
  }

  #decoy (length: number, result: ReceiveResult): void {
    result.events.push({ type: 'decoy', length })
    this.decoysReceived++
  }

  // The current state holds every secret left; it is wiped, and only the counts are kept.
  #end (state: 'v1' | 'closed'): void {
    const current = this.#current
    const { packets, sessionId, peerVersion } = this
    if (!(current instanceof Ended)) current.destroy()
    this.#current = new Ended(state, packets, sessionId, peerVersion)
  }
}
