/**
 * An encrypted BIP-324 connection as a node:stream Duplex of messages, over any TCP socket, in the
 * shape of tls.TLSSocket: it exists from the start, runs the handshake itself, emits 'handshake'
 * (as TLS emits 'secureConnect') once the peer's version packet authenticated, and queues writes
 * made before that. The sans-IO Protocol does the work; this file only moves bytes and time.
 *
 * - Reading is bounded in bytes: once the messages the application has not read reach
 *   maxReceiveBuffer, the socket stops reading from the peer (TCP pushes back), and reads again
 *   below it. What a connection holds is at most that, one more message and one partial packet.
 * - Writes queued while the socket is busy go out together, in one engine call (`_writev`): no added
 *   latency beyond the write in flight. `write()` returns false once the queued contents reach
 *   maxSendBuffer bytes, then 'drain', as net.Socket does with its highWaterMark.
 * - `end()` flushes, then half-closes (`allowHalfOpen` as in node:net); `destroy()` wipes the keys.
 *   Any transport error destroys the socket with one Bip324Error; the TCP socket's own errors
 *   (ECONNREFUSED, ECONNRESET...) pass through unchanged, as TLS sockets pass them.
 * - The net.Socket members an application tunes or asks about (setNoDelay, setKeepAlive,
 *   setTimeout and 'timeout', address(), local and remote address, bytesRead/bytesWritten, ref,
 *   unref) are the TCP socket's.
 */

import type { AddressInfo, Socket } from 'node:net'
import { Duplex } from 'node:stream'

import { Bip324Error } from '../errors'
import { decodeContents, encodeContents, type RawMessage } from '../messages/message-type'
import { MAX_CONTENTS_LIMIT, REKEY_INTERVAL } from '../crypto/packet-format'
import { checkDecoyLength, Protocol, type ProtocolOptions, type ReceiveResult } from '../protocol/protocol'
import { abortError } from './abort'
import { MESSAGE_OVERHEAD } from './options'

/** How a connection reads and writes: message contents as bytes, or typed messages. */
export type Mode = 'raw' | 'messages'

/** What a connection in mode M reads: contents (raw), or `{ type, payload }` with the message type
 *  decoded from BIP-324's short or long form (messages; reserved short ids come back by number). */
export type InboundMessage<M extends Mode> = M extends 'messages' ? RawMessage : Uint8Array

/** What a connection in mode M writes: contents (raw), or `{ type, payload }` (messages). */
export type OutboundMessage<M extends Mode> = M extends 'messages' ? { type: string, payload: Uint8Array } : Uint8Array

