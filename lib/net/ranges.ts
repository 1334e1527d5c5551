/**
 * IP blocks that a relay must not reach on a stranger's word (loopback, private, link-local and the
 * other special-purpose blocks of the IANA registries, RFC 6890), and CIDR matching for allow lists.
 * Addresses are ip.ts's 16 bytes, IPv4 mapped into ::ffff:0:0/96, so an IPv4 block covers its
 * mapped IPv6 spelling (::ffff:127.0.0.1) too.
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */

import * as net from 'node:net'

import { Bip324Error } from '../errors'
import { invalid } from '../checks'
import { ipToBytes } from './ip'

/** A block of addresses: its first address as 16 bytes and the prefix length over those 16 bytes. */
export interface Cidr {
  bytes: Uint8Array
  bits: number
}

/** The 96 bits of ::ffff:0:0/96 in front of an IPv4 address. */
const MAPPED_BITS = 96

/** "10.0.0.0/8", "fc00::/7", or one address ("127.0.0.1", "::1", a block of one). An IPv4 prefix
 *  counts IPv4 bits. Bits set past the prefix are refused: "10.0.0.1/8" is more likely a typo than
 *  a way to write 10.0.0.0/8. */
export function parseCidr (text: string): Cidr {
  const bad = (why: string): Bip324Error => invalid(`expected an IP address or a CIDR block (10.0.0.0/8, fc00::/7), got "${text}": ${why}`)
  if (typeof text !== 'string') throw bad('not a string')
  const [ip = '', prefix, ...more] = text.split('/')
  const family = net.isIP(ip)
  if (family === 0 || more.length > 0) throw bad('not an IP address')
  const width = family === 4 ? 32 : 128
  const bits = prefix === undefined ? width : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN
  if (!(bits <= width)) throw bad(`the prefix length must be 0..${width}`)
  const cidr = { bytes: ipToBytes(ip), bits: family === 4 ? MAPPED_BITS + bits : bits }
  if (cidr.bytes.some((b, i) => (b & ~maskAt(i, cidr.bits)) !== 0)) throw bad('bits are set past the prefix')
  return cidr
}

/** Whether `ip` (16 bytes) is in `cidr`. */
export function inCidr (ip: Uint8Array, cidr: Cidr): boolean {
  return cidr.bytes.every((b, i) => ((ip[i]! ^ b) & maskAt(i, cidr.bits)) === 0)
}

// The bits of byte i that a prefix of `bits` bits covers.
function maskAt (i: number, bits: number): number {
  return (0xff00 >> Math.max(0, Math.min(8, bits - 8 * i))) & 0xff
}

/** A special-purpose block: what it is (the name refusals and callbacks get) and where. */
export interface SpecialRange {
  name: string
  cidr: string
}

// First match names the address, so the narrow blocks come before the wide ones that hold them.
const SPECIAL: ReadonlyArray<SpecialRange & { block: Cidr }> = ([
  // "This network" (RFC 1122): 0.0.0.0 is the unspecified address, and Linux connects it to this host.
  ['unspecified', '0.0.0.0/8'],
  ['private', '10.0.0.0/8'], // RFC 1918
  ['shared (CGNAT)', '100.64.0.0/10'], // RFC 6598: inside a carrier's NAT
  ['loopback', '127.0.0.0/8'],
  ['link-local', '169.254.0.0/16'], // RFC 3927; holds cloud metadata services (169.254.169.254)
  ['private', '172.16.0.0/12'],
  ['IETF protocol assignments', '192.0.0.0/24'], // RFC 6890: DS-Lite, NAT64 discovery and such
  ['documentation', '192.0.2.0/24'], // RFC 5737, as the next two
  ['private', '192.168.0.0/16'],
  ['benchmarking', '198.18.0.0/15'], // RFC 2544: test networks inside a site
  ['documentation', '198.51.100.0/24'],
  ['documentation', '203.0.113.0/24'],
  ['multicast', '224.0.0.0/4'], // RFC 5771: not one peer
  ['broadcast', '255.255.255.255/32'], // RFC 919: every host on the local link
  ['reserved', '240.0.0.0/4'], // RFC 1112: never allocated, not routed
  ['unspecified', '::/128'],
  ['loopback', '::1/128'],
  // IPv4-compatible (::a.b.c.d, deprecated by RFC 4291): tunnelled to the IPv4 address by some stacks.
  ['IPv4-compatible', '::/96'],
  ['local-use NAT64', '64:ff9b:1::/48'], // RFC 8215: translates into a site's own IPv4 networks
  ['discard-only', '100::/64'], // RFC 6666
  ['benchmarking', '2001:2::/48'], // RFC 5180
  ['ORCHID', '2001:10::/28'], // RFC 4843, and v2 in RFC 7343: identifiers, not locators
  ['ORCHID', '2001:20::/28'],
  ['documentation', '2001:db8::/32'], // RFC 3849
  ['private', 'fc00::/7'], // unique local, RFC 4193
  ['link-local', 'fe80::/10'],
  ['site-local', 'fec0::/10'], // deprecated by RFC 3879, still routed inside some sites
  ['multicast', 'ff00::/8']
] as const).map(([name, cidr]) => ({ name, cidr, block: parseCidr(cidr) }))

