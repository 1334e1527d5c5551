/** Two in-memory Protocol peers wired together, with a chosen way of chopping the byte stream. */

import { Protocol, type ProtocolEvent, type ProtocolOptions } from '../../lib'

export type Chunker = (bytes: Uint8Array) => Uint8Array[]

export const whole: Chunker = (bytes) => [bytes]
export const byteByByte: Chunker = (bytes) => Array.from(bytes, (b) => Uint8Array.of(b))

export function seeded (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomSplits (seed: number, max = 700): Chunker {
  const rand = seeded(seed)
  return (bytes) => {
    const out: Uint8Array[] = []
    for (let at = 0; at < bytes.length;) {
      const next = Math.min(bytes.length, at + 1 + Math.floor(rand() * max))
      out.push(bytes.subarray(at, next))
      at = next
    }
    return out
  }
}

export interface Side {
  protocol: Protocol
  messages: Uint8Array[]
  events: ProtocolEvent[]
  /** Bytes on their way to this side. */
  inbox: Uint8Array[]
}

export interface Pair {
  initiator: Side
  responder: Side
  /** Delivers everything in flight, both ways, until nothing moves. */
  flush: (chunker?: Chunker) => void
}

export function pair (initiator: Omit<ProtocolOptions, 'role'> = {}, responder: Omit<ProtocolOptions, 'role'> = {}, chunker: Chunker = whole): Pair {
  const i: Side = { protocol: new Protocol({ ...initiator, role: 'initiator' }), messages: [], events: [], inbox: [] }
  const r: Side = { protocol: new Protocol({ ...responder, role: 'responder' }), messages: [], events: [], inbox: [] }
  r.inbox.push(i.protocol.start())
  i.inbox.push(r.protocol.start())
  const deliver = (to: Side, from: Side, chop: Chunker): boolean => {
    const pending = to.inbox.splice(0)
    let moved = false
    for (const data of pending) {
      for (const chunk of chop(data)) {
        if (chunk.length === 0) continue
        moved = true
        const res = to.protocol.receive(chunk)
        if (res.error) throw res.error
        from.inbox.push(...res.send)
        to.messages.push(...res.messages)
        to.events.push(...res.events)
      }
    }
    return moved
  }
  const flush = (chop: Chunker = chunker): void => {
    while (deliver(r, i, chop) || deliver(i, r, chop)) { /* until quiet */ }
  }
  flush()
  return { initiator: i, responder: r, flush }
}

export function handshakeEvent (side: Side): Extract<ProtocolEvent, { type: 'handshake' }> | undefined {
  return side.events.find((e): e is Extract<ProtocolEvent, { type: 'handshake' }> => e.type === 'handshake')
}
