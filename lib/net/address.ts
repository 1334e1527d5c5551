/**
 * The addresses of addr and addrv2 entries as text, "host:port", as Bitcoin Core writes them
 * (CService::ToStringAddrPort) and reads them (LookupHost, CNetAddr::SetSpecial): IPv4 dotted;
 * IPv6 and CJDNS compressed as RFC 5952 says, in brackets; Tor v3 as base32(public key, checksum,
 * version 3) + ".onion", the checksum the first two bytes of SHA3-256(".onion checksum" | key | 3);
 * I2P as base32 of its 32 bytes + ".b32.i2p". Names are not looked up: a host is an address.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/netaddress.cpp
 * @see https://github.com/bitcoin/bips/blob/master/bip-0155.mediawiki
 */

import { createHash } from 'node:crypto'
import * as net from 'node:net'

import { invalid } from '../checks'
import { type AddrV2Entry, BIP155_NETWORK, type NetAddress } from '../messages'
import { decodeBase32, encodeBase32 } from './base32'
import { ipToBytes } from './ip'

/** An addrv2 entry's address: a BIP-155 network id, the address bytes, the port. */
export type AddrV2Address = Pick<AddrV2Entry, 'networkId' | 'addr' | 'port'>
/** An addr (or version) entry's address: 16 bytes, IPv4 mapped into ::ffff:0:0/96, and the port. */
export type AddrAddress = Pick<NetAddress, 'ip' | 'port'>

// Core's prefixes of addresses carried in 16 bytes (netaddress.h).
const IPV4_IN_IPV6_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
const TORV2_IN_IPV6_PREFIX = [0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43]
const INTERNAL_IN_IPV6_PREFIX = [0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24]
const CJDNS_PREFIX = 0xfc
const TORV3_VERSION = 3
const I2P_BASE32_LENGTH = 52

const hasPrefix = (bytes: Uint8Array, prefix: number[]): boolean => prefix.every((b, i) => bytes[i] === b)

function torV3Checksum (key: Uint8Array): Uint8Array {
  const h = createHash('sha3-256').update('.onion checksum').update(key).update(Uint8Array.of(TORV3_VERSION)).digest()
  return new Uint8Array(h.subarray(0, 2))
}

// Core's IPv6ToString: lowercase hex groups, the longest run of two or more zero groups (the first
// of equal ones) as "::".
function ipv6ToString (a: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (a[2 * i]! << 8) | a[2 * i + 1]!)
  let best = { start: 0, length: 0 }
  let run = { start: 0, length: 0 }
  groups.forEach((g, i) => {
    run = g === 0 ? { start: run.length === 0 ? i : run.start, length: run.length + 1 } : { start: i + 1, length: 0 }
    if (run.length > best.length) best = run
  })
  if (best.length < 2) return groups.map((g) => g.toString(16)).join(':')
  const part = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':')
  return `${part(0, best.start)}::${part(best.start + best.length, 8)}`
}

const withPort = (host: string, port: number): string => `${host}:${port}`
const bracketed = (host: string, port: number): string => `[${host}]:${port}`

function checkPort (port: unknown): number {
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 0xffff) throw invalid(`expected a port from 0 to 65535, got ${String(port)}`)
  return port as number
}

/**
 * "host:port" of an addr entry (`{ ip, port }`, 16 bytes) or an addrv2 entry (`{ networkId, addr,
 * port }`), as Core's ToStringAddrPort writes it: "1.2.3.4:8333", "[2001:db8::1]:8333",
 * "<56 characters>.onion:8333", "<52 characters>.b32.i2p:0", "[fc00::1]:8333" (CJDNS). Undefined for
 * an entry Core reads as no address: a network id BIP-155 does not define (or Tor v2, which Core no
 * longer reads), an address of the wrong size, IPv4 or Tor v2 in an addrv2 IPv6 entry, Tor v2 in an
 * addr entry. An addr entry's IPv4 prints dotted; Core's "internal" names print as it prints them.
 */
export function addressToString (entry: AddrAddress | AddrV2Address): string | undefined {
  if (entry === null || typeof entry !== 'object') throw invalid('expected an addr entry { ip, port } or an addrv2 entry { networkId, addr, port }')
  const port = checkPort(entry.port)
  if ('networkId' in entry) {
    const { networkId, addr } = entry
    if (!(addr instanceof Uint8Array)) throw invalid('expected addr as a Uint8Array')
    switch (networkId) {
      case BIP155_NETWORK.IPV4:
        return addr.length === 4 ? withPort(addr.join('.'), port) : undefined
      case BIP155_NETWORK.IPV6:
        if (addr.length !== 16 || hasPrefix(addr, IPV4_IN_IPV6_PREFIX) || hasPrefix(addr, TORV2_IN_IPV6_PREFIX)) return undefined
        return hasPrefix(addr, INTERNAL_IN_IPV6_PREFIX) ? withPort(internalName(addr), port) : bracketed(ipv6ToString(addr), port)
      case BIP155_NETWORK.TORV3:
        return addr.length === 32 ? withPort(onionName(addr), port) : undefined
      case BIP155_NETWORK.I2P:
        return addr.length === 32 ? withPort(`${encodeBase32(addr, false)}.b32.i2p`, port) : undefined
      case BIP155_NETWORK.CJDNS:
        return addr.length === 16 ? bracketed(ipv6ToString(addr), port) : undefined
      default:
        return undefined
    }
  }
  const { ip } = entry
  if (!(ip instanceof Uint8Array) || ip.length !== 16) throw invalid('expected ip as a Uint8Array of 16 bytes')
  if (hasPrefix(ip, IPV4_IN_IPV6_PREFIX)) return withPort(ip.subarray(12).join('.'), port)
  if (hasPrefix(ip, TORV2_IN_IPV6_PREFIX)) return undefined
  if (hasPrefix(ip, INTERNAL_IN_IPV6_PREFIX)) return withPort(internalName(ip), port)
  return bracketed(ipv6ToString(ip), port)
}

