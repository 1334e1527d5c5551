// A Peer against a stand-in that behaves as Bitcoin Core does (test/helpers/core-node.ts), on
// 127.0.0.1: the order of what we send, what we learn from what it sends, pings both ways, the
// pong timeout, and every misbehaving sequence giving its typed error or event. Timers are small
// options, never long sleeps.

import { once } from 'node:events'

import {
  type Bip324Error, connectPeer, createPeerServer, decodePayload, FEATURE_VERSION, type Misbehavior, type Peer, type PeerOptions, PROTOCOL_VERSION,
  SERVICE_FLAGS
} from '../lib'
import { encodeCompactSize } from '../lib/messages'
import {
  CORE_FEEFILTER, CORE_SERVICES, CORE_START_HEIGHT, CORE_USER_AGENT, type CoreBehaviour, coreClient, coreNode, type CoreSide, nonceOf
} from './helpers/core-node'

const nodes: Array<{ close: () => Promise<void> }> = []
afterEach(async () => { for (const n of nodes.splice(0)) await n.close() })

/** An outbound Peer to a Core stand-in, with the stand-in's side of it. */
async function toCore (b: CoreBehaviour = {}, options: Partial<PeerOptions> = {}): Promise<{ peer: Peer, core: CoreSide }> {
  const node = await coreNode(b)
  nodes.push(node)
  const peer = connectPeer({ host: '127.0.0.1', port: node.port, pingInterval: 0, ...options })
  const core = await node.accepted()
  return { peer, core }
}

function failure (peer: Peer): Promise<Bip324Error> {
  return new Promise((resolve, reject) => {
    peer.once('error', (err) => resolve(err as Bip324Error))
    peer.once('close', (hadError) => { if (!hadError) reject(new Error('closed without an error')) })
  })
}

const types = (core: CoreSide): string[] => core.received.map((m) => m.type)

