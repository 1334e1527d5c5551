/**
 * Valid byte streams recorded from two real Protocol peers with seeded keys and garbage. A fresh
 * Protocol built with the same options replays one side exactly, so a mutated copy of the other
 * side's stream meets the same keys and gets past the handshake into the packet layer.
 */

import {
  NUM_ELLIGATOR_SWIFT_BYTES, NUM_GARBAGE_TERMINATOR_BYTES, NUM_LENGTH_BYTES, NUM_PACKET_OVERHEAD_BYTES,
  Protocol, type ProtocolOptions, type Role
} from '../../lib'
import { concat } from './case'
import { nameHash, protocolRng, Rng } from './rng'

export type BackendName = 'native' | 'wasm' | 'js'

/** Everything one side sent, with what a receiver must make of it. */
export interface Stream {
  bytes: Uint8Array
  /** Genuine contents after the version packet, in order. */
  messages: Uint8Array[]
  /** Offset in `bytes` where each message's packet ends. */
  messageEnds: number[]
  /** Decoy contents lengths, handshake decoys first. */
  decoys: number[]
  version: Uint8Array
  /** Segment boundaries: ends of key, garbage, terminator, length fields and packets. */
  hotspots: number[]
  /** Largest contents of any packet in the stream. */
  largest: number
}

export interface Scenario {
  name: string
  backend: BackendName
  sessionId: Uint8Array
  /** Fresh options for a peer of `role`: its rng restarts, so it sends what was recorded. */
  options: (role: Role) => ProtocolOptions
  sent: Record<Role, Stream>
}

type Action =
  | { kind: 'send', contents: Uint8Array }
  | { kind: 'decoy', length: number }
  | { kind: 'many', contents: Uint8Array[] }

interface Plan {
  garbage: number
  decoys: number[]
  version: number
  actions: Action[]
}

export const other = (role: Role): Role => (role === 'initiator' ? 'responder' : 'initiator')

function record (name: string, backend: BackendName, seed: number, plans: Record<Role, Plan>): Scenario {
  const root = new Rng(seed, nameHash(name), nameHash(backend))
  const keys = { initiator: root.u32(), responder: root.u32() }
  const versions = { initiator: root.bytes(plans.initiator.version), responder: root.bytes(plans.responder.version) }
  const options = (role: Role): ProtocolOptions => ({
    role,
    backend,
    network: 'mainnet',
    rng: protocolRng(keys[role]),
    garbageLength: plans[role].garbage,
    decoys: plans[role].decoys,
    version: versions[role]
  })
  const peers = { initiator: new Protocol(options('initiator')), responder: new Protocol(options('responder')) }
  const out: Record<Role, Uint8Array[]> = { initiator: [peers.initiator.start()], responder: [peers.responder.start()] }
  const delivered = { initiator: 0, responder: 0 }
  for (let round = 0; round < 8 && (peers.initiator.state !== 'ready' || peers.responder.state !== 'ready'); round++) {
    for (const to of ['responder', 'initiator'] as const) {
      const from = other(to)
      while (delivered[from] < out[from].length) {
        const r = peers[to].receive(out[from][delivered[from]++]!)
        if (r.error !== undefined) throw r.error
        out[to].push(...r.send)
      }
    }
  }
  if (peers.initiator.state !== 'ready' || peers.responder.state !== 'ready') throw new Error(`recording ${name}: no handshake`)
  const sent = { initiator: stream(peers.initiator, out.initiator, plans.initiator, versions.initiator), responder: stream(peers.responder, out.responder, plans.responder, versions.responder) }
  const sessionId = Uint8Array.from(peers.initiator.sessionId!)
  peers.initiator.destroy()
  peers.responder.destroy()
  return { name, backend, sessionId, options, sent }
}

