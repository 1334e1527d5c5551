// A caller may reuse its read buffer as soon as receive() returns (as a socket reader with one
// scratch buffer does): the protocol keeps nothing that points into it. Found by the JS fuzzer's
// retention check; each case failed before the fix (a stalled handshake, then ERR_BIP324_BAD_MAC).

import { magicOf, Protocol, v1Prefix } from '../lib'
import { seeded } from './helpers/pair'

/** Feeds each part through one scratch buffer, wiped after every call. */
function feedReused (p: Protocol, parts: Uint8Array[]): ReturnType<Protocol['receive']>[] {
  const scratch = Buffer.alloc(1 << 16)
  return parts.map((bytes) => {
    const chunk = scratch.subarray(0, bytes.length)
    chunk.set(bytes)
    const r = p.receive(chunk)
    chunk.fill(0)
    return r
  })
}

const rng = (seed: number) => { const next = seeded(seed); return (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)) }

test('a key split across reads: the first part is kept as a copy', () => {
  const i = new Protocol({ role: 'initiator', garbageLength: 100 })
  const r = new Protocol({ role: 'responder', garbageLength: 0 })
  r.start()
  const key = i.start()
  const answers = feedReused(r, [key.subarray(0, 1), key.subarray(1)])
  const back = i.receive(Buffer.concat(answers.flatMap((a) => a.send)))
  expect(back.error).toBeUndefined()
  expect(back.events.map((e) => e.type)).toEqual(['handshake'])
})

test('garbage found in one read, the first packet in the next: the garbage (its AAD) is a copy', () => {
  const i = new Protocol({ role: 'initiator', garbageLength: 100 })
  const peer = new Protocol({ role: 'responder', garbageLength: 0, rng: rng(7) })
  peer.start()
  const key = i.start()
  const stream = Buffer.concat([key, ...i.receive(Buffer.concat(peer.receive(key).send)).send])
  const r = new Protocol({ role: 'responder', garbageLength: 0, rng: rng(7) })
  r.start()
  const at = key.length + 16 + 3
  const [first, second] = feedReused(r, [stream.subarray(0, at), stream.subarray(at)])
  expect(first!.error).toBeUndefined()
  expect(second!.error).toBeUndefined()
  expect(second!.events.map((e) => e.type)).toEqual(['handshake'])
})

test('the v1 event\'s bytes are a copy, intact after the caller reuses its buffer', () => {
  const r = new Protocol({ role: 'responder' })
  r.start()
  const hello = Buffer.concat([v1Prefix(magicOf('mainnet')), Buffer.from('rest of the message')])
  const [res] = feedReused(r, [hello])
  const v1 = res!.events.find((e) => e.type === 'v1') as { data: Uint8Array }
  expect(Buffer.from(v1.data).equals(hello)).toBe(true)
})
