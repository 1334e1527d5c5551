// selectNodeToEvict alone, with the cases of Bitcoin Core's p2p_eviction_tests: each rule keeps its
// connections whatever the others hold, and the youngest of the largest network group goes.

import { type EvictionCandidate, protectEvictionCandidatesByRatio, selectNodeToEvict } from '../lib/net/eviction'

type C = EvictionCandidate<number>

// `n` candidates in distinct network groups, id i connected at time i (the higher the younger).
function candidates (n: number, edit: (c: C) => void = () => {}): C[] {
  return Array.from({ length: n }, (_, id) => {
    const c: C = { id, connected: 1000 + id, keyedNetGroup: (id * 2654435761) % 2 ** 32, isLocal: false, network: 'ipv4' }
    edit(c)
    return c
  })
}

// Whether none of `ids` is ever evicted, over many draws of the other candidates' network groups.
function neverEvicted (make: () => C[], ids: number[]): boolean {
  for (let round = 0; round < 100; round++) {
    const list = make()
    const victim = selectNodeToEvict(list)
    if (victim !== undefined && ids.includes(victim)) return false
  }
  return true
}

test('a handful of connections are all protected: nobody is evicted', () => {
  expect(selectNodeToEvict([])).toBeUndefined()
  expect(selectNodeToEvict(candidates(4))).toBeUndefined()
  // 4 by network group, then half of the other 2 by uptime: one is left.
  expect(selectNodeToEvict(candidates(6))).toBe(5)
})

test('from one network group, the youngest unprotected goes: the 4 oldest by group and half of the rest by uptime stay', () => {
  const same = candidates(20, (c) => { c.keyedNetGroup = 7 })
  expect(selectNodeToEvict(same)).toBe(19)
  const list = same.slice()
  protectEvictionCandidatesByRatio(list)
  expect(list.map((c) => c.id).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
})

test('the youngest of the group with the most connections goes, not the youngest overall', () => {
  const list = candidates(40, (c) => { c.keyedNetGroup = c.id % 4 === 0 ? 1 : 100 + c.id })
  // Ten in group 1 (ids 0, 4, ..., 36), every other alone: the youngest of group 1 unprotected is 36.
  expect(selectNodeToEvict(list)).toBe(36)
})

test('the 8 lowest pings are never evicted; a connection without a ping is not protected by one', () => {
  const make = (): C[] => candidates(40, (c) => {
    c.keyedNetGroup = Math.floor(Math.random() * 2 ** 32)
    c.minPingTime = c.id >= 32 ? c.id - 31 : 100 + c.id
  })
  expect(neverEvicted(make, [32, 33, 34, 35, 36, 37, 38, 39])).toBe(true)
  // Without pings, the same young connections are fair game.
  const noPing = (): C[] => candidates(40, (c) => { c.keyedNetGroup = Math.floor(Math.random() * 2 ** 32) })
  expect(neverEvicted(noPing, [32, 33, 34, 35, 36, 37, 38, 39])).toBe(false)
})

test('the 4 that last sent novel transactions, and the 4 that last sent novel blocks, are never evicted', () => {
  const make = (): C[] => candidates(40, (c) => {
    c.keyedNetGroup = Math.floor(Math.random() * 2 ** 32)
    if (c.id >= 36) c.lastTxTime = 5000 + c.id
    if (c.id >= 32 && c.id < 36) { c.lastBlockTime = 5000 + c.id; c.relayTxs = true }
  })
  expect(neverEvicted(make, [32, 33, 34, 35, 36, 37, 38, 39])).toBe(true)
})

test('up to 8 block-relay-only peers that sent blocks are never evicted', () => {
  const make = (): C[] => candidates(60, (c) => {
    c.keyedNetGroup = Math.floor(Math.random() * 2 ** 32)
    c.relayTxs = c.id < 48
    if (c.id >= 48) { c.relevantServices = true; c.lastBlockTime = 5000 + c.id }
  })
  // 12 block-relay-only senders of blocks: 8 by that rule, 4 by the block rule.
  expect(neverEvicted(make, Array.from({ length: 12 }, (_, i) => 48 + i))).toBe(true)
})

test('the longest connected half of what is left is never evicted', () => {
  const make = (): C[] => candidates(40, (c) => { c.keyedNetGroup = Math.floor(Math.random() * 2 ** 32) })
  // 4 by group, then half of 36 by uptime: the 18 oldest at least.
  expect(neverEvicted(make, Array.from({ length: 18 }, (_, i) => i))).toBe(true)
})

test('loopback peers (a local Tor daemon) get up to a quarter of the places by uptime, even when younger', () => {
  const list = candidates(20, (c) => { c.isLocal = c.id >= 16 })
  protectEvictionCandidatesByRatio(list)
  // 10 protected: 5 of them loopback (only 4 exist), the rest the oldest.
  const left = list.map((c) => c.id)
  for (const id of [16, 17, 18, 19]) expect(left).not.toContain(id)
  for (const id of [0, 1, 2, 3, 4, 5]) expect(left).not.toContain(id)
  expect(left).toHaveLength(10)
})

test('noban connections are never evicted; if any connection left prefers eviction, one of those goes', () => {
  const noban = candidates(40, (c) => { c.keyedNetGroup = 1; c.noban = c.id === 39 })
  expect(selectNodeToEvict(noban)).toBe(38)
  const prefer = candidates(40, (c) => { c.keyedNetGroup = c.id === 30 ? 0 : 1; c.preferEvict = c.id === 30 })
  expect(selectNodeToEvict(prefer)).toBe(30)
  expect(selectNodeToEvict(candidates(40, (c) => { c.noban = true }))).toBeUndefined()
})
