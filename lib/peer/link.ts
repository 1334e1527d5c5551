/**
 * The connection under a Peer, as messages of a type and a payload, over either transport: a
 * Bip324Socket in 'messages' mode (v2), or a plain TCP socket with v1 framing after a v1 fallback.
 * A link only moves messages; every rule about them is the Peer's.
 *
 * Bounds: a v2 link holds what its Bip324Socket holds; a v1 link the same (maxReceiveBuffer, with
 * the same Inbox), plus one partial message, whose length the V1MessageReader checks against the
 * payload limit from its header before holding its body.
 */

import type { Socket } from 'node:net'

import { invalid } from '../checks'
import { encodeV1Message, type V1Message, V1MessageReader } from '../messages'
import { Inbox } from '../net/inbox'
import { MESSAGE_OVERHEAD } from '../net/options'
import type { Bip324Socket, InboundMessage, V1Connection, WriteCallback } from '../net/socket'

/** @internal What a link reports to its Peer. */
export interface LinkSink {
  /** The link carries messages from now on (v2: its handshake is done). */
  open: () => void
  message: (type: string, payload: Uint8Array) => void
  /** connect()'s v1Fallback replaced the v2 connection with this plain one. */
  fallback: (connection: V1Connection) => void
  drain: () => void
  /** The peer ended its side. */
  end: () => void
  error: (err: Error) => void
  close: () => void
}

/** @internal */
export interface Link {
  readonly transport: 'v1' | 'v2'
  /** v2, once open: the session id both sides derived. */
  readonly sessionId: Uint8Array | undefined
  readonly socket: Socket
  /** Starts reporting to the sink. */
  start: () => void
  /** As a stream's write: false once the send buffer is full, then the sink's drain. */
  write: (type: string, payload: Uint8Array, cb?: WriteCallback) => boolean
  /** Holds back messages (they stay queued, within the bounds above) until resume(). */
  pause: () => void
  resume: () => void
  end: () => void
  destroy: () => void
  /** Stops reporting to the sink, for good. */
  detach: () => void
}

/** @internal A link over a BIP-324 connection in 'messages' mode. */
export function v2Link (connection: Bip324Socket<'messages'>, sink: LinkSink): Link {
  const onData = (m: InboundMessage<'messages'>): void => {
    // A socket in 'raw' mode would hand over contents: that is a caller's mistake, not the peer's.
    if (m instanceof Uint8Array) {
      connection.destroy(invalid("a Peer needs a Bip324Socket in 'messages' mode"))
      return
    }
    // Reserved short ids (38..255) name no message yet: dropped, as Core drops them.
    if (m.type !== undefined) sink.message(m.type, m.payload)
  }
  const listeners = {
    handshake: () => sink.open(),
    data: onData,
    v1: (c: V1Connection) => sink.fallback(c),
    drain: () => sink.drain(),
    end: () => sink.end(),
    error: (err: Error) => sink.error(err),
    close: () => sink.close()
  }
  const detach = (): void => {
    for (const [event, fn] of Object.entries(listeners)) connection.off(event, fn)
  }
  return {
    transport: 'v2',
    get sessionId () { return connection.sessionId },
    socket: connection.socket,
    start: () => {
      for (const [event, fn] of Object.entries(listeners)) connection.on(event, fn)
      if (connection.handshakeComplete) sink.open()
    },
    write: (type, payload, cb) => connection.write({ type, payload }, cb),
    pause: () => { connection.pause() },
    resume: () => { connection.resume() },
    end: () => { connection.end() },
    destroy: () => { connection.destroy() },
    detach
  }
}

/** @internal What a v1 link may hold: the Peer's maxReceiveBuffer and maxSendBuffer. */
export interface V1Limits {
  maxReceiveBuffer: number
  maxSendBuffer: number
}

/** @internal A link over a plain TCP socket speaking v1 with `magic`; `data` is what was read from
 *  it already (a server's v1 handoff). What the v2 transport does for a Bip324Socket, the link does
 *  here with the same Inbox: reading stops at maxReceiveBuffer, nothing is handed on while the send
 *  side holds maxSendBuffer (bytes the TCP socket holds plus 400 per write not yet taken: Core's
 *  fPauseSend), 64 messages per turn, and the peer's end, error or close after its messages. */
export function v1Link (socket: Socket, magic: Uint8Array, data: Uint8Array | undefined, limits: V1Limits, sink: LinkSink): Link {
  const reader = new V1MessageReader(magic)
  let paused = false
  let detached = false
  // Writes the kernel has not taken yet, each costing MESSAGE_OVERHEAD beyond its bytes.
  let writes = 0
  let drainOwed = false
  let socketClosed = false
  let ended = false
  const full = (): boolean => socket.writableLength + writes * MESSAGE_OVERHEAD >= limits.maxSendBuffer
  const inbox = new Inbox<V1Message>(limits.maxReceiveBuffer, (m) => m.payload.length, {
    accepting: () => !paused && !detached && !full(),
    hand: (m) => {
      sink.message(m.type, m.payload)
      return false
    },
    ended: (error) => {
      ended = true
      if (detached) return
      if (error !== undefined) sink.error(error)
      else if (!socketClosed) sink.end()
      if (socketClosed) sink.close()
    },
    reading: (on) => {
      if (detached || socket.destroyed) return
      if (on) socket.resume()
      else socket.pause()
    }
  })
  const written = (): void => {
    writes--
    if (full() || detached) return
    if (drainOwed) {
      drainOwed = false
      sink.drain()
    }
    inbox.pump()
  }
  const onData = (chunk: Uint8Array): void => {
    const r = reader.push(chunk)
    if (r.messages.length > 0) inbox.add(r.messages)
    if (r.error !== undefined) {
      socket.pause()
      inbox.close(r.error)
    }
  }
  const listeners = {
    data: onData,
    end: () => inbox.close(),
    error: (err: Error) => inbox.close(err),
    close: () => {
      socketClosed = true
      if (ended) sink.close()
      else inbox.close()
    }
  }
  return {
    transport: 'v1',
    sessionId: undefined,
    socket,
    start: () => {
      for (const [event, fn] of Object.entries(listeners)) socket.on(event, fn)
      sink.open()
      // A turn later, as the socket's own data would come: the Peer's owner listens by then.
      if (data !== undefined && data.length > 0) process.nextTick(onData, data)
      socket.resume()
    },
    write: (type, payload, cb) => {
      writes++
      socket.write(encodeV1Message(magic, type, payload), (err) => {
        cb?.(err)
        written()
      })
      if (!full()) return true
      drainOwed = true
      return false
    },
    pause: () => { paused = true },
    resume: () => {
      paused = false
      inbox.pump()
    },
    end: () => { socket.end() },
    destroy: () => { socket.destroy() },
    detach: () => {
      detached = true
      for (const [event, fn] of Object.entries(listeners)) socket.off(event, fn)
    }
  }
}
