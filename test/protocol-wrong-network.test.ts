// A peer on another network: its key exchange works, but its terminator and packets are keyed with
// another network's magic, so neither side ever finds the other's terminator. Each side gives up
// after 4,095 + 16 bytes past the other's key (so does Bitcoin Core, which then disconnects). Our
// default garbage is long enough that what we send fills that window, so the peer gives up at once
// whatever garbage lengths were drawn, and we see either our own ERR_BIP324_NO_TERMINATOR or the
// peer's close while awaitingTerminator (which lib/net reports as ERR_BIP324_NO_TERMINATOR too).

import {
  Initialized, MAX_GARBAGE_LEN, NUM_GARBAGE_TERMINATOR_BYTES, NUM_PACKET_OVERHEAD_BYTES, Protocol, type ProtocolOptions, windowFillingGarbage
} from '../lib'
import { seeded } from './helpers/pair'

const WINDOW = MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES

interface End {
  protocol: Protocol
  /** The error its receive() reported, if any: from then on it would close the connection. */
  error?: Error
}

/** Starts `ours` and `theirs` (on different networks) and delivers their bytes both ways, whole, until
 *  nothing moves or both failed. A side that failed takes nothing more, as a closed socket would. */
function meet (ours: Omit<ProtocolOptions, 'role'>, theirs: Omit<ProtocolOptions, 'role'>, ourRole: 'initiator' | 'responder'): { ours: End, theirs: End } {
  const theirRole = ourRole === 'initiator' ? 'responder' : 'initiator'
  const a: End = { protocol: new Protocol({ network: 'mainnet', ...ours, role: ourRole }) }
  const b: End = { protocol: new Protocol({ network: 'signet', ...theirs, role: theirRole }) }
  const inbox = new Map<End, Uint8Array[]>([[a, [a.protocol.start()]], [b, [b.protocol.start()]]])
  const peer = (e: End): End => (e === a ? b : a)
  for (let moved = true; moved;) {
    moved = false
    for (const from of [a, b]) {
      const to = peer(from)
      for (const chunk of inbox.get(from)!.splice(0)) {
        if (chunk.length === 0 || to.error !== undefined) continue
        moved = true
        const r = to.protocol.receive(chunk)
        inbox.get(to)!.push(...r.send)
        if (r.error !== undefined) to.error = r.error
      }
    }
  }
  return { ours: a, theirs: b }
}

const noTerminator = expect.objectContaining({ name: 'Bip324Error', code: 'ERR_BIP324_NO_TERMINATOR' })

// What a Bitcoin Core peer sends after its key: garbage of a length drawn from 0..4095, its
// terminator, and its version packet (empty contents, no decoys).
const coreFlight = (garbageLength: number): number => garbageLength + NUM_GARBAGE_TERMINATOR_BYTES + NUM_PACKET_OVERHEAD_BYTES

const rand = seeded(324)
const lengths = [0, 1, 100, 4074, 4075, 4095, ...Array.from({ length: 24 }, () => Math.floor(rand() * (MAX_GARBAGE_LEN + 1)))]

describe.each(['initiator', 'responder'] as const)('we are the %s, with the default garbage', (role) => {
  test.each(lengths)('a peer of another network with %i bytes of garbage fails at once; we fail or are awaiting its terminator', (length) => {
    const { ours, theirs } = meet({}, { garbageLength: length }, role)
    // Our key, garbage, terminator and version packet fill its window: it gives up now, not at a timeout.
    expect(theirs.error).toEqual(noTerminator)
    expect(theirs.protocol.state).toBe('closed')
    if (coreFlight(length) >= WINDOW) {
      expect(ours.error).toEqual(noTerminator)
    } else {
      // Its bytes cannot fill our window; its close comes next, while we still look for the terminator.
      expect(ours.error).toBeUndefined()
      expect(ours.protocol.awaitingTerminator).toBe(true)
    }
  })

  test('two of us on different networks both fail at once, whatever garbage each drew (100 handshakes)', () => {
    for (let i = 0; i < 100; i++) {
      const { ours, theirs } = meet({}, {}, role)
      expect([ours.error, theirs.error]).toEqual([noTerminator, noTerminator])
    }
  })
})

