// Protocol.closed: what an end of the connection means, decided once in the sans-IO core for every
// I/O layer (the socket acts on it; connect()'s v1Fallback retries on retryV1).

import { Protocol } from '../lib'

function initiator (): { p: Protocol, keySent: number } {
  const p = new Protocol({ role: 'initiator', network: 'mainnet', garbageLength: 0 })
  return { p, keySent: p.start().length }
}

// An initiator holding the responder's key, without its terminator yet.
function awaitingTerminator (): { p: Protocol, keySent: number } {
  const { p, keySent } = initiator()
  const responder = new Protocol({ role: 'responder', network: 'mainnet' })
  responder.start()
  const first = responder.receive(new Uint8Array(64).fill(7))
  p.receive(first.send[0]!.subarray(0, 64))
  expect(p.awaitingTerminator).toBe(true)
  return { p, keySent }
}

// Two protocols past the handshake, and the bytes of one packet from b to a.
function established (): { a: Protocol, packet: Uint8Array } {
  const a = new Protocol({ role: 'initiator', network: 'mainnet' })
  const b = new Protocol({ role: 'responder', network: 'mainnet' })
  b.start()
  let toB = [a.start()]
  for (let round = 0; round < 4; round++) {
    const toA = toB.flatMap((bytes) => b.receive(bytes).send)
    toB = toA.flatMap((bytes) => a.receive(bytes).send)
  }
  expect([a.state, b.state]).toEqual(['ready', 'ready'])
  return { a, packet: b.send(Uint8Array.of(1, 2, 3)) }
}

test("an initiator's key sent and nothing received: retry over v1 (Core's ShouldReconnectV1), else an early close", () => {
  const { p, keySent } = initiator()
  const verdict = p.closed('eof', keySent)
  expect(verdict.retryV1).toBe(true)
  expect(verdict.error?.code).toBe('ERR_BIP324_PEER_CLOSED')
  expect(p.closed('eof', 23).retryV1).toBe(false)
  // A reset says nothing more than the network's own error.
  expect(p.closed('reset', keySent)).toEqual({ error: undefined, retryV1: true })
})

test("the peer's key came, its terminator did not: another network, whether it closed or reset", () => {
  const { p, keySent } = awaitingTerminator()
  const eof = p.closed('eof', keySent)
  expect(eof.retryV1).toBe(false)
  expect(eof.error?.code).toBe('ERR_BIP324_NO_TERMINATOR')
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
  const verdict = p.closed('reset', keySent, reset)
  expect(verdict.error?.code).toBe('ERR_BIP324_NO_TERMINATOR')
  expect(verdict.error?.cause).toBe(reset)
  expect(verdict.error?.message).toMatch(/ECONNRESET/)
})

test('a responder that received part of a key says how many bytes came', () => {
  const p = new Protocol({ role: 'responder', network: 'mainnet' })
  p.start()
  p.receive(new Uint8Array(20).fill(1))
  const { error, retryV1 } = p.closed('eof', 0)
  expect(retryV1).toBe(false)
  expect(error?.code).toBe('ERR_BIP324_PEER_CLOSED')
  expect(error?.message).toMatch(/after sending 20 bytes/)
})

test('after the handshake: a clean end between packets, ERR_BIP324_TRUNCATED in the middle of one', () => {
  const { a, packet } = established()
  expect(a.closed('eof', 0)).toEqual({ error: undefined, retryV1: false })
  a.receive(packet.subarray(0, 5))
  expect(a.closed('eof', 0).error?.code).toBe('ERR_BIP324_TRUNCATED')
})

test('after the protocol ended, an end means nothing more: it was reported then', () => {
  const { a, packet } = established()
  const bad = Uint8Array.from(packet)
  bad[bad.length - 1]! ^= 1
  expect(a.receive(bad).error?.code).toBe('ERR_BIP324_BAD_MAC')
  expect(a.closed('eof', 0)).toEqual({ error: undefined, retryV1: false })
})
