// Application messages over two in-memory Protocol peers: sizes up to the contents limit, order,
// rekeys, batches, decoys mid-stream, and both directions at once.

import crypto from 'node:crypto'

import { DEFAULT_MAX_CONTENTS } from '../lib'
import { toHex } from './helpers/bytes'
import { pair, randomSplits } from './helpers/pair'

test('messages of 0 B to 4,000,013 B arrive intact and in order, in random chunks', () => {
  const p = pair({}, {}, randomSplits(11, 70000))
  const sizes = [0, 1, 31, 32, 33, 63, 64, 65, 1000, 65535, 65536, 1_000_000, DEFAULT_MAX_CONTENTS]
  const sent = sizes.map((n) => crypto.randomBytes(n))
  for (const m of sent) p.responder.inbox.push(p.initiator.protocol.send(m))
  p.flush()
  expect(p.responder.messages.map((m) => m.length)).toEqual(sizes)
  p.responder.messages.forEach((m, i) => expect(Buffer.from(m).equals(sent[i]!)).toBe(true))
})

test('1,000 messages cross four rekeys in both directions at once, interleaved with decoys', () => {
  const p = pair({}, {}, randomSplits(12, 3000))
  const fromI: Buffer[] = []
  const fromR: Buffer[] = []
  for (let k = 0; k < 1000; k++) {
    const a = crypto.randomBytes(k % 97)
    const b = crypto.randomBytes((k * 7) % 300)
    fromI.push(a)
    fromR.push(b)
    p.responder.inbox.push(p.initiator.protocol.send(a))
    p.initiator.inbox.push(p.responder.protocol.send(b))
    if (k % 50 === 0) p.responder.inbox.push(p.initiator.protocol.sendDecoy(k))
    if (k % 100 === 0) p.flush()
  }
  p.flush()
  expect(p.responder.messages).toHaveLength(1000)
  expect(p.initiator.messages).toHaveLength(1000)
  p.responder.messages.forEach((m, i) => expect(Buffer.from(m).equals(fromI[i]!)).toBe(true))
  p.initiator.messages.forEach((m, i) => expect(Buffer.from(m).equals(fromR[i]!)).toBe(true))
  expect(p.responder.protocol.decoysReceived).toBe(20)
  expect(p.initiator.protocol.packets.sent).toBe(1 + 1000 + 20)
  expect(p.responder.protocol.packets.received).toBe(1 + 1000 + 20)
})

test('sendMany gives the same stream as one send per message', () => {
  const p = pair()
  const batch = Array.from({ length: 600 }, (_, i) => crypto.randomBytes(i % 40))
  p.responder.inbox.push(p.initiator.protocol.sendMany(batch))
  p.flush()
  expect(p.responder.messages.map(toHex)).toEqual(batch.map(toHex))
})

test('a partial packet yields no message until its last byte arrives, and holds one packet body of memory', () => {
  const p = pair()
  const packet = p.initiator.protocol.send(crypto.randomBytes(100_000))
  const r1 = p.responder.protocol.receive(packet.subarray(0, packet.length - 1))
  expect(r1.messages).toEqual([])
  expect(p.responder.protocol.buffered).toBe(packet.length - 3)
  const r2 = p.responder.protocol.receive(packet.subarray(packet.length - 1))
  expect(r2.messages.map((m) => m.length)).toEqual([100_000])
  expect(p.responder.protocol.buffered).toBe(0)
})
