// Every payload codec by property: any valid message survives encode then decode, and any mutation
// of a valid encoding decodes or fails with a Bip324Error, never anything else.

import fc from 'fast-check'

import { commandOf, decodePayload, encodePayload, isKnownMessage, type KnownMessage, MAX_INV_SZ, type Message } from '../lib/messages'
import { EMPTY_COMMANDS } from './helpers/empty-messages'

const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
const hash = bytes(32)
const u8 = fc.integer({ min: 0, max: 0xff })
const u16 = fc.integer({ min: 0, max: 0xffff })
const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const i32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff })
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
const netAddress = fc.record({ services: u64, ip: bytes(16), port: u16 })
const blockHeader = fc.record({ version: i32, prevBlock: hash, merkleRoot: hash, time: u32, bits: u32, nonce: u32 })
const hashes = (max: number): fc.Arbitrary<Uint8Array[]> => fc.array(hash, { maxLength: max })

// BIP-155 sizes per network id; 3 (Tor v2) and unknown ids take any size up to 512.
const ADDRV2_SIZES: Record<number, number> = { 1: 4, 2: 16, 4: 32, 5: 32, 6: 16 }
const addrV2Entry = fc.integer({ min: 0, max: 255 }).chain((networkId) => fc.record({
  time: u32,
  services: u64,
  networkId: fc.constant(networkId),
  addr: ADDRV2_SIZES[networkId] !== undefined ? bytes(ADDRV2_SIZES[networkId]) : fc.uint8Array({ maxLength: 512 }),
  port: u16
}))

const sortedIndexes = fc.uniqueArray(u16, { maxLength: 60 }).map((xs) => xs.sort((a, b) => a - b))

// One arbitrary per message type with a codec, written out so that a missing one is a visible gap (the
// empty types from test/helpers/empty-messages.ts, a list the compiler checks against lib/messages).
const MESSAGES: Record<string, fc.Arbitrary<KnownMessage>> = {
  version: fc.record({
    type: fc.constant('version' as const),
    version: i32,
    services: u64,
    timestamp: i64,
    receiver: netAddress,
    sender: netAddress,
    nonce: u64,
    userAgent: fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => Buffer.byteLength(s) <= 256),
    startHeight: i32,
    relay: fc.boolean()
  }, { requiredKeys: ['type', 'version', 'services', 'timestamp', 'receiver', 'sender', 'nonce', 'userAgent', 'startHeight'] }),
  ...Object.fromEntries(EMPTY_COMMANDS.map((type) => [type, fc.constant({ type })])),
  ping: fc.record({ type: fc.constant('ping' as const), nonce: u64 }),
  pong: fc.record({ type: fc.constant('pong' as const), nonce: u64 }),
  feefilter: fc.record({ type: fc.constant('feefilter' as const), feeRate: i64 }),
  addr: fc.record({
    type: fc.constant('addr' as const),
    addresses: fc.array(fc.record({ time: u32, services: u64, ip: bytes(16), port: u16 }), { maxLength: 40 })
  }),
  addrv2: fc.record({ type: fc.constant('addrv2' as const), addresses: fc.array(addrV2Entry, { maxLength: 20 }) }),
  ...Object.fromEntries((['inv', 'getdata', 'notfound'] as const).map((type) => [type, fc.record({
    type: fc.constant(type),
    inventory: fc.array(fc.record({ invType: u32, hash }), { maxLength: 80 })
  })])),
  ...Object.fromEntries((['getheaders', 'getblocks'] as const).map((type) => [type, fc.record({
    type: fc.constant(type),
    version: i32,
    locator: hashes(101),
    stopHash: hash
  })])),
  headers: fc.record({ type: fc.constant('headers' as const), headers: fc.array(blockHeader, { maxLength: 30 }) }),
  filterload: fc.record({
    type: fc.constant('filterload' as const),
    filter: fc.uint8Array({ maxLength: 600 }),
    hashFuncs: fc.integer({ min: 0, max: 50 }),
    tweak: u32,
    flags: u8
  }),
  filteradd: fc.record({ type: fc.constant('filteradd' as const), data: fc.uint8Array({ maxLength: 520 }) }),
  sendcmpct: fc.record({ type: fc.constant('sendcmpct' as const), announce: fc.boolean(), version: u64 }),
  getblocktxn: fc.record({ type: fc.constant('getblocktxn' as const), blockHash: hash, indexes: sortedIndexes }),
  ...Object.fromEntries((['getcfilters', 'getcfheaders'] as const).map((type) => [type, fc.record({
    type: fc.constant(type),
    filterType: u8,
    startHeight: u32,
    stopHash: hash
  })])),
  cfilter: fc.record({ type: fc.constant('cfilter' as const), filterType: u8, blockHash: hash, filter: fc.uint8Array({ maxLength: 400 }) }),
  cfheaders: fc.record({
    type: fc.constant('cfheaders' as const),
    filterType: u8,
    stopHash: hash,
    previousFilterHeader: hash,
    filterHashes: hashes(60)
  }),
  getcfcheckpt: fc.record({ type: fc.constant('getcfcheckpt' as const), filterType: u8, stopHash: hash }),
  cfcheckpt: fc.record({ type: fc.constant('cfcheckpt' as const), filterType: u8, stopHash: hash, filterHeaders: hashes(60) }),
  feature: fc.record({
    type: fc.constant('feature' as const),
    featureId: fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 4, maxLength: 80 }),
    featureData: fc.uint8Array({ maxLength: 512 })
  })
}

