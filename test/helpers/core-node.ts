/**
 * A stand-in for Bitcoin Core at the message level, over a Bip324Socket in 'messages' mode,
 * written from Core's src/net_processing.cpp (PeerManagerImpl::ProcessMessage, MaybeSendPing,
 * PushNodeVersion) for the Peer tests:
 *
 * - outbound, it sends its version first; inbound, it answers the peer's. On the peer's version it
 *   sends wtxidrelay and sendaddrv2, then verack; after the peer's verack, sendcmpct(0, 2) (Core's
 *   verack handler), then sendheaders, a feefilter and a ping (SendMessages);
 * - it drops what comes before the peer's version, and what Core does not take before verack;
 *   it disconnects a peer that sends wtxidrelay or sendaddrv2 after verack, as Core does;
 * - BIP-434, as Core's master: at a common version of 70017 or more it sends its `features` before
 *   verack; it disconnects a peer whose feature comes after verack, below that version, or does not
 *   decode ("feature received after verack", "... with incompatible version", "invalid feature payload");
 * - it answers pings with the same nonce, after `pongDelay` ms, or never;
 * - with `getdata`, it asks for what an inv announces, as a node lacking it does (a txid as
 *   MSG_WITNESS_TX, Core's request to a peer without wtxid relay).
 *
 * Each behaviour can be changed to misbehave: messages before anything (`first`), after its
 * verack (`afterVerack`), its version's fields, no verack at all. It records every message it got.
 */

import { connectAsync, createServer, type Bip324Socket, type Message } from '../../lib'
import { decodePayload, encodePayload, type Feature, INVENTORY_TYPE } from '../../lib/messages'

export const CORE_USER_AGENT = '/Satoshi:28.1.0/'
export const CORE_SERVICES = 1n | 8n | 1024n | 2048n
export const CORE_START_HEIGHT = 871_234
export const CORE_FEEFILTER = 1000n

export interface Wire {
  type: string
  payload: Uint8Array
}

/** A message for the script, typed or as raw bytes. */
export type Scripted = Message | Wire

export interface CoreBehaviour {
  /** Its protocol version. Default 70016. */
  version?: number
  /** The services of its version. Default CORE_SERVICES. */
  services?: bigint
  /** Its version's nonce, or 'echo' to send back the one it got (a connection to ourselves). */
  nonce?: bigint | 'echo'
  /** Sent first, before anything else. */
  first?: Scripted[]
  /** Sent between its version and its verack. */
  beforeVerack?: Scripted[]
  /** Sent after its own verack, after its post-verack messages. */
  afterVerack?: Scripted[]
  /** Whether it sends verack (false: the handshake never ends). Default true. */
  verack?: boolean
  /** Milliseconds before it answers a ping, or 'never'. Default 0. */
  pongDelay?: number | 'never'
  /** The start height of its version. Default CORE_START_HEIGHT. */
  startHeight?: number
  /** BIP-434 features it announces, when the common version is 70017 or more. Default none, as Core's master. */
  features?: Feature[]
  /** Whether it answers an inv with a getdata for its entries. Default false. */
  getdata?: boolean
}

export interface CoreSide {
  connection: Bip324Socket<'messages'>
  /** Every message it got, in order. */
  received: Wire[]
  /** The nonces of the pings it sent. */
  pingsSent: bigint[]
  /** Resolves with the first message of `type` (and, if given, passing `test`) it gets or got. */
  next: (type: string, test?: (m: Wire) => boolean) => Promise<Wire>
  send: (m: Scripted) => void
  closed: Promise<void>
}

const wire = (m: Scripted): Wire => ('payload' in m ? m : { type: m.type, payload: encodePayload(m) })

export function nonceOf (payload: Uint8Array): bigint {
  return Buffer.from(payload.buffer, payload.byteOffset, 8).readBigUInt64LE()
}

