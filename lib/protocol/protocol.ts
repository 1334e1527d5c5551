/**
 * The sans-IO BIP-324 transport most users want: bytes in, messages, events and bytes to send out.
 * No sockets and no timers, so the same object serves streams, tests, fuzzers and other runtimes.
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
 * Peer errors never throw: receive() returns what arrived before the error, then the error, and the
 * protocol is closed with its keys wiped. Misuse (a call in the wrong state) throws.
 */

import { Bip324Error } from '../errors'
import type { CipherSession } from './cipher-session'
import { MAX_GARBAGE_LEN, NUM_ELLIGATOR_SWIFT_BYTES, NUM_GARBAGE_TERMINATOR_BYTES, type Role } from './constants'
import {
  checkSendVersionOptions, defaultRng, type HandshakeOptions, Initialized, resolveHandshakeOptions, type SentKey, type SentVersion
} from './handshake'
import { magicOf } from '../network'
import { PacketReader } from './packet-reader'
import { detectV1, v1Prefix } from './v1'

export interface ProtocolOptions extends HandshakeOptions {
  /** Length of the garbage we send after our key, 0..4095. Default: random in that range. */
  garbageLength?: number
  /** Contents lengths of decoy packets sent before our version packet. */
  decoys?: readonly number[]
  /** Our version packet's contents. Default: empty. */
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

/** The most the handshake holds: the peer's key, then 4,095 bytes of garbage and its terminator. */
const HANDSHAKE_WINDOW = NUM_ELLIGATOR_SWIFT_BYTES + MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

// The options Protocol adds to the handshake's.
function checkOwnOptions (options: ProtocolOptions): void {
  const { garbageLength, v1 } = options
  if (garbageLength !== undefined && (!Number.isInteger(garbageLength) || garbageLength < 0 || garbageLength > MAX_GARBAGE_LEN)) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `garbageLength must be an integer from 0 to ${MAX_GARBAGE_LEN}`)
  }
  if (v1 !== undefined && v1 !== 'report' && v1 !== 'reject') {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `v1 must be 'report' or 'reject', got ${String(v1)}`)
  }
  checkSendVersionOptions(options)
}

/** Throws ERR_BIP324_INVALID_ARG for any option `new Protocol(options)` would refuse; builds nothing. */
export function checkProtocolOptions (options: ProtocolOptions): void {
  checkOwnOptions(options)
  resolveHandshakeOptions(options)
}

export class Protocol {
  readonly role: Role
  private readonly options: ProtocolOptions
  private readonly prefix: Uint8Array
  private phase: 'start' | 'v1-check' | 'key' | 'garbage' | 'version' | 'ready' | 'v1' | 'closed' = 'start'
  private pending: Uint8Array = new Uint8Array(0)
  private sentKey: SentKey | null = null
  private sentVersion: SentVersion | null = null
  private session: CipherSession | null = null
  private reader: PacketReader | null = null
  private readonly handshake: Initialized
  /** Decoys received and dropped. */
  decoysReceived = 0
  /** The peer's version packet contents, once the handshake is done. */
  peerVersion: Uint8Array | null = null

  constructor (options: ProtocolOptions) {
    this.options = options
    this.role = options.role
    checkOwnOptions(options)
    this.handshake = Initialized.create(options)
    this.prefix = v1Prefix(magicOf(options.network ?? 'mainnet'))
  }

  get state (): ProtocolState {
    switch (this.phase) {
      case 'ready': return 'ready'
      case 'v1': return 'v1'
      case 'closed': return 'closed'
      default: return 'handshake'
    }
  }

  /** The session id, once the handshake is done. */
  get sessionId (): Uint8Array | null {
    return this.phase === 'ready' ? this.session!.sessionId : null
  }

  /** True while we hold the peer's key and look for its garbage terminator. A BIP-324 peer sends
   *  its terminator right after its garbage, so a peer that closes now never sent one of this
   *  network: what a caller should report is ERR_BIP324_NO_TERMINATOR, not an early close (and a
   *  v1 peer, which never sends 64 bytes first, cannot be here). */
  get awaitingTerminator (): boolean {
    return this.phase === 'garbage'
  }

  /** Packets sent and received so far (decoys included). */
  get packets (): { sent: number, received: number } {
    return { sent: this.session?.outbound.packets ?? 0, received: this.session?.inbound.packets ?? 0 }
  }

  /** Bytes held while waiting for the rest of a key, garbage or packet. */
  get buffered (): number {
    return this.pending.length + (this.reader?.buffered ?? 0)
  }

  /** What to send first: our key and garbage as initiator; nothing as responder, which waits to rule
   *  out a v1 peer before answering. Call once. */
  start (): Uint8Array {
    if (this.phase !== 'start') throw new Bip324Error('ERR_BIP324_BAD_STATE', 'start() was already called')
    if (this.role === 'initiator') {
      this.phase = 'key'
      return this.sendKey()
    }
    this.phase = 'v1-check'
    return new Uint8Array(0)
  }