test('the default garbage, with the terminator and the packets that follow it, fills 4,095 + 16 bytes: and no more than it must', () => {
  for (const options of [{}, { decoys: [10, 3000] }, { version: new Uint8Array(5000) }]) {
    const following = (options.decoys ?? []).reduce((n, d) => n + d + NUM_PACKET_OVERHEAD_BYTES, (options.version?.length ?? 0) + NUM_PACKET_OVERHEAD_BYTES)
    const shortest = windowFillingGarbage(following)
    expect(shortest).toBe(Math.max(0, MAX_GARBAGE_LEN - following))
    const drawn = new Set<number>()
    for (let i = 0; i < 300; i++) {
      const garbage = new Protocol({ role: 'initiator', ...options }).start().length - 64
      expect(garbage).toBeGreaterThanOrEqual(shortest)
      expect(garbage).toBeLessThanOrEqual(MAX_GARBAGE_LEN)
      drawn.add(garbage)
    }
    // Still drawn at random over that range, as BIP-324 wants garbage to be.
    expect(drawn.size).toBeGreaterThan(Math.min(10, MAX_GARBAGE_LEN + 1 - shortest) - 1)
  }
})

test('the 4,111th byte past the key without this network\'s terminator fails at once, not a byte earlier', () => {
  for (const role of ['initiator', 'responder'] as const) {
    // A peer of another network whose own flight is exactly the window: 4,075 bytes of garbage.
    const peer = new Protocol({ role: role === 'initiator' ? 'responder' : 'initiator', network: 'signet', garbageLength: WINDOW - coreFlight(0) })
    const ours = new Protocol({ role, network: 'mainnet' })
    // The peer's bytes reach us one at a time; what we send reaches it whole, and its answer queues up.
    let toUs = Buffer.from(peer.start())
    const answer = (bytes: Uint8Array): void => {
      if (bytes.length > 0) toUs = Buffer.concat([toUs, ...peer.receive(bytes).send])
    }
    answer(ours.start())
    let fed = 0
    let failedAt = -1
    while (toUs.length > 0 && failedAt < 0) {
      const r = ours.receive(toUs.subarray(0, 1))
      toUs = toUs.subarray(1)
      fed++
      for (const bytes of r.send) answer(bytes)
      if (r.error !== undefined) {
        expect(r.error).toEqual(noTerminator)
        failedAt = fed
      }
    }
    expect(failedAt).toBe(64 + WINDOW)
    expect(ours.state).toBe('closed')
  }
})

test('with garbage lengths both sides chose short, neither window fills: both are left awaiting the terminator', () => {
  // The garbageLength option is taken as given. Only the connection's close or timer can end this;
  // both sides know they are past the peer's key without its terminator (awaitingTerminator).
  for (const role of ['initiator', 'responder'] as const) {
    const { ours, theirs } = meet({ garbageLength: 0 }, { garbageLength: 100 }, role)
    expect([ours.error, theirs.error]).toEqual([undefined, undefined])
    expect([ours.protocol.awaitingTerminator, theirs.protocol.awaitingTerminator]).toEqual([true, true])
  }
})

test('Initialized.sendKey takes what follows the terminator into account, and refuses a count that is not one', () => {
  const garbageOf = (following: number): number => Initialized.create({ role: 'initiator' }).sendKey(undefined, following).bytes.length - 64
  for (let i = 0; i < 50; i++) expect(garbageOf(NUM_PACKET_OVERHEAD_BYTES)).toBeGreaterThanOrEqual(MAX_GARBAGE_LEN - NUM_PACKET_OVERHEAD_BYTES)
  for (const following of [-1, 1.5, '20']) {
    expect(() => Initialized.create({ role: 'initiator' }).sendKey(undefined, following as number))
      .toThrow(expect.objectContaining({ name: 'Bip324Error', code: 'ERR_BIP324_INVALID_ARG' }))
  }
})
