/**
 * Our version message, as Bitcoin Core's PeerManagerImpl::PushNodeVersion builds it: our services
 * in both the message and its (all-zero) sender address, the peer's address as we see it when it
 * is routable (Core sends zeros for a private, local or proxied one), a random nonce that tells a
 * connection to ourselves, our user agent (BIP-14), start height and relay flag (BIP-37).
 */

import * as crypto from 'node:crypto'

import { encodePayload, type NetAddress } from '../messages'
import { ipToBytes } from '../net/ip'
import { specialRange } from '../net/ranges'
import { PACKAGE_VERSION } from '../package'

/** BIP-14's /name:version/, with the version of the package running. */
export const DEFAULT_USER_AGENT = `/bip324.js:${PACKAGE_VERSION}/`

/** @internal The fields of our version message that depend on the connection or the options. */
export interface OurVersion {
  protocolVersion: number
  services: bigint
  nonce: bigint
  userAgent: string
  startHeight: number
  relay: boolean
  /** The peer's address and port as our socket sees them. */
  remoteAddress: string | undefined
  remotePort: number | undefined
  /** Seconds since the epoch; default: now. A private broadcast sends 0, as Core. */
  timestamp?: bigint
}

const NO_ADDRESS: NetAddress = { services: 0n, ip: new Uint8Array(16), port: 0 }

/** @internal The address a version message gives for the peer ("addr_recv"): its own when it is
 *  globally routable, zeros otherwise (behind a proxy the socket's address is the proxy's). */
export function receiverOf (remoteAddress: string | undefined, remotePort: number | undefined): NetAddress {
  if (remoteAddress === undefined || remotePort === undefined) return NO_ADDRESS
  // An IPv6 socket address may carry a zone (fe80::1%eth0): link-local, so not routable anyway.
  const ip = ipToBytes(remoteAddress.split('%')[0]!)
  return specialRange(ip) === undefined ? { services: 0n, ip, port: remotePort } : NO_ADDRESS
}

/** @internal A random 64-bit nonce, for a version message or a ping. */
export function randomNonce (): bigint {
  return crypto.randomBytes(8).readBigUInt64LE()
}

/** @internal Our version message's payload. */
export function encodeOurVersion (v: OurVersion): Uint8Array {
  return encodePayload({
    type: 'version',
    version: v.protocolVersion,
    services: v.services,
    timestamp: v.timestamp ?? BigInt(Math.floor(Date.now() / 1000)),
    receiver: receiverOf(v.remoteAddress, v.remotePort),
    sender: { ...NO_ADDRESS, services: v.services },
    nonce: v.nonce,
    userAgent: v.userAgent,
    startHeight: v.startHeight,
    relay: v.relay
  })
}
