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
import { invalid } from '../checks'
import { decodeContents, encodeContents, type RawMessage } from '../messages/message-type'
import { MAX_CONTENTS_LIMIT, REKEY_INTERVAL } from '../crypto/packet-format'
import { type CloseCause, Protocol, type ProtocolOptions, type ReceiveResult } from '../protocol/protocol'
import { abortError } from './abort'
import { Inbox } from './inbox'
import { destroyedError, PacketWriter, type WriteCallback } from './packet-writer'

export type { WriteCallback }

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
    throw invalid(`write() takes Uint8Array message contents of at most ${MAX_CONTENTS_LIMIT} bytes`)
  }
  return chunk
}

function encodeMessage (chunk: unknown): Uint8Array {
  const m = chunk as { type?: unknown, payload?: unknown } | null
  if (typeof m?.type !== 'string' || !(m.payload instanceof Uint8Array)) {
    throw invalid("in 'messages' mode, write() takes { type: string, payload: Uint8Array }")
  }
  return checkContents(encodeContents(m.type, m.payload))
}

// Where a TCP socket keeps the connection over it, for the listeners all connections share.
const OWNER = Symbol('bip324.connection')
type Owned = Socket & { [OWNER]: Bip324Socket<Mode> | undefined }

type Received = Uint8Array | RawMessage

// The contents bytes of a received message, for the receive budget.
function sizeOf (m: Received): number {
  return m instanceof Uint8Array ? m.length : m.payload.length
}

/**
 * Where a connection is. Each phase has one meaning, and the transitions are these:
 *
 *   connecting --> tunnelling --> handshaking --> open --> failing --> closed
 *        \______________________/      |  \____________________________/^
 *                                      +--> handedOver (a v1 peer, or connect()'s v1 retry)
 *
 * - connecting: the TCP socket is connecting; tunnelling: connect()'s SOCKS5 negotiation runs on
 *   it (its bytes are the proxy's, not the peer's).
 * - handshaking: our Protocol runs; writes wait for the handshake (`parked`).
 * - open: messages both ways.
 * - failing: the input ended for good (a transport error, a reset, the TCP socket closed): the TCP
 *   socket and the keys are gone, and what arrived before is still handed to the reader; the
 *   connection is destroyed, with the error, once the reader has taken it all. Writes wait, and
 *   fail with ERR_STREAM_DESTROYED then.
 * - handedOver: the TCP socket is someone else's; closed: destroyed.
 */
type Phase = 'connecting' | 'tunnelling' | 'handshaking' | 'open' | 'failing' | 'handedOver' | 'closed'

/**
 * What an 'error' event of a connection, server or Peer carries: a Bip324Error (`code`
 * ERR_BIP324_*), or an error of Node's with its own `code`: a system error of the TCP socket
 * (ECONNRESET, ECONNREFUSED, EADDRINUSE, ...), a stream's (ERR_STREAM_DESTROYED, ...), or the
 * AbortError of an aborted `signal` (ABORT_ERR). So `err.code` type-checks on every listener.
 */