// IPv6 blocks that deliver to an IPv4 address they carry (at this byte offset): judged by that address.
// Teredo (2001::/32) is not among them: its IPv4 parts name a public relay and a NAT, not the host.
const CARRIERS: ReadonlyArray<{ block: Cidr, at: number }> = [
  { block: parseCidr('64:ff9b::/96'), at: 12 }, // NAT64, RFC 6052: translated to the IPv4 address
  { block: parseCidr('2002::/16'), at: 2 } // 6to4, RFC 3056: tunnelled to the IPv4 address
]

/** The special-purpose block `ip` is in, or undefined for a globally routable address. */
export function specialRange (ip: string | Uint8Array): SpecialRange | undefined {
  const bytes = typeof ip === 'string' ? ipToBytes(ip) : ip
  const found = SPECIAL.find((r) => inCidr(bytes, r.block))
  if (found !== undefined) return { name: found.name, cidr: found.cidr }
  const carrier = CARRIERS.find((c) => inCidr(bytes, c.block))
  if (carrier === undefined) return undefined
  const mapped = new Uint8Array(16)
  mapped[10] = mapped[11] = 0xff
  mapped.set(bytes.subarray(carrier.at, carrier.at + 4), 12)
  return specialRange(mapped)
}

// Hurricane Electric's 2001:470::/32, whose customers get /48s of one /36: Core groups it by 36 bits.
const HE_NET = parseCidr('2001:470::/32')
const TEREDO = parseCidr('2001::/32')

/** The network group of a peer's address, as Bitcoin Core's CNetAddr::GetGroup: an IPv4 address's
 *  /16 (also when an IPv6 spelling carries it: mapped, NAT64, 6to4, Teredo), an IPv6 address's
 *  /32 (/36 in Hurricane Electric's block), one group for all of loopback and one for every other
 *  unroutable address. Peers in one group are likely one operator's, which eviction and the
 *  handshake gate weigh against each other. */
export function netGroup (ip: string): string {
  const bytes = ipToBytes(ip)
  const special = specialRange(bytes)
  if (special?.name === 'loopback') return 'local'
  if (special !== undefined) return 'unroutable'
  const carrier = CARRIERS.find((c) => inCidr(bytes, c.block))
  const v4 = bytes.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff))
    ? bytes.subarray(12, 14)
    : carrier !== undefined
      ? bytes.subarray(carrier.at, carrier.at + 2)
      // Teredo carries the client's IPv4 address in its last 4 bytes, inverted.
      : inCidr(bytes, TEREDO) ? bytes.subarray(12, 14).map((b) => b ^ 0xff) : undefined
  if (v4 !== undefined) return `ipv4:${v4[0]}.${v4[1]}`
  const hex = Buffer.from(bytes.subarray(0, 5)).toString('hex')
  return `ipv6:${inCidr(bytes, HE_NET) ? hex.slice(0, 9) : hex.slice(0, 8)}`
}