// Every command with a typed codec, from the BIPs and the developer reference.
const TYPED_COMMANDS = [
  'version', 'verack', 'getaddr', 'mempool', 'sendheaders', 'filterclear', 'sendaddrv2', 'wtxidrelay', 'ping',
  'pong', 'feefilter', 'addr', 'addrv2', 'inv', 'getdata', 'notfound', 'getheaders', 'getblocks', 'headers',
  'filterload', 'filteradd', 'sendcmpct', 'getblocktxn', 'getcfilters', 'getcfheaders', 'cfilter', 'cfheaders',
  'getcfcheckpt', 'cfcheckpt', 'feature'
]

test('there is an arbitrary for every typed command', () => {
  expect(Object.keys(MESSAGES).sort()).toEqual([...TYPED_COMMANDS].sort())
})

describe('round trip', () => {
  test.each(TYPED_COMMANDS)('%s: decode(encode(m)) equals m, and encodes to the same bytes again', (type) => {
    fc.assert(fc.property(MESSAGES[type]!, (msg) => {
      const payload = encodePayload(msg)
      const decoded = decodePayload(type, payload)
      expect(decoded).toEqual(msg)
      expect(isKnownMessage(decoded)).toBe(true)
      expect(Buffer.from(encodePayload(decoded)).equals(Buffer.from(payload))).toBe(true)
    }), { numRuns: 60 })
  })

  test('empty messages have empty payloads; one stray byte is refused', () => {
    for (const type of ['verack', 'getaddr', 'mempool', 'sendheaders', 'filterclear', 'sendaddrv2', 'wtxidrelay'] as const) {
      expect(encodePayload({ type } as Message)).toHaveLength(0)
      expect(() => decodePayload(type, Uint8Array.of(0))).toThrow(expect.objectContaining({ code: 'ERR_BIP324_BAD_PAYLOAD' }))
    }
  })

  test('an inv at the limit, 50,000 entries, round-trips', () => {
    const inventory = Array.from({ length: MAX_INV_SZ }, (_, i) => ({ invType: (i % 5) + 1, hash: new Uint8Array(32).fill(i & 0xff) }))
    const payload = encodePayload({ type: 'inv', inventory })
    expect(payload).toHaveLength(3 + 36 * MAX_INV_SZ) // 0xfd 0x50c3, then the entries
    expect(Array.from(payload.subarray(0, 3))).toEqual([0xfd, 0x50, 0xc3])
    const msg = decodePayload('inv', payload)
    expect(msg.inventory).toHaveLength(MAX_INV_SZ)
    expect(msg.inventory[49_999]).toEqual(inventory[49_999])
  })

  test('getblocktxn indexes travel as gaps: [0, 1, 5, 6] is 0, 0, 3, 0', () => {
    const payload = encodePayload({ type: 'getblocktxn', blockHash: new Uint8Array(32), indexes: [0, 1, 5, 6] })
    expect(Array.from(payload.subarray(32))).toEqual([4, 0, 0, 3, 0]) // BIP-152 differential encoding
  })

  test('raw commands come back as their payload untouched', () => {
    const payload = Uint8Array.of(1, 2, 3)
    for (const type of ['block', 'cmpctblock', 'blocktxn', 'merkleblock', 'tx']) {
      const msg: Message = decodePayload(type, payload)
      expect(msg).toEqual({ type, raw: payload })
      expect(isKnownMessage(msg)).toBe(true)
      expect(commandOf(msg)).toBe(type)
      expect(encodePayload(msg)).toBe(payload)
    }
  })

  test('unknown commands come back under the one tag \'unknown\', their command beside it, so a switch on type narrows', () => {
    const payload = Uint8Array.of(1, 2, 3)
    for (const command of ['alert', 'sendtxrcncl', 'constructor', '__proto__', 'unknown']) {
      const msg: Message = decodePayload(command, payload)
      expect(msg).toEqual({ type: 'unknown', command, raw: payload })
      expect(isKnownMessage(msg)).toBe(false)
      expect(commandOf(msg)).toBe(command)
      expect(encodePayload(msg)).toBe(payload)
    }
    // What the type says: 'headers' alone selects HeadersMessage, 'unknown' the UnknownMessage.
    const summary = (m: Message): string => {
      switch (m.type) {
        case 'headers': return `headers ${m.headers.length}`
        case 'unknown': return `${m.command} ${m.raw.length}`
        default: return m.type
      }
    }
    expect(summary(decodePayload('headers', Uint8Array.of(0)))).toBe('headers 0')
    expect(summary(decodePayload('sendtxrcncl', payload))).toBe('sendtxrcncl 3')
    expect(() => encodePayload({ type: 'unknown', raw: payload } as unknown as Message)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })
})

describe('encoding refuses what a peer would refuse', () => {
  const zeros = (n: number): Uint8Array => new Uint8Array(n)
  const address = { services: 0n, ip: zeros(16), port: 8333 }
  // Valid messages; each case below breaks one field of one of them.
  const BASE: Record<string, Message> = {
    version: { type: 'version', version: 70016, services: 0n, timestamp: 0n, receiver: address, sender: address, nonce: 0n, userAgent: 'x'.repeat(256), startHeight: 0 },
    addr: { type: 'addr', addresses: Array(1000).fill({ time: 0, ...address }) },
    addrv2: { type: 'addrv2', addresses: [{ time: 0, services: 0n, networkId: 1, addr: zeros(4), port: 1 }] },
    ping: { type: 'ping', nonce: 2n ** 64n - 1n },
    getheaders: { type: 'getheaders', version: 1, locator: Array(101).fill(zeros(32)), stopHash: zeros(32) },
    getdata: { type: 'getdata', inventory: [{ invType: 1, hash: zeros(32) }] },
    filterload: { type: 'filterload', filter: zeros(36_000), hashFuncs: 50, tweak: 0, flags: 0 },
    filteradd: { type: 'filteradd', data: zeros(520) },
    getblocktxn: { type: 'getblocktxn', blockHash: zeros(32), indexes: [4, 5, 65535] },
    cfheaders: { type: 'cfheaders', filterType: 0, stopHash: zeros(32), previousFilterHeader: zeros(32), filterHashes: Array(2000).fill(zeros(32)) },
    block: { type: 'block', raw: zeros(4_000_000) }
  }
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['a 257-byte user agent', 'version', { userAgent: 'x'.repeat(257) }],
    ['a 129-character user agent of 2-byte UTF-8', 'version', { userAgent: 'é'.repeat(129) }],
    ['a 15-byte IP', 'addr', { addresses: [{ time: 0, ...address, ip: zeros(15) }] }],
    ['a port of 65536', 'addr', { addresses: [{ time: 0, ...address, port: 65536 }] }],
    ['1,001 addresses', 'addr', { addresses: Array(1001).fill({ time: 0, ...address }) }],
    ['an IPv4 addrv2 of 16 bytes', 'addrv2', { addresses: [{ time: 0, services: 0n, networkId: 1, addr: zeros(16), port: 1 }] }],
    ['an addrv2 address of 513 bytes', 'addrv2', { addresses: [{ time: 0, services: 0n, networkId: 99, addr: zeros(513), port: 1 }] }],
    ['a nonce of 2^64', 'ping', { nonce: 2n ** 64n }],
    ['a number nonce', 'ping', { nonce: 1 }],
    ['102 locator hashes', 'getheaders', { locator: Array(102).fill(zeros(32)) }],
    ['a 31-byte hash', 'getdata', { inventory: [{ invType: 1, hash: zeros(31) }] }],
    ['51 hash functions', 'filterload', { hashFuncs: 51 }],
    ['a 36,001-byte bloom filter', 'filterload', { filter: zeros(36_001) }],
    ['a 521-byte filteradd', 'filteradd', { data: zeros(521) }],
    ['decreasing getblocktxn indexes', 'getblocktxn', { indexes: [5, 4] }],
    ['a repeated getblocktxn index', 'getblocktxn', { indexes: [5, 5] }],
    ['a getblocktxn index of 65536', 'getblocktxn', { indexes: [65536] }],
    ['2,001 cfheaders hashes', 'cfheaders', { filterHashes: Array(2001).fill(zeros(32)) }],
    ['a raw payload over 4,000,000 bytes', 'block', { raw: zeros(4_000_001) }]
  ]
  test.each(cases)('%s is ERR_BIP324_INVALID_ARG (the valid %s encodes)', (_name, type, patch) => {
    expect(encodePayload(BASE[type]!).length).toBeGreaterThan(0)
    expect(() => encodePayload({ ...BASE[type]!, ...patch } as Message)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })

  test('a type with no codec and no raw is ERR_BIP324_INVALID_ARG', () => {
    expect(() => encodePayload({ type: 'alert' } as unknown as Message)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })

  test('what is not a message object is a Bip324Error, not the TypeError of looking into it', () => {
    for (const msg of [undefined, null, 'ping', 5]) {
      expect(() => encodePayload(msg as unknown as Message))
        .toThrow(expect.objectContaining({ name: 'Bip324Error', code: 'ERR_BIP324_INVALID_ARG', message: `expected a message as { type, ... }, got ${String(msg)}` }))
    }
  })
})

// Mutations a hostile or broken peer produces from a valid payload.
function mutate (payload: Uint8Array, kind: number, at: number, value: number): Uint8Array {
  const i = payload.length === 0 ? 0 : at % payload.length
  const b = Buffer.from(payload)
  switch (kind) {
    case 0: // flip a byte
      if (b.length > 0) b[i] = b[i]! ^ (value || 1)
      return b
    case 1: // cut short
      return b.subarray(0, i)
    case 2: // insert a byte
      return Buffer.concat([b.subarray(0, i), Buffer.of(value), b.subarray(i)])
    case 3: // drop a byte
      return Buffer.concat([b.subarray(0, i), b.subarray(i + 1)])
    default: // a big CompactSize-looking run
      return Buffer.concat([b.subarray(0, i), Buffer.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, value), b.subarray(i)])
  }
}

test.each(TYPED_COMMANDS)('%s: mutated encodings decode or fail with ERR_BIP324_BAD_PAYLOAD / ERR_BIP324_LIMIT only', (type) => {
  fc.assert(fc.property(MESSAGES[type]!, fc.integer({ min: 0, max: 4 }), fc.nat(), u8, (msg, kind, at, value) => {
    const payload = mutate(encodePayload(msg), kind, at, value)
    try {
      const decoded = decodePayload(type, payload)
      expect(decoded.type).toBe(type)
    } catch (err) {
      expect(err).toMatchObject({ name: 'Bip324Error' })
      expect(['ERR_BIP324_BAD_PAYLOAD', 'ERR_BIP324_LIMIT']).toContain((err as { code: string }).code)
    }
  }), { numRuns: 150 })
})
