/**
 * Targets for Protocol.receive(), as responder and as initiator: random byte streams, mutations of
 * recorded valid streams (deep into the packet layer), and v1-looking prefixes. Every call is
 * checked: no throw, errors only as peer-caused Bip324Error codes, `buffered` within one packet,
 * nothing after an error but a BAD_STATE refusal, and nothing forged: every message delivered is the
 * next one the recorded peer sent.
 */

import {
  type Bip324Error, DEFAULT_MAX_CONTENTS, encodeV1Message, magicOf, MAX_GARBAGE_LEN, NETWORK_MAGIC,
  NUM_ELLIGATOR_SWIFT_BYTES, NUM_GARBAGE_TERMINATOR_BYTES, NUM_HEADER_BYTES, NUM_LENGTH_BYTES, NUM_TAG_BYTES,
  Protocol, type ProtocolOptions, type ReceiveResult, type Role, V1_PREFIX_BYTES, V1MessageReader, v1Prefix, encodePayload
} from '../../lib'
import { toHex } from '../../test/helpers/bytes'
import { check, concat, equal, Finding, isBip324, only, type Params, type Target } from './case'
import { randomCommand, randomMessage } from './generators'
import { chunksOf, cuts, mutate } from './mutate'
import { type BackendName, other, type Scenario, SCENARIO_NAMES } from './recording'
import { protocolRng, type Rng } from './rng'

const PEER_CODES = ['ERR_BIP324_BAD_MAC', 'ERR_BIP324_NO_TERMINATOR', 'ERR_BIP324_OVERSIZED', 'ERR_BIP324_V1_PEER', 'ERR_BIP324_BAD_MAGIC']
const V1_READER_CODES = ['ERR_BIP324_BAD_MAGIC', 'ERR_BIP324_BAD_CHECKSUM', 'ERR_BIP324_BAD_MESSAGE_TYPE', 'ERR_BIP324_OVERSIZED']
const NETWORKS = Object.keys(NETWORK_MAGIC) as Array<keyof typeof NETWORK_MAGIC>
/** Where the terminator must end at the latest, counted from the first byte after the peer's key. */
const GARBAGE_WINDOW = MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES

/**
 * The most `buffered` may hold between calls, from the code: before the handshake, under 16 bytes
 * (v1 check), under 64 (key) or under 4095 + 16 (garbage searched, terminator not found yet: at
 * 4111 it fails); after, the body of one packet (header + contents + tag, allocated whole once its
 * length passed maxContents) or up to 2 bytes of a split length field, never both.
 */
export function bufferBound (maxContents: number): number {
  return Math.max(V1_PREFIX_BYTES - 1, NUM_ELLIGATOR_SWIFT_BYTES - 1, GARBAGE_WINDOW - 1,
    NUM_HEADER_BYTES + maxContents + NUM_TAG_BYTES, NUM_LENGTH_BYTES - 1)
}

export interface Observed {
  sends: Uint8Array[]
  messages: Uint8Array[]
  decoys: number[]
  handshakes: Array<{ sessionId: Uint8Array, version: Uint8Array }>
  v1: Uint8Array | null
  /** Index of the call that reported v1, the first send, the error (-1: none). */
  v1Call: number
  firstSendCall: number
  error: Bip324Error | null
  errorCall: number
  buffered: number
  state: string
}

let retentionCheck = false

/** How close inputs came to the bound: the largest `buffered` and the largest share of its bound. */
export const bufferedSeen = { most: 0, mostBound: 0, share: 0, shareBuffered: 0, shareBound: 0 }

/** Also feed every mutated stream through one scratch buffer, overwritten after each call, and
 *  compare: finds state that keeps referring to the caller's chunk after receive() returned. */
export function setRetentionCheck (on: boolean): void {
  retentionCheck = on
}

function afterClose (p: Protocol, chunk: Uint8Array, why: string): void {
  let r: ReceiveResult
  try {
    r = p.receive(chunk)
  } catch (err) {
    check(isBip324(err) && err.code === 'ERR_BIP324_BAD_STATE', 'receive() after close threw a foreign error', () => `${why}: ${String((err as Error)?.stack ?? err)}`)
    return
  }
  check(r.error !== undefined && isBip324(r.error), 'receive() after close accepted bytes', () => `${why}: returned ${r.messages.length} messages, no error`)
}

