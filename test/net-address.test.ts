// addr and addrv2 entries as "host:port" and back, against Bitcoin Core's own strings and bytes:
// src/test/net_tests.cpp @ 8598ec220450b05eff03fc1d1c81f51269cca247 (cnetaddr_basic,
// cnetaddr_tostring_canonical_ipv6, cnetaddr_serialize_v1/_v2, cnetaddr_unserialize_v2). Each
// vector's bytes and string are Core's; the ports around them are ours.

import { addressToString, addrFromString, addrV2FromString, BIP155_NETWORK } from '../lib'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const refused = expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' })
const TORV3 = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'
const I2P = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p'

describe('addrv2 entries to text (cnetaddr_unserialize_v2: the bytes Core reads, the ToStringAddr it gives)', () => {
  test.each([
    ['IPv4', BIP155_NETWORK.IPV4, '01020304', '1.2.3.4:8333'],
    ['IPv6', BIP155_NETWORK.IPV6, '0102030405060708090a0b0c0d0e0f10', '[102:304:506:708:90a:b0c:d0e:f10]:8333'],
    ['IPv6 holding a Core "internal" name', BIP155_NETWORK.IPV6, 'fd6b88c08724ca978112ca1bbdcafac2', 'zklycewkdo64v6wc.internal:8333'],
    ['Tor v3', BIP155_NETWORK.TORV3, '79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f', `${TORV3}:8333`],
    ['I2P (its port is 0 in Core)', BIP155_NETWORK.I2P, 'a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87', `${I2P}:8333`],
    ['CJDNS', BIP155_NETWORK.CJDNS, 'fc000001000200030004000500060007', '[fc00:1:2:3:4:5:6:7]:8333']
  ])('%s', (_name, networkId, addr, text) => {
    expect(addressToString({ networkId, addr: hex(addr), port: 8333 })).toBe(text)
  })

  test.each([
    ['IPv4 embedded in IPv6 ("Invalid IPv6, contains embedded IPv4")', BIP155_NETWORK.IPV6, '00000000000000000000ffff01020304'],
    ['Tor v2 embedded in IPv6', BIP155_NETWORK.IPV6, 'fd87d87eeb430102030405060708090a'],
    ['Tor v2 ("no longer supported")', BIP155_NETWORK.TORV2, 'f1f2f3f4f5f6f7f8f9fa'],
    ['an unknown network', 0xaa, '01020304'],
    ['an IPv4 of 5 bytes', BIP155_NETWORK.IPV4, '0102030405']
  ])('no address, as Core reads none: %s', (_name, networkId, addr) => {
    expect(addressToString({ networkId, addr: hex(addr), port: 8333 })).toBeUndefined()
  })
})

