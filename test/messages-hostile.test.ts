// Hostile payloads: Bitcoin Core's limits enforced from the announced count, before anything is
// allocated; non-canonical CompactSizes, truncation and trailing bytes refused; random bytes for
// every type fail only with a Bip324Error.

import fc from 'fast-check'

import {
  commandOf, decodeCompactSize, decodePayload, encodeCompactSize, encodePayload, MAX_ADDR_TO_SEND, MAX_HEADERS_RESULTS,
  MAX_INV_SZ, MAX_LOCATOR_SZ, SHORT_MESSAGE_IDS, type VersionMessage
} from '../lib/messages'
import { hex, toHex } from './helpers/bytes'
import { bip324Error } from './helpers/errors'

const cat = (...parts: Array<Uint8Array | number[]>): Uint8Array => Uint8Array.from(Buffer.concat(parts.map((p) => Uint8Array.from(p))))
const le16 = (n: number): number[] => [n & 0xff, n >> 8]
/** A canonical CompactSize up to 0xffff, written here rather than with the code under test. */
const cs = (n: number): number[] => n < 0xfd ? [n] : [0xfd, ...le16(n)]

// The developer reference's version payload (see messages-golden.test.ts), which ends in a relay byte.
const VERSION =
  hex('721101000100000000000000bc8f5e5400000000010000000000000000000000000000000000ffffc61b6409208d' +
    '010000000000000000000000000000000000ffffcb0071c0208d128035cbc97953f80f2f5361746f7368693a302e392e332f' +
    'cf05050001')

