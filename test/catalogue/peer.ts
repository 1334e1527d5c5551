/** Catalogue rows for a Peer's peer: messages out of order, bad payloads, silence, answers to our
 *  requests that are not, against the Core stand-in (test/helpers/core-node.ts), with the Peer's
 *  default policy (Core's verdicts). */

import { once } from 'node:events'

import { connectPeer, MAX_BLOCKS_IN_TRANSIT_PER_PEER, MAX_PROTOCOL_MESSAGE_LENGTH, type Peer, type PeerOptions } from '../../lib'
import { encodeCompactSize } from '../../lib/messages'
import { type CoreBehaviour, coreNode, nonceOf, type Scripted } from '../helpers/core-node'
import type { Case, Outcome } from './case'

// The stand-in's last word: a ping our pong answers only if the connection outlived what came before.
const PROBE = 0x5eedn

/** A Peer to a Core stand-in behaving as `b`: the Peer's error code once it closed, or 'none' once it
 *  has answered the stand-in's last ping (unless `probe` is false: then only an error ends it). */
async function againstPeer (b: CoreBehaviour, options: Partial<PeerOptions> = {}, probe = true): Promise<Outcome> {
  const node = await coreNode({ ...b, afterVerack: [...(b.afterVerack ?? []), ...(probe ? [{ type: 'ping', nonce: PROBE } as const] : [])] })
  const peer = connectPeer({ host: '127.0.0.1', port: node.port, pingInterval: 0, ...options })
  const core = await node.accepted()
  const outcome = await new Promise<Outcome>((resolve) => {
    peer.once('error', (err) => peer.once('close', () => resolve({ code: (err as Error & { code: string }).code, closed: true })))
    void core.next('pong', (m) => nonceOf(m.payload) === PROBE).then(() => resolve({ code: 'none', closed: peer.destroyed }))
  })
  peer.destroy()
  await node.close()
  return outcome
}

/** A Peer's requests (`ask`) to a Core stand-in that answers `answers` once `asked` reached it,
 *  then pings: the code the requests failed with, 'answered' if one resolved, or 'none' if they
 *  all still wait once our pong answered that ping (the Peer handles messages in order). */
async function againstRequests (ask: (peer: Peer) => Array<Promise<unknown>>, asked: string, answers: Scripted[]): Promise<Outcome> {
  const node = await coreNode()
  const peer = connectPeer({ host: '127.0.0.1', port: node.port, pingInterval: 0 })
  const core = await node.accepted()
  await once(peer, 'ready')
  let settled: string | undefined
  for (const p of ask(peer)) p.then(() => { settled ??= 'answered' }, (err: Error & { code: string }) => { settled ??= err.code })
  await core.next(asked)
  for (const a of answers) core.send(a)
  core.send({ type: 'ping', nonce: PROBE })
  await core.next('pong', (m) => nonceOf(m.payload) === PROBE)
  const outcome = { code: settled ?? 'none', ...(peer.destroyed && { closed: true }) }
  peer.destroy()
  await node.close()
  return outcome
}

const DROPPED = 'nothing: the message is dropped, the connection stays (a \'misbehavior\' event reports it)'
const NOTHING_KEPT = 'nothing kept of the message'