function stream (peer: Protocol, handshake: Uint8Array[], plan: Plan, version: Uint8Array): Stream {
  const parts = [...handshake]
  let at = NUM_ELLIGATOR_SWIFT_BYTES + plan.garbage + NUM_GARBAGE_TERMINATOR_BYTES
  const hotspots = [NUM_ELLIGATOR_SWIFT_BYTES, NUM_ELLIGATOR_SWIFT_BYTES + plan.garbage, at]
  const packet = (contents: number): void => {
    hotspots.push(at + NUM_LENGTH_BYTES, at + contents + NUM_PACKET_OVERHEAD_BYTES)
    at += contents + NUM_PACKET_OVERHEAD_BYTES
  }
  for (const d of plan.decoys) packet(d)
  packet(version.length)
  const messages: Uint8Array[] = []
  const messageEnds: number[] = []
  const decoys = [...plan.decoys]
  for (const action of plan.actions) {
    if (action.kind === 'decoy') {
      parts.push(peer.sendDecoy(action.length))
      decoys.push(action.length)
      packet(action.length)
      continue
    }
    const items = action.kind === 'send' ? [action.contents] : action.contents
    parts.push(action.kind === 'send' ? peer.send(action.contents) : peer.sendMany(action.contents))
    for (const c of items) {
      packet(c.length)
      messages.push(c)
      messageEnds.push(at)
    }
  }
  const bytes = concat(parts)
  if (bytes.length !== at) throw new Error(`recording: stream of ${bytes.length} bytes, expected ${at}`)
  const largest = Math.max(version.length, ...decoys, ...messages.map((m) => m.length))
  return { bytes, messages, messageEnds, decoys, version, hotspots, largest }
}

function smallPlan (rng: Rng, role: Role): Plan {
  const actions: Action[] = []
  for (let i = 0; i < 24; i++) {
    const r = rng.int(10)
    if (r < 2) actions.push({ kind: 'decoy', length: rng.size(300) })
    else if (r < 4) actions.push({ kind: 'many', contents: Array.from({ length: rng.range(1, 6) }, () => rng.bytes(rng.size(400))) })
    else actions.push({ kind: 'send', contents: rng.bytes(rng.size(400)) })
  }
  return {
    garbage: rng.size(64),
    decoys: role === 'initiator' ? [0, rng.size(50)] : [rng.size(20)],
    version: role === 'initiator' ? rng.size(40) : 0,
    actions
  }
}

// More than 224 packets: both ciphers of the direction rekey inside the stream.
function rekeyPlan (rng: Rng, role: Role): Plan {
  const actions: Action[] = []
  for (let sent = 0; sent < 250;) {
    const n = rng.range(1, 40)
    actions.push({ kind: 'many', contents: Array.from({ length: n }, () => rng.bytes(rng.size(12))) })
    if (rng.chance(0.2)) actions.push({ kind: 'decoy', length: rng.size(8) })
    sent += n
  }
  return { garbage: role === 'initiator' ? 0 : rng.range(1, 16), decoys: [], version: 0, actions }
}

// Garbage at its 4095-byte maximum, so the terminator ends exactly at the search window's edge, and
// packets bigger than any chunk.
function bigPlan (rng: Rng, role: Role): Plan {
  return {
    garbage: 4095,
    decoys: role === 'initiator' ? [1000] : [0],
    version: role === 'initiator' ? 100 : 0,
    actions: [
      { kind: 'send', contents: rng.bytes(70_000) },
      { kind: 'decoy', length: 20_000 },
      { kind: 'many', contents: [new Uint8Array(0), rng.bytes(1), rng.bytes(5000)] },
      { kind: 'send', contents: rng.bytes(65_536) }
    ]
  }
}

const PLANS = { small: smallPlan, rekey: rekeyPlan, big: bigPlan }

export const SCENARIO_NAMES = Object.keys(PLANS) as Array<keyof typeof PLANS>

export function recordAll (seed: number, backends: readonly BackendName[]): Map<string, Scenario> {
  const scenarios = new Map<string, Scenario>()
  for (const backend of backends) {
    for (const name of SCENARIO_NAMES) {
      const rng = new Rng(seed, nameHash(`plan:${name}`))
      const plans = { initiator: PLANS[name](rng, 'initiator'), responder: PLANS[name](rng, 'responder') }
      scenarios.set(`${backend}:${name}`, record(name, backend, seed, plans))
    }
  }
  return scenarios
}
