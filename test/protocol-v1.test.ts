// Responder-side v1 detection: a v1 `version` message is recognised from its first 16 bytes in any
// chunking, handed back whole; a v2 key is never taken for one; another network's v1 version is
// refused, as Bitcoin Core refuses it. The initiator's side of v1 (when to retry over it) follows.

import crypto from 'node:crypto'

import { Initialized, magicOf, type Network, Protocol, v1Prefix } from '../lib'

// The start of a real v1 version message: magic, "version" NUL-padded, then length and checksum.
function v1Hello (network: Network): Uint8Array {
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

// Bitcoin Core (V2Transport::ProcessReceivedKeyBytes) disconnects a responder's peer whose bytes
// 4..16 are a v1 version header's while its magic is not ours: "V1 peer with wrong MessageStart".
const badMagic = expect.objectContaining({ name: 'Bip324Error', code: 'ERR_BIP324_BAD_MAGIC' })

test('Bitcoin Core\'s own probe (p2p_v2_transport.py): signet\'s v1 prefix and "somepayload" to a regtest responder is ERR_BIP324_BAD_MAGIC, nothing sent', () => {
  // test/functional/p2p_v2_transport.py, "Check wrong network prefix detection": MAGIC_BYTES["signet"]
  // (0a03cf40) + b"version\x00\x00\x00\x00\x00" + b"somepayload", sent at once to a regtest node.
  const probe = Buffer.concat([Buffer.from('0a03cf40', 'hex'), Buffer.from('version\0\0\0\0\0', 'latin1'), Buffer.from('somepayload')])
  const p = new Protocol({ role: 'responder', network: 'regtest' })
  p.start()
  const r = p.receive(probe)
  expect(r.error).toEqual(badMagic)
  expect(r.error!.message).toContain('wrong MessageStart 0a03cf40')
  expect(r.send).toEqual([])
  expect(r.events).toEqual([])
  expect(p.state).toBe('closed')
})

const NETWORKS = ['mainnet', 'testnet3', 'testnet4', 'signet', 'regtest'] as const

describe.each(NETWORKS)('a %s responder', (ours) => {
  const others = NETWORKS.filter((n) => n !== ours)
  test.each(Array.from({ length: 18 }, (_, i) => i))('another network\'s v1 hello split at byte %i fails once its 16th byte is in; our key goes out only if an earlier call ruled v1 out', (split) => {
    for (const theirs of others) {
      const hello = v1Hello(theirs)
      const differsAt = [...v1Prefix(magicOf(ours))].findIndex((b, i) => b !== hello[i])
      const p = new Protocol({ role: 'responder', network: ours })
      p.start()
      const first = p.receive(hello.subarray(0, split))
      if (split >= 16) {
        expect([first.error, first.send]).toEqual([badMagic, []])
        continue
      }
      expect(first.error).toBeUndefined()
      // The first call decided v2 (and sent our key) if it held the first byte that differs.
      expect(first.send.length > 0).toBe(split > differsAt)
      const second = p.receive(hello.subarray(split))
      expect([second.error, second.send]).toEqual([badMagic, []])
      expect(p.state).toBe('closed')
    }
  })
})

test('the 16 bytes may come one at a time: the key goes out at the first byte that differs, the error at the 16th', () => {
  const hello = v1Hello('signet')
  const p = new Protocol({ role: 'responder', network: 'mainnet' })
  p.start()
  for (let i = 0; i < 15; i++) {
    const r = p.receive(hello.subarray(i, i + 1))
    expect([r.error, r.send.length > 0]).toEqual([undefined, i === 0])
  }
  expect(p.receive(hello.subarray(15, 16)).error).toEqual(badMagic)
})

test('only the command field counts: a key whose bytes 4..16 differ from "version" by one bit is a key', () => {
  for (let at = 4; at < 16; at++) {
    const key = Buffer.concat([v1Hello('signet').subarray(0, 16), crypto.randomBytes(48)])
    key[at]! ^= 1
    const p = new Protocol({ role: 'responder', network: 'mainnet' })
    p.start()
    const r = p.receive(key)
    expect(r.error).toBeUndefined()
    expect(r.send).toHaveLength(2) // our key and garbage, then terminator and version packet
  }
})

test('an initiator takes a key that looks like another network\'s v1 hello for a key: the rule is the responder\'s', () => {
  const i = new Protocol({ role: 'initiator', network: 'mainnet' })
  i.start()
  const r = i.receive(Buffer.concat([v1Hello('signet').subarray(0, 16), crypto.randomBytes(48)]))
  expect(r.error).toBeUndefined()
  expect(r.send).toHaveLength(1) // terminator and version packet
})

test('with v1: "reject", a v1 peer is ERR_BIP324_V1_PEER', () => {
  const p = new Protocol({ role: 'responder', v1: 'reject' })
  p.start()
  const r = p.receive(v1Hello('mainnet'))
  expect(r.error).toMatchObject({ code: 'ERR_BIP324_V1_PEER' })
  expect(r.events).toEqual([])
})

test('the type states apply the same rule: a responder\'s SentKey refuses another network\'s v1 hello at its 16th byte', () => {
  const { state } = Initialized.create({ role: 'responder', network: 'mainnet' }).sendKey()
  const hello = v1Hello('testnet4')
  expect(state.receiveKey(hello.subarray(0, 15))).toEqual({ kind: 'needMoreData' })
  expect(() => state.receiveKey(hello.subarray(15))).toThrow(badMagic)
  expect(() => state.receiveKey(hello)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_STATE_SPENT' }))
})

// Bitcoin Core's V2Transport::ShouldReconnectV1: an outbound connection that ends is retried over v1
// only when nothing was received and at least a v1 header's worth (24 bytes) of ours was sent.
describe('shouldReconnectV1', () => {
  test('an initiator that sent 24 bytes or more and received nothing should; fewer than 24 sent, it should not', () => {
    const p = new Protocol({ role: 'initiator' })
    expect(p.shouldReconnectV1(100)).toBe(false) // not started: nothing of ours exists yet
    p.start()
    expect([0, 23, 24, 4159].map((sent) => p.shouldReconnectV1(sent))).toEqual([false, false, true, true])
  })

  test('one byte received rules it out, whatever was sent', () => {
    const p = new Protocol({ role: 'initiator' })
    p.start()
    p.receive(crypto.randomBytes(1))
    expect(p.shouldReconnectV1(4159)).toBe(false)
  })

  test('a responder never should; nor a closed protocol', () => {
    const r = new Protocol({ role: 'responder' })
    r.start()
    expect(r.shouldReconnectV1(4159)).toBe(false)
    const i = new Protocol({ role: 'initiator' })
    i.start()
    i.destroy()
    expect(i.shouldReconnectV1(4159)).toBe(false)
  })
})