/** Runs Core's side of the conversation on `connection`; `inbound`: the other side connected. */
export function behaveAsCore (connection: Bip324Socket<'messages'>, inbound: boolean, b: CoreBehaviour = {}): CoreSide {
  const received: Wire[] = []
  const pingsSent: bigint[] = []
  const waiters: Array<{ wanted: (m: Wire) => boolean, resolve: (m: Wire) => void }> = []
  const send = (m: Scripted): void => { if (!connection.destroyed) connection.write(wire(m)) }
  let theirVersion = false
  let common = 0
  let theirVerack = false
  let nonce = 0x1234_5678_9abc_def0n
  const sendVersion = (): void => send({
    type: 'version',
    version: b.version ?? 70016,
    services: b.services ?? CORE_SERVICES,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    receiver: { services: 0n, ip: new Uint8Array(16), port: 0 },
    sender: { services: CORE_SERVICES, ip: new Uint8Array(16), port: 0 },
    nonce,
    userAgent: CORE_USER_AGENT,
    startHeight: b.startHeight ?? CORE_START_HEIGHT,
    relay: true
  })
  const onMessage = (m: Wire): void => {
    received.push(m)
    for (const w of waiters.filter((w) => w.wanted(m))) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m) }
    if (m.type === 'version') {
      if (theirVersion) return // "redundant version message"
      theirVersion = true
      if (b.nonce === 'echo') nonce = nonceOf(m.payload.subarray(4 + 8 + 8 + 26 + 26))
      common = Math.min(Buffer.from(m.payload.buffer, m.payload.byteOffset, 4).readInt32LE(), b.version ?? 70016)
      if (inbound) sendVersion()
      send({ type: 'wtxidrelay' })
      send({ type: 'sendaddrv2' })
      if (common >= 70017) for (const f of b.features ?? []) send({ type: 'feature', ...f })
      for (const s of b.beforeVerack ?? []) send(s)
      if (b.verack ?? true) send({ type: 'verack' })
      return
    }
    if (!theirVersion) return // "non-version message before version handshake"
    if (m.type === 'verack') {
      if (theirVerack) return
      theirVerack = true
      send({ type: 'sendcmpct', announce: false, version: 2n })
      send({ type: 'sendheaders' })
      send({ type: 'feefilter', feeRate: CORE_FEEFILTER })
      const ping = 0xfeed_beefn + BigInt(pingsSent.length)
      pingsSent.push(ping)
      send({ type: 'ping', nonce: ping })
      for (const s of b.afterVerack ?? []) send(s)
      return
    }
    if ((m.type === 'wtxidrelay' || m.type === 'sendaddrv2' || m.type === 'feature') && theirVerack) {
      connection.destroy() // "wtxidrelay received after verack", as Core
      return
    }
    if (m.type === 'feature') {
      if (common < 70017) connection.destroy() // "feature received with incompatible version"
      else {
        try { decodePayload('feature', m.payload) } catch { connection.destroy() } // "invalid feature payload"
      }
      return
    }
    if (!theirVerack) return // "Unsupported message prior to verack"
    if (m.type === 'inv' && b.getdata === true) {
      const { inventory } = decodePayload('inv', m.payload)
      send({ type: 'getdata', inventory: inventory.map((i) => ({ ...i, invType: i.invType === INVENTORY_TYPE.MSG_TX ? INVENTORY_TYPE.MSG_WITNESS_TX : i.invType })) })
    }
    if (m.type === 'ping' && b.pongDelay !== 'never') {
      const pong = (): void => send({ type: 'pong', payload: m.payload.subarray(0, 8) })
      if ((b.pongDelay ?? 0) === 0) pong()
      else setTimeout(pong, b.pongDelay as number)
    }
  }
  connection.on('data', (m) => { if (m.type !== undefined) onMessage({ type: m.type, payload: m.payload }) })
  connection.on('error', () => {})
  const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()))
  for (const s of b.first ?? []) send(s)
  if (!inbound) sendVersion()
  return {
    connection,
    received,
    pingsSent,
    send,
    closed,
    next: (type, test = () => true) => {
      const wanted = (m: Wire): boolean => m.type === type && test(m)
      const got = received.find(wanted)
      return got !== undefined ? Promise.resolve(got) : new Promise((resolve) => waiters.push({ wanted, resolve }))
    }
  }
}

export interface CoreNode {
  port: number
  /** Resolves with the Core side of the next connection. */
  accepted: () => Promise<CoreSide>
  close: () => Promise<void>
}

/** A Core stand-in listening on `host`:`port` (inbound to it: our Peer connects); 127.0.0.1 and a
 *  free port by default, another 127.0.0.x for tests of several nodes. */
export async function coreNode (b: CoreBehaviour = {}, host = '127.0.0.1', listenPort = 0): Promise<CoreNode> {
  const sides: CoreSide[] = []
  const waiting: Array<(s: CoreSide) => void> = []
  const server = createServer({ mode: 'messages' }, (c) => {
    const side = behaveAsCore(c, true, b)
    const w = waiting.shift()
    if (w !== undefined) w(side)
    else sides.push(side)
  })
  const { port } = await server.listenAsync(listenPort, host)
  return {
    port,
    accepted: () => {
      const s = sides.shift()
      return s !== undefined ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve))
    },
    close: () => server[Symbol.asyncDispose]()
  }
}

/** A Core stand-in that connects to `port` (outbound from it: our server's Peer is inbound). */
export async function coreClient (port: number, b: CoreBehaviour = {}): Promise<CoreSide> {
  const connection = await connectAsync({ host: '127.0.0.1', port, mode: 'messages' })
  return behaveAsCore(connection, false, b)
}
