/**
 * An encrypted BIP-324 connection as a node:stream Duplex of message contents (Uint8Array in, out),
 * over any connected socket. The sans-IO Protocol does the work; this file only moves bytes.
 *
 * - Reading is bounded in bytes: once the messages the application has not read reach
 *   maxReceiveBuffer, the socket stops reading from the peer (TCP pushes back), and reads again
 *   below it. What a connection holds is at most that, one more message and one partial packet.
 * - Writes queued while the socket is busy go out together, in one engine call (`_writev`): no added
 *   latency beyond the write in flight. `write()` returns false once the queued contents reach
 *   maxSendBuffer bytes, then 'drain', as net.Socket does with its highWaterMark.
 * - `end()` flushes, then half-closes (`allowHalfOpen` as in node:net); `destroy()` wipes the keys. Any transport error destroys the
 *   socket with one Bip324Error.
 */

import { Duplex } from 'node:stream'
import type { Socket } from 'node:net'

import { Bip324Error } from '../errors'
import { decodeContents, encodeContents, type RawMessage } from '../messages/message-type'
import { Protocol, type ProtocolOptions, type ReceiveResult } from '../protocol/protocol'
import { MAX_CONTENTS_LIMIT, REKEY_INTERVAL } from '../crypto/packet-format'
import { MESSAGE_OVERHEAD } from './options'

export interface ConnectionOptions extends Omit<ProtocolOptions, 'role' | 'v1' | 'rng' | 'secretKey' | 'ellswift'> {
  /** Milliseconds for the handshake to complete. Default: 60,000 (Bitcoin Core's -peertimeout). 0 turns it off. */
  handshakeTimeout?: number
  /** Milliseconds without a byte from the peer, after the handshake, before the connection closes
   *  with ERR_BIP324_IDLE_TIMEOUT. Our own writes do not count. Default: 1,200,000 (20 minutes,
   *  Bitcoin Core's TIMEOUT_INTERVAL). 0 turns it off. */
  idleTimeout?: number
  /** Aborts the handshake or the connection. */
  signal?: AbortSignal
  /** Bytes of received messages not yet read (contents plus 400 per message) past which the socket
   *  stops reading from the peer. Default: 5,000,000 (Bitcoin Core's -maxreceivebuffer). */
  maxReceiveBuffer?: number
  /** Bytes of contents queued by write() past which it returns false until 'drain'.
   *  Default: 1,000,000 (Bitcoin Core's -maxsendbuffer). */
  maxSendBuffer?: number
  /** As in node:net: when false (the default), the peer's end() ends our side too once it is read. */
  allowHalfOpen?: boolean
  /** 'raw' (default): read and write message contents as Uint8Array. 'messages': `{ type, payload }`
   *  objects, the message type in BIP-324's short or long form (see decodeContents). */
  mode?: 'raw' | 'messages'
}

/** Bytes count everything on the wire, handshake included; packets count decoys too. */
export interface Counters {
  packetsSent: number
  packetsReceived: number
  bytesSent: number
  bytesReceived: number
  decoysReceived: number
  /** Messages dropped in 'messages' mode because their message type was malformed (as Bitcoin Core
   *  does, the connection stays up; each also emits 'invalidMessage'). */
  invalidMessages: number
  /** Key changes so far (both ciphers of a direction rekey every 224 packets). */
  rekeysSent: number
  rekeysReceived: number
}

/** What a responder learns when the peer turns out to speak v1: the socket, paused, and every byte
 *  read from it, for a v1 implementation to carry on. */
export interface V1Handoff {
  transport: 'v1'
  socket: Socket
  data: Uint8Array
}

function checkContents (chunk: unknown): Uint8Array {
  if (!(chunk instanceof Uint8Array) || chunk.length > MAX_CONTENTS_LIMIT) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `write() takes Uint8Array message contents of at most ${MAX_CONTENTS_LIMIT} bytes`)
  }
  return chunk
}

function encodeMessage (chunk: unknown): Uint8Array {
  const m = chunk as { type?: unknown, payload?: unknown } | null
  if (typeof m?.type !== 'string' || !(m.payload instanceof Uint8Array)) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', "in 'messages' mode, write() takes { type: string, payload: Uint8Array }")
  }
  return checkContents(encodeContents(m.type, m.payload))
}