/** Feeds chunks to a fresh Protocol and checks every call. `reuse`: one scratch buffer for every chunk. */
export function drive (options: ProtocolOptions, chunks: readonly Uint8Array[], destroy: boolean, reuse = false): Observed {
  const p = new Protocol(options)
  const limit = bufferBound(options.maxContents ?? DEFAULT_MAX_CONTENTS)
  const obs: Observed = { sends: [], messages: [], decoys: [], handshakes: [], v1: null, v1Call: -1, firstSendCall: -1, error: null, errorCall: -1, buffered: 0, state: '' }
  const start = p.start()
  if (start.length > 0) obs.sends.push(start)
  const scratch = reuse ? new Uint8Array(Math.max(1, ...chunks.map((c) => c.length))) : null
  for (let i = 0; i < chunks.length; i++) {
    let chunk = chunks[i]!
    if (obs.error !== null || obs.v1 !== null) {
      afterClose(p, chunk, obs.error !== null ? `after ${obs.error.code}` : 'after v1')
      break
    }
    if (scratch !== null) {
      chunk = scratch.subarray(0, chunk.length)
      chunk.set(chunks[i]!)
    }
    let r: ReceiveResult
    try {
      r = p.receive(chunk)
    } catch (err) {
      throw new Finding('receive() threw', `call ${i} (${chunk.length} bytes): ${String((err as Error)?.stack ?? err)}`)
    }
    check(Array.isArray(r.send) && Array.isArray(r.messages) && Array.isArray(r.events), 'malformed result', () => JSON.stringify(Object.keys(r)))
    for (const s of r.send) {
      check(s instanceof Uint8Array, 'send is not bytes', () => typeof s)
      if (s.length > 0 && obs.firstSendCall < 0) obs.firstSendCall = i
      obs.sends.push(scratch !== null ? Uint8Array.from(s) : s)
    }
    for (const e of r.events) {
      if (e.type === 'decoy') {
        obs.decoys.push(e.length)
      } else if (e.type === 'handshake') {
        check(obs.handshakes.length === 0, 'second handshake event', () => `call ${i}`)
        obs.handshakes.push({ sessionId: Uint8Array.from(e.sessionId), version: Uint8Array.from(e.version) })
      } else if (e.type === 'v1') {
        check(options.role === 'responder', 'v1 event as initiator', () => `call ${i}`)
        obs.v1 = Uint8Array.from(e.data)
        obs.v1Call = i
        check(p.state === 'v1', 'v1 event but state is not v1', () => p.state)
      } else {
        throw new Finding('unknown event', JSON.stringify(e))
      }
    }
    for (const m of r.messages) {
      check(m instanceof Uint8Array, 'message is not bytes', () => typeof m)
      check(obs.handshakes.length === 1, 'message before the handshake', () => `call ${i}`)
      obs.messages.push(scratch !== null ? Uint8Array.from(m) : m)
    }
    if (p.buffered > bufferedSeen.most) Object.assign(bufferedSeen, { most: p.buffered, mostBound: limit })
    if (p.buffered / limit > bufferedSeen.share) Object.assign(bufferedSeen, { share: p.buffered / limit, shareBuffered: p.buffered, shareBound: limit })
    check(p.buffered <= limit, 'buffered over one packet', () => `${p.buffered} bytes buffered after call ${i}, bound ${limit}`)
    if (r.error !== undefined) {
      check(isBip324(r.error), 'result.error is not a Bip324Error', () => String((r.error as Error)?.stack ?? r.error))
      check(PEER_CODES.includes(r.error.code), 'result.error has a non-peer code', () => `${r.error!.code}: ${r.error!.message}`)
      check(p.state === 'closed' && p.buffered === 0, 'error left the protocol open', () => `state ${p.state}, buffered ${p.buffered}`)
      obs.error = r.error
      obs.errorCall = i
    }
    if (scratch !== null) chunk.fill(0xaa)
  }
  obs.buffered = p.buffered
  obs.state = p.state
  if (destroy) {
    p.destroy()
    afterClose(p, new Uint8Array(1), 'after destroy()')
  }
  return obs
}

