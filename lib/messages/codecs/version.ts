/**
 * version: the first message each side sends. `relay` (BIP-37) came with protocol version 70001;
 * an older peer ends the payload before it, so a missing relay byte is accepted and left undefined.
 * Bytes after the relay byte are accepted and ignored, as Bitcoin Core ignores them (net_processing's
 * version handler reads no field past relay): a newer peer may send fields we do not know.
 * The user agent is UTF-8 text (BIP-14); bytes that are not UTF-8 decode to U+FFFD.
 * @see https://developer.bitcoin.org/reference/p2p_networking.html#version
 */

import { invalid } from '../byte-writer'
import { MAX_SUBVERSION_LENGTH } from '../limits'
import type { Codec } from './codec'
import { NET_ADDRESS_BYTES, type NetAddress, readNetAddress, writeNetAddress } from './net-address'

/** The longest version payload without bytes past relay: every field, a 256-byte user agent (its
 *  CompactSize length takes 3 bytes) and the relay byte. Longer ones decode too (the rest is
 *  ignored); this is the bound for whoever must hold a version before deciding anything, such as
 *  the proxy with a client it has not connected yet. */
export const MAX_VERSION_PAYLOAD = 4 + 8 + 8 + 2 * NET_ADDRESS_BYTES + 8 + 3 + MAX_SUBVERSION_LENGTH + 4 + 1

export interface VersionMessage {
  type: 'version'
  version: number
  services: bigint
  /** Seconds since the epoch. */
  timestamp: bigint
  /** The address the sender sees us at ("addr_recv"). */
  receiver: NetAddress
  /** The sender's own address ("addr_from"), often all zeros. */
  sender: NetAddress
  nonce: bigint
  userAgent: string
  startHeight: number
  relay?: boolean
}

// ignoreBOM keeps a leading U+FEFF: it is part of what the peer sent, not a marker to strip.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

export const versionCodec: Codec<VersionMessage> = {
  encode: (w, msg) => {
    if (typeof msg.userAgent !== 'string') throw invalid('userAgent: expected a string')
    w.i32(msg.version)
    w.u64(msg.services)
    w.i64(msg.timestamp)
    writeNetAddress(w, msg.receiver)
    writeNetAddress(w, msg.sender)
    w.u64(msg.nonce)
    w.varBytes(Buffer.from(msg.userAgent, 'utf8'), MAX_SUBVERSION_LENGTH, 'userAgent')
    w.i32(msg.startHeight)
    if (msg.relay !== undefined) w.bool(msg.relay)
  },
  decode: (r) => {
    const fields = {
      version: r.i32(),
      services: r.u64(),
      timestamp: r.i64(),
      receiver: readNetAddress(r),
      sender: readNetAddress(r),
      nonce: r.u64(),
      userAgent: utf8.decode(r.varBytes(MAX_SUBVERSION_LENGTH, 'user agent')),
      startHeight: r.i32()
    }
    if (r.remaining === 0) return fields
    const relay = r.bool()
    r.skip(r.remaining)
    return { ...fields, relay }
  }
}