// Core's name for its own placeholders of DNS seeds (CNetAddr::SetInternal), never a peer.
function internalName (ip16: Uint8Array): string {
  return `${encodeBase32(ip16.subarray(INTERNAL_IN_IPV6_PREFIX.length))}.internal`
}

/** Options of addrV2FromString. */
export interface AddrV2FromStringOptions {
  /** Read an IPv6 address in fc00::/8 as CJDNS (network 6), as Core does with -cjdnsreachable.
   *  Default: false, as Core's default: it is IPv6 (network 2). */
  cjdns?: boolean
}

function splitHostPort (text: string): { host: string, port: number } {
  if (typeof text !== 'string') throw invalid(`expected "host:port" as a string, got ${typeof text}`)
  // An IPv6 address goes in brackets, as its colons would run into the port's.
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text)
  if (m === null) throw invalid('expected "host:port" or "[IPv6]:port"')
  return { host: m[1]!, port: checkPort(Number(m[2])) }
}

/**
 * An addrv2 entry's address from "host:port", as Core reads it: IPv4 (4 bytes; "::ffff:1.2.3.4"
 * too), IPv6 in brackets, Tor v3 ("….onion", its checksum and version checked), I2P ("….b32.i2p",
 * 52 characters of base32). Spread it into an entry: `{ time, services, ...addrV2FromString(s) }`.
 * Throws ERR_BIP324_INVALID_ARG for anything else (a name to look up, Tor v2, a bad checksum).
 */
export function addrV2FromString (text: string, options: AddrV2FromStringOptions = {}): AddrV2Address {
  const { host, port } = splitHostPort(text)
  if (net.isIPv4(host) || net.isIPv6(host)) {
    const ip = ipToBytes(host)
    if (hasPrefix(ip, IPV4_IN_IPV6_PREFIX)) return { networkId: BIP155_NETWORK.IPV4, addr: ip.slice(12), port }
    if (hasPrefix(ip, TORV2_IN_IPV6_PREFIX) || hasPrefix(ip, INTERNAL_IN_IPV6_PREFIX)) throw invalid(`${host} is in a range Core reserves for Tor v2 and its own names, not an address`)
    return { networkId: options.cjdns === true && ip[0] === CJDNS_PREFIX ? BIP155_NETWORK.CJDNS : BIP155_NETWORK.IPV6, addr: ip, port }
  }
  if (host.endsWith('.onion')) return { networkId: BIP155_NETWORK.TORV3, addr: torV3Key(host), port }
  if (host.length === I2P_BASE32_LENGTH + 8 && host.slice(I2P_BASE32_LENGTH).toLowerCase() === '.b32.i2p') {
    const addr = decodeBase32(`${host.slice(0, I2P_BASE32_LENGTH)}====`)
    if (addr?.length === 32) return { networkId: BIP155_NETWORK.I2P, addr, port }
  }
  throw invalid('expected an IPv4, [IPv6], Tor v3 (.onion) or I2P (.b32.i2p) address and a port; names are not looked up')
}

/** A Tor v3 service's 32-byte key as its ".onion" name. */
export function onionName (key: Uint8Array): string {
  return `${encodeBase32(Uint8Array.from([...key, ...torV3Checksum(key), TORV3_VERSION]))}.onion`
}

/** The 32-byte key of a Tor v3 ".onion" name in lowercase, or undefined if it is not one (a wrong
 *  checksum or version too). */
export function onionKey (host: string): Uint8Array | undefined {
  if (!/^[a-z2-7]{56}\.onion$/.test(host)) return undefined
  try {
    return torV3Key(host)
  } catch {
    return undefined
  }
}

// Core's SetTor: base32 of the 32-byte key, its checksum and version 3.
function torV3Key (host: string): Uint8Array {
  const all = decodeBase32(host.slice(0, -'.onion'.length))
  if (all?.length !== 32 + 2 + 1) throw invalid('not a Tor v3 address: 56 base32 characters before .onion (Tor v2 is no longer read)')
  const key = all.subarray(0, 32)
  const checksum = torV3Checksum(key)
  if (all[34] !== TORV3_VERSION || all[32] !== checksum[0] || all[33] !== checksum[1]) throw invalid('not a Tor v3 address: its version or checksum is wrong')
  return new Uint8Array(key)
}

/** An addr entry's address (16 bytes) from "1.2.3.4:8333" or "[2001:db8::1]:8333": addr (and
 *  version) carry IPv4 and IPv6 only, so anything else is ERR_BIP324_INVALID_ARG. */
export function addrFromString (text: string): AddrAddress {
  const a = addrV2FromString(text)
  if (a.networkId === BIP155_NETWORK.IPV4) return { ip: ipToBytes(a.addr.join('.')), port: a.port }
  if (a.networkId === BIP155_NETWORK.IPV6) return { ip: a.addr, port: a.port }
  throw invalid(`${text} has no addr form: Tor v3 and I2P addresses travel in addrv2 only`)
}