function sameObservation (a: Observed, b: Observed): string | null {
  if (a.messages.length !== b.messages.length) return `${a.messages.length} vs ${b.messages.length} messages`
  for (let i = 0; i < a.messages.length; i++) if (!equal(a.messages[i]!, b.messages[i]!)) return `message ${i} differs`
  if (a.decoys.join() !== b.decoys.join()) return `decoys ${a.decoys.join()} vs ${b.decoys.join()}`
  if (a.handshakes.length !== b.handshakes.length) return `handshake ${a.handshakes.length} vs ${b.handshakes.length}`
  if ((a.error?.code ?? 'none') !== (b.error?.code ?? 'none')) return `error ${a.error?.code ?? 'none'} vs ${b.error?.code ?? 'none'}`
  if (a.buffered !== b.buffered) return `buffered ${a.buffered} vs ${b.buffered}`
  if (!equal(concat(a.sends), concat(b.sends))) return 'sent bytes differ'
  if ((a.v1 === null) !== (b.v1 === null) || (a.v1 !== null && !equal(a.v1, b.v1!))) return 'v1 data differs'
  return null
}

function options (p: Params, role: Role): ProtocolOptions {
  return {
    role,
    backend: 'native',
    network: p.network as keyof typeof NETWORK_MAGIC,
    rng: protocolRng(Number(p.keys)),
    maxContents: Number(p.maxContents),
    v1: p.v1 === 'reject' ? 'reject' : 'report'
  }
}

function maxContents (rng: Rng, largest: number): number {
  const r = rng.int(10)
  return r < 7 ? DEFAULT_MAX_CONTENTS : r < 8 ? largest : r < 9 ? rng.size(largest) : rng.pick([0, 1, 0xffffff])
}

function commonParams (rng: Rng): Params {
  return { network: rng.pick(NETWORKS), keys: rng.u32(), v1: rng.chance(0.5) ? 'report' : 'reject', destroy: rng.chance(0.5) }
}

// (a) Random bytes: a random stream never holds the peer's terminator, so what happens is exact.
function randomTarget (role: Role): Target {
  return {
    name: `protocol.random.${role}`,
    weight: 3,
    gen: (rng) => {
      const length = rng.chance(0.15) ? rng.range(NUM_ELLIGATOR_SWIFT_BYTES + GARBAGE_WINDOW - 8, NUM_ELLIGATOR_SWIFT_BYTES + GARBAGE_WINDOW + 8) : rng.chance(0.03) ? rng.size(70_000) : rng.size(4300)
      const bytes = rng.bytes(length)
      return { bytes, cuts: cuts(rng, length), params: { ...commonParams(rng), maxContents: maxContents(rng, 5000) } }
    },
    run: (c) => {
      const chunks = chunksOf(c.bytes, c.cuts)
      const o = drive(options(c.params, role), chunks, c.params.destroy === true)
      const prefix = v1Prefix(magicOf(c.params.network as keyof typeof NETWORK_MAGIC))
      if (role === 'responder' && c.bytes.length >= V1_PREFIX_BYTES && equal(c.bytes.subarray(0, V1_PREFIX_BYTES), prefix)) return 'v1'
      check(o.messages.length === 0 && o.handshakes.length === 0 && o.decoys.length === 0, 'random bytes authenticated', () => `${o.messages.length} messages, ${o.decoys.length} decoys`)
      // After our key (responder: once the first byte ruled v1 out), 64 key bytes, then the window.
      const failsAt = NUM_ELLIGATOR_SWIFT_BYTES + GARBAGE_WINDOW
      if (c.bytes.length >= failsAt) {
        check(o.error?.code === 'ERR_BIP324_NO_TERMINATOR', 'no NO_TERMINATOR after the window', () => `${c.bytes.length} bytes: ${o.error?.code ?? 'no error'}`)
        let fed = 0
        const call = chunks.findIndex((ch) => (fed += ch.length) >= failsAt)
        check(o.errorCall === call, 'NO_TERMINATOR at the wrong call', () => `call ${o.errorCall}, expected ${call}`)
      } else {
        check(o.error === null, 'error before the window was full', () => `${c.bytes.length} bytes: ${o.error?.code ?? ''}`)
        const held = c.bytes.length >= NUM_ELLIGATOR_SWIFT_BYTES ? c.bytes.length - NUM_ELLIGATOR_SWIFT_BYTES : c.bytes.length
        check(o.buffered === held, 'buffered is not what was held', () => `${o.buffered}, expected ${held}`)
      }
      return o.error?.code ?? 'ok'
    }
  }
}