export const peerCases: Case[] = [
  {
    id: 'peer-verack-before-version',
    input: 'a verack before the peer\'s version',
    expected: 'none',
    closed: `${DROPPED}, as Core drops it; the handshake completes`,
    memory: NOTHING_KEPT,
    run: () => againstPeer({ first: [{ type: 'verack' }] })
  },
  {
    id: 'peer-inv-before-verack',
    input: 'an inv between version and verack',
    expected: 'none',
    closed: `${DROPPED}, as Core drops it`,
    memory: NOTHING_KEPT,
    run: () => againstPeer({ beforeVerack: [{ type: 'inv', inventory: [] }] })
  },
  {
    id: 'peer-second-version',
    input: 'a second version after verack',
    expected: 'none',
    closed: `${DROPPED}; what the first said stands`,
    memory: NOTHING_KEPT,
    run: () => againstPeer({
      afterVerack: [{
        type: 'version', version: 70016, services: 0n, timestamp: 0n, receiver: { services: 0n, ip: new Uint8Array(16), port: 0 },
        sender: { services: 0n, ip: new Uint8Array(16), port: 0 }, nonce: 1n, userAgent: '/again/', startHeight: 0, relay: false
      }]
    })
  },
  {
    id: 'peer-wtxidrelay-after-verack',
    input: 'wtxidrelay after verack (sendaddrv2 alike)',
    expected: 'ERR_BIP324_MISBEHAVIOR',
    closed: 'the connection, as Core disconnects',
    memory: NOTHING_KEPT,
    run: () => againstPeer({ afterVerack: [{ type: 'wtxidrelay' }] })
  },
  {
    id: 'peer-feature-after-verack',
    input: 'a feature (BIP-434) after verack',
    expected: 'ERR_BIP324_MISBEHAVIOR',
    closed: 'the connection, as Core disconnects',
    memory: NOTHING_KEPT,
    run: () => againstPeer({ version: 70017, afterVerack: [{ type: 'feature', featureId: 'BIP434', featureData: new Uint8Array(0) }] }, { protocolVersion: 70017 })
  },
  {
    id: 'peer-feature-old-version',
    input: 'a feature between version and verack at a common protocol version of 70016',
    expected: 'ERR_BIP324_MISBEHAVIOR',
    closed: 'the connection, as Core disconnects ("feature received with incompatible version")',
    memory: NOTHING_KEPT,
    run: () => againstPeer({ version: 70017, beforeVerack: [{ type: 'feature', featureId: 'BIP434', featureData: new Uint8Array(0) }] })
  },
  {
    id: 'peer-feature-malformed',
    input: 'a feature whose id is 3 bytes',
    expected: 'ERR_BIP324_MISBEHAVIOR',
    closed: 'the connection, as Core disconnects ("invalid feature payload")',
    memory: NOTHING_KEPT,
    run: () => againstPeer({ version: 70017, beforeVerack: [{ type: 'feature', payload: Uint8Array.of(3, 0x61, 0x61, 0x61, 0) }] }, { protocolVersion: 70017 })
  },
  {
    id: 'peer-feature-flood',
    input: '1,000 features of 592 bytes (an 80-byte id, 512 bytes of data) between version and verack',
    expected: 'none',
    closed: 'nothing: features past the first 64 are dropped, as Core drops those it does not know',
    memory: 'at most 64 features, 592 bytes each (test/peer-core.test.ts counts them)',
    run: () => againstPeer({
      version: 70017,
      features: Array.from({ length: 1000 }, (_, i) => ({ featureId: String(i).padStart(80, 'f'), featureData: new Uint8Array(512) }))
    }, { protocolVersion: 70017 })
  },
  {
    id: 'peer-malformed-feefilter',
    input: 'a feefilter of 3 bytes (a payload of a known type that does not decode)',
    expected: 'none',
    closed: `${DROPPED}, as Core's ProcessMessages drops a message it cannot read`,
    memory: NOTHING_KEPT,
    run: () => againstPeer({ afterVerack: [{ type: 'feefilter', payload: Uint8Array.of(1, 2, 3) }] })
  },
  {
    id: 'peer-inv-over-limit',
    input: 'an inv announcing 50,001 entries (one more than MAX_INV_SZ)',
    expected: 'ERR_BIP324_MISBEHAVIOR',
    closed: 'the connection, as Core\'s Misbehaving()',
    memory: 'refused from the count, before any entry is allocated',
    run: () => againstPeer({ afterVerack: [{ type: 'inv', payload: encodeCompactSize(50_001) }] })
  },
  {
    id: 'peer-obsolete-version',
    input: 'a version of protocol 31799 (below MIN_PEER_PROTO_VERSION)',
    expected: 'ERR_BIP324_OBSOLETE_VERSION',
    closed: 'the connection, before our verack',
    memory: NOTHING_KEPT,
    run: () => againstPeer({ version: 31799 })
  },
  {
    id: 'peer-own-nonce',
    input: 'a version carrying the nonce of ours',
    expected: 'ERR_BIP324_SELF_CONNECTION',
    closed: 'the connection, before our verack',
    memory: NOTHING_KEPT,
    run: () => againstPeer({ nonce: 'echo' })
  },
  {
    id: 'peer-no-verack',
    input: 'a version, and no verack',
    expected: 'ERR_BIP324_VERSION_TIMEOUT',
    closed: 'the connection, at versionTimeout (default 60 s; 150 ms here)',
    memory: 'the peer\'s version',
    run: () => againstPeer({ verack: false }, { versionTimeout: 150 })
  },
  {
    id: 'peer-no-pong',
    input: 'no pong to our ping',
    expected: 'ERR_BIP324_PING_TIMEOUT',
    closed: 'the connection, at pingTimeout (default 20 minutes; 120 ms here)',
    memory: 'one ping outstanding; no second ping while it waits',
    run: () => againstPeer({ pongDelay: 'never' }, { pingInterval: 10, pingTimeout: 120 }, false)
  },
  {
    id: 'peer-type-named-error',
    input: 'a message of type "error" (any type a peer names is a message, never an event of ours)',
    expected: 'none',
    closed: 'nothing: a \'message\' event like any other',
    memory: 'the message, handed to the application',
    run: () => againstPeer({ afterVerack: [{ type: 'error', payload: Uint8Array.of(1) }] })
  },
  {
    id: 'peer-cfilters-without-stop',
    input: 'a getcfilters answered with 1,000 cfilters of its filter type, none of its stop hash',
    expected: 'ERR_BIP324_LIMIT',
    closed: 'the getcfilters request, at the 1,000th filter (Core\'s MAX_GETCFILTERS_SIZE); the connection stays',
    memory: `at most 1,000 filters within ${(MAX_BLOCKS_IN_TRANSIT_PER_PEER * MAX_PROTOCOL_MESSAGE_LENGTH).toLocaleString('en-US')} bytes (16 blocks' worth), dropped with the request`,
    run: () => againstRequests((peer) => [peer.getCFilters(0, 0, new Uint8Array(32).fill(1))], 'getcfilters',
      Array.from({ length: 1_000 }, (_, i) => ({ type: 'cfilter', filterType: 0, blockHash: new Uint8Array(32).fill(2).fill(i & 0xff, 0, 1), filter: Uint8Array.of(1) })))
  },
  {
    id: 'peer-answers-to-nothing-asked',
    input: 'while a transaction and a getheaders wait: a block, a tx that does not decode, a notfound of another transaction, headers that build on no hash of the locator',
    expected: 'none',
    closed: 'nothing: each is a \'message\' event, no request takes it; the requests wait on (their timeout ends them)',
    memory: NOTHING_KEPT,
    run: () => againstRequests((peer) => [peer.getTransaction(new Uint8Array(32).fill(3)), peer.getHeaders([new Uint8Array(32).fill(4)])], 'getheaders', [
      { type: 'block', payload: new Uint8Array(81) },
      { type: 'tx', payload: Uint8Array.of(1, 2, 3) },
      { type: 'notfound', inventory: [{ invType: 1, hash: new Uint8Array(32).fill(5) }] },
      { type: 'headers', headers: [{ version: 1, prevBlock: new Uint8Array(32).fill(6), merkleRoot: new Uint8Array(32), time: 0, bits: 0x207fffff, nonce: 0 }] }
    ])
  }
]
