/**
 * The address book (lib/pool/addrman.ts) and what the pool draws from it, without a connection:
 * Core's bucket placement and bounds, selection's odds and backoff, the pool's preferences
 * (NODE_P2P_V2, required services, one address per network group), the file round trip, and
 * addrv2's Tor v3 addresses (BIP-155's vector, as Core's netaddress_tests has it).
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { SERVICE_FLAGS } from '../lib'
import { AddrMan, ADDRMAN_BUCKET_SIZE, ADDRMAN_NEW_BUCKET_COUNT, ADDRMAN_TRIED_BUCKET_COUNT, chance, isTerrible } from '../lib/pool/addrman'
import { addressOfAddrV2, addrV2EntryOf } from '../lib/pool/address'
import { onionKey, onionName } from '../lib/net/address'
import { deserializeAddrMan, loadAddrMan, saveAddrMan, serializeAddrMan } from '../lib/pool/book-file'
import { Pool } from '../lib/pool/pool'

const NOW = 1_750_000_000
const FULL = SERVICE_FLAGS.NODE_NETWORK | SERVICE_FLAGS.NODE_WITNESS
const V2 = FULL | SERVICE_FLAGS.NODE_P2P_V2
const clock = (): number => NOW

// An IPv4 address of group a.b, host c.d.
const ip = (a: number, b: number, c = 1, d = 1): string => `${a}.${b}.${c}.${d}`
const entry = (host: string, services = FULL, time = NOW - 3600): { host: string, port: number, services: bigint, time: number } => ({ host, port: 8333, services, time })

describe('AddrMan: placement and bounds (Core\'s tables)', () => {
  test('Core\'s sizes by default: 1024 new and 256 tried buckets of 64 slots, 81,920 addresses at most', () => {
    const book = new AddrMan()
    expect([book.newBucketCount, book.triedBucketCount, book.bucketSize]).toEqual([ADDRMAN_NEW_BUCKET_COUNT, ADDRMAN_TRIED_BUCKET_COUNT, ADDRMAN_BUCKET_SIZE])
    expect([ADDRMAN_NEW_BUCKET_COUNT, ADDRMAN_TRIED_BUCKET_COUNT, ADDRMAN_BUCKET_SIZE]).toEqual([1024, 256, 64])
    expect(book.capacity).toBe(81_920)
  })

  test('placement is a function of the key: the same key places alike, another elsewhere', () => {
    const key = new Uint8Array(32).fill(7)
    const a = new AddrMan({ key })
    const b = new AddrMan({ key })
    const c = new AddrMan({ key: new Uint8Array(32).fill(8) })
    const addresses = Array.from({ length: 50 }, (_, i) => ({ host: ip(20 + i, 7), port: 8333 }))
    const where = (book: AddrMan): string[] => addresses.map((x) => JSON.stringify([book.position(x, 'new', '9.9.9.9'), book.position(x, 'tried')]))
    expect(where(a)).toEqual(where(b))
    expect(where(a)).not.toEqual(where(c))
  })

  test('one source group reaches at most 64 new buckets; one address group at most 8 tried buckets', () => {
    const book = new AddrMan()
    const newBuckets = new Set<number>()
    const triedBuckets = new Set<number>()
    for (let i = 0; i < 1500; i++) {
      newBuckets.add(book.position({ host: ip(1 + (i % 200), i >> 8 & 255), port: 8333 }, 'new', '50.60.1.1').bucket)
      triedBuckets.add(book.position({ host: ip(80, 90, i >> 8, i & 255), port: 8333 }, 'tried').bucket)
    }
    expect(newBuckets.size).toBeLessThanOrEqual(64)
    expect(newBuckets.size).toBeGreaterThan(32)
    expect(triedBuckets.size).toBeLessThanOrEqual(8)
  })

  test('a peer gossiping from one group fills only its 64 new buckets: in a book of 256 buckets of 4, at most 256 addresses', () => {
    const options = { now: clock, newBucketCount: 256, triedBucketCount: 4, bucketSize: 4 }
    const oneSource = new AddrMan(options)
    const manySources = new AddrMan(options)
    for (let i = 0; i < 2000; i++) {
      const address = entry(ip(1 + (i % 220), (i >> 5) & 255, i & 31, 1))
      oneSource.add([address], { host: '50.60.1.1', timePenalty: 7200 })
      manySources.add([address], { host: ip(100 + (i % 100), 60), timePenalty: 7200 })
    }
    expect(oneSource.size).toBeLessThanOrEqual(64 * 4)
    expect(manySources.size).toBeGreaterThan(2 * 64 * 4)
  })

  test('bounded under gossip from many groups: a scaled-down book never holds more than its slots', () => {
    const book = new AddrMan({ now: clock, newBucketCount: 16, triedBucketCount: 4, bucketSize: 8 })
    let peak = 0
    for (let i = 0; i < 6000; i++) {
      book.add([entry(ip(1 + (i % 220), (i >> 3) & 255, i & 7, (i >> 11) + 1))], { host: ip(100 + (i % 50), i % 7) })
      if (i % 5 === 0) {
        const info = book.select()
        if (info !== undefined) book.good(info)
      }
      peak = Math.max(peak, book.size)
    }
    expect(book.capacity).toBe((16 + 4) * 8)
    expect(peak).toBeLessThanOrEqual(book.capacity)
    expect(book.sizeTried).toBeLessThanOrEqual(4 * 8)
    expect(book.sizeNew + book.sizeTried).toBe(book.size)
  })

  test('unroutable addresses come from the application only; a test\'s netGroup makes 127.0.0.x routable', () => {
    const book = new AddrMan({ now: clock })
    expect(book.add([entry('127.0.0.2'), entry('10.1.1.1')], { host: '1.2.3.4' })).toBe(0)
    expect(book.add([entry('127.0.0.2')], { trusted: true })).toBe(1)
    const loopback = new AddrMan({ now: clock, netGroup: (host) => host })
    expect(loopback.add([entry('127.0.0.3')], { host: '127.0.0.2' })).toBe(1)
    expect(book.add([{ ...entry('1.2.3.4'), port: 0 }, entry('example.com')], { trusted: true })).toBe(0)
  })
})

describe('AddrMan: good, attempt, select', () => {
  test('good() moves an address to tried; the tried table is then drawn from', () => {
    const book = new AddrMan({ now: clock })
    book.add([entry(ip(1, 1)), entry(ip(2, 2))])
    expect([book.sizeNew, book.sizeTried]).toEqual([2, 0])
    book.good({ host: ip(1, 1), port: 8333 })
    expect([book.sizeNew, book.sizeTried]).toEqual([1, 1])
    expect(book.find({ host: ip(1, 1), port: 8333 })).toMatchObject({ tried: true, lastSuccess: NOW, attempts: 0 })
    const drawn = new Set(Array.from({ length: 200 }, () => book.select()!.host))
    expect(drawn).toEqual(new Set([ip(1, 1), ip(2, 2)]))
    expect(book.select({ newOnly: true })!.host).toBe(ip(2, 2))
  })

  test('backoff: failures lower an address\'s chance, a try in the last 10 minutes to 1%; 3 failures without success make it terrible', () => {
    let now = NOW
    // A fixed key, so the two addresses are not in one bucket: there, as in Core's Select, the draw
    // scans from a random slot to the next taken one, and the one after the bigger gap is found
    // first nearly always, whatever its chance (about 1 key in 5,000 made this test fail).
    const book = new AddrMan({ now: () => now, key: new Uint8Array(32) })
    const bad = { host: ip(3, 3), port: 8333 }
    book.add([entry(ip(3, 3)), entry(ip(4, 4))])
    // A failure counts once per success elsewhere (Core's m_last_good): offline, nothing counts twice.
    book.attempt(bad, true)
    book.attempt(bad, true)
    expect(book.find(bad)!.attempts).toBe(1)
    for (let i = 0; i < 2; i++) {
      now += 1
      book.good({ host: ip(9, 9), port: 8333 }) // not in the book: only the clock of successes moves
      book.add([entry(ip(9, 9))])
      book.good({ host: ip(9, 9), port: 8333 })
      book.attempt(bad, true)
    }
    const info = book.find(bad)!
    expect(info.attempts).toBe(3)
    expect(chance(info, now)).toBeCloseTo(0.01 * 0.66 ** 3, 6)
    expect(chance(info, now + 601)).toBeCloseTo(0.66 ** 3, 6)
    expect(isTerrible(info, now)).toBe(false) // tried in the last minute
    expect(isTerrible(info, now + 61)).toBe(true)
    now += 61
    let drawnBad = 0
    for (let i = 0; i < 2000; i++) if (book.select({ newOnly: true })!.host === ip(3, 3)) drawnBad++
    // Its chance is 1% of 0.29 against 1 for the other (ip(4,4)): about 3 in 1000.
    expect(drawnBad).toBeLessThan(40)
  })

  test('an address older than 30 days or from the future is terrible', () => {
    const fresh = { host: 'x', port: 1, services: 0n, time: NOW, lastTry: 0, lastSuccess: 0, attempts: 0, source: '', tried: false }
    expect(isTerrible(fresh, NOW)).toBe(false)
    expect(isTerrible({ ...fresh, time: NOW - 31 * 86400 }, NOW)).toBe(true)
    expect(isTerrible({ ...fresh, time: NOW + 11 * 60 }, NOW)).toBe(true)
  })

  test('getAddr answers at most 23% of the book (Core\'s getaddr answer), nothing terrible', () => {
    const book = new AddrMan({ now: clock })
    book.add(Array.from({ length: 100 }, (_, i) => entry(ip(1 + i, 1))))
    book.add([entry(ip(200, 1), FULL, NOW - 40 * 86400)])
    const answer = book.getAddr(1000, 23)
    expect(answer.length).toBeLessThanOrEqual(23)
    expect(answer.length).toBeGreaterThan(15)
    expect(answer.some((a) => a.host === ip(200, 1))).toBe(false)
  })
})

describe('what the pool draws from the book', () => {
  const pool = (book: AddrMan, options: ConstructorParameters<typeof Pool>[0] = {}): Pool => new Pool({ book, dnsSeeds: false, ...options })

  test('required services: an address without them is not drawn', () => {
    const book = new AddrMan({ now: clock })
    book.add([entry(ip(1, 1), SERVICE_FLAGS.NODE_NETWORK), entry(ip(2, 2), V2)])
    for (let i = 0; i < 5; i++) expect(pool(book).selectAddresses(2)).toEqual([{ host: ip(2, 2), port: 8333 }])
    const filters = SERVICE_FLAGS.NODE_NETWORK | SERVICE_FLAGS.NODE_COMPACT_FILTERS
    book.add([entry(ip(3, 3), filters)])
    expect(pool(book, { requiredServices: filters }).selectAddresses(3)).toEqual([{ host: ip(3, 3), port: 8333 }])
  })

  test('NODE_P2P_V2 first: a v2 address wins over a v1 one; v1 ones are drawn when there is no other', () => {
    const book = new AddrMan({ now: clock })
    book.add([entry(ip(1, 1), FULL), entry(ip(2, 2), V2)])
    for (let i = 0; i < 30; i++) expect(pool(book).selectAddresses(1)).toEqual([{ host: ip(2, 2), port: 8333 }])
    expect(new Set(pool(book).selectAddresses(2).map((a) => a.host))).toEqual(new Set([ip(1, 1), ip(2, 2)]))
  })

  test('one address per network group (/16): 30 addresses of 3 groups give 3', () => {
    const book = new AddrMan({ now: clock })
    book.add(Array.from({ length: 30 }, (_, i) => entry(ip(1 + (i % 3), 5, 1 + i, 1), V2)))
    const drawn = pool(book).selectAddresses(10)
    expect(drawn).toHaveLength(3)
    expect(new Set(drawn.map((a) => a.host.split('.').slice(0, 2).join('.'))).size).toBe(3)
  })

  test('.onion addresses are drawn only when a proxy reaches them, and onlyNet limits the networks', () => {
    const onion = onionName(new Uint8Array(32).fill(1))
    const book = new AddrMan({ now: clock })
    book.add([entry(onion, V2), entry(ip(1, 1), V2)], { trusted: true })
    const hosts = (p: Pool): string[] => p.selectAddresses(5).map((a) => a.host).sort()
    expect(hosts(pool(book))).toEqual([ip(1, 1)])
    expect(hosts(pool(book, { onionProxy: { host: '127.0.0.1', port: 9050 } }))).toEqual([ip(1, 1), onion].sort())
    expect(hosts(pool(book, { proxy: { host: '127.0.0.1', port: 9050 }, onlyNet: ['onion'] }))).toEqual([onion])
    expect(() => pool(book, { onlyNet: ['onion'] })).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  })

  test('a discouraged host is not drawn', () => {
    const book = new AddrMan({ now: clock })
    book.add([entry(ip(1, 1), V2), entry(ip(2, 2), V2)])
    const p = pool(book)
    p.discourage(ip(1, 1))
    expect(p.isDiscouraged(ip(1, 1))).toBe(true)
    for (let i = 0; i < 5; i++) expect(p.selectAddresses(2)).toEqual([{ host: ip(2, 2), port: 8333 }])
  })
})

describe('the book in a file', () => {
  let dir: string
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-book-')) })
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }) })

  test('save and load: the same addresses, what is known of them, the key and so the buckets', async () => {
    const book = new AddrMan({ now: clock })
    const onion = onionName(new Uint8Array(32).fill(3))
    book.add([entry(ip(1, 1), V2), entry('2001:db8::1'.replace('db8', 'db9')), entry(onion)], { trusted: true })
    book.add([entry(ip(7, 7))], { host: ip(8, 8), timePenalty: 7200 })
    book.good({ host: ip(1, 1), port: 8333 })
    book.attempt({ host: ip(7, 7), port: 8333 }, true)
    const file = path.join(dir, 'peers.json')
    await saveAddrMan(file, book, 'mainnet')
    expect(fs.readdirSync(dir)).toEqual(['peers.json']) // the temporary file was renamed
    const back = await loadAddrMan(file, 'mainnet', { now: clock })
    const sorted = (b: AddrMan): unknown[] => b.entries().sort((x, y) => x.host.localeCompare(y.host))
    expect(sorted(back)).toEqual(sorted(book))
    expect([back.sizeNew, back.sizeTried]).toEqual([book.sizeNew, book.sizeTried])
    expect(back.secret).toEqual(book.secret)
    expect(back.position({ host: ip(7, 7), port: 8333 }, 'new', ip(8, 8))).toEqual(book.position({ host: ip(7, 7), port: 8333 }, 'new', ip(8, 8)))
  })

  test('a corrupt file is refused with ERR_BIP324_CORRUPT_ADDRMAN; another network\'s too', async () => {
    const book = new AddrMan({ now: clock })
    book.add([entry(ip(1, 1))])
    const text = serializeAddrMan(book, 'mainnet')
    const corrupt = (t: string): unknown => { try { deserializeAddrMan(t, 'mainnet'); return undefined } catch (err) { return err } }
    expect(corrupt(text)).toBeUndefined()
    for (const bad of [
      text.slice(0, text.length - 5),
      text.replace('"bip324-addrman"', '"peers.dat"'),
      text.replace(/"key":"[0-9a-f]+"/, '"key":"00"'),
      text.replace('"newBucketCount":1024', '"newBucketCount":1000'),
      text.replace('8333', '70000'),
      text.replace('"1.1.1.1"', '"1.1.1"'),
      '[]'
    ]) expect(corrupt(bad)).toMatchObject({ code: 'ERR_BIP324_CORRUPT_ADDRMAN' })
    expect(() => deserializeAddrMan(text, 'testnet4')).toThrow(expect.objectContaining({ code: 'ERR_BIP324_CORRUPT_ADDRMAN' }))
    const file = path.join(dir, 'peers.json')
    fs.writeFileSync(file, text.slice(0, 40))
    await expect(loadAddrMan(file, 'mainnet')).rejects.toMatchObject({ code: 'ERR_BIP324_CORRUPT_ADDRMAN' })
  })

  test('a pool given a corrupt book file reports it and starts with an empty book', async () => {
    const file = path.join(dir, 'peers.json')
    fs.writeFileSync(file, '{"format":')
    const p = new Pool({ bookFile: file, dnsSeeds: false, outbound: 0, blockRelayOnly: 0 })
    const errors: Error[] = []
    p.on('bookError', (err) => errors.push(err))
    await new Promise<void>((resolve) => p.start(resolve))
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['ERR_BIP324_CORRUPT_ADDRMAN'])
    expect(p.book.size).toBe(0)
    p.addAddresses(['1.2.3.4:8333'])
    await new Promise<void>((resolve) => p.close(resolve))
    // close() wrote the book over the corrupt file.
    expect((await loadAddrMan(file, 'mainnet')).entries().map((e) => e.host)).toEqual(['1.2.3.4'])
  })
})

describe('addrv2 addresses', () => {
  // BIP-155's Tor v3 vector, as Core's netaddress_tests and the other implementations carry it.
  const KEY = '79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f'
  const NAME = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'

  test('a Tor v3 key is its .onion name, and back; a wrong checksum is no name', () => {
    expect(onionName(Buffer.from(KEY, 'hex'))).toBe(NAME)
    expect(Buffer.from(onionKey(NAME)!).toString('hex')).toBe(KEY)
    expect(onionKey(NAME.replace('pg6', 'pg7'))).toBeUndefined()
    expect(addressOfAddrV2({ time: 0, services: 0n, networkId: 4, addr: Buffer.from(KEY, 'hex'), port: 8333 })).toEqual({ host: NAME, port: 8333 })
    expect(addrV2EntryOf(NAME, 8333, 9n, 5)).toEqual({ time: 5, services: 9n, networkId: 4, addr: Uint8Array.from(Buffer.from(KEY, 'hex')), port: 8333 })
  })

  test('IPv4, IPv6; an IPv6 entry carrying IPv4 and networks we do not reach give none', () => {
    expect(addressOfAddrV2({ time: 0, services: 0n, networkId: 1, addr: Uint8Array.of(1, 2, 3, 4), port: 8333 })).toEqual({ host: '1.2.3.4', port: 8333 })
    const v6 = Buffer.from('20010db8000000000000000000000001', 'hex')
    expect(addressOfAddrV2({ time: 0, services: 0n, networkId: 2, addr: v6, port: 1 })).toEqual({ host: '2001:db8:0:0:0:0:0:1', port: 1 })
    const mapped = Buffer.from('00000000000000000000ffff01020304', 'hex')
    expect(addressOfAddrV2({ time: 0, services: 0n, networkId: 2, addr: mapped, port: 1 })).toBeUndefined()
    expect(addressOfAddrV2({ time: 0, services: 0n, networkId: 5, addr: new Uint8Array(32), port: 0 })).toBeUndefined()
  })
})