function firstDifference (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return n
}

// (b) Mutations of a recorded stream, fed to a fresh peer that holds the recorded keys.
function mutatedTarget (name: string, backend: BackendName, roles: readonly Role[], weight: number, scenarios: Map<string, Scenario>): Target {
  return {
    name,
    weight,
    gen: (rng) => {
      const scenario = rng.pick([...SCENARIO_NAMES, 'small', 'small', 'rekey'])
      const role = rng.pick(roles)
      const s = scenarios.get(`${backend}:${scenario}`)!
      const stream = s.sent[other(role)]
      const donors = [s.sent[role].bytes, ...SCENARIO_NAMES.map((n) => scenarios.get(`${backend}:${n}`)!.sent[other(role)].bytes)]
      const bytes = rng.chance(0.08) ? stream.bytes : mutate(rng, stream.bytes, donors, stream.hotspots)
      return {
        bytes,
        cuts: cuts(rng, bytes.length, stream.hotspots, 1500),
        params: { scenario, role, maxContents: maxContents(rng, stream.largest), diff: rng.chance(0.3), destroy: rng.chance(0.5) }
      }
    },
    run: (c) => {
      const role = c.params.role as Role
      const s = scenarios.get(`${backend}:${String(c.params.scenario)}`)!
      const stream = s.sent[other(role)]
      const opts = (): ProtocolOptions => ({ ...s.options(role), maxContents: Number(c.params.maxContents) })
      const o = drive(opts(), chunksOf(c.bytes, c.cuts), c.params.destroy === true)
      // Authenticity: whatever is delivered is what the recorded peer sent, in its order.
      check(o.messages.length <= stream.messages.length, 'more messages than were sent', () => `${o.messages.length} > ${stream.messages.length}`)
      o.messages.forEach((m, i) => check(equal(m, stream.messages[i]!), 'forged or reordered message', () => `message ${i}: ${toHex(m).slice(0, 64)}`))
      check(o.decoys.every((d, i) => d === stream.decoys[i]), 'forged decoy', () => `${o.decoys.join()} vs ${stream.decoys.join()}`)
      for (const h of o.handshakes) {
        check(equal(h.sessionId, s.sessionId) && equal(h.version, stream.version), 'handshake with other keys or version', () => toHex(h.sessionId))
      }
      // Our key and garbage never change; what follows does once the peer's key was changed.
      const sent = concat(o.sends)
      const fixed = firstDifference(c.bytes, stream.bytes) >= NUM_ELLIGATOR_SWIFT_BYTES ? sent.length : Math.min(sent.length, NUM_ELLIGATOR_SWIFT_BYTES + (s.options(role).garbageLength ?? 0))
      check(equal(sent.subarray(0, fixed), s.sent[role].bytes.subarray(0, fixed)), 'sent bytes are not the recorded ones', () => 'the receiver is not deterministic')
      // Nothing lost: every packet that ended before the first changed byte is delivered.
      if (Number(c.params.maxContents) >= stream.largest) {
        const intact = firstDifference(c.bytes, stream.bytes)
        const due = stream.messageEnds.filter((end) => end <= intact).length
        check(o.messages.length >= due, 'message lost before the first changed byte', () => `${o.messages.length} delivered, ${due} complete before byte ${intact}`)
        if (equal(c.bytes, stream.bytes)) {
          check(o.error === null && o.messages.length === stream.messages.length && o.decoys.length === stream.decoys.length,
            'valid stream not fully delivered', () => `${o.error?.code ?? 'no error'}, ${o.messages.length}/${stream.messages.length} messages`)
        }
      }
      if (c.params.diff === true && c.cuts.length > 0) {
        const whole = drive(opts(), [c.bytes], false)
        const d = sameObservation(o, whole)
        check(d === null, 'chunking changed the outcome', () => `chunked vs whole: ${d!}`)
      }
      if (retentionCheck) {
        const reused = drive(opts(), chunksOf(c.bytes, c.cuts), false, true)
        const d = sameObservation(o, reused)
        check(d === null, 'receive() kept a reference to the caller\'s chunk', () => `fresh chunks vs one reused buffer: ${d!}`)
      }
      return o.error?.code ?? (o.handshakes.length > 0 ? `ok+${o.messages.length > 0 ? 'msgs' : 'hs'}` : 'ok')
    }
  }
}