  /** Takes bytes from the peer, in any chunking. */
  receive (chunk: Uint8Array): ReceiveResult {
    const result: ReceiveResult = { send: [], messages: [], events: [] }
    if (this.phase === 'start' || this.phase === 'v1' || this.phase === 'closed') {
      throw new Bip324Error('ERR_BIP324_BAD_STATE', `receive() in state ${this.phase === 'start' ? 'not started' : this.phase}`)
    }
    try {
      if (this.phase === 'ready' || this.phase === 'version') {
        this.read(chunk, result)
      } else {
        // The handshake needs at most the peer's key and a garbage window at once: the chunk is
        // taken in pieces that fit, so a flood is refused having held no more than that.
        let rest = chunk
        while (rest.length > 0 && this.beforeSession()) {
          const piece = rest.subarray(0, HANDSHAKE_WINDOW - this.pending.length)
          rest = rest.subarray(piece.length)
          this.pending = this.pending.length === 0 ? piece : concat(this.pending, piece)
          this.advanceHandshake(result)
        }
        if (this.state === 'v1') {
          const v1 = result.events.find((e) => e.type === 'v1')
          if (v1 !== undefined && rest.length > 0) v1.data = concat(v1.data, rest)
        } else if (rest.length > 0 && result.error === undefined) {
          this.read(rest, result)
        }
        // What stays for the next call must be ours: the caller may reuse its read buffer.
        if (this.pending.buffer === chunk.buffer) this.pending = Uint8Array.from(this.pending)
      }
    } catch (err) {
      if (!(err instanceof Bip324Error)) throw err
      result.error = err
    }
    if (result.error !== undefined) this.close()
    return result
  }

  /** One genuine packet. Allowed once our version packet is out, before the peer's arrives. */
  send (contents: Uint8Array): Uint8Array {
    return this.outbound().encrypt(contents)
  }

  /** Genuine packets for every item, back to back, in one engine call. */
  sendMany (contents: readonly Uint8Array[]): Uint8Array {
    return this.outbound().encryptMany(contents)
  }

  /** A decoy packet of `length` zero bytes (encrypted, it looks like any other packet). */
  sendDecoy (length: number): Uint8Array {
    return this.outbound().encrypt(new Uint8Array(length), 'decoy')
  }

  /** Wipes every key; the protocol refuses further use. */
  destroy (): void {
    this.close()
  }

  // Key, garbage or v1 check still to come: bytes go to the handshake, not to the packet reader.
  private beforeSession (): boolean {
    return this.phase === 'v1-check' || this.phase === 'key' || this.phase === 'garbage'
  }

  private outbound (): CipherSession['outbound'] {
    if (this.phase !== 'ready' && this.phase !== 'version') {
      throw new Bip324Error('ERR_BIP324_BAD_STATE', `cannot send in state ${this.phase}: the handshake has not sent our version packet`)
    }
    return this.session!.outbound
  }

  private sendKey (): Uint8Array {
    const garbage = this.options.garbageLength === undefined ? undefined : (this.options.rng ?? defaultRng)(this.options.garbageLength)
    const { state, bytes } = this.handshake.sendKey(garbage)
    this.sentKey = state
    return bytes
  }

  private advanceHandshake (result: ReceiveResult): void {
    if (this.phase === 'v1-check') {
      const verdict = detectV1(this.prefix, this.pending)
      if (verdict === 'undecided') return
      if (verdict === 'v1') {
        const data = Uint8Array.from(this.pending)
        this.pending = new Uint8Array(0)
        this.close()
        this.phase = 'v1'
        if (this.options.v1 === 'reject') throw new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks the v1 protocol')
        result.events.push({ type: 'v1', data })
        return
      }
      this.phase = 'key'
      result.send.push(this.sendKey())
    }
    if (this.phase === 'key') {
      if (this.pending.length < NUM_ELLIGATOR_SWIFT_BYTES) return
      const received = this.sentKey!.receiveKey(this.pending.subarray(0, NUM_ELLIGATOR_SWIFT_BYTES))
      this.pending = this.pending.subarray(NUM_ELLIGATOR_SWIFT_BYTES)
      const sent = received.sendVersion({
        ...(this.options.decoys !== undefined && { decoys: this.options.decoys }),
        ...(this.options.version !== undefined && { version: this.options.version })
      })
      this.sentVersion = sent.state
      result.send.push(sent.bytes)
      this.phase = 'garbage'
    }
    if (this.phase === 'garbage') {
      const found = this.sentVersion!.receiveGarbage(this.pending)
      if (found.kind === 'needMoreData') return
      const garbage = found.state.peerGarbage
      this.session = found.state.intoSession()
      this.reader = new PacketReader(this.session.inbound, garbage)
      const rest = this.pending.subarray(found.consumed)
      this.pending = new Uint8Array(0)
      this.phase = 'version'
      this.read(rest, result)
    }
  }

  private read (chunk: Uint8Array, result: ReceiveResult): void {
    const { packets, error } = this.reader!.feed(chunk)
    for (const packet of packets) {
      if (packet.type === 'decoy') {
        this.decoysReceived++
        result.events.push({ type: 'decoy', length: packet.contents.length })
      } else if (this.phase === 'version') {
        this.phase = 'ready'
        this.peerVersion = packet.contents
        result.events.push({ type: 'handshake', sessionId: this.session!.sessionId, version: packet.contents })
      } else {
        result.messages.push(packet.contents)
      }
    }
    if (error !== undefined) result.error = error
  }

  // Whichever handshake state is current holds the secrets; the spent ones hold nothing.
  private close (): void {
    this.handshake.destroy()
    this.sentKey?.destroy()
    this.sentVersion?.destroy()
    this.session?.outbound.destroy()
    this.session?.inbound.destroy()
    this.reader = null
    this.pending = new Uint8Array(0)
    this.phase = 'closed'
  }
}
