// Address classification for the proxy: each special-purpose block at its edges, the public
// addresses just outside them, the IPv6 spellings that carry an IPv4 address, and CIDR parsing.

import { ipToBytes } from '../lib/net/ip'
import { inCidr, netGroup, parseCidr, specialRange } from '../lib/net/ranges'

const SPECIAL: Array<[string, string]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.255.255.255', 'unspecified'],
  ['10.0.0.0', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.0', 'shared (CGNAT)'],
  ['100.127.255.255', 'shared (CGNAT)'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.0', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::127.0.0.1', 'IPv4-compatible'],
  ['::8.8.8.8', 'IPv4-compatible'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::c0a8:101', 'private'],
  ['64:ff9b:1::1', 'local-use NAT64'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:a00:1:1::1', 'private'],
  ['100::1', 'discard-only'],
  ['2001:2::1', 'benchmarking'],
  ['2001:10::1', 'ORCHID'],
  ['2001:2f::1', 'ORCHID'],
  ['2001:db8::1', 'documentation'],
  ['fc00::1', 'private'],
  ['fd87:d87e:eb43::1', 'private'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast']
]

const PUBLIC = [
  '1.1.1.1', '8.8.8.8', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255',
  '128.0.0.0', '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.0', '192.167.255.255',
  '192.169.0.0', '198.17.255.255', '198.20.0.0', '223.255.255.255', '::ffff:8.8.8.8',
  '::1:0:0:0', '2001:4860:4860::8888', '64:ff9b::8.8.8.8', '2002:808:808::1', '2001:0:4136:e378::1',
  '2001:3::1', 'fbff:ffff::1'
]

test.each(SPECIAL)('%s is %s', (ip, name) => {
  expect(specialRange(ip)?.name).toBe(name)
})

test.each(PUBLIC)('%s is globally routable', (ip) => {
  expect(specialRange(ip)).toBeUndefined()
})

test('the 16 bytes of a version message are classified as their text is', () => {
  expect(specialRange(ipToBytes('192.168.0.1'))).toEqual({ name: 'private', cidr: '192.168.0.0/16' })
  expect(specialRange(ipToBytes('1.2.3.4'))).toBeUndefined()
})

test.each([
  ['10.0.0.0/8', '10.200.1.1', true],
  ['10.0.0.0/8', '11.0.0.0', false],
  ['10.0.0.0/8', '::ffff:10.0.0.1', true],
  ['127.0.0.1', '127.0.0.1', true],
  ['127.0.0.1', '127.0.0.2', false],
  ['0.0.0.0/0', '203.0.113.1', true],
  ['0.0.0.0/0', '2001:db8::1', false],
  ['::/0', '2001:db8::1', true],
  ['fc00::/7', 'fdff::1', true],
  ['fc00::/7', 'fe00::', false],
  ['2001:db8:ab00::/41', '2001:db8:ab7f::1', true],
  ['2001:db8:ab00::/41', '2001:db8:ab80::1', false]
])('%s holds %s: %s', (cidr, ip, expected) => {
  expect(inCidr(ipToBytes(ip), parseCidr(cidr))).toBe(expected)
})

test.each(['10.0.0.0/33', '::/129', '10.0.0.1/8', 'fe80::1/10', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/x', 'localhost', '10.0.0', ''])('"%s" is not a CIDR block', (text) => {
  expect(() => parseCidr(text)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('netGroup is Core\'s GetGroup: IPv4 /16 in every spelling that carries it, IPv6 /32 (/36 at Hurricane Electric), one group for loopback and one for the unroutable', () => {
  expect(netGroup('1.2.3.4')).toBe('ipv4:1.2')
  expect(netGroup('1.2.200.1')).toBe('ipv4:1.2')
  expect(netGroup('1.3.3.4')).toBe('ipv4:1.3')
  expect(netGroup('::ffff:1.2.3.4')).toBe('ipv4:1.2')
  expect(netGroup('64:ff9b::102:304')).toBe('ipv4:1.2')
  expect(netGroup('2002:102:304::1')).toBe('ipv4:1.2')
  // Teredo: the client's address is the last 32 bits, inverted.
  expect(netGroup('2001:0:4136:e378:8000:63bf:fefd:fcfb')).toBe('ipv4:1.2')
  expect(netGroup('2a01:4f8:1:2::1')).toBe('ipv6:2a0104f8')
  expect(netGroup('2a01:4f8:ffff::1')).toBe('ipv6:2a0104f8')
  expect(netGroup('2001:470:1f00::1')).toBe('ipv6:200104701')
  expect(netGroup('2001:470:2f00::1')).toBe('ipv6:200104702')
  expect(netGroup('127.0.0.1')).toBe('local')
  expect(netGroup('::1')).toBe('local')
  expect(netGroup('::ffff:127.0.0.1')).toBe('local')
  expect(netGroup('10.1.2.3')).toBe('unroutable')
  expect(netGroup('fc00::1')).toBe('unroutable')
})