// (c) v1-looking prefixes: the prefix, part of it, a prefix that diverges at some byte, another
// network's prefix; then v1 messages, a mutation of them, or random bytes.
function v1Target (): Target {
  return {
    name: 'protocol.v1prefix',
    weight: 3,
    gen: (rng) => {
      const ours = rng.pick(NETWORKS)
      const theirs = rng.chance(0.75) ? ours : rng.pick(NETWORKS)
      const magic = magicOf(theirs)
      const messages = [encodeV1Message(magic, 'version', encodePayload(randomMessage(rng, 'version')))]
      for (let n = rng.size(4); n > 0; n--) {
        const type = randomCommand(rng)
        messages.push(encodeV1Message(magic, type, rng.chance(0.5) ? rng.bytes(rng.size(300)) : encodePayload(randomMessage(rng, 'verack'))))
      }
      let bytes = concat(messages)
      const kind = rng.int(5)
      if (kind === 1) bytes = bytes.subarray(0, rng.int(V1_PREFIX_BYTES))
      if (kind === 2) {
        const at = rng.int(V1_PREFIX_BYTES)
        bytes = concat([bytes.subarray(0, at), Uint8Array.of(bytes[at]! ^ (1 + rng.int(255))), rng.bytes(rng.chance(0.1) ? 4200 : rng.size(200))])
      }
      if (kind === 3) bytes = mutate(rng, bytes)
      return { bytes, cuts: cuts(rng, bytes.length, [4, 11, 15, 16, 17, 24]), params: { ...commonParams(rng), network: ours, role: rng.chance(0.85) ? 'responder' : 'initiator', maxContents: DEFAULT_MAX_CONTENTS, intact: kind === 0 || kind === 4 } }
    },
    run: (c) => {
      const role = c.params.role as Role
      const chunks = chunksOf(c.bytes, c.cuts)
      const o = drive(options(c.params, role), chunks, c.params.destroy === true)
      if (role === 'initiator') {
        check(o.v1 === null, 'v1 event as initiator', () => '')
        return o.error?.code ?? 'ok'
      }
      const magic = magicOf(c.params.network as keyof typeof NETWORK_MAGIC)
      const matched = firstDifference(c.bytes.subarray(0, V1_PREFIX_BYTES), v1Prefix(magic))
      let fed = 0
      const ends = chunks.map((ch) => (fed += ch.length))
      if (matched === V1_PREFIX_BYTES) {
        // Decided at the call that brought the 16th byte; every byte fed so far is handed back.
        const call = ends.findIndex((end) => end >= V1_PREFIX_BYTES)
        check(o.sends.length === 0, 'a v1 peer was sent our key', () => `${o.sends.length} sends`)
        if (c.params.v1 === 'reject') {
          check(o.error?.code === 'ERR_BIP324_V1_PEER' && o.errorCall === call, 'v1 peer not refused at the 16th byte', () => `${o.error?.code ?? 'none'} at call ${o.errorCall}, expected ${call}`)
          return 'v1-rejected'
        }
        check(o.v1 !== null && o.v1Call === call, 'v1 peer not reported at the 16th byte', () => `v1 at call ${o.v1Call}, expected ${call}`)
        check(equal(o.v1!, c.bytes.subarray(0, ends[call]!)), 'v1 data is not every byte received', () => `${o.v1!.length} bytes, expected ${ends[call]!}`)
        const reader = new V1MessageReader(magic)
        for (const chunk of chunksOf(o.v1!, c.cuts)) {
          // push() reports a broken stream in its result: a throw of any kind is a finding.
          const r = only('V1MessageReader.push', [], () => reader.push(chunk))
          if (r.ok && r.value.error !== undefined) check(V1_READER_CODES.includes(r.value.error.code), 'v1 reader error code', () => r.value.error!.code)
          if (r.ok && c.params.intact === true) check(r.value.error === undefined, 'valid v1 messages refused', () => r.value.error!.message)
        }
        return 'v1'
      }
      check(o.v1 === null, 'v1 reported for a non-v1 prefix', () => `matched ${matched} bytes`)
      // Another network's v1 version (bytes 4..16 are its command, the magic is not ours): refused
      // at the call that brings the 16th byte, our key sent only if an earlier call ruled v1 out.
      if (c.bytes.length >= V1_PREFIX_BYTES && equal(c.bytes.subarray(4, V1_PREFIX_BYTES), v1Prefix(magic).subarray(4))) {
        const sixteenth = ends.findIndex((end) => end >= V1_PREFIX_BYTES)
        const decided = ends.findIndex((end) => end > matched)
        check(o.error?.code === 'ERR_BIP324_BAD_MAGIC' && o.errorCall === sixteenth, 'another network\'s v1 peer not refused at the 16th byte', () => `${o.error?.code ?? 'none'} at call ${o.errorCall}, expected ${sixteenth}`)
        check(decided < sixteenth ? o.firstSendCall === decided : o.sends.length === 0, 'our key and another network\'s v1 peer', () => `first send at call ${o.firstSendCall}, v2 decided at ${decided}, 16th byte at ${sixteenth}`)
        return 'v1-other-network'
      }
      if (matched < c.bytes.length) {
        // The first byte that differs rules v1 out: our key goes out in that call.
        const call = ends.findIndex((end) => end > matched)
        check(o.firstSendCall === call, 'v2 not decided at the first differing byte', () => `first send at call ${o.firstSendCall}, expected ${call}`)
      } else {
        check(o.sends.length === 0 && o.error === null, 'decided before 16 bytes', () => `${o.sends.length} sends`)
        check(o.buffered === c.bytes.length, 'undecided bytes not held', () => `${o.buffered} of ${c.bytes.length}`)
      }
      return o.error?.code ?? (matched < c.bytes.length ? 'v2' : 'undecided')
    }
  }
}

