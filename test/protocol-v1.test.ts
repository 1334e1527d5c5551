// Responder-side v1 detection: a v1 `version` message is recognised from its first 16 bytes in any
// chunking, handed back whole; a v2 key is never taken for one.

import crypto from 'node:crypto'

import { magicOf, Protocol, v1Prefix } from '../lib'

// The start of a real v1 version message: magic, "version" NUL-padded, then length and checksum.
function v1Hello (network: 'mainnet' | 'signet'): Uint8Array {
  return Buffer.concat([v1Prefix(magicOf(network)), Buffer.from('66000000aabbccdd', 'hex'), crypto.randomBytes(102)])
}

test.each(Array.from({ length: 17 }, (_, i) => i))('a v1 hello split at byte %i is detected and returned whole', (split) => {
  const p = new Protocol({ role: 'responder' })
  expect(p.start()).toHaveLength(0)
  const hello = v1Hello('mainnet')
  const first = p.receive(hello.subarray(0, split))
  const events = [...first.events]
  if (p.state === 'handshake') events.push(...p.receive(hello.subarray(split)).events)
  expect(first.send).toEqual([])
  expect(events).toHaveLength(1)
  expect(events[0]!.type).toBe('v1')
  expect(Buffer.from((events[0] as { data: Uint8Array }).data).equals(split >= 16 ? hello.subarray(0, split) : hello)).toBe(true)
  expect(p.state).toBe('v1')
})

test('the responder waits, sending nothing, while the bytes could still be a v1 hello', () => {
  const p = new Protocol({ role: 'responder' })
  p.start()
  const prefix = v1Prefix(magicOf('mainnet'))
  for (let i = 0; i < 15; i++) {
    const r = p.receive(prefix.subarray(i, i + 1))
    expect(r.send).toEqual([])
    expect(r.events).toEqual([])
  }
  expect(p.buffered).toBe(15)
})

test('a v2 key that starts with the network magic and most of "version" is not taken for v1', () => {
  const p = new Protocol({ role: 'responder' })
  p.start()
  const key = crypto.randomBytes(64)
  key.set(v1Prefix(magicOf('mainnet')).subarray(0, 15), 0)
  key[15] = 1
  const r = p.receive(key)
  expect(r.events).toEqual([])
  expect(r.send).toHaveLength(2) // our key and garbage, then terminator and version packet
  expect(p.state).toBe('handshake')
})

test('a v1 hello for another network is not v1 on this one', () => {
  const p = new Protocol({ role: 'responder', network: 'mainnet' })
  p.start()
  const r = p.receive(v1Hello('signet').subarray(0, 16))
  expect(r.events).toEqual([])
  expect(r.send.length).toBeGreaterThan(0)
})

test('with v1: "reject", a v1 peer is ERR_BIP324_V1_PEER', () => {
  const p = new Protocol({ role: 'responder', v1: 'reject' })
  p.start()
  const r = p.receive(v1Hello('mainnet'))
  expect(r.error).toMatchObject({ code: 'ERR_BIP324_V1_PEER' })
  expect(r.events).toEqual([])
})
