/**
 * Bitcoin Core's numbers for the version handshake and the pings after it, under Core's names.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/node/protocol_version.h
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net_processing.cpp (PING_INTERVAL, MaybeSendPing)
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net.h (TIMEOUT_INTERVAL, DEFAULT_PEER_CONNECT_TIMEOUT)
 */

import { DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT } from '../net/options'

/** The protocol version we announce by default: the PROTOCOL_VERSION of Core's releases before
 *  BIP-434 (v31 and older; its master announces FEATURE_VERSION). */
export const PROTOCOL_VERSION = 70016
/** Peers announcing an older protocol version are disconnected, as Core does. */
export const MIN_PEER_PROTO_VERSION = 31800
/** BIP-31: pings carry a nonce, answered by pong, in common versions above this one. */
export const BIP0031_VERSION = 60000
/** BIP-130 sendheaders, from this common version on. */
export const SENDHEADERS_VERSION = 70012
/** BIP-133 feefilter, from this common version on. */
export const FEEFILTER_VERSION = 70013
/** BIP-152 compact blocks (sendcmpct), from this common version on. */
export const SHORT_IDS_BLOCKS_VERSION = 70014
/** BIP-339 wtxidrelay, and (as Core's courtesy) BIP-155 sendaddrv2, from this common version on. */
export const WTXID_RELAY_VERSION = 70016
/** BIP-434 feature, from this common version on. Core's master announces it as its
 *  PROTOCOL_VERSION; a Peer does when asked (protocolVersion or features). */
export const FEATURE_VERSION = 70017

/** Milliseconds between our pings, Core's PING_INTERVAL (2 minutes): the first goes out once the
 *  version handshake is done, the next this long after the last one started, once it is answered. */
export const DEFAULT_PING_INTERVAL = 2 * 60_000
/** Milliseconds a ping may wait for its pong, Core's TIMEOUT_INTERVAL (20 minutes), which is also
 *  the transport's idle timeout. */
export const DEFAULT_PING_TIMEOUT = DEFAULT_IDLE_TIMEOUT
/** Milliseconds from the start of a connection to the end of its version handshake: Core's
 *  -peertimeout (60 s), counted from the connection as Core's InactivityCheck counts it. */
export const DEFAULT_VERSION_TIMEOUT = DEFAULT_HANDSHAKE_TIMEOUT

/** The most satoshis there will ever be (Core's MAX_MONEY): a feefilter above it is ignored. */
export const MAX_MONEY = 21_000_000n * 100_000_000n