describe('CompactSize', () => {
  test.each([
    ['0xfd carrying 0xfc (fits in 1 byte)', 'fdfc00', 0xfcn],
    ['0xfd carrying 0', 'fd0000', 0n],
    ['0xfe carrying 0xffff (fits in 3 bytes)', 'feffff0000', 0xffffn],
    ['0xfe carrying 0', 'fe00000000', 0n],
    ['0xff carrying 0xffffffff (fits in 5 bytes)', 'ffffffffff00000000', 0xffff_ffffn],
    ['0xff carrying 1', 'ff0100000000000000', 1n]
  ])('%s is non-canonical: ERR_BIP324_BAD_PAYLOAD', (_name, bytes, value) => {
    expect(() => decodeCompactSize(hex(bytes))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    // The same value written canonically is shorter and decodes.
    expect(encodeCompactSize(value).length).toBeLessThan(hex(bytes).length)
    expect(decodeCompactSize(encodeCompactSize(value)).value).toBe(value)
  })

  test.each([
    ['fc', 0xfcn, 1], ['fdfd00', 0xfdn, 3], ['fdffff', 0xffffn, 3], ['fe00000100', 0x10000n, 5],
    ['feffffffff', 0xffff_ffffn, 5], ['ff0000000001000000', 0x1_0000_0000n, 9], ['ffffffffffffffffff', 2n ** 64n - 1n, 9]
  ])('the boundary %s decodes to %s in %i bytes, and encodes back to it', (bytes, value, length) => {
    expect(decodeCompactSize(hex(bytes))).toEqual({ value, length })
    expect(toHex(encodeCompactSize(value))).toBe(bytes)
  })

  test('a non-canonical count inside a payload is ERR_BIP324_BAD_PAYLOAD', () => {
    expect(() => decodePayload('inv', cat([0xfd, 0x01, 0x00], new Uint8Array(36)))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('inv', cat([0xfe, 0x01, 0, 0, 0], new Uint8Array(36)))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('inv', cat([0xff, 0x01, 0, 0, 0, 0, 0, 0, 0], new Uint8Array(36)))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(decodePayload('inv', cat([0x01], new Uint8Array(36))).inventory).toHaveLength(1)
  })

  test('a CompactSize cut inside its marker is ERR_BIP324_BAD_PAYLOAD', () => {
    for (const bytes of ['fd', 'fd01', 'fe010000', 'ff01000000000000', '']) {
      expect(() => decodeCompactSize(hex(bytes))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    }
  })
})

describe('limits, checked on the count before allocating', () => {
  test('50,001 inventory entries are refused even when all their bytes are there', () => {
    const entries = new Uint8Array(36 * (MAX_INV_SZ + 1))
    for (const type of ['inv', 'getdata', 'notfound']) {
      expect(() => decodePayload(type, cat([0xfd, ...le16(MAX_INV_SZ + 1)], entries))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
    }
  })

  test('a count of 2^64 - 1 in a 9-byte payload is refused at once', () => {
    for (const type of ['inv', 'addr', 'addrv2', 'headers', 'cfheaders', 'getheaders']) {
      const prefix = type === 'cfheaders' ? new Uint8Array(65) : type === 'getheaders' ? new Uint8Array(4) : new Uint8Array(0)
      expect(() => decodePayload(type, cat(prefix, hex('ffffffffffffffffff')))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
    }
  })

  test('counts no limit caps are still bounded by the bytes left (no allocation for a lie)', () => {
    // A cfilter announcing a 2^40-byte filter, a cfcheckpt announcing 2^40 headers, a tx-less getblocktxn.
    expect(() => decodePayload('cfilter', cat(new Uint8Array(33), hex('ff0000000000010000')))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('cfcheckpt', cat(new Uint8Array(33), hex('ff0000000000010000')))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('getblocktxn', cat(new Uint8Array(32), hex('fe00000001')))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('50,000 entries announced with the bytes for 1 is truncation, not a limit', () => {
    expect(() => decodePayload('inv', cat([0xfd, ...le16(MAX_INV_SZ)], new Uint8Array(36)))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('1,001 addr and addrv2 entries are refused; 1,000 are not', () => {
    const addr = (n: number): Uint8Array => cat([0xfd, ...le16(n)], new Uint8Array(30 * n))
    expect(decodePayload('addr', addr(MAX_ADDR_TO_SEND)).addresses).toHaveLength(MAX_ADDR_TO_SEND)
    expect(() => decodePayload('addr', addr(MAX_ADDR_TO_SEND + 1))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
    // An addrv2 entry: time, services 0, IPv4 (1), length 4, address, port.
    const entry = hex('00000000 00 01 04 7f000001 208d')
    const addrv2 = (n: number): Uint8Array => cat([0xfd, ...le16(n)], ...Array(n).fill(entry))
    expect(decodePayload('addrv2', addrv2(MAX_ADDR_TO_SEND)).addresses).toHaveLength(MAX_ADDR_TO_SEND)
    expect(() => decodePayload('addrv2', addrv2(MAX_ADDR_TO_SEND + 1))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
  })

  test('2,001 headers are refused; 2,000 are not', () => {
    const headers = (n: number): Uint8Array => cat([0xfd, ...le16(n)], new Uint8Array(81 * n))
    expect(decodePayload('headers', headers(MAX_HEADERS_RESULTS)).headers).toHaveLength(MAX_HEADERS_RESULTS)
    expect(() => decodePayload('headers', headers(MAX_HEADERS_RESULTS + 1))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
  })

  test('102 locator hashes are refused; 101 are not', () => {
    const locator = (n: number): Uint8Array => cat([0x80, 0x11, 0x01, 0x00, n], new Uint8Array(32 * n + 32))
    for (const type of ['getheaders', 'getblocks'] as const) {
      expect(decodePayload(type, locator(MAX_LOCATOR_SZ)).locator).toHaveLength(MAX_LOCATOR_SZ)
      expect(() => decodePayload(type, locator(MAX_LOCATOR_SZ + 1))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
    }
  })

  test('a 257-byte user agent is refused; 256 bytes are not', () => {
    const version = (n: number): Uint8Array => cat(VERSION.subarray(0, 80), [0xfd, ...le16(n)], Buffer.alloc(n, 'a'), [0, 0, 0, 0])
    expect((decodePayload('version', version(256)) as VersionMessage).userAgent).toBe('a'.repeat(256))
    expect(() => decodePayload('version', version(257))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
  })

  test('bloom filters: 36,001 bytes, 51 hash functions and a 521-byte element are refused', () => {
    const filterload = (size: number, funcs: number): Uint8Array => cat(cs(size), new Uint8Array(size), [funcs, 0, 0, 0], [0, 0, 0, 0, 0])
    expect(decodePayload('filterload', filterload(36_000, 50)).hashFuncs).toBe(50)
    expect(() => decodePayload('filterload', filterload(36_001, 1))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
    expect(() => decodePayload('filterload', filterload(10, 51))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
    const filteradd = (size: number): Uint8Array => cat([0xfd, ...le16(size)], new Uint8Array(size))
    expect(decodePayload('filteradd', filteradd(520)).data).toHaveLength(520)
    expect(() => decodePayload('filteradd', filteradd(521))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
  })

  test('2,001 cfheaders hashes are refused; 2,000 are not', () => {
    const cfheaders = (n: number): Uint8Array => cat(new Uint8Array(65), [0xfd, ...le16(n)], new Uint8Array(32 * n))
    expect(decodePayload('cfheaders', cfheaders(2000)).filterHashes).toHaveLength(2000)
    expect(() => decodePayload('cfheaders', cfheaders(2001))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
  })

  test('a payload over 4,000,000 bytes is ERR_BIP324_OVERSIZED, whatever its type', () => {
    for (const type of ['version', 'block', 'tx', 'unknownthing']) {
      expect(() => decodePayload(type, new Uint8Array(4_000_001))).toThrow(bip324Error('ERR_BIP324_OVERSIZED'))
    }
    expect(decodePayload('block', new Uint8Array(4_000_000)).type).toBe('block')
  })
})

describe('addrv2 network ids (BIP-155)', () => {
  const entry = (networkId: number, addr: Uint8Array): Uint8Array => cat([1], hex('00000000 00'), [networkId, ...cs(addr.length)], addr, [0x20, 0x8d])

  test.each([[1, 4], [2, 16], [4, 32], [5, 32], [6, 16]])('network %i takes exactly %i bytes', (networkId, size) => {
    const ok = decodePayload('addrv2', entry(networkId, new Uint8Array(size).fill(7)))
    expect(ok.addresses[0]).toMatchObject({ networkId, addr: new Uint8Array(size).fill(7), port: 8333 })
    expect(() => decodePayload('addrv2', entry(networkId, new Uint8Array(size + 1)))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('addrv2', entry(networkId, new Uint8Array(size - 1)))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('Tor v2 (3) and unknown ids keep their bytes as they came, at any size up to 512', () => {
    for (const [networkId, size] of [[3, 10], [3, 7], [7, 0], [200, 512]] as const) {
      const addr = new Uint8Array(size).fill(9)
      expect(decodePayload('addrv2', entry(networkId, addr)).addresses[0]).toMatchObject({ networkId, addr })
    }
    expect(() => decodePayload('addrv2', cat([1], hex('00000000 00'), [200, 0xfd, ...le16(513)], new Uint8Array(515)))).toThrow(bip324Error('ERR_BIP324_LIMIT'))
  })

  test('services are a CompactSize, canonical only', () => {
    const withServices = (services: string): Uint8Array => cat([1], hex('00000000' + services), [1, 4], new Uint8Array(4), [0, 1])
    expect(decodePayload('addrv2', withServices('fd0904')).addresses[0]!.services).toBe(0x409n)
    expect(() => decodePayload('addrv2', withServices('fd0900'))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })
})

describe('malformed fields', () => {
  test('a header followed by a transaction count other than 0 is ERR_BIP324_BAD_PAYLOAD', () => {
    expect(() => decodePayload('headers', cat([1], new Uint8Array(80), [1]))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(decodePayload('headers', cat([1], new Uint8Array(80), [0])).headers).toHaveLength(1)
  })

  test('getblocktxn indexes past 65535 are ERR_BIP324_BAD_PAYLOAD, up to 65535 they decode', () => {
    const getblocktxn = (...gaps: number[][]): Uint8Array => cat(new Uint8Array(32), [gaps.length], ...gaps)
    expect(decodePayload('getblocktxn', getblocktxn([0xfd, 0xfe, 0xff], [0])).indexes).toEqual([65534, 65535])
    expect(() => decodePayload('getblocktxn', getblocktxn([0xfd, 0xff, 0xff], [0]))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('getblocktxn', getblocktxn([0xfe, 0, 0, 1, 0]))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('getblocktxn', getblocktxn(Array(9).fill(0xff)))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
  })

  test('a version payload cut at any offset is ERR_BIP324_BAD_PAYLOAD, except just before the optional relay byte', () => {
    for (let cut = 0; cut < VERSION.length; cut++) {
      const payload = VERSION.subarray(0, cut)
      if (cut === VERSION.length - 1) {
        expect((decodePayload('version', payload) as VersionMessage).relay).toBeUndefined()
      } else {
        expect(() => decodePayload('version', payload)).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
      }
    }
  })

  test('a trailing byte after a complete payload is ERR_BIP324_BAD_PAYLOAD, except after version\'s relay byte (ignored, as Bitcoin Core)', () => {
    expect(decodePayload('version', cat(VERSION, [0]))).toEqual(decodePayload('version', VERSION))
    expect(() => decodePayload('ping', new Uint8Array(9))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(() => decodePayload('inv', cat([0], [0]))).toThrow(bip324Error('ERR_BIP324_BAD_PAYLOAD'))
    expect(decodePayload('ping', new Uint8Array(8))).toEqual({ type: 'ping', nonce: 0n })
  })
})

// Every type with a codec, every short-id type, a few unknown ones.
const ALL_TYPES = [...new Set([
  ...Object.values(SHORT_MESSAGE_IDS), 'version', 'verack', 'getaddr', 'sendheaders', 'sendaddrv2', 'wtxidrelay', 'alert', 'constructor'
])]

test('random payloads for every type decode or fail with ERR_BIP324_BAD_PAYLOAD / ERR_BIP324_LIMIT only', () => {
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 120 }),
    // A plausible count up front makes the decoders go further in.
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 200 })).map(([n, rest]) => cat([n], rest))
  )
  fc.assert(fc.property(fc.constantFrom(...ALL_TYPES), payload, (type, bytes) => {
    try {
      expect(commandOf(decodePayload(type, bytes))).toBe(type)
    } catch (err) {
      expect(err).toMatchObject({ name: 'Bip324Error' })
      expect(['ERR_BIP324_BAD_PAYLOAD', 'ERR_BIP324_LIMIT']).toContain((err as { code: string }).code)
    }
  }), { numRuns: 5000 })
})

test('what decodes from random bytes encodes back to the same bytes', () => {
  // Canonical forms only, so a decoded message has exactly one encoding (bools aside: any non-zero is true).
  const types = ALL_TYPES.filter((t) => t !== 'sendcmpct' && t !== 'version')
  fc.assert(fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 80 }), (type, bytes) => {
    let msg
    try {
      msg = decodePayload(type, bytes)
    } catch {
      return
    }
    expect(Buffer.from(encodePayload(msg)).equals(Buffer.from(bytes))).toBe(true)
  }), { numRuns: 3000 })
})
