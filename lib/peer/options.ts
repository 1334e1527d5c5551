/**
 * What a Peer says about itself and asks of the peer, its timers and its misbehaviour policy:
 * the options of every Peer entry point, checked at once (ERR_BIP324_INVALID_ARG) and resolved
 * to their defaults, which are Bitcoin Core's where Core has one.
 */

import { type Feature, MAX_FEATUREDATA_LENGTH, MAX_SUBVERSION_LENGTH } from '../messages'
import { featureIdBytes } from '../messages/codecs/feature'
import { checkBoolean, checkInteger, invalid } from '../checks'
import { DEFAULT_MAX_RECEIVE_BUFFER, DEFAULT_MAX_SEND_BUFFER } from '../net/options'
import type { Network } from '../network'
import {
  DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT, DEFAULT_VERSION_TIMEOUT, FEATURE_VERSION, MAX_MONEY, MIN_PEER_PROTO_VERSION,
  PROTOCOL_VERSION
} from './constants'
import type { Misbehavior, MisbehaviorAction } from './rules'
import { DEFAULT_USER_AGENT } from './version'

/** BIP-152's sendcmpct: whether the peer should announce new blocks to us as compact blocks
 *  (high-bandwidth mode), and in which version (2: with witnesses, the one Core takes). */
export interface SendCmpct {
  announce: boolean
  version: bigint
}

/** What a Peer says and asks, its timers and its misbehaviour policy. */
export interface PeerOptions {
  /** The network, for the v1 magic after a v1 fallback (the transport uses it too). Default: 'mainnet'. */
  network?: Network
  /** The protocol version we announce. Default: 70016 (the PROTOCOL_VERSION of Core's releases before BIP-434), or
   *  70017 (FEATURE_VERSION, BIP-434's) when `features` are given. 70017 or more also means the peer
   *  may send us feature messages, which the Peer then reads (`advertisedFeatures`). */
  protocolVersion?: number
  /** The services we announce (SERVICE_FLAGS). NODE_P2P_V2 is added over v2. Default: none (0n). */
  services?: bigint
  /** Our BIP-14 user agent, at most 256 bytes of UTF-8. Default: `/bip324.js:<package version>/`. */
  userAgent?: string
  /** The height of our best block, as our version tells it. Default: 0. */
  startHeight?: number
  /** BIP-37 relay: whether the peer should announce transactions to us. Default: false. */
  relay?: boolean
  /** Send wtxidrelay (BIP-339) before verack. Default: true, as Core. */
  wtxidrelay?: boolean
  /** Send sendaddrv2 (BIP-155) before verack. Default: true, as Core. */
  sendaddrv2?: boolean
  /** BIP-434: features to announce, one feature message each, in this order, before verack, to a
   *  peer whose protocol version is 70017 or more (to an older one, none: the BIP forbids it). The
   *  order is the preference when a feature comes in versions. Default: none. */
  features?: Feature[]
  /** Send sendheaders (BIP-130) after the version handshake. Default: false. */
  sendheaders?: boolean
  /** Send this sendcmpct (BIP-152) after the version handshake. Default: none. */
  sendcmpct?: SendCmpct
  /** Send a feefilter (BIP-133) of this many satoshis per 1000 vbytes after the version handshake. Default: none. */
  feefilter?: bigint
  /** Send getaddr after the version handshake. Default: false. */
  getaddr?: boolean
  /** Milliseconds from the Peer's start to the end of the version handshake:
   *  ERR_BIP324_VERSION_TIMEOUT after it. connectPeer starts it with the connection (the transport
   *  handshake included, as Core counts -peertimeout); a server's Peer once the transport handshake
   *  is done (that one has handshakeTimeout). Default: 60,000 (Core's -peertimeout). 0 turns it off. */
  versionTimeout?: number
  /** Milliseconds between our pings; the first goes out with 'ready'. Default: 120,000 (Core's
   *  PING_INTERVAL). 0: no automatic pings. */
  pingInterval?: number
  /** Milliseconds a ping may wait for its pong: ERR_BIP324_PING_TIMEOUT after it. Default:
   *  1,200,000 (Core's TIMEOUT_INTERVAL). 0 turns it off. */
  pingTimeout?: number
  /** Bytes of messages send() may queue before 'ready' (payloads plus 400 bytes each, as the
   *  transport counts messages); past them send() throws ERR_BIP324_BAD_STATE. The transport's
   *  maxSendBuffer, default 1,000,000, is the limit. */
  maxSendBuffer?: number
  /** Bytes of received messages not yet processed (payloads plus 400 bytes each) past which a Peer
   *  over v1 stops reading from the peer; over v2 the transport's option of the same name does it.
   *  Default: 5,000,000 (Bitcoin Core's -maxreceivebuffer). */
  maxReceiveBuffer?: number
  /** Decides what a rule the peer broke costs it: 'disconnect' closes the connection with
   *  ERR_BIP324_MISBEHAVIOR, 'ignore' drops the message. Default: what Core does (`report.core`). */
  onMisbehavior?: (report: Misbehavior) => MisbehaviorAction | undefined
  /** The nonces of our outbound Peers still in their version handshake, shared by the Peers and
   *  the server of one node: an inbound Peer whose version carries one of them is a connection to
   *  ourselves (Core's CheckIncomingNonce). An outbound Peer always checks its own nonce. */
  localNonces?: Set<bigint>
}

