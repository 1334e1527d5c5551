/**
 * The addresses a pool connects to, as host and port: an IP address (IPv4 dotted, IPv6 as
 * bytesToIp writes it) or a Tor v3 `.onion` name, and the network each is on. Converts addr and
 * addrv2 entries (BIP-155) to that form and back; networks we cannot reach (I2P, CJDNS, Tor v2,
 * ids from the future) have no host and are left out, as Core leaves out what it cannot reach.
 * Tor names are lib/net/address.ts's, which also writes every address as Core does.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0155.mediawiki
 * @see https://spec.torproject.org/rend-spec/encoding-onion-addresses.html
 */

import { isIPv4, isIPv6 } from 'node:net'

import { BIP155_NETWORK, type AddrV2Entry, type TimedNetAddress } from '../messages'
import { onionKey, onionName } from '../net/address'
import { bytesToIp, formatHostPort, ipToBytes } from '../net/ip'
import { netGroup } from '../net/ranges'

/** The networks a pool reaches: `onion` only through a SOCKS5 proxy. */
export type Reachable = 'ipv4' | 'ipv6' | 'onion'

/** An address of the book: where to connect. */
export interface PeerAddress {
  host: string
  port: number
}

/** The network of `host`, or undefined for a name we do not connect to (a DNS name, an I2P one). */
export function networkOf (host: string): Reachable | undefined {
  if (isIPv4(host)) return 'ipv4'
  if (isIPv6(host)) return 'ipv6'
  return onionKey(host) !== undefined ? 'onion' : undefined
}

/** An IP address the way the book keys it: IPv4 dotted (also when spelled ::ffff:a.b.c.d), IPv6 as
 *  bytesToIp writes it; a `.onion` name lower-case. Undefined for anything else. */
export function canonicalHost (host: string): string | undefined {
  if (isIPv4(host) || isIPv6(host)) return bytesToIp(ipToBytes(host))
  const lower = host.toLowerCase()
  return onionKey(lower) !== undefined ? lower : undefined
}

/** host:port, an IPv6 address in brackets. */
export function formatAddress ({ host, port }: PeerAddress): string {
  return formatHostPort(host, port)
}

/** Core's CNetAddr::GetGroup: an IP address's netGroup() (ranges.ts), a Tor address's network and
 *  first 4 bits, so onion addresses form groups of their own. Undefined for an address that is
 *  not routable (loopback, private...): the book takes those only from the application. */
export function routableGroup (host: string): string | undefined {
  const key = onionKey(host)
  if (key !== undefined) return `onion:${key[0]! >> 4}`
  const group = netGroup(host)
  return group === 'local' || group === 'unroutable' ? undefined : group
}

/** Any address's group, routable or not: an address that is not routable (the application's
 *  node on 127.0.0.1 or on its LAN) is a group of its own, so that the application's addresses
 *  neither crowd one bucket of the book nor count as one network group to the pool. */
export function anyGroup (host: string): string {
  return routableGroup(host) ?? `${netGroup(host)}:${host}`
}

/** Where an addr entry points: IPv4 or IPv6 (16 bytes, IPv4 mapped). */
export function addressOfAddr (a: TimedNetAddress): PeerAddress {
  return { host: bytesToIp(a.ip), port: a.port }
}

/** Where an addrv2 entry points, or undefined for a network we do not reach. An IPv6 entry
 *  carrying an IPv4-mapped address is refused, as Core refuses it (BIP-155: use the IPv4 id). */
export function addressOfAddrV2 (a: AddrV2Entry): PeerAddress | undefined {
  if (a.networkId === BIP155_NETWORK.IPV4 && a.addr.length === 4) return { host: Array.from(a.addr).join('.'), port: a.port }
  if (a.networkId === BIP155_NETWORK.IPV6 && a.addr.length === 16) {
    const host = bytesToIp(a.addr)
    return isIPv4(host) ? undefined : { host, port: a.port }
  }
  if (a.networkId === BIP155_NETWORK.TORV3 && a.addr.length === 32) return { host: onionName(a.addr), port: a.port }
  return undefined
}

/** An address of the book as an addrv2 entry (what getaddr is answered with). */
export function addrV2EntryOf (host: string, port: number, services: bigint, time: number): AddrV2Entry {
  const key = onionKey(host)
  if (key !== undefined) return { time, services, networkId: BIP155_NETWORK.TORV3, addr: Uint8Array.from(key), port }
  const bytes = ipToBytes(host)
  return isIPv4(host)
    ? { time, services, networkId: BIP155_NETWORK.IPV4, addr: bytes.slice(12), port }
    : { time, services, networkId: BIP155_NETWORK.IPV6, addr: bytes, port }
}

/** The same as an addr (v1) entry, or undefined for an onion address, which addr cannot carry. */
export function addrEntryOf (host: string, port: number, services: bigint, time: number): TimedNetAddress | undefined {
  return networkOf(host) === 'onion' ? undefined : { time, services, ip: ipToBytes(host), port }
}