export function protocolTargets (scenarios: Map<string, Scenario>, withJs: boolean): Target[] {
  const targets = [
    randomTarget('responder'),
    randomTarget('initiator'),
    mutatedTarget('protocol.mutated.responder', 'native', ['responder'], 8, scenarios),
    mutatedTarget('protocol.mutated.initiator', 'native', ['initiator'], 8, scenarios),
    mutatedTarget('protocol.mutated.wasm', 'wasm', ['responder', 'initiator'], 2, scenarios),
    v1Target()
  ]
  if (withJs) targets.push(mutatedTarget('protocol.mutated.js', 'js', ['responder', 'initiator'], 0.15, scenarios))
  return targets
}

/** Every recorded stream, untouched, whole and in random chunks, must deliver everything: else the
 *  mutation targets would be measuring a broken baseline. */
export function selfTest (scenarios: Map<string, Scenario>, rng: Rng): void {
  for (const s of scenarios.values()) {
    for (const role of ['responder', 'initiator'] as const) {
      const stream = s.sent[other(role)]
      for (const at of [[], cuts(rng, stream.bytes.length, stream.hotspots), stream.hotspots]) {
        const o = drive(s.options(role), chunksOf(stream.bytes, at), true)
        if (o.error !== null || o.messages.length !== stream.messages.length || o.handshakes.length !== 1 || o.decoys.length !== stream.decoys.length) {
          throw new Finding('recorded stream not delivered', `${s.backend}:${s.name} to ${role}: ${o.error?.code ?? 'no error'}, ${o.messages.length}/${stream.messages.length} messages`)
        }
      }
    }
  }
}
