/**
 * The 26-byte network address of version and addr (before BIP-155): services, then an IPv6 address
 * with IPv4 mapped into ::ffff:0:0/96, then the port, big-endian. The address stays 16 raw bytes:
 * lossless for every form a peer may send (Tor v2 and CJDNS ranges included), and no parsing on the
 * hot path; node:net can format it when needed.
 * @see https://developer.bitcoin.org/reference/p2p_networking.html#addr
 */

import type { ByteReader } from '../byte-reader'
import type { ByteWriter } from '../byte-writer'

export const NET_ADDRESS_BYTES = 26

export interface NetAddress {
  services: bigint
  /** 16 bytes, network byte order. */
  ip: Uint8Array
  port: number
}

export function writeNetAddress (w: ByteWriter, address: NetAddress): void {
  w.u64(address.services)
  w.bytes(address.ip, 16)
  w.u16be(address.port)
}

export function readNetAddress (r: ByteReader): NetAddress {
  return { services: r.u64(), ip: r.bytesCopy(16), port: r.u16be() }
}