export type ConnectionError = Bip324Error | NodeJS.ErrnoException

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
  error: [err: ConnectionError]
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
  private phase: Phase = 'connecting'
  private readonly writer: PacketWriter
  private readonly inbox: Inbox<Received>
  private bytesReceived = 0
  // Bytes of our first flight (key and garbage) the kernel took: what Core's ShouldReconnectV1
  // counts as sent. Node reports a write when all of it is taken, so it is all or nothing.
  private keyBytesSent = 0
  private invalidMessages = 0
  // write() returned false: 'drain' is owed once the writer is below maxSendBuffer.
  private drainOwed = false
  // In 'failing': the error the connection is destroyed with once the reader took everything.
  private failure: Error | undefined
  private handshakeTimer: NodeJS.Timeout | undefined
  // When the peer last sent a byte, for the idle timer: only the peer's bytes count
  // (socket.setTimeout would count our writes too).
  private heard = 0
  private idleTimer: NodeJS.Timeout | undefined
  // Made only when the options have a signal.
  private onAbort: (() => void) | undefined
  // A write or the final end() that waits: for the handshake, or, in 'failing', for the close.
  private parked: { run: () => void, cb: WriteCallback } | undefined

  /** @internal Use connect(), createServer() or wrap(). The socket may still be connecting. */
  constructor (socket: Socket, settings: SocketSettings) {
    const { allowHalfOpen, maxSendBuffer, maxReceiveBuffer } = settings
    // Written contents stay Uint8Arrays (write() checks them); read messages keep their boundaries
    // (object mode). The writer, not the stream, measures what is queued (contents plus a cost per
    // message, and what the TCP socket holds), so the stream's own mark is out of the way.
    super({ allowHalfOpen, readableObjectMode: true, writableHighWaterMark: Number.MAX_SAFE_INTEGER, decodeStrings: false })
    this.socket = socket
    this.settings = settings
    this.protocol = new Protocol(settings.protocol)
    this.writer = new PacketWriter(socket, this.protocol, maxSendBuffer, () => this.phase === 'closed', () => this.sendSettled())
    this.inbox = new Inbox<Received>(maxReceiveBuffer, sizeOf, {
      accepting: () => (this.phase === 'open' || this.phase === 'failing') && !this.writer.full,
      hand: (m) => {
        // Counted only if it waits in the queue: a flowing reader may take it at once.
        const waiting = this.readableLength
        this.push(m)
        return this.readableLength > waiting
      },
      ended: () => this.inputEnded(),
      reading: (on) => {
        if (this.phase !== 'open') return
        if (on) this.socket.resume()
        else this.socket.pause()
      }
    })
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
    return this.protocol.sessionId !== null
  }

  /** As net.Socket's: true until the TCP connection is made (through a SOCKS5 proxy: until the
   *  proxy has connected to the peer). */
  get connecting (): boolean {
    return this.phase === 'connecting' || this.phase === 'tunnelling'
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
      bytesSent: this.writer.bytesSent,
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
   *  each): those waiting to be handed on and those in the readable queue. */
  get readableBytes (): number {
    return this.inbox.bytes
  }

  /** Sends a decoy packet of `length` bytes, which the peer drops. After 'handshake' only; false
   *  once the send side is full, as write(). */
  sendDecoy (length: number): boolean {
    return this.writer.decoy(length)
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
      (c.phase === 'tunnelling' ? ' (the SOCKS5 proxy had not reached the peer yet)' : '')))
  }

  // Armed once per idleTimeout, not per chunk: on firing it looks at when the peer last spoke. In
  // 'failing', it also bounds how long a reader that takes nothing keeps the connection.
  private static idleCheck (c: Bip324Socket<Mode>): void {
    const { idleTimeout } = c.settings
    const quiet = Date.now() - c.heard
    if (quiet < idleTimeout) c.idleTimer = setTimeout(Bip324Socket.idleCheck, idleTimeout - quiet, c).unref()
    else if (c.phase === 'failing') c.destroy(c.failure)
    else c.destroy(new Bip324Error('ERR_BIP324_IDLE_TIMEOUT', `nothing from the peer for ${idleTimeout} ms`))
  }

  // 'connect' is the peer's: through a proxy, once the proxy has reached it.
  private onConnect (): void {
    const { tunnel } = this.settings
    if (tunnel === undefined) {
      this.connected()
      return
    }
    this.phase = 'tunnelling'
    tunnel(this.socket).then(() => {
      if (this.phase === 'tunnelling') this.connected()
    }, (err: Error) => {
      if (this.phase === 'tunnelling') this.destroy(err)
    })
  }

  private connected (): void {
    if (this.phase === 'closed') return
    this.emit('connect')
    this.start()
  }

  private start (): void {
    if (this.phase === 'closed') return
    this.phase = 'handshaking'
    const first = this.protocol.start()
    if (first.length > 0) this.writer.raw(first, (err) => { if (err == null) this.keyBytesSent = first.length })
  }

  private onData (chunk: Buffer): void {
    if (this.phase === 'open') {
      this.bytesReceived += chunk.length
      this.heard = Date.now()
      this.received(this.protocol.receive(chunk))
    } else if (this.phase === 'handshaking') {
      this.bytesReceived += chunk.length
      this.handshaking(this.protocol.receive(chunk))
    }
  }

  private handshaking (r: ReceiveResult): void {
    for (const bytes of r.send) this.writer.raw(bytes)
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
    this.phase = 'open'
    clearTimeout(this.handshakeTimer)
    this.handshakeTimer = undefined
    this.armIdleTimer()
    // What came with the last handshake bytes (messages, or an error such as a bad packet) waits a
    // turn of the event loop, the socket paused meanwhile: whoever awaits the connection, or gets
    // it from the server's 'connection', has attached its listeners by then.
    this.socket.pause()
    this.emit('handshake')
    this.unpark()
    setImmediate(() => {
      if (this.phase !== 'open') return
      this.received(r)
      if (this.phase === 'open' && this.inbox.reading) this.socket.resume()
    })
  }

  // Received packets after the handshake: the messages go to the inbox, an error after them.
  private received (r: ReceiveResult): void {
    const messages = this.settings.mode === 'messages' ? this.decodeAll(r.messages) : r.messages
    // The protocol closed at the error already: what the reader's handlers write meanwhile waits.
    if (r.error !== undefined) this.phase = 'failing'
    if (messages.length > 0) this.inbox.add(messages)
    if (r.error !== undefined) this.fail(r.error)
  }

  private onEnd (): void {
    if (this.phase === 'open') {
      // Otherwise the peer's end is read after everything it sent.
      const { error } = this.protocol.closed('eof', this.keyBytesSent)
      if (error !== undefined) this.fail(error)
      else this.inbox.close()
    } else if (this.phase === 'handshaking') {
      this.handshakeEnded('eof')
    }
  }

  // Once open, an error is input like any other: it comes after what arrived before it. During
  // the handshake, a reset is what the protocol says it means; any other error passes through as is.
  private onError (err: NodeJS.ErrnoException): void {
    if (this.phase === 'open') this.fail(err)
    else if (this.phase === 'handshaking' && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) this.handshakeEnded('reset', err)
    else if (this.phase !== 'failing') this.destroy(err)
  }

  // The connection ended during the handshake: the protocol's verdict (Protocol.closed), acted on.
  // A v1 peer's end with connect()'s v1Fallback lets go of the TCP socket for the retry.
  private handshakeEnded (how: CloseCause, cause?: Error): void {
    const { error, retryV1 } = this.protocol.closed(how, this.keyBytesSent, cause)
    const { onPeerClosed } = this.settings
    if (retryV1 && onPeerClosed !== undefined) {
      this.release()
      this.phase = 'handedOver'
      this.socket.destroy()
      onPeerClosed()
      return
    }
    this.destroy(error ?? cause)
  }

  private onClose (): void {
    if (this.phase === 'open') this.fail(undefined)
    // While tunnelling, the SOCKS5 negotiation reports the close.
    else if (this.phase === 'handshaking' || this.phase === 'connecting') this.handshakeEnded('eof')
  }

  // The input ended for good: nothing more is read or sent, the keys go now, and the connection
  // closes with `error` once the reader has taken what came before it.
  private fail (error: Error | undefined): void {
    this.phase = 'failing'
    this.failure = error
    this.protocol.destroy()
    this.socket.destroy()
    this.inbox.close()
  }

  // Every message was handed on, then the input ended.
  private inputEnded (): void {
    if (this.phase === 'failing') {
      this.closeWhenRead()
      return
    }
    // As net.Socket does at EOF: read(0) emits 'end' now if nothing is left unread, so a
    // connection nobody reads from still ends (and, without allowHalfOpen, closes).
    this.push(null)
    this.read(0)
  }

  // In 'failing': closes once the reader took everything and is not paused (a paused reader, as a
  // Peer for the turn after 'ready', has not listened yet). The idle timer bounds the wait.
  private closeWhenRead (): void {
    if (this.phase !== 'failing' || this.inbox.length > 0 || this.readableLength > 0 || this.readableFlowing === false) return
    process.nextTick(() => { if (this.phase === 'failing') this.destroy(this.failure) })
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
    // Let go of the TCP socket for whoever takes it over: destroying this connection (the keys)
    // leaves it open.
    this.release()
    this.phase = 'handedOver'
    this.destroy()
    this.socket.pause()
    onV1({ transport: 'v1', socket: this.socket, data })
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

  private decodeAll (contents: readonly Uint8Array[]): RawMessage[] {
    const messages: RawMessage[] = []
    for (const c of contents) {
      try {
        messages.push(decodeContents(c))
      } catch (err) {
        this.invalidMessages++
        this.emit('invalidMessage', err)
      }
    }
    return messages
  }

  // A write went out (the writer's load went down): 'drain' if owed, and the peer's messages
  // flow again if the full send side held them (fPauseSend).
  private sendSettled (): void {
    if (this.writer.full || this.phase === 'closed') return
    if (this.drainOwed) {
      this.drainOwed = false
      this.emit('drain')
    }
    this.inbox.pump()
  }

  // Every way of consuming a Readable (flowing 'data', read(), async iteration, pipe) takes its
  // messages out of the queue through read(), so this is where the budget frees up.
  override read (size?: number): InboundMessage<M> | null {
    const m = super.read(size) as InboundMessage<M> | null
    if (m !== null) this.inbox.taken(m)
    this.closeWhenRead()
    return m
  }

  // Reading is driven by the socket and paused by the inbox, not by demand.
  override _read (): void {}

  /** As stream.Writable's: message contents (raw mode) or `{ type, payload }` (messages mode),
   *  queued until the handshake completes if it has not yet. False once the send side holds
   *  maxSendBuffer bytes (contents plus 400 per message not yet encrypted, and what the TCP socket
   *  holds), then 'drain'. Anything else destroys the connection with ERR_BIP324_INVALID_ARG. */
  override write (chunk: unknown, ...rest: unknown[]): boolean {
    const contents = this.contents(chunk, rest)
    if (contents === null) return false
    this.writer.accepted(contents.length)
    ;(Duplex.prototype.write as (...args: unknown[]) => boolean).call(this, contents, ...rest)
    if (!this.writer.full) return true
    this.drainOwed = true
    return false
  }

  /** As stream.Writable's, with a last message if given (Writable.end does not pass it to write()). */
  override end (...args: unknown[]): this {
    if (args[0] !== undefined && args[0] !== null && typeof args[0] !== 'function') {
      const contents = this.contents(args[0], args.slice(1))
      if (contents === null) return this
      this.writer.accepted(contents.length)
      args[0] = contents
    }
    return (Duplex.prototype.end as (...a: unknown[]) => this).apply(this, args)
  }

  // What goes into the writable queue: contents. A chunk that is not a message fails the
  // connection, as a failed write does (the callback gets the error).
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
    if (this.phase !== 'open') {
      this.park(() => this._writev(chunks, cb), cb)
      return
    }
    this.writer.messages(chunks.map(({ chunk }) => chunk), cb)
  }

  override _final (cb: WriteCallback): void {
    if (this.phase !== 'open') {
      this.park(() => this._final(cb), cb)
      return
    }
    this.writer.finish(cb)
  }

  // Before the handshake a write waits for it; in 'failing' it waits for the close, which fails it.
  private park (run: () => void, cb: WriteCallback): void {
    this.parked = { run, cb }
  }

  private unpark (): void {
    const parked = this.parked
    this.parked = undefined
    parked?.run()
  }

  override _destroy (err: Error | null, cb: (err: Error | null) => void): void {
    clearTimeout(this.handshakeTimer)
    clearTimeout(this.idleTimer)
    if (this.onAbort !== undefined) this.settings.signal?.removeEventListener('abort', this.onAbort)
    this.protocol.destroy()
    if (this.phase !== 'handedOver') this.socket.destroy()
    this.phase = 'closed'
    const parked = this.parked
    this.parked = undefined
    cb(err)
    if (parked !== undefined) process.nextTick(parked.cb, destroyedError())
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
