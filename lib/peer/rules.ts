/**
 * The order in which a peer may send its messages, as Bitcoin Core's
 * PeerManagerImpl::ProcessMessage (src/net_processing.cpp) enforces it, and what Core does with a
 * message out of order: drop it (and log a line) or disconnect. Pure functions of the stage, the
 * message type and the common version; the Peer applies the verdicts.
 *
 * - Before the peer's version: Core drops anything else ("non-version message before version
 *   handshake").
 * - Between version and verack: Core takes verack and the feature messages wtxidrelay (BIP-339),
 *   sendaddrv2 (BIP-155), sendtxrcncl (BIP-330) and feature (BIP-434); sendheaders and sendcmpct
 *   too, which it handles before its verack check. Anything else it drops ("Unsupported message
 *   prior to verack").
 * - A second version or verack: dropped ("redundant version message", "ignoring redundant verack").
 * - wtxidrelay or sendaddrv2 after verack: disconnected ("wtxidrelay received after verack").
 *   sendtxrcncl Core drops unread while its txreconciliation is off (the default): we do not
 *   reconcile either, so before verack it is dropped, and after it is a message like any other.
 * - feature after verack, or at a common protocol version below 70017: disconnected ("feature
 *   received after verack", "feature received with incompatible version"); one that does not
 *   decode too ("invalid feature payload"), where other types are dropped.
 * - A payload that does not decode: ProcessMessages catches the exception and drops the message;
 *   one with more entries than Core's limits (inv, getdata, addr, addrv2, headers, getheaders,
 *   getblocks, filterload, filteradd) is Misbehaving(), which disconnects.
 */

import { Bip324Error } from '../errors'
import { FEATURE_VERSION } from './constants'

/** Where the version handshake is: awaiting the peer's version, then its verack, then done. */
export type Stage = 'version' | 'verack' | 'ready'

/** Which rule the peer broke. */
export type MisbehaviorReason =
  /** A message other than version before the peer's version. */
  | 'before-version'
  /** A message Core does not take between version and verack. */
  | 'before-verack'
  /** A second version. */
  | 'redundant-version'
  /** A second verack. */
  | 'redundant-verack'
  /** wtxidrelay, sendaddrv2 or feature after verack: features are negotiated before it. */
  | 'feature-after-verack'
  /** feature (BIP-434) when the lower of both protocol versions is below 70017. */
  | 'feature-version'
  /** A feature payload that does not decode: an id under 4 or over 80 bytes, data over 512, ... */
  | 'malformed-feature'
  /** A payload of a known message type that does not decode (truncated, trailing bytes, a bad field). */
  | 'malformed-payload'
  /** More entries than Core accepts in a message where Core then disconnects (inv over 50,000 entries...). */
  | 'over-limit'

/** What to do about it: drop the message and carry on, or close the connection. */
export type MisbehaviorAction = 'ignore' | 'disconnect'

/** A rule the peer broke, as the 'misbehavior' event and the onMisbehavior option get it. */
export interface Misbehavior {
  reason: MisbehaviorReason
  /** The message type that broke it. */
  type: string
  /** What happened, in words. */
  message: string
  /** What Bitcoin Core does in this case: the default action. */
  core: MisbehaviorAction
  /** The decoder's error, for malformed-payload and over-limit. */
  cause?: Bip324Error
}

// What Core does, by reason.
const CORE_ACTION: { readonly [R in MisbehaviorReason]: MisbehaviorAction } = {
  'before-version': 'ignore',
  'before-verack': 'ignore',
  'redundant-version': 'ignore',
  'redundant-verack': 'ignore',
  'feature-after-verack': 'disconnect',
  'feature-version': 'disconnect',
  'malformed-feature': 'disconnect',
  'malformed-payload': 'ignore',
  'over-limit': 'disconnect'
}

// Taken between version and verack: the handshake's own messages, and those Core handles before
// its verack check.
const BEFORE_VERACK: ReadonlySet<string> = new Set(['verack', 'wtxidrelay', 'sendaddrv2', 'sendtxrcncl', 'feature', 'sendheaders', 'sendcmpct'])
// Negotiated before verack only.
const FEATURES: ReadonlySet<string> = new Set(['wtxidrelay', 'sendaddrv2', 'feature'])
// Where Core's check of an entry count calls Misbehaving() or disconnects.
const DISCONNECT_OVER_LIMIT: ReadonlySet<string> = new Set(['inv', 'getdata', 'addr', 'addrv2', 'headers', 'getheaders', 'getblocks', 'filterload', 'filteradd'])

function report (reason: MisbehaviorReason, type: string, message: string, cause?: Bip324Error): Misbehavior {
  return { reason, type, message, core: CORE_ACTION[reason], ...(cause !== undefined && { cause }) }
}

/** The rule a message of `type` breaks at this stage, or undefined if it may come now;
 *  `commonVersion` is the lower of both protocol versions, once the peer's version came. */
export function judge (stage: Stage, type: string, commonVersion: number): Misbehavior | undefined {
  if (stage === 'version') return type === 'version' ? undefined : report('before-version', type, `${type} before the peer's version`)
  if (type === 'version') return report('redundant-version', type, 'a second version')
  if (stage === 'verack') {
    if (!BEFORE_VERACK.has(type)) return report('before-verack', type, `${type} between version and verack`)
    if (type === 'feature' && commonVersion < FEATURE_VERSION) {
      return report('feature-version', type, `feature at common protocol version ${commonVersion}: BIP-434 needs ${FEATURE_VERSION}`)
    }
    return undefined
  }
  if (type === 'verack') return report('redundant-verack', type, 'a second verack')
  if (FEATURES.has(type)) return report('feature-after-verack', type, `${type} after verack: features are negotiated between version and verack`)
  return undefined
}

/** A payload of `type` that failed to decode with `err`. */
export function malformed (type: string, err: Bip324Error): Misbehavior {
  if (type === 'feature') return report('malformed-feature', type, `${type}: ${err.message}`, err)
  return err.code === 'ERR_BIP324_LIMIT' && DISCONNECT_OVER_LIMIT.has(type)
    ? report('over-limit', type, `${type}: ${err.message}`, err)
    : report('malformed-payload', type, `${type}: ${err.message}`, err)
}
