// Address conversions against node:net's own parser (SocketAddress) and hand-written bytes.

import net from 'node:net'

import { bytesToIp, ipToBytes, parseHostPort } from '../lib/net/ip'

test('IPv4 maps into ::ffff:0:0/96 and back', () => {
  expect([...ipToBytes('1.2.3.4')]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])
  expect(bytesToIp(ipToBytes('127.0.0.1'))).toBe('127.0.0.1')
  expect(bytesToIp(ipToBytes('::ffff:10.0.0.1'))).toBe('10.0.0.1')
})

test('IPv6 forms, compressed or not, give the bytes node:net agrees on', () => {
  for (const ip of ['::1', '::', '2001:db8::8a2e:370:7334', 'fe80::1:2', '2001:db8:0:0:1:0:0:1', 'fc00::']) {
    const bytes = ipToBytes(ip)
    expect(bytes).toHaveLength(16)
    const back = bytesToIp(bytes)
    expect(net.isIPv6(back)).toBe(true)
    expect(new net.SocketAddress({ address: back, family: 'ipv6' }).address).toBe(new net.SocketAddress({ address: ip, family: 'ipv6' }).address)
  }
  expect([...ipToBytes('::1')]).toEqual([...Array(15).fill(0), 1])
})

test('host:port parsing, with defaults and errors', () => {
  expect(parseHostPort('example.org:8333', 1)).toEqual({ host: 'example.org', port: 8333 })
  expect(parseHostPort('127.0.0.1', 18444)).toEqual({ host: '127.0.0.1', port: 18444 })
  expect(parseHostPort('[::1]:38333', 1)).toEqual({ host: '::1', port: 38333 })
  expect(parseHostPort('127.0.0.1:0', 1, { listen: true })).toEqual({ host: '127.0.0.1', port: 0 })
  expect(() => parseHostPort('127.0.0.1:0', 1)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  expect(() => parseHostPort('host:99999', 1)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  expect(() => ipToBytes('not.an.ip')).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('a dotted tail is the last 32 bits under any prefix, not always an IPv4-mapped address', () => {
  expect([...ipToBytes('64:ff9b::1.2.3.4')]).toEqual([0, 0x64, 0xff, 0x9b, ...Array(8).fill(0), 1, 2, 3, 4])
  expect([...ipToBytes('::127.0.0.1')]).toEqual([...Array(12).fill(0), 127, 0, 0, 1])
  expect([...ipToBytes('::ffff:10.0.0.1')]).toEqual([...ipToBytes('10.0.0.1')])
})