/** @internal PeerOptions with defaults resolved. */
export interface PeerSettings {
  network: Network
  protocolVersion: number
  services: bigint
  userAgent: string
  startHeight: number
  relay: boolean
  wtxidrelay: boolean
  sendaddrv2: boolean
  features: Feature[]
  sendheaders: boolean
  sendcmpct: SendCmpct | undefined
  feefilter: bigint | undefined
  getaddr: boolean
  versionTimeout: number
  pingInterval: number
  pingTimeout: number
  maxSendBuffer: number
  maxReceiveBuffer: number
  onMisbehavior: ((report: Misbehavior) => MisbehaviorAction | undefined) | undefined
  localNonces: Set<bigint> | undefined
  signal: AbortSignal | undefined
}

// setTimeout's largest delay: longer ones fire at once.
const MAX_TIMER = 2 ** 31 - 1
const MAX_U64 = 2n ** 64n - 1n


function checkBigInt (value: unknown, name: string, max: bigint): void {
  if (value !== undefined && !(typeof value === 'bigint' && value >= 0n && value <= max)) {
    throw invalid(`${name} must be a bigint from 0 to ${max}, got ${String(value)}`)
  }
}

function checkFeatures (features: unknown, protocolVersion: number | undefined): void {
  if (features === undefined) return
  if (!Array.isArray(features)) throw invalid('features must be an array of { featureId, featureData }')
  for (const f of features as unknown[]) {
    if (f === null || typeof f !== 'object') throw invalid('features must be an array of { featureId, featureData }')
    const { featureId, featureData } = f as Partial<Feature>
    featureIdBytes(featureId as string)
    if (!(featureData instanceof Uint8Array) || featureData.length > MAX_FEATUREDATA_LENGTH) {
      throw invalid(`featureData must be a Uint8Array of at most ${MAX_FEATUREDATA_LENGTH} bytes (empty when the feature has none)`)
    }
  }
  if (features.length > 0 && protocolVersion !== undefined && protocolVersion < FEATURE_VERSION) {
    throw invalid(`features go only to peers of protocol version ${FEATURE_VERSION} or more, which protocolVersion ${protocolVersion} rules out`)
  }
}