/** Batches stop at this many bytes: past glibc's largest mmap threshold (32 MiB), every output
 *  buffer would be fresh pages, and page faults would cost more than the encryption. */
const BATCH_BYTES = 1 << 18

// Consecutive messages grouped up to BATCH_BYTES each; a bigger message goes alone.
function * groups (contents: Uint8Array[]): Generator<Uint8Array[]> {
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

/** @internal What a connection is built with, defaults resolved. */
export interface SocketSettings {
  allowHalfOpen: boolean
  mode: 'raw' | 'messages'
  maxReceiveBuffer: number
  maxSendBuffer: number
}

type Received = Uint8Array | RawMessage

// What a received message counts against maxReceiveBuffer.
function cost (m: Received): number {
  return (m instanceof Uint8Array ? m.length : m.payload.length) + MESSAGE_OVERHEAD
}

export class Bip324Socket extends Duplex {
  readonly transport = 'v2' as const
  readonly socket: Socket
  private readonly protocol: Protocol
  private bytesSent = 0
  private bytesReceived = 0
  private readPaused = false
  private invalidMessages = 0
  private readonly messages: boolean
  private readonly maxReceiveBuffer: number
  private queued = 0

  /** @internal Use connect(), createServer() or wrap(). `handshakeBytes`: what the handshake moved. */
  constructor (socket: Socket, protocol: Protocol, settings: SocketSettings, handshakeBytes: { sent: number, received: number }) {
    const { allowHalfOpen, mode, maxReceiveBuffer, maxSendBuffer } = settings
    // Written contents stay Uint8Arrays (write() checks them), so the writable side counts bytes
    // and maxSendBuffer is its highWaterMark; read messages keep their boundaries (object mode).
    super({ allowHalfOpen, readableObjectMode: true, writableHighWaterMark: maxSendBuffer, decodeStrings: false })
    this.messages = mode === 'messages'
    this.maxReceiveBuffer = maxReceiveBuffer
    this.socket = socket
    this.protocol = protocol
    this.bytesSent = handshakeBytes.sent
    this.bytesReceived = handshakeBytes.received
  }

  /** The 32-byte session id both sides derived. */
  get sessionId (): Uint8Array {
    return this.protocol.sessionId!
  }

  /** The contents of the peer's version packet (empty from Bitcoin Core). */
  get peerVersion (): Uint8Array {
    return this.protocol.peerVersion!
  }

  get remoteAddress (): string | undefined {
    return this.socket.remoteAddress
  }

  get remotePort (): number | undefined {
    return this.socket.remotePort
  }

  get counters (): Counters {
    const { sent, received } = this.protocol.packets
    return {
      packetsSent: sent,
      packetsReceived: received,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      decoysReceived: this.protocol.decoysReceived,
      invalidMessages: this.invalidMessages,
      rekeysSent: Math.floor(sent / REKEY_INTERVAL),
      rekeysReceived: Math.floor(received / REKEY_INTERVAL)
    }
  }

  /** Bytes held for a packet not complete yet: at most one packet's body. */
  get buffered (): number {
    return this.protocol.buffered
  }

  /** Received messages not read yet, as counted against maxReceiveBuffer (contents plus 400 bytes
   *  each). Messages handed straight to a flowing reader are never counted. */
  get readableBytes (): number {
    return this.queued
  }

  /** Sends a decoy packet of `length` bytes, which the peer drops. */
  sendDecoy (length: number): boolean {
    const bytes = this.protocol.sendDecoy(length)
    this.bytesSent += bytes.length
    return this.socket.write(bytes)
  }

  /** @internal Bytes from the socket after the handshake. */
  deliver (result: ReceiveResult, chunkLength: number): void {
    this.bytesReceived += chunkLength
    for (const bytes of result.send) this.writeRaw(bytes)
    for (const contents of result.messages) {
      const m = this.messages ? this.decode(contents) : contents
      if (m === undefined) continue
      // Counted only if it waits in the queue: a flowing reader may take it at once.
      const waiting = this.readableLength
      this.push(m)
      if (this.readableLength > waiting) this.queued += cost(m)
    }
    if (!this.readPaused && this.queued >= this.maxReceiveBuffer) {
      this.readPaused = true
      this.socket.pause()
    }
    if (result.error !== undefined) this.destroy(result.error)
  }

  /** @internal Starts reading from the socket, unless the receive budget holds it paused. */
  resumeReading (): void {
    if (!this.readPaused && !this.destroyed) this.socket.resume()
  }

  // Every way of consuming a Readable (flowing 'data', read(), async iteration, pipe) takes its
  // messages out of the queue through read(), so this is where the budget frees up.
  override read (size?: number): Received | null {
    const m = super.read(size) as Received | null
    if (m !== null && this.queued > 0) {
      this.queued -= cost(m)
      if (this.readPaused && this.queued < this.maxReceiveBuffer) {
        this.readPaused = false
        this.socket.resume()
      }
    }
    return m
  }

  private decode (contents: Uint8Array): RawMessage | undefined {
    try {
      return decodeContents(contents)
    } catch (err) {
      this.invalidMessages++
      this.emit('invalidMessage', err)
      return undefined
    }
  }

  /** @internal */
  writeRaw (bytes: Uint8Array, cb?: (err?: Error | null) => void): void {
    this.bytesSent += bytes.length
    this.socket.write(bytes, cb)
  }

  // Reading is driven by the socket and paused by the byte budget (see read()), not by demand.
  override _read (): void {}

  /** As stream.Writable's: message contents (raw mode) or `{ type, payload }` (messages mode).
   *  Anything else destroys the connection with ERR_BIP324_INVALID_ARG. */
  override write (chunk: unknown, ...rest: unknown[]): boolean {
    const contents = this.contents(chunk, rest)
    if (contents === null) return false
    return (Duplex.prototype.write as (...args: unknown[]) => boolean).call(this, contents, ...rest)
  }

  /** As stream.Writable's, with a last message if given (Writable.end does not pass it to write()). */
  override end (...args: unknown[]): this {
    if (args[0] !== undefined && args[0] !== null && typeof args[0] !== 'function') {
      const contents = this.contents(args[0], args.slice(1))
      if (contents === null) return this
      args[0] = contents
    }
    return (Duplex.prototype.end as (...a: unknown[]) => this).apply(this, args)
  }

  // What goes into the writable queue: contents, so that maxSendBuffer counts bytes. A chunk that
  // is not a message fails the connection, as a failed write does (the callback gets the error).
  private contents (chunk: unknown, rest: unknown[]): Uint8Array | null {
    try {
      return this.messages ? encodeMessage(chunk) : checkContents(chunk)
    } catch (err) {
      this.destroy(err as Error)
      const cb = rest.find((a) => typeof a === 'function') as ((err: Error) => void) | undefined
      if (cb !== undefined) process.nextTick(cb, err)
      return null
    }
  }

  override _write (chunk: Uint8Array, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._writev([{ chunk }], cb)
  }

  override _writev (chunks: Array<{ chunk: Uint8Array }>, cb: (err?: Error | null) => void): void {
    const contents = chunks.map(({ chunk }) => chunk)
    const packets: Uint8Array[] = []
    try {
      for (const group of groups(contents)) packets.push(group.length === 1 ? this.protocol.send(group[0]!) : this.protocol.sendMany(group))
    } catch (err) {
      cb(err as Error)
      return
    }
    if (packets.length === 1) {
      this.writeRaw(packets[0]!, cb)
      return
    }
    this.socket.cork()
    for (let i = 0; i < packets.length - 1; i++) this.writeRaw(packets[i]!)
    this.writeRaw(packets[packets.length - 1]!, cb)
    this.socket.uncork()
  }

  override _final (cb: (err?: Error | null) => void): void {
    this.socket.end(cb)
  }

  override _destroy (err: Error | null, cb: (err: Error | null) => void): void {
    this.protocol.destroy()
    this.socket.destroy()
    cb(err)
  }
}