describe('text to addrv2 entries (cnetaddr_basic, cnetaddr_serialize_v2: SetSpecial and LookupHost)', () => {
  test.each([
    ['1.2.3.4:8333', BIP155_NETWORK.IPV4, '01020304'],
    ['[::ffff:1.2.3.4]:8333', BIP155_NETWORK.IPV4, '01020304'],
    ['[1a1b:2a2b:3a3b:4a4b:5a5b:6a6b:7a7b:8a8b]:8333', BIP155_NETWORK.IPV6, '1a1b2a2b3a3b4a4b5a5b6a6b7a7b8a8b'],
    ['kpgvmscirrdqpekbqjsvw5teanhatztpp2gl6eee4zkowvwfxwenqaid.onion:8333', BIP155_NETWORK.TORV3, '53cd5648488c4707914182655b7664034e09e66f7e8cbf1084e654eb56c5bd88'],
    [`${TORV3}:8333`, BIP155_NETWORK.TORV3, '79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f'],
    [`${I2P}:0`, BIP155_NETWORK.I2P, 'a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87'],
    ['[fc00:1:2:3:4:5:6:7]:8333', BIP155_NETWORK.IPV6, 'fc000001000200030004000500060007']
  ])('%s', (text, networkId, addr) => {
    const a = addrV2FromString(text)
    expect({ networkId: a.networkId, addr: toHex(a.addr) }).toEqual({ networkId, addr })
    expect(a.port).toBe(Number(text.slice(text.lastIndexOf(':') + 1)))
  })

  test('fc00::/8 is CJDNS with { cjdns: true }, as Core with -cjdnsreachable', () => {
    expect(addrV2FromString('[fc00:1:2:3:4:5:6:7]:8333', { cjdns: true })).toEqual({ networkId: BIP155_NETWORK.CJDNS, addr: hex('fc000001000200030004000500060007'), port: 8333 })
    expect(addrV2FromString('[fd00::1]:8333', { cjdns: true }).networkId).toBe(BIP155_NETWORK.IPV6)
  })

  test('I2P in capitals: read, and written back in lower case ("UDHDrtrc....b32.I2P")', () => {
    const text = 'UDHDrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.I2P'
    const a = addrV2FromString(`${text}:0`)
    expect(a.networkId).toBe(BIP155_NETWORK.I2P)
    expect(addressToString(a)).toBe(`${text.toLowerCase()}:0`)
  })

  test.each([
    ['Tor v2, no longer supported', '6hzph5hv6337r6p2.onion'],
    ['Tor v3 with a wrong checksum', 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscsad.onion'],
    ['Tor v3 with a wrong version', 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrye.onion'],
    ['Tor v3 with a NUL inside', 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd\0wtf.onion'],
    ['Tor of a bogus length', 'mfrggzak.onion'],
    ['Tor with invalid base32', 'mf*g zak.onion'],
    ['I2P decoding to fewer bytes', 'udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jn=.b32.i2p'],
    ['I2P with extra padding', 'udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna=.b32.i2p'],
    ['I2P with a NUL inside', 'udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v\0wtf.b32.i2p'],
    ['I2P of 56 characters (valid in I2P, not read by Core)', 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscsad.b32.i2p'],
    ['I2P with invalid base32', 'tp*szydbh4dp.b32.i2p'],
    ['totally bogus', 'totally bogus'],
    ['a name to look up', 'seed.bitcoin.sipa.be'],
    ['Core\'s "internal" range', '[fd6b:88c0:8724:ca97:8112:ca1b:bdca:fac2]']
  ])('refused: %s', (_name, host) => {
    expect(() => addrV2FromString(`${host}:8333`)).toThrow(refused)
  })

  test.each(['1.2.3.4', '[::1]', '::1:8333', '1.2.3.4:65536', '1.2.3.4:-1', '[1.2.3.4:8333', ''])('refused: "%s" (no port, no brackets, a bad port)', (text) => {
    expect(() => addrV2FromString(text)).toThrow(refused)
  })
})

test('IPv6 is written as Core writes it (cnetaddr_tostring_canonical_ipv6, RFC 5952), all 40 of its cases', () => {
  const CANONICAL: Array<[string, string]> = [
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'], ['000:0000:000:00:0:00:000:0000', '::'], ['000:000:000:000:000:000:000:000', '::'],
    ['00:00:00:00:00:00:00:00', '::'], ['0:0:0:0:0:0:0:0', '::'], ['0:0:0:0:0:0:0:1', '::1'], ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:0db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3::8a2e:370:7334'],
    ['2001:0db8::0001', '2001:db8::1'], ['2001:0db8::0001:0000', '2001:db8::1:0'], ['2001:0db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0000:0:1::1', '2001:db8::1:0:0:1'], ['2001:db8:0000:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:0:0::1', '2001:db8::1'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['2001:db8:0:0:1::1', '2001:db8::1:0:0:1'],
    ['2001:DB8:0:0:1::1', '2001:db8::1:0:0:1'], ['2001:db8:0:0::1', '2001:db8::1'], ['2001:db8:0:0:aaaa::1', '2001:db8::aaaa:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], ['2001:db8:0::1', '2001:db8::1'], ['2001:db8:85a3:0:0:8a2e:370:7334', '2001:db8:85a3::8a2e:370:7334'],
    ['2001:db8::0:1', '2001:db8::1'], ['2001:db8::0:1:0:0:1', '2001:db8::1:0:0:1'], ['2001:DB8::1', '2001:db8::1'], ['2001:db8::1', '2001:db8::1'],
    ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'], ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], ['2001:db8::aaaa:0:0:1', '2001:db8::aaaa:0:0:1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:0:1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'], ['2001:db8:aaaa:bbbb:cccc:dddd::1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'], ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:01', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'], ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:1', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'], ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:AAAA', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:AaAa', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa']
  ]
  expect(CANONICAL).toHaveLength(40)
  for (const [input, canonical] of CANONICAL) expect([input, addressToString(addrV2FromString(`[${input}]:1`))]).toEqual([input, `[${canonical}]:1`])
})

describe('addr (v1) entries, 16 bytes (cnetaddr_serialize_v1)', () => {
  test.each([
    ['1.2.3.4:8333', '00000000000000000000ffff01020304'],
    ['[1a1b:2a2b:3a3b:4a4b:5a5b:6a6b:7a7b:8a8b]:8333', '1a1b2a2b3a3b4a4b5a5b6a6b7a7b8a8b']
  ])('%s is %s, and back', (text, ip) => {
    expect(addrFromString(text)).toEqual({ ip: hex(ip), port: 8333 })
    expect(addressToString({ ip: hex(ip), port: 8333 })).toBe(text)
  })

  test('Core\'s SetInternal("a") bytes print as its name; Tor v2 in IPv6 is no address', () => {
    // cnetaddr_serialize_v1's SetInternal("a"); its name as cnetaddr_unserialize_v2 prints the same bytes.
    expect(addressToString({ ip: hex('fd6b88c08724ca978112ca1bbdcafac2'), port: 0 })).toBe('zklycewkdo64v6wc.internal:0')
    expect(addressToString({ ip: hex('fd87d87eeb43f1f2f3f4f5f6f7f8f9fa'), port: 8333 })).toBeUndefined()
  })

  test('Tor v3 and I2P have no addr form: ERR_BIP324_INVALID_ARG', () => {
    expect(() => addrFromString(`${TORV3}:8333`)).toThrow(refused)
    expect(() => addrFromString(`${I2P}:0`)).toThrow(refused)
  })
})

test('a bad entry is the caller\'s mistake: ERR_BIP324_INVALID_ARG', () => {
  for (const bad of [null, { ip: new Uint8Array(4), port: 1 }, { networkId: 1, addr: [1, 2, 3, 4], port: 1 }, { ip: new Uint8Array(16), port: 65536 }]) {
    expect(() => addressToString(bad as never)).toThrow(refused)
  }
})