export interface ConnectionOptions<M extends Mode = Mode> extends Omit<ProtocolOptions, 'role' | 'v1' | 'rng' | 'secretKey' | 'ellswift'> {
  /** Milliseconds for the handshake to complete, counted from the start (TCP connect included).
   *  Default: 60,000 (Bitcoin Core's -peertimeout). 0 turns it off. */
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
   *  objects (InboundMessage, OutboundMessage). The socket's types follow this option. */
  mode?: M
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

/** A plain v1 connection, after connect()'s v1Fallback: the caller speaks v1 over it. */
export interface V1Connection {
  transport: 'v1'
  socket: Socket
}

/** @internal What a connection is built with, defaults resolved, options checked. */
export interface SocketSettings {
  /** Shared by the connections made with the same settings (a server's): never changed. */
  protocol: ProtocolOptions
  mode: Mode
  allowHalfOpen: boolean
  maxReceiveBuffer: number
  maxSendBuffer: number
  handshakeTimeout: number
  idleTimeout: number
  signal: AbortSignal | undefined
  /** A responder's v1 peer is handed over here (the server's v1 fallback); without it, it is
   *  ERR_BIP324_V1_PEER. */
  onV1?: (handoff: V1Handoff) => void
  /** An initiator whose peer closed or reset the connection during the handshake as a v1 peer does
   *  (Protocol.shouldReconnectV1: nothing received, our key sent) calls this instead of failing
   *  (connect's v1Fallback), having let go of the TCP socket; it ends the connection itself. */
  onPeerClosed?: () => void
  /** Run on the TCP socket once it connects, before the handshake: connect()'s SOCKS5 negotiation.
   *  Until it resolves the socket's bytes are not ours, its end is its own to report, and the
   *  connection is still `connecting`; a rejection destroys the connection with its error. */
  tunnel?: (socket: Socket) => Promise<void>
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

/** Messages at least this big are encrypted on the libuv thread pool (Protocol.sendAsync) while
 *  this thread writes the packet before them: below it, handing the work over and back costs
 *  about what it saves. */
const OFFLOAD_FROM = 1 << 16

// What a write callback gets when the connection was destroyed before its message went out, as
// node:stream reports it.
function destroyedError (): Error {
  return Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' })
}

// Where a TCP socket keeps the connection over it, for the listeners all connections share.
const OWNER = Symbol('bip324.connection')
type Owned = Socket & { [OWNER]: Bip324Socket<Mode> | undefined }

type Received = Uint8Array | RawMessage

// What a received message counts against maxReceiveBuffer.
function cost (m: Received): number {
  return (m instanceof Uint8Array ? m.length : m.payload.length) + MESSAGE_OVERHEAD
}

/** As stream.Writable's write callback. */
export type WriteCallback = (err?: Error | null) => void

/** The events of a connection in mode M, with their arguments. */
export interface SocketEvents<M extends Mode> {
  data: [message: InboundMessage<M>]
  /** The session is established: sessionId and peerVersion are known (TLS's 'secureConnect'). */
  handshake: []
  connect: []
  timeout: []
  end: []
  finish: []
  drain: []
  close: []
  pause: []
  resume: []
  readable: []
  error: [err: Error]
  /** In messages mode, a message dropped for a malformed message type (the connection stays up). */
  invalidMessage: [err: Bip324Error]
  /** connect() with v1Fallback: the plain connection that replaced this one, which then closes. */
  v1: [connection: V1Connection]
}

export interface Bip324Socket<M extends Mode = 'raw'> {
  on<E extends keyof SocketEvents<M>>(event: E, listener: (...args: SocketEvents<M>[E]) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<E extends keyof SocketEvents<M>>(event: E, listener: (...args: SocketEvents<M>[E]) => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  read(size?: number): InboundMessage<M> | null
  [Symbol.asyncIterator](): NodeJS.AsyncIterator<InboundMessage<M>>
  write(message: OutboundMessage<M>, callback?: WriteCallback): boolean
  /** `encoding` is accepted as stream.Writable's signature has it, and unused: messages are bytes. */
  write(message: OutboundMessage<M>, encoding: BufferEncoding, callback?: WriteCallback): boolean
  end(callback?: () => void): this
  end(message: OutboundMessage<M>, callback?: () => void): this
  end(message: OutboundMessage<M>, encoding: BufferEncoding, callback?: () => void): this
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Bip324Socket<M extends Mode = 'raw'> extends Duplex {
  readonly transport = 'v2' as const
  /** The TCP socket underneath. */
  readonly socket: Socket
  private readonly protocol: Protocol
  private readonly settings: SocketSettings
  private bytesSent = 0
  private bytesReceived = 0
  // Bytes of our first flight (key and garbage) the kernel took: what Core's ShouldReconnectV1
  // counts as sent. Node reports a write when all of it is taken, so it is all or nothing.
  private keyBytesSent = 0
  private readPaused = false
  private invalidMessages = 0
  private queued = 0
  private established = false
  // Set once a v1 peer's socket was handed over: it is no longer ours to destroy.
  private handedOver = false
  // While settings.tunnel runs: the socket speaks to the proxy, not to the peer.
  private tunnelling = false
  private handshakeTimer: NodeJS.Timeout | undefined
  // When the peer last sent a byte, for the idle timer: only the peer's bytes count
  // (socket.setTimeout would count our writes too).
  private heard = 0
  private idleTimer: NodeJS.Timeout | undefined
  // Made only when the options have a signal.
  private onAbort: (() => void) | undefined
  // Writes and the final end() made before the handshake completed, run once it has.
  private waiting: (() => void) | undefined
  // An encryption on the thread pool holds the outbound cipher: decoys asked for meanwhile wait.
  private offloading = false
  private decoysWaiting: number[] | undefined
  // The last offloaded packet, encrypted but not written yet: whatever is written next goes after it.
  private unwritten: { bytes: Uint8Array, cb: WriteCallback | undefined } | undefined

  /** @internal Use connect(), createServer() or wrap(). The socket may still be connecting. */
  constructor (socket: Socket, settings: SocketSettings) {
    const { allowHalfOpen, maxSendBuffer } = settings
    // Written contents stay Uint8Arrays (write() checks them), so the writable side counts bytes
    // and maxSendBuffer is its highWaterMark; read messages keep their boundaries (object mode).
    super({ allowHalfOpen, readableObjectMode: true, writableHighWaterMark: maxSendBuffer, decodeStrings: false })
    this.socket = socket
    this.settings = settings
    this.protocol = new Protocol(settings.protocol)
    ;(socket as Owned)[OWNER] = this
    socket.on('data', Bip324Socket.onSocketData)
    socket.on('end', Bip324Socket.onSocketEnd)
    socket.on('error', Bip324Socket.onSocketError)
    socket.on('close', Bip324Socket.onSocketClose)
    socket.on('timeout', Bip324Socket.onSocketTimeout)
    const { signal, handshakeTimeout } = settings
    if (signal !== undefined) {
      if (signal.aborted) {
        process.nextTick(() => this.destroy(abortError(signal)))
        return
      }
      this.onAbort = () => { this.destroy(abortError(signal)) }
      signal.addEventListener('abort', this.onAbort, { once: true })
    }
    if (handshakeTimeout > 0) {
      this.handshakeTimer = setTimeout(Bip324Socket.handshakeTimedOut, handshakeTimeout, this)
      // The TCP socket keeps the process alive while it is open; the deadline alone must not (an
      // unref'd connection, or one left behind, should not hold the process for a minute).
      this.handshakeTimer.unref()
    }
    if (socket.connecting) socket.once('connect', Bip324Socket.onSocketConnect)
    else this.start()
  }

  /** The 32-byte session id both sides derived; undefined before 'handshake'. */
  get sessionId (): Uint8Array | undefined {
    return this.protocol.sessionId ?? undefined
  }

  /** The contents of the peer's version packet (empty from Bitcoin Core); undefined before 'handshake'. */
  get peerVersion (): Uint8Array | undefined {
    return this.protocol.peerVersion ?? undefined
  }

  /** Whether the handshake completed ('handshake' was emitted). */
  get handshakeComplete (): boolean {
    return this.established
  }

  /** As net.Socket's: true until the TCP connection is made (through a SOCKS5 proxy: until the
   *  proxy has connected to the peer). */
  get connecting (): boolean {
    return this.socket.connecting || this.tunnelling
  }

  get remoteAddress (): string | undefined { return this.socket.remoteAddress }
  get remotePort (): number | undefined { return this.socket.remotePort }
  get remoteFamily (): string | undefined { return this.socket.remoteFamily }
  get localAddress (): string | undefined { return this.socket.localAddress }
  get localPort (): number | undefined { return this.socket.localPort }
  get localFamily (): string | undefined { return this.socket.localFamily }
  /** Bytes read from the TCP socket: the wire, handshake and packet overhead included. */
  get bytesRead (): number { return this.socket.bytesRead }
  /** Bytes written to the TCP socket (including what it still buffers), as net.Socket counts them. */
  get bytesWritten (): number { return this.socket.bytesWritten }
  /** The TCP socket's idle timeout (setTimeout), as net.Socket's `timeout`. */
  get timeout (): number | undefined { return this.socket.timeout }

  address (): AddressInfo | Record<string, never> { return this.socket.address() }
  setNoDelay (noDelay?: boolean): this { this.socket.setNoDelay(noDelay); return this }
  setKeepAlive (enable?: boolean, initialDelay?: number): this { this.socket.setKeepAlive(enable, initialDelay); return this }
  ref (): this { this.socket.ref(); return this }
  unref (): this { this.socket.unref(); return this }

  /** As net.Socket's: 'timeout' after `timeout` ms without activity in either direction on the TCP
   *  socket; the connection stays open (end or destroy it there). 0 turns it off. `callback` is
   *  added as a one-time 'timeout' listener (removed again with 0). idleTimeout is the bound that
   *  closes by itself. */
  setTimeout (timeout: number, callback?: () => void): this {
    this.socket.setTimeout(timeout)
    if (callback !== undefined) {
      if (timeout === 0) this.off('timeout', callback)
      else this.once('timeout', callback)
    }
    return this
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

  /** Sends a decoy packet of `length` bytes, which the peer drops. After 'handshake' only. */
  sendDecoy (length: number): boolean {
    if (this.offloading) {
      checkDecoyLength(length)
      ;(this.decoysWaiting ??= []).push(length)
      return false
    }
    const bytes = this.protocol.sendDecoy(length)
    this.writeRaw(bytes)
    return this.socket.writableLength < this.socket.writableHighWaterMark
  }

  // The TCP socket's listeners, one function each for every connection (an idle connection holds
  // no closures): the socket finds its connection under OWNER.
  private static onSocketConnect (this: Owned): void {
    this[OWNER]!.onConnect()
  }

  private static onSocketData (this: Owned, chunk: Buffer): void { this[OWNER]!.onData(chunk) }
  private static onSocketEnd (this: Owned): void { this[OWNER]!.onEnd() }
  private static onSocketError (this: Owned, err: NodeJS.ErrnoException): void { this[OWNER]!.onError(err) }
  private static onSocketClose (this: Owned): void { this[OWNER]!.onClose() }
  private static onSocketTimeout (this: Owned): void { this[OWNER]!.emit('timeout') }

  // Still awaiting the terminator at the deadline: the peer's key came, its terminator did not.
  // A slow peer looks the same, so the code stays a timeout; the message says what is likely.
  private static handshakeTimedOut (c: Bip324Socket<Mode>): void {
    c.destroy(new Bip324Error('ERR_BIP324_HANDSHAKE_TIMEOUT', `no BIP-324 handshake within ${c.settings.handshakeTimeout} ms` +
      (c.protocol.awaitingTerminator ? ' (the peer\'s key arrived, but no garbage terminator of this network: another network?)' : '') +
      (c.tunnelling ? ' (the SOCKS5 proxy had not reached the peer yet)' : '')))
  }

  // Armed once per idleTimeout, not per chunk: on firing it looks at when the peer last spoke.
  private static idleCheck (c: Bip324Socket<Mode>): void {
    const { idleTimeout } = c.settings
    const quiet = Date.now() - c.heard
    if (quiet >= idleTimeout) c.destroy(new Bip324Error('ERR_BIP324_IDLE_TIMEOUT', `nothing from the peer for ${idleTimeout} ms`))
    else c.idleTimer = setTimeout(Bip324Socket.idleCheck, idleTimeout - quiet, c).unref()
  }

  // 'connect' is the peer's: through a proxy, once the proxy has reached it.
  private onConnect (): void {
    const { tunnel } = this.settings
    if (tunnel === undefined) {
      this.connected()
      return
    }
    this.tunnelling = true
    tunnel(this.socket).then(() => {
      this.tunnelling = false
      this.connected()
    }, (err: Error) => {
      this.tunnelling = false
      if (!this.destroyed) this.destroy(err)
    })
  }

  private connected (): void {
    if (this.destroyed) return
    this.emit('connect')
    this.start()
  }

  private start (): void {
    if (this.destroyed) return
    const first = this.protocol.start()
    if (first.length > 0) this.writeRaw(first, (err) => { if (err == null) this.keyBytesSent = first.length })
  }

  private onData (chunk: Buffer): void {
    if (this.tunnelling) return
    this.bytesReceived += chunk.length
    if (this.established) {
      this.heard = Date.now()
      this.deliver(this.protocol.receive(chunk))
      return
    }
    const r = this.protocol.receive(chunk)
    for (const bytes of r.send) this.writeRaw(bytes)
    const v1 = r.events.find((e) => e.type === 'v1')
    if (v1 !== undefined) {
      this.v1Peer(v1.data)
      return
    }
    // The handshake is done once the peer's version packet authenticated, even if a bad packet
    // follows it in the same chunk: that error belongs to the connection, delivered below.
    if (!r.events.some((e) => e.type === 'handshake')) {
      if (r.error !== undefined) this.destroy(r.error)
      return
    }
    this.established = true
    clearTimeout(this.handshakeTimer)
    this.handshakeTimer = undefined
    this.armIdleTimer()
    // What came with the last handshake bytes (messages, or an error such as a bad packet) waits a
    // turn of the event loop, the socket paused meanwhile: whoever awaits the connection, or gets
    // it from the server's 'connection', has attached its listeners by then.
    this.socket.pause()
    this.emit('handshake')
    const waiting = this.waiting
    this.waiting = undefined
    if (!this.destroyed) waiting?.()
    setImmediate(() => {
      if (this.destroyed) return
      this.deliver({ ...r, send: [] })
      this.resumeReading()
    })
  }

  private onEnd (): void {
    if (this.tunnelling) return
    if (this.established) {
      if (this.protocol.buffered > 0) {
        this.destroy(new Bip324Error('ERR_BIP324_TRUNCATED', 'the peer closed the connection in the middle of a packet'))
        return
      }
      // As net.Socket does at EOF: read(0) emits 'end' now if nothing is left unread, so a
      // connection nobody reads from still ends (and, without allowHalfOpen, closes).
      this.push(null)
      this.read(0)
      return
    }
    if (this.reconnectV1()) return
    this.destroy(this.protocol.awaitingTerminator
      ? new Bip324Error('ERR_BIP324_NO_TERMINATOR', 'the peer sent its key and garbage, then closed without a garbage terminator of this network: another network?')
      : new Bip324Error('ERR_BIP324_PEER_CLOSED', `the peer closed the connection during the handshake${this.bytesReceived > 0 ? `, after sending ${this.bytesReceived} bytes` : ''}`))
  }

  // A peer of another network that gives up at its own 4,111-byte window while our bytes are still
  // unread there resets the connection instead of closing it: that is the same verdict, so it is
  // reported as such, with the system error as its cause. A v1 peer may reset too (our garbage
  // unread when it closes), which is its close. Any other error passes through as is.
  private onError (err: NodeJS.ErrnoException): void {
    const reset = !this.established && (err.code === 'ECONNRESET' || err.code === 'EPIPE')
    if (reset && this.reconnectV1()) return
    if (reset && this.protocol.awaitingTerminator) {
      this.destroy(new Bip324Error('ERR_BIP324_NO_TERMINATOR', `the peer reset the connection before sending a garbage terminator of this network: another network? (${err.code})`, { cause: err }))
    } else {
      this.destroy(err)
    }
  }

  // connect()'s v1Fallback, when the end of the connection is what a v1 peer makes (Bitcoin Core's
  // rule, Protocol.shouldReconnectV1): the TCP socket is let go and the retry takes over.
  private reconnectV1 (): boolean {
    const { onPeerClosed } = this.settings
    if (onPeerClosed === undefined || !this.protocol.shouldReconnectV1(this.keyBytesSent)) return false
    this.release()
    this.socket.destroy()
    onPeerClosed()
    return true
  }

  private onClose (): void {
    if (this.destroyed) return
    if (this.established) this.destroy()
    else this.onEnd()
  }

  private armIdleTimer (): void {
    const { idleTimeout } = this.settings
    if (idleTimeout === 0) return
    this.heard = Date.now()
    this.idleTimer = setTimeout(Bip324Socket.idleCheck, idleTimeout, this).unref()
  }

  // A responder's peer spoke v1: hand the socket over (server fallback) or refuse it.
  private v1Peer (data: Uint8Array): void {
    const { onV1 } = this.settings
    if (onV1 === undefined) {
      this.destroy(new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks the v1 protocol'))
      return
    }
    this.detach()
    this.socket.pause()
    onV1({ transport: 'v1', socket: this.socket, data })
  }

  // Lets go of the TCP socket for whoever takes it over: destroying this connection (the keys)
  // leaves it open.
  private detach (): void {
    this.release()
    this.handedOver = true
    this.destroy()
  }

  // Takes every listener of ours off the TCP socket.
  private release (): void {
    this.socket.off('data', Bip324Socket.onSocketData)
    this.socket.off('end', Bip324Socket.onSocketEnd)
    this.socket.off('error', Bip324Socket.onSocketError)
    this.socket.off('close', Bip324Socket.onSocketClose)
    this.socket.off('timeout', Bip324Socket.onSocketTimeout)
    this.socket.off('connect', Bip324Socket.onSocketConnect)
    // A v1 peer's socket lives on: it must not keep this connection alive.
    ;(this.socket as Owned)[OWNER] = undefined
  }

  // Received packets after the handshake.
  private deliver (result: ReceiveResult): void {
    for (const bytes of result.send) this.writeRaw(bytes)
    const messages = this.settings.mode === 'messages'
    for (const contents of result.messages) {
      const m = messages ? this.decode(contents) : contents
      if (m === undefined) continue
      // Counted only if it waits in the queue: a flowing reader may take it at once.
      const waiting = this.readableLength
      this.push(m)
      if (this.readableLength > waiting) this.queued += cost(m)
    }
    if (!this.readPaused && this.queued >= this.settings.maxReceiveBuffer) {
      this.readPaused = true
      this.socket.pause()
    }
    if (result.error !== undefined) this.destroy(result.error)
  }

  // Starts reading from the socket, unless the receive budget holds it paused.
  private resumeReading (): void {
    if (!this.readPaused && !this.destroyed) this.socket.resume()
  }

  // Every way of consuming a Readable (flowing 'data', read(), async iteration, pipe) takes its
  // messages out of the queue through read(), so this is where the budget frees up.
  override read (size?: number): InboundMessage<M> | null {
    const m = super.read(size) as InboundMessage<M> | null
    if (m !== null && this.queued > 0) {
      this.queued -= cost(m)
      if (this.readPaused && this.queued < this.settings.maxReceiveBuffer) {
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

  private writeRaw (bytes: Uint8Array, cb?: WriteCallback): void {
    if (this.unwritten !== undefined) this.flushUnwritten()
    this.bytesSent += bytes.length
    this.socket.write(bytes, cb)
  }

  private flushUnwritten (): void {
    const u = this.unwritten
    if (u === undefined) return
    this.unwritten = undefined
    if (this.destroyed) {
      u.cb?.(destroyedError())
      return
    }
    this.writeRaw(u.bytes, u.cb)
  }

  // A big message: encrypted on the thread pool. Once it is, the next message may start (the
  // callback, unless the TCP socket already holds maxSendBuffer bytes) and this packet is written
  // after the microtasks that start it, so the thread pool encrypts the next while this thread
  // copies this one into the kernel.
  private offload (contents: Uint8Array, cb: WriteCallback): void {
    let made: Promise<Uint8Array>
    try {
      made = this.protocol.sendAsync(contents)
    } catch (err) {
      cb(err as Error)
      return
    }
    this.offloading = true
    made.then((packet) => {
      this.offloading = false
      if (this.destroyed) {
        cb(destroyedError())
        return
      }
      // The packet before this one, if it still waits (a backend that encrypts at once), goes first.
      this.flushUnwritten()
      const early = this.socket.writableLength < this.settings.maxSendBuffer
      this.unwritten = { bytes: packet, cb: early ? undefined : cb }
      const decoys = this.decoysWaiting
      this.decoysWaiting = undefined
      for (const length of decoys ?? []) this.sendDecoy(length)
      if (early) cb()
      setImmediate(() => { this.flushUnwritten() })
    }, (err: Error) => {
      this.offloading = false
      cb(err)
    })
  }

  // Reading is driven by the socket and paused by the byte budget (see read()), not by demand.
  override _read (): void {}

  /** As stream.Writable's: message contents (raw mode) or `{ type, payload }` (messages mode),
   *  queued until the handshake completes if it has not yet. Anything else destroys the connection
   *  with ERR_BIP324_INVALID_ARG. */
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
      return this.settings.mode === 'messages' ? encodeMessage(chunk) : checkContents(chunk)
    } catch (err) {
      this.destroy(err as Error)
      const cb = rest.find((a) => typeof a === 'function') as ((err: Error) => void) | undefined
      if (cb !== undefined) process.nextTick(cb, err)
      return null
    }
  }

  override _write (chunk: Uint8Array, _encoding: BufferEncoding, cb: WriteCallback): void {
    this._writev([{ chunk }], cb)
  }

  override _writev (chunks: Array<{ chunk: Uint8Array }>, cb: WriteCallback): void {
    if (!this.established) {
      this.waiting = () => this._writev(chunks, cb)
      return
    }
    if (chunks.length === 1 && chunks[0]!.chunk.length >= OFFLOAD_FROM) {
      this.offload(chunks[0]!.chunk, cb)
      return
    }
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

  override _final (cb: WriteCallback): void {
    if (!this.established) {
      this.waiting = () => this._final(cb)
      return
    }
    this.flushUnwritten()
    this.socket.end(cb)
  }

  override _destroy (err: Error | null, cb: (err: Error | null) => void): void {
    clearTimeout(this.handshakeTimer)
    clearTimeout(this.idleTimer)
    if (this.onAbort !== undefined) this.settings.signal?.removeEventListener('abort', this.onAbort)
    this.protocol.destroy()
    if (!this.handedOver) this.socket.destroy()
    cb(err)
  }
}

/** @internal Resolves once `connection`'s handshake is done (with the connection), or once it was
 *  replaced by a v1 connection (connect's v1Fallback), and rejects with its error. */
export function settled<M extends Mode> (connection: Bip324Socket<M>): Promise<Bip324Socket<M> | V1Connection> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      connection.off('error', onError)
      connection.off('handshake', onHandshake)
      connection.off('v1', onV1)
    }
    const onError = (err: Error): void => { settle(); reject(err) }
    const onHandshake = (): void => { settle(); resolve(connection) }
    const onV1 = (v1: V1Connection): void => { settle(); resolve(v1) }
    connection.once('error', onError)
    connection.once('handshake', onHandshake)
    connection.once('v1', onV1)
  })
}