/** @internal Throws ERR_BIP324_INVALID_ARG for a bad Peer option. */
export function checkPeerOptions (options: PeerOptions): void {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object')
  checkInteger(options.protocolVersion, 'protocolVersion', MIN_PEER_PROTO_VERSION, 2 ** 31 - 1)
  checkBigInt(options.services, 'services', MAX_U64)
  const { userAgent, sendcmpct, onMisbehavior, localNonces } = options
  if (userAgent !== undefined && (typeof userAgent !== 'string' || Buffer.byteLength(userAgent) > MAX_SUBVERSION_LENGTH)) {
    throw invalid(`userAgent must be a string of at most ${MAX_SUBVERSION_LENGTH} bytes (UTF-8)`)
  }
  checkInteger(options.startHeight, 'startHeight', -(2 ** 31), 2 ** 31 - 1)
  for (const name of ['relay', 'wtxidrelay', 'sendaddrv2', 'sendheaders', 'getaddr'] as const) checkBoolean(options[name], name)
  if (sendcmpct !== undefined) {
    if (sendcmpct === null || typeof sendcmpct !== 'object') throw invalid('sendcmpct must be { announce, version }')
    checkBoolean(sendcmpct.announce, 'sendcmpct.announce')
    checkBigInt(sendcmpct.version, 'sendcmpct.version', MAX_U64)
    if (sendcmpct.announce === undefined || sendcmpct.version === undefined) throw invalid('sendcmpct must be { announce, version }')
  }
  checkBigInt(options.feefilter, 'feefilter', MAX_MONEY)
  checkFeatures(options.features, options.protocolVersion)
  checkInteger(options.versionTimeout, 'versionTimeout', 0, MAX_TIMER)
  checkInteger(options.pingInterval, 'pingInterval', 0, MAX_TIMER)
  checkInteger(options.pingTimeout, 'pingTimeout', 0, MAX_TIMER)
  checkInteger(options.maxSendBuffer, 'maxSendBuffer', 1, Number.MAX_SAFE_INTEGER)
  checkInteger(options.maxReceiveBuffer, 'maxReceiveBuffer', 1, Number.MAX_SAFE_INTEGER)
  if (onMisbehavior !== undefined && typeof onMisbehavior !== 'function') throw invalid('onMisbehavior must be a function')
  if (localNonces !== undefined && !(localNonces instanceof Set)) throw invalid('localNonces must be a Set')
}

/** @internal The defaults, resolved; `signal` is the connection's. */
export function peerSettingsOf (options: PeerOptions & { signal?: AbortSignal | undefined }): PeerSettings {
  return {
    network: options.network ?? 'mainnet',
    protocolVersion: options.protocolVersion ?? ((options.features?.length ?? 0) > 0 ? FEATURE_VERSION : PROTOCOL_VERSION),
    services: options.services ?? 0n,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    startHeight: options.startHeight ?? 0,
    relay: options.relay ?? false,
    wtxidrelay: options.wtxidrelay ?? true,
    sendaddrv2: options.sendaddrv2 ?? true,
    features: [...(options.features ?? [])],
    sendheaders: options.sendheaders ?? false,
    sendcmpct: options.sendcmpct,
    feefilter: options.feefilter,
    getaddr: options.getaddr ?? false,
    versionTimeout: options.versionTimeout ?? DEFAULT_VERSION_TIMEOUT,
    pingInterval: options.pingInterval ?? DEFAULT_PING_INTERVAL,
    pingTimeout: options.pingTimeout ?? DEFAULT_PING_TIMEOUT,
    maxSendBuffer: options.maxSendBuffer ?? DEFAULT_MAX_SEND_BUFFER,
    maxReceiveBuffer: options.maxReceiveBuffer ?? DEFAULT_MAX_RECEIVE_BUFFER,
    onMisbehavior: options.onMisbehavior,
    localNonces: options.localNonces,
    signal: options.signal
  }
}

// The Peer's own option names: what connectPeer and createPeerServer take out before the rest goes
// to the transport (maxSendBuffer, maxReceiveBuffer and network serve both).
const PEER_ONLY_OPTIONS = [
  'protocolVersion', 'services', 'userAgent', 'startHeight', 'relay', 'wtxidrelay', 'sendaddrv2', 'features', 'sendheaders',
  'sendcmpct', 'feefilter', 'getaddr', 'versionTimeout', 'pingInterval', 'pingTimeout', 'onMisbehavior', 'localNonces'
] as const

/** @internal `options` without the Peer's own: what goes to the transport. */
export function transportOptions<T extends PeerOptions> (options: T): Omit<T, typeof PEER_ONLY_OPTIONS[number]> {
  const transport = { ...options } as Record<string, unknown>
  for (const key of PEER_ONLY_OPTIONS) delete transport[key]
  return transport as Omit<T, typeof PEER_ONLY_OPTIONS[number]>
}