describe('outbound, as Core expects it', () => {
  test('version, then wtxidrelay and sendaddrv2, then verack; what the options ask for only after the handshake', async () => {
    const { peer, core } = await toCore({}, { sendheaders: true, sendcmpct: { announce: true, version: 2n }, feefilter: 2500n, getaddr: true, startHeight: 123, relay: true })
    await once(peer, 'ready')
    await core.next('getaddr')
    expect(types(core).slice(0, 8)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack', 'sendheaders', 'sendcmpct', 'feefilter', 'getaddr'])
    const version = decodePayload('version', core.received[0]!.payload)
    expect(version).toMatchObject({ version: PROTOCOL_VERSION, services: SERVICE_FLAGS.NODE_P2P_V2, startHeight: 123, relay: true })
    expect(version.userAgent).toMatch(/^\/bip324\.js:\d+\.\d+\.\d+/)
    // Core's rule: a peer's address goes in only when it is routable; 127.0.0.1 is not.
    expect(version.receiver).toEqual({ services: 0n, ip: new Uint8Array(16), port: 0 })
    expect(decodePayload('sendcmpct', core.received[5]!.payload)).toEqual({ type: 'sendcmpct', announce: true, version: 2n })
    expect(decodePayload('feefilter', core.received[6]!.payload)).toEqual({ type: 'feefilter', feeRate: 2500n })
    peer.destroy()
  })

  test('ready: what the node said, and the features both sides agreed, the session id the node derived', async () => {
    const { peer, core } = await toCore()
    await once(peer, 'ready')
    expect(peer).toMatchObject({
      transport: 'v2', inbound: false, version: 70016, commonVersion: 70016, services: CORE_SERVICES,
      userAgent: CORE_USER_AGENT, startHeight: CORE_START_HEIGHT, relay: true
    })
    expect(peer.serviceNames).toEqual(['NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2'])
    expect(peer.sessionId).toEqual(core.connection.sessionId)
    // Core's post-verack messages, one per feature.
    await new Promise<void>((resolve) => peer.on('message', (m) => { if (m.type === 'ping') resolve() }))
    expect(peer.features).toEqual({ wtxidRelay: true, addrv2: true, sendHeaders: true, compactBlocks: { announce: false, version: 2n }, feeFilter: CORE_FEEFILTER })
    peer.destroy()
  })

  test('without wtxidrelay of ours, transactions are not relayed by wtxid whatever the node says', async () => {
    const { peer, core } = await toCore({}, { wtxidrelay: false, sendaddrv2: false })
    await once(peer, 'ready')
    await core.next('verack')
    expect(types(core).slice(0, 2)).toEqual(['version', 'verack'])
    expect(peer.features).toMatchObject({ wtxidRelay: false, addrv2: true })
    peer.destroy()
  })

  test('sendheaders and sendcmpct before verack count, as Core takes them there', async () => {
    const { peer } = await toCore({ beforeVerack: [{ type: 'sendheaders' }, { type: 'sendcmpct', announce: true, version: 2n }] })
    const got: Misbehavior[] = []
    peer.on('misbehavior', (r) => got.push(r))
    await once(peer, 'ready')
    expect(peer.features).toMatchObject({ sendHeaders: true, compactBlocks: { announce: true, version: 2n } })
    expect(got).toEqual([])
    peer.destroy()
  })

  test('a node of protocol 70015: no wtxidrelay nor sendaddrv2 from us, and its wtxidrelay does not count', async () => {
    const { peer, core } = await toCore({ version: 70015 })
    await once(peer, 'ready')
    await core.next('verack')
    expect(peer.commonVersion).toBe(70015)
    expect(types(core).slice(0, 2)).toEqual(['version', 'verack'])
    expect(peer.features.wtxidRelay).toBe(false)
    peer.destroy()
  })

  test('the messages that came with the verack reach whoever listens once ready, typed and raw', async () => {
    const { peer } = await toCore()
    await once(peer, 'ready')
    const got: string[] = []
    await new Promise<void>((resolve) => peer.on('message', (m, raw) => {
      got.push(m.type)
      expect(raw.type).toBe(m.type)
      if (m.type === 'ping') resolve()
    }))
    expect(got).toEqual(['sendcmpct', 'sendheaders', 'feefilter', 'ping'])
    peer.destroy()
  })
})

// BIP-434 as Core's master does it (net_processing.cpp @ 8598ec220450b05eff03fc1d1c81f51269cca247,
// test/functional/p2p_bip434_feature.py): features between version and verack at a common version of
// 70017 or more, a disconnect otherwise.
describe('feature negotiation (BIP-434)', () => {
  const ours = [{ featureId: 'BIP434v2', featureData: Uint8Array.of(1) }, { featureId: 'BIP434v1', featureData: new Uint8Array(0) }]
  const theirs = [{ featureId: 'https://example.org/staletips', featureData: Uint8Array.of(0) }]
  const featureFrom = (m: { payload: Uint8Array }): unknown => decodePayload('feature', m.payload)

  test('features given: we announce 70017 and send them in order after sendaddrv2, before verack; the node\'s are kept', async () => {
    const { peer, core } = await toCore({ version: 70017, features: theirs }, { features: ours })
    await once(peer, 'ready')
    await core.next('verack')
    expect(types(core).slice(0, 6)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'feature', 'feature', 'verack'])
    expect(decodePayload('version', core.received[0]!.payload).version).toBe(FEATURE_VERSION)
    expect([featureFrom(core.received[3]!), featureFrom(core.received[4]!)]).toEqual(ours.map((f) => ({ type: 'feature', ...f })))
    expect(peer.advertisedFeatures).toEqual(theirs)
    expect(peer.commonVersion).toBe(70017)
    peer.destroy()
  })

  test('to a node of 70016: no feature goes out (the node would disconnect), and the handshake completes', async () => {
    const { peer, core } = await toCore({}, { features: ours })
    await once(peer, 'ready')
    await core.next('verack')
    expect(types(core).slice(0, 4)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack'])
    expect(peer.advertisedFeatures).toEqual([])
    peer.destroy()
  })

  test('by default we announce 70016, so a 70017 node sends none; one that does anyway is disconnected (feature-version)', async () => {
    const quiet = await toCore({ version: 70017, features: theirs })
    await once(quiet.peer, 'ready')
    expect(decodePayload('version', quiet.core.received[0]!.payload).version).toBe(PROTOCOL_VERSION)
    expect(quiet.peer.advertisedFeatures).toEqual([])
    quiet.peer.destroy()
    const { peer } = await toCore({ version: 70017, beforeVerack: [{ type: 'feature', ...theirs[0]! }] })
    const got: Misbehavior[] = []
    peer.on('misbehavior', (r) => got.push(r))
    const err = await failure(peer)
    expect(err.code).toBe('ERR_BIP324_MISBEHAVIOR')
    expect(got).toMatchObject([{ reason: 'feature-version', type: 'feature', core: 'disconnect' }])
  })

  test('a feature after verack: ERR_BIP324_MISBEHAVIOR (feature-after-verack), as Core disconnects', async () => {
    const { peer } = await toCore({ version: 70017, afterVerack: [{ type: 'feature', ...theirs[0]! }] }, { protocolVersion: 70017 })
    const got: Misbehavior[] = []
    peer.on('misbehavior', (r) => got.push(r))
    expect((await failure(peer)).code).toBe('ERR_BIP324_MISBEHAVIOR')
    expect(got).toMatchObject([{ reason: 'feature-after-verack', type: 'feature', core: 'disconnect' }])
  })

  test('Core\'s malformed payloads (a 3-byte id, data of 513 bytes): ERR_BIP324_MISBEHAVIOR (malformed-feature)', async () => {
    for (const payload of [Uint8Array.of(3, 0x61, 0x61, 0x61, 0), Uint8Array.of(4, 0x61, 0x62, 0x63, 0x64, 0xfd, 0x01, 0x02, ...new Uint8Array(513))]) {
      const { peer } = await toCore({ version: 70017, beforeVerack: [{ type: 'feature', payload }] }, { protocolVersion: 70017 })
      const got: Misbehavior[] = []
      peer.on('misbehavior', (r) => got.push(r))
      const err = await failure(peer)
      expect(err.message).toMatch(/^malformed-feature: feature: /)
      expect(got).toMatchObject([{ reason: 'malformed-feature', type: 'feature', core: 'disconnect' }])
    }
  })

  test('a feature before the version: dropped as Core drops it ("non-version message before version handshake")', async () => {
    const { peer } = await toCore({ version: 70017, first: [{ type: 'feature', ...theirs[0]! }] }, { protocolVersion: 70017 })
    const got: Misbehavior[] = []
    peer.on('misbehavior', (r) => got.push(r))
    await once(peer, 'ready')
    expect(got).toMatchObject([{ reason: 'before-version', type: 'feature', core: 'ignore' }])
    expect(peer.advertisedFeatures).toEqual([])
    peer.destroy()
  })

  test('a node sending 100 features: the first 64 are kept, and the connection stays', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ featureId: `feat${String(i).padStart(4, '0')}`, featureData: new Uint8Array(0) }))
    const { peer } = await toCore({ version: 70017, features: many }, { protocolVersion: 70017 })
    await once(peer, 'ready')
    expect(peer.advertisedFeatures).toEqual(many.slice(0, 64))
    peer.destroy()
  })

  test('inbound: a 70017 node connecting to our server gets our features and gives its own', async () => {
    const server = createPeerServer({ pingInterval: 0, features: ours })
    nodes.push({ close: () => server[Symbol.asyncDispose]() })
    const ready = once(server, 'peer') as Promise<[Peer]>
    const { port } = await server.listenAsync(0, '127.0.0.1')
    const core = await coreClient(port, { version: 70017, features: theirs })
    const [peer] = await ready
    await core.next('verack')
    expect(types(core).slice(0, 6)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'feature', 'feature', 'verack'])
    expect(peer.advertisedFeatures).toEqual(theirs)
    core.connection.destroy()
    await new Promise((resolve) => peer.once('close', resolve))
  })

  test('features to a protocol version below 70017, a 3-byte id, 513 bytes of data, no data, or sendRaw(\'feature\'): ERR_BIP324_INVALID_ARG', () => {
    const bad = [
      { protocolVersion: 70016, features: ours },
      { features: [{ featureId: 'BIP', featureData: new Uint8Array(0) }] },
      { features: [{ featureId: 'BIP434', featureData: new Uint8Array(513) }] },
      { features: [{ featureId: 'BIP434' }] }
    ]
    for (const options of bad) expect(() => connectPeer({ host: '127.0.0.1', port: 1, ...options } as never)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    const peer = connectPeer({ host: '127.0.0.1', port: 1, features: ours })
    peer.on('error', () => {})
    expect(() => peer.sendRaw('feature', Uint8Array.of(4, 0x61, 0x62, 0x63, 0x64, 0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
    peer.destroy()
  })
})

describe('inbound, from a Core stand-in connecting to our server', () => {
  test('our version only after theirs, then wtxidrelay, sendaddrv2, verack; ready on both sides', async () => {
    const server = createPeerServer({ pingInterval: 0, userAgent: '/inbound-test:1.0/' })
    nodes.push({ close: () => server[Symbol.asyncDispose]() })
    const ready = once(server, 'peer') as Promise<[Peer]>
    const { port } = await server.listenAsync(0, '127.0.0.1')
    const core = await coreClient(port)
    const [peer] = await ready
    expect(peer).toMatchObject({ inbound: true, userAgent: CORE_USER_AGENT, transport: 'v2' })
    await core.next('verack')
    expect(types(core).slice(0, 4)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack'])
    expect(decodePayload('version', core.received[0]!.payload).userAgent).toBe('/inbound-test:1.0/')
    core.connection.destroy()
    await new Promise((resolve) => peer.once('close', resolve))
  })
})

describe('pings', () => {
  test('a ping from the node gets its nonce back; ours get pongs, and the round trip is measured', async () => {
    const { peer, core } = await toCore({ pongDelay: 30 }, { pingInterval: 20 })
    await once(peer, 'ready')
    const pong = await core.next('pong')
    expect(nonceOf(pong.payload)).toBe(core.pingsSent[0])
    // The first ping goes with 'ready'; the next only after its pong.
    while (core.received.filter((m) => m.type === 'ping').length < 3) await once(core.connection, 'data')
    expect(peer.pingTime).toBeGreaterThanOrEqual(25)
    expect(peer.minPing).toBeLessThanOrEqual(peer.pingTime!)
    const pings = core.received.filter((m) => m.type === 'ping').map((m) => nonceOf(m.payload))
    expect(new Set(pings).size).toBe(pings.length)
    peer.destroy()
  })

  test('ping() answers with the round trip; a pong with another nonce is ignored, a pong of nonce 0 cancels', async () => {
    const { peer, core } = await toCore({ pongDelay: 'never' }, { pingInterval: 0 })
    await once(peer, 'ready')
    let settled = false
    const answered = new Promise<[Error | null, number | undefined]>((resolve) => peer.ping((err, ms) => { settled = true; resolve([err, ms]) }))
    const ping = await core.next('ping')
    core.send({ type: 'pong', nonce: nonceOf(ping.payload) ^ 1n })
    // Our pong to this ping comes after we have read the wrong pong.
    core.send({ type: 'ping', nonce: 77n })
    while (!core.received.some((m) => m.type === 'pong' && nonceOf(m.payload) === 77n)) await once(core.connection, 'data')
    expect(settled).toBe(false)
    core.send({ type: 'pong', payload: ping.payload })
    const [err, ms] = await answered
    expect(err).toBeNull()
    expect(ms).toBeGreaterThan(0)
    expect(peer.pingTime).toBe(ms)
    const cancelled = new Promise<Error | null>((resolve) => peer.ping((e) => resolve(e)))
    core.send({ type: 'pong', nonce: 0n })
    expect(await cancelled).toMatchObject({ code: 'ERR_BIP324_BAD_PAYLOAD' })
    peer.destroy()
  })

  test('a node that never answers: ERR_BIP324_PING_TIMEOUT after pingTimeout', async () => {
    const { peer, core } = await toCore({ pongDelay: 'never' }, { pingInterval: 10, pingTimeout: 120 })
    const started = Date.now()
    const err = await failure(peer)
    expect(err.code).toBe('ERR_BIP324_PING_TIMEOUT')
    expect(Date.now() - started).toBeGreaterThanOrEqual(100)
    // No second ping while the first waits, whatever pingInterval says (Core's MaybeSendPing).
    expect(core.received.filter((m) => m.type === 'ping')).toHaveLength(1)
  })

  test('a node that answers late but within pingTimeout stays', async () => {
    const { peer, core } = await toCore({ pongDelay: 80 }, { pingInterval: 10, pingTimeout: 400 })
    await once(peer, 'ready')
    while (core.received.filter((m) => m.type === 'ping').length < 2) await once(core.connection, 'data')
    expect(peer.pingTime).toBeGreaterThanOrEqual(75)
    expect(peer.destroyed).toBe(false)
    peer.destroy()
  })
})

describe('end()', () => {
  test('during the version handshake: nothing more goes out, the handshake is abandoned, and versionTimeout closes without an error', async () => {
    const { peer, core } = await toCore({ verack: false }, { versionTimeout: 300 })
    await core.next('verack')
    let ready = false
    peer.on('ready', () => { ready = true })
    const sentBefore = core.received.length
    peer.end()
    core.send({ type: 'verack' })
    core.send({ type: 'ping', nonce: 5n })
    const [hadError] = await once(peer, 'close') as [boolean]
    expect(hadError).toBe(false)
    expect(ready).toBe(false)
    expect(core.received.slice(sentBefore)).toEqual([])
  })

  test('after ready: nothing more of ours (no pong to a ping that crosses our end, no ping), and it closes without an error', async () => {
    const { peer, core } = await toCore({}, { pingInterval: 20 })
    await once(peer, 'ready')
    await core.next('ping')
    const closed = once(peer, 'close') as Promise<[boolean]>
    const sentBefore = core.received.length
    peer.end()
    expect(peer.ping()).toBe(false)
    core.send({ type: 'ping', nonce: 6n })
    const [hadError] = await closed
    expect(hadError).toBe(false)
    await core.closed
    expect(core.received.slice(sentBefore)).toEqual([])
  })
})

describe('misbehaving nodes', () => {
  // Collects the reports and, when `policy` is given, lets it decide.
  function reports (peer: Peer): Misbehavior[] {
    const got: Misbehavior[] = []
    peer.on('misbehavior', (r) => got.push(r))
    return got
  }

  test('verack before version: reported, dropped as Core drops it, and the handshake completes', async () => {
    const { peer } = await toCore({ first: [{ type: 'verack' }] })
    const got = reports(peer)
    await once(peer, 'ready')
    expect(got).toMatchObject([{ reason: 'before-version', type: 'verack', core: 'ignore' }])
    peer.destroy()
  })

  test('verack before version with a strict policy: ERR_BIP324_MISBEHAVIOR', async () => {
    const { peer } = await toCore({ first: [{ type: 'verack' }] }, { onMisbehavior: () => 'disconnect' })
    const err = await failure(peer)
    expect(err.code).toBe('ERR_BIP324_MISBEHAVIOR')
    expect(err.message).toMatch(/^before-version: verack before the peer's version/)
  })

  test('wtxidrelay after verack: ERR_BIP324_MISBEHAVIOR, as Core disconnects', async () => {
    const { peer } = await toCore({ afterVerack: [{ type: 'wtxidrelay' }] })
    const got = reports(peer)
    const err = await failure(peer)
    expect(err.code).toBe('ERR_BIP324_MISBEHAVIOR')
    expect(got).toMatchObject([{ reason: 'feature-after-verack', type: 'wtxidrelay', core: 'disconnect' }])
  })

  test('sendaddrv2 after verack, with a policy that keeps the peer: reported, and the connection stays', async () => {
    const { peer, core } = await toCore({ afterVerack: [{ type: 'sendaddrv2' }, { type: 'ping', nonce: 5n }] }, { onMisbehavior: () => 'ignore' })
    const got = reports(peer)
    await core.next('pong')
    expect(got).toMatchObject([{ reason: 'feature-after-verack', type: 'sendaddrv2' }])
    expect(peer.destroyed).toBe(false)
    peer.destroy()
  })

  test('a second version: reported and dropped; a second verack too', async () => {
    const again = { type: 'version', version: 70016, services: 0n, timestamp: 0n, receiver: { services: 0n, ip: new Uint8Array(16), port: 0 }, sender: { services: 0n, ip: new Uint8Array(16), port: 0 }, nonce: 9n, userAgent: '/again/', startHeight: 1, relay: false } as const
    const { peer, core } = await toCore({ afterVerack: [again, { type: 'verack' }, { type: 'ping', nonce: 6n }] })
    const got = reports(peer)
    await core.next('pong')
    expect(got.map((r) => [r.reason, r.core])).toEqual([['redundant-version', 'ignore'], ['redundant-verack', 'ignore']])
    expect(peer.userAgent).toBe(CORE_USER_AGENT)
    peer.destroy()
  })

  test('a message Core does not take before verack: reported and dropped, and the handshake completes', async () => {
    const { peer } = await toCore({ beforeVerack: [{ type: 'inv', inventory: [] }] })
    const got = reports(peer)
    await once(peer, 'ready')
    expect(got).toMatchObject([{ reason: 'before-verack', type: 'inv', core: 'ignore' }])
    peer.destroy()
  })

  test('a malformed feefilter: reported with the decoder\'s error, not emitted, the connection stays', async () => {
    const { peer, core } = await toCore({ afterVerack: [{ type: 'feefilter', payload: Uint8Array.of(1, 2, 3) }, { type: 'ping', nonce: 7n }] })
    const got = reports(peer)
    const messages: string[] = []
    peer.on('message', (m) => messages.push(m.type))
    await core.next('pong')
    await new Promise((resolve) => setImmediate(resolve))
    expect(got).toMatchObject([{ reason: 'malformed-payload', type: 'feefilter', core: 'ignore', cause: { code: 'ERR_BIP324_BAD_PAYLOAD' } }])
    expect(messages.filter((t) => t === 'feefilter')).toEqual(['feefilter']) // Core's own, well formed
    expect(peer.features.feeFilter).toBe(CORE_FEEFILTER)
    peer.destroy()
  })

  test('a malformed payload with a strict policy: ERR_BIP324_MISBEHAVIOR naming the type and the cause', async () => {
    const { peer } = await toCore({ afterVerack: [{ type: 'headers', payload: Uint8Array.of(1) }] }, { onMisbehavior: () => 'disconnect' })
    const err = await failure(peer)
    expect(err.code).toBe('ERR_BIP324_MISBEHAVIOR')
    expect(err.message).toMatch(/^malformed-payload: headers: /)
    expect(err.cause).toMatchObject({ code: 'ERR_BIP324_BAD_PAYLOAD' })
  })

  test('an inv of 50,001 entries: over-limit, disconnected as Core\'s Misbehaving does', async () => {
    const { peer } = await toCore({ afterVerack: [{ type: 'inv', payload: encodeCompactSize(50_001) }] })
    const got = reports(peer)
    const err = await failure(peer)
    expect(err.code).toBe('ERR_BIP324_MISBEHAVIOR')
    expect(got).toMatchObject([{ reason: 'over-limit', type: 'inv', core: 'disconnect', cause: { code: 'ERR_BIP324_LIMIT' } }])
  })

  test('a protocol version below 31800: ERR_BIP324_OBSOLETE_VERSION', async () => {
    const { peer } = await toCore({ version: 31799 })
    expect((await failure(peer)).code).toBe('ERR_BIP324_OBSOLETE_VERSION')
  })

  test('a version carrying our own nonce: ERR_BIP324_SELF_CONNECTION', async () => {
    const { peer } = await toCore({ nonce: 'echo' })
    expect((await failure(peer)).code).toBe('ERR_BIP324_SELF_CONNECTION')
  })

  test('no verack: ERR_BIP324_VERSION_TIMEOUT at versionTimeout', async () => {
    const { peer } = await toCore({ verack: false }, { versionTimeout: 150 })
    const err = await failure(peer)
    expect(err.code).toBe('ERR_BIP324_VERSION_TIMEOUT')
    expect(err.message).toBe('no version handshake within 150 ms')
  })

  test('a node that closes during the version handshake: ERR_BIP324_PEER_CLOSED', async () => {
    const { peer, core } = await toCore({ verack: false })
    await core.next('verack')
    core.connection.end()
    expect((await failure(peer)).code).toBe('ERR_BIP324_PEER_CLOSED')
  })
})
