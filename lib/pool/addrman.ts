/**
 * The address book, as Bitcoin Core's AddrMan (src/addrman.cpp, addrman_impl.h): addresses heard
 * of sit in the "new" table, addresses we connected to in the "tried" table, each a fixed array of
 * buckets of fixed size, so the book is bounded whatever peers send. Where an address goes is a hash
 * of a secret key of the book, the address's network group and (for new) the group of whoever told
 * us, so a peer choosing what to gossip cannot choose where it lands, nor fill more than the few
 * buckets its own group maps to. Selection favours what worked and backs off from what failed
 * (Core's GetChance and IsTerrible). Pure: no I/O, the clock is read through `now`.
 *
 * Two simplifications of Core: a tried slot taken by another address sends that one back to new
 * at once (Core's older rule; its test-before-evict collision set, which needs feeler
 * connections, is left out), and a book read back from a file puts each new address in the one
 * bucket of the source it was saved with (Core keeps up to 8 references).
 */

import { createHash, randomBytes } from 'node:crypto'

import { checkBytes, checkInteger, invalid } from '../checks'
import { anyGroup, canonicalHost, formatAddress, networkOf, type PeerAddress, routableGroup } from './address'

/** Core's ADDRMAN_NEW_BUCKET_COUNT (2^10). */
export const ADDRMAN_NEW_BUCKET_COUNT = 1024
/** Core's ADDRMAN_TRIED_BUCKET_COUNT (2^8). */
export const ADDRMAN_TRIED_BUCKET_COUNT = 256
/** Core's ADDRMAN_BUCKET_SIZE (2^6). */
export const ADDRMAN_BUCKET_SIZE = 64
/** Core's ADDRMAN_TRIED_BUCKETS_PER_GROUP: tried buckets one network group can reach. */
const TRIED_BUCKETS_PER_GROUP = 8
/** Core's ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP: new buckets one source group can fill. */
const NEW_BUCKETS_PER_SOURCE_GROUP = 64
/** Core's ADDRMAN_NEW_BUCKETS_PER_ADDRESS: new buckets one address may be in. */
const NEW_BUCKETS_PER_ADDRESS = 8
/** Core's ADDRMAN_HORIZON: an address not seen for 30 days is terrible. */
const HORIZON = 30 * 24 * 3600
/** Core's ADDRMAN_RETRIES: attempts without ever succeeding before an address is terrible. */
const RETRIES = 3
/** Core's ADDRMAN_MAX_FAILURES, in ADDRMAN_MIN_FAIL (7 days) since the last success. */
const MAX_FAILURES = 10
const MIN_FAIL = 7 * 24 * 3600
/** Seconds: an address tried this recently is never terrible, and its chance is 1% (Core). */
const RECENT_TRY = 60
const RECENT_TRY_CHANCE = 10 * 60
/** Seconds: a time more than this in the future is a lie (Core). */
const FUTURE = 10 * 60
/** Seconds: Connected() refreshes an address's time at most this often (Core's update_interval). */
const CONNECTED_INTERVAL = 20 * 60

/** Everything the book knows of one address (Core's AddrInfo). Times are seconds since the epoch. */
export interface AddrInfo extends PeerAddress {
  /** The services it was said to offer (SERVICE_FLAGS). */
  services: bigint
  /** When it was last seen, as gossip tells it (Core's nTime). */
  time: number
  /** Our last attempt to connect (0: never). */
  lastTry: number
  /** Our last successful connection (0: never). */
  lastSuccess: number
  /** Failed attempts since the last success. */
  attempts: number
  /** The network group of whoever told us of it. */
  source: string
  /** In the tried table. */
  tried: boolean
}

interface Entry extends AddrInfo {
  id: number
  group: string
  lastCountAttempt: number
  refCount: number
}

/** new AddrMan()'s options. */
export interface AddrManOptions {
  /** The secret that places addresses in buckets, 32 bytes. Default: random. */
  key?: Uint8Array
  /** New buckets (a power of 2). Default: 1024, Core's. */
  newBucketCount?: number
  /** Tried buckets (a power of 2). Default: 256, Core's. */
  triedBucketCount?: number
  /** Slots per bucket (a power of 2). Default: 64, Core's. */
  bucketSize?: number
  /** The network group of an address, undefined for one the book refuses from gossip (not
   *  routable). Default: Core's groups (routableGroup). Tests on 127.0.0.x, which are one group and
   *  not routable, give each address its own. */
  netGroup?: (host: string) => string | undefined
  /** The clock, seconds since the epoch. Default: Date.now() / 1000. */
  now?: () => number
}

/** How an address came to us, for add(). */
export interface AddSource {
  /** The host of the peer that told us, or undefined for ourselves (the application). */
  host?: string
  /** The source's group as a name of its own, for a source that is no address (a DNS seed's name). */
  group?: string
  /** Seconds taken off the time a peer claims (Core: 2 hours for addr gossip, none for an address
   *  telling of itself). Default: 0. */
  timePenalty?: number
  /** The application's own addresses: taken even when not routable (a node on 127.0.0.1). */
  trusted?: boolean
}

// Every slot that holds no entry.
const EMPTY = -1

// Core's draws use its fast, non-cryptographic generator (FastRandomContext); so do these. The
// bucket secret, which is what keeps placement out of a peer's hands, is from randomBytes.
const randomBelow = (n: number): number => Math.floor(Math.random() * n)

// The entries per bucket of a table, and its non-empty buckets in a list: select() draws among
// those at once where Core draws any bucket and tries again on an empty one (the same odds).
class Fill {
  private readonly counts: Uint32Array
  private readonly used: number[] = []
  private readonly at: Int32Array

  constructor (buckets: number) {
    this.counts = new Uint32Array(buckets)
    this.at = new Int32Array(buckets).fill(-1)
  }

  add (bucket: number): void {
    if (this.counts[bucket]!++ === 0) {
      this.at[bucket] = this.used.length
      this.used.push(bucket)
    }
  }

  remove (bucket: number): void {
    if (--this.counts[bucket]! > 0) return
    const i = this.at[bucket]!
    const last = this.used.pop()!
    if (last !== bucket) {
      this.used[i] = last
      this.at[last] = i
    }
    this.at[bucket] = -1
  }

  /** A non-empty bucket, at random; undefined when all are empty. */
  random (): number | undefined {
    return this.used.length === 0 ? undefined : this.used[randomBelow(this.used.length)]
  }
}
const powerOf2 = (n: number): boolean => (n & (n - 1)) === 0

function checkPowerOf2 (value: number | undefined, name: string): void {
  checkInteger(value, name, 1, 1 << 16)
  if (value !== undefined && !powerOf2(value)) throw invalid(`${name} must be a power of 2, got ${value}`)
}

/** The address book. See the file's comment. */
export class AddrMan {
  readonly newBucketCount: number
  readonly triedBucketCount: number
  readonly bucketSize: number
  private readonly key: Buffer
  private readonly groupOf: (host: string) => string | undefined
  readonly now: () => number
  private readonly byId = new Map<number, Entry>()
  private readonly byAddress = new Map<string, Entry>()
  private readonly newTable: Int32Array
  private readonly triedTable: Int32Array
  // Entries per bucket, so that select() skips empty buckets without scanning them.
  private readonly newFill: Fill
  private readonly triedFill: Fill
  private nextId = 0
  private newCount = 0
  private triedCount = 0
  // Core's m_last_good: failures are counted only after a success since the last counted one, so
  // that a host offline for a while does not count every address it tries as failed.
  private lastGood = 1

  constructor (options: AddrManOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalid('options must be an object')
    checkPowerOf2(options.newBucketCount, 'newBucketCount')
    checkPowerOf2(options.triedBucketCount, 'triedBucketCount')
    checkPowerOf2(options.bucketSize, 'bucketSize')
    if (options.netGroup !== undefined && typeof options.netGroup !== 'function') throw invalid('netGroup must be a function')
    if (options.now !== undefined && typeof options.now !== 'function') throw invalid('now must be a function')
    this.key = Buffer.from(options.key === undefined ? randomBytes(32) : checkBytes(options.key, 'key', 32))
    this.newBucketCount = options.newBucketCount ?? ADDRMAN_NEW_BUCKET_COUNT
    this.triedBucketCount = options.triedBucketCount ?? ADDRMAN_TRIED_BUCKET_COUNT
    this.bucketSize = options.bucketSize ?? ADDRMAN_BUCKET_SIZE
    this.groupOf = options.netGroup ?? routableGroup
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000))
    this.newTable = new Int32Array(this.newBucketCount * this.bucketSize).fill(EMPTY)
    this.triedTable = new Int32Array(this.triedBucketCount * this.bucketSize).fill(EMPTY)
    this.newFill = new Fill(this.newBucketCount)
    this.triedFill = new Fill(this.triedBucketCount)
  }

  /** The book's secret key (a copy): save() keeps it, so buckets stay where they were. */
  get secret (): Uint8Array { return Uint8Array.from(this.key) }
  /** Addresses in the book. */
  get size (): number { return this.byId.size }
  /** Addresses in the new table. */
  get sizeNew (): number { return this.newCount }
  /** Addresses in the tried table. */
  get sizeTried (): number { return this.triedCount }
  /** The most addresses the tables can hold: every slot of both. */
  get capacity (): number { return (this.newBucketCount + this.triedBucketCount) * this.bucketSize }

  /** What the book knows of `address`, a copy; undefined if it is not in the book. */
  find (address: PeerAddress): AddrInfo | undefined {
    const e = this.entry(address)
    return e === undefined ? undefined : infoOf(e)
  }

  /** The bucket and slot an address would take, or has: Core's GetNewBucket / GetTriedBucket and
   *  GetBucketPosition. `source`: the source's host for the new table. */
  position (address: PeerAddress, table: 'new' | 'tried', source?: string): { bucket: number, slot: number } {
    const host = canonicalHost(address.host)
    if (host === undefined) throw invalid(`not an address the book takes: ${String(address.host)}`)
    const addressKey = formatAddress({ host, port: address.port })
    const group = this.groupOf(host) ?? anyGroup(host)
    const bucket = table === 'tried'
      ? this.hash(this.triedBucketCount, group, this.hash(TRIED_BUCKETS_PER_GROUP, addressKey))
      : this.newBucket(group, source === undefined ? group : this.groupOf(source) ?? anyGroup(source))
    return { bucket, slot: this.slotOf(table, bucket, addressKey) }
  }

  /** Adds addresses heard of (Core's Add): each goes to the new table, or refreshes what the book
   *  knows of it. Returns how many were new to the book. Addresses that are not routable are left
   *  out unless `source.trusted`; so are names that are not IP addresses or Tor v3. */
  add (addresses: ReadonlyArray<PeerAddress & { services: bigint, time: number }>, source: AddSource = {}): number {
    let added = 0
    for (const a of addresses) if (this.addOne(a, source)) added++
    return added
  }

  /** A successful connection, version handshake done (Core's Good): the address moves to tried. */
  good (address: PeerAddress): void {
    const e = this.entry(address)
    if (e === undefined) return
    const now = this.now()
    this.lastGood = now
    e.lastSuccess = now
    e.lastTry = now
    e.attempts = 0
    if (!e.tried) this.makeTried(e)
  }

  /** A connection attempt (Core's Attempt): `countFailure` counts it against the address, once per
   *  success of any address since the last one counted. */
  attempt (address: PeerAddress, countFailure: boolean): void {
    const e = this.entry(address)
    if (e === undefined) return
    e.lastTry = this.now()
    if (countFailure && e.lastCountAttempt < this.lastGood) {
      e.lastCountAttempt = e.lastTry
      e.attempts++
    }
  }

  /** A connection that was up has closed (Core's Connected): the address was seen now. */
  connected (address: PeerAddress): void {
    const e = this.entry(address)
    const now = this.now()
    if (e !== undefined && now - e.time > CONNECTED_INTERVAL) e.time = now
  }

  /** The services the peer announced in its version (Core's SetServices). */
  setServices (address: PeerAddress, services: bigint): void {
    const e = this.entry(address)
    if (e !== undefined) e.services = services
  }

  /** One address to try, drawn as Core's Select: tried or new at even odds (new only with
   *  `newOnly`), a random slot of a random bucket, taken with its chance (lower after failures,
   *  1% if tried in the last 10 minutes), the odds growing 1.2-fold each draw so that it ends.
   *  Undefined when the table drawn from is empty. The caller judges what it draws (Core's
   *  ThreadOpenConnections draws up to 100 times). */
  select (options: { newOnly?: boolean } = {}): AddrInfo | undefined {
    const nNew = this.newCount
    const nTried = options.newOnly === true ? 0 : this.triedCount
    if (nNew + nTried === 0) return undefined
    const tried = nTried > 0 && (nNew === 0 || randomBelow(2) === 1)
    const table = tried ? this.triedTable : this.newTable
    const fill = tried ? this.triedFill : this.newFill
    const now = this.now()
    let factor = 1
    for (;;) {
      const bucket = fill.random()
      if (bucket === undefined) return undefined
      const start = randomBelow(this.bucketSize)
      let found: Entry | undefined
      for (let i = 0; i < this.bucketSize && found === undefined; i++) {
        const id = table[bucket * this.bucketSize + ((start + i) % this.bucketSize)]!
        if (id !== EMPTY) found = this.byId.get(id)
      }
      if (found === undefined) continue
      if (Math.random() < factor * chance(found, now)) return infoOf(found)
      factor *= 1.2
    }
  }

  /** Up to `max` addresses, `percent` of the book at most, none terrible, in random order: what
   *  getaddr is answered with (Core's GetAddr: 1000 and 23%). */
  getAddr (max: number, percent: number, filter?: (info: AddrInfo) => boolean): AddrInfo[] {
    checkInteger(max, 'max', 0, Number.MAX_SAFE_INTEGER)
    checkInteger(percent, 'percent', 0, 100)
    const all = [...this.byId.values()]
    const wanted = Math.min(max, Math.floor(all.length * percent / 100))
    const now = this.now()
    const out: AddrInfo[] = []
    for (let i = 0; i < all.length && out.length < wanted; i++) {
      const j = i + randomBelow(all.length - i)
      const e = all[j]!
      all[j] = all[i]!
      if (!isTerrible(e, now) && (filter === undefined || filter(e))) out.push(infoOf(e))
    }
    return out
  }

  /** Every address in the book, copies. */
  entries (): AddrInfo[] {
    return [...this.byId.values()].map(infoOf)
  }

  /** @internal For load: puts an entry back as it was saved. False if its slot is taken or it
   *  is not an address the book takes. */
  restore (info: AddrInfo): boolean {
    const host = canonicalHost(info.host)
    if (host === undefined || this.entry(info) !== undefined) return false
    const e = this.create(host, info.port, info.services, info.time, info.source)
    e.lastTry = info.lastTry
    e.lastSuccess = info.lastSuccess
    e.attempts = info.attempts
    if (info.tried) {
      const { bucket, slot } = this.position(e, 'tried')
      const at = bucket * this.bucketSize + slot
      if (this.triedTable[at] !== EMPTY) { this.forget(e); return false }
      this.put(e, 'tried', bucket, at)
      return true
    }
    const bucket = this.newBucket(e.group, e.source)
    const at = bucket * this.bucketSize + this.slotOf('new', bucket, formatAddress(e))
    if (this.newTable[at] !== EMPTY) { this.forget(e); return false }
    this.put(e, 'new', bucket, at)
    return true
  }

  private entry (address: PeerAddress): Entry | undefined {
    const host = canonicalHost(address.host)
    return host === undefined ? undefined : this.byAddress.get(formatAddress({ host, port: address.port }))
  }

  // Core's GetNewBucket: the source group picks 64 of the buckets, the address's group one of those.
  private newBucket (group: string, sourceGroup: string): number {
    return this.hash(this.newBucketCount, sourceGroup, this.hash(NEW_BUCKETS_PER_SOURCE_GROUP, group, sourceGroup))
  }

  private slotOf (table: 'new' | 'tried', bucket: number, addressKey: string): number {
    return this.hash(this.bucketSize, table === 'new' ? 'N' : 'K', bucket, addressKey)
  }

  // Core's hashes with the book's key (SHA256 of key and data, the first 8 bytes), modulo `n`.
  private hash (n: number, ...parts: Array<string | number>): number {
    const h = createHash('sha256').update(this.key)
    for (const p of parts) h.update(`${typeof p}:${p}\0`)
    return Number(h.digest().readBigUInt64LE(0) % BigInt(n))
  }

  private create (host: string, port: number, services: bigint, time: number, source: string, group = this.groupOf(host) ?? anyGroup(host)): Entry {
    const e: Entry = {
      id: this.nextId++,
      host,
      port,
      services,
      time,
      lastTry: 0,
      lastSuccess: 0,
      attempts: 0,
      source,
      tried: false,
      group,
      lastCountAttempt: 0,
      refCount: 0
    }
    this.byId.set(e.id, e)
    this.byAddress.set(formatAddress(e), e)
    return e
  }

  private forget (e: Entry): void {
    this.byId.delete(e.id)
    this.byAddress.delete(formatAddress(e))
  }

  private put (e: Entry, table: 'new' | 'tried', bucket: number, at: number): void {
    if (table === 'tried') {
      this.triedTable[at] = e.id
      this.triedFill.add(bucket)
      e.tried = true
      this.triedCount++
    } else {
      this.newTable[at] = e.id
      this.newFill.add(bucket)
      if (e.refCount++ === 0) this.newCount++
    }
  }

  // Core's ClearNew: empties a new slot; its entry, referenced nowhere else, leaves the book.
  private clearNew (bucket: number, at: number): void {
    const id = this.newTable[at]!
    if (id === EMPTY) return
    this.newTable[at] = EMPTY
    this.newFill.remove(bucket)
    const e = this.byId.get(id)!
    if (--e.refCount === 0) {
      this.newCount--
      this.forget(e)
    }
  }

  // Core's AddSingle.
  private addOne (a: PeerAddress & { services: bigint, time: number }, source: AddSource): boolean {
    const host = canonicalHost(a.host)
    if (host === undefined || networkOf(host) === undefined) return false
    if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) return false
    const routable = this.groupOf(host)
    if (source.trusted !== true && routable === undefined) return false
    const group = routable ?? anyGroup(host)
    const sourceHost = source.host === undefined ? undefined : canonicalHost(source.host)
    const sourceGroup = source.group ?? (sourceHost === undefined ? group : (this.groupOf(sourceHost) ?? anyGroup(sourceHost)))
    // An address telling of itself gets no penalty.
    const penalty = sourceHost === host ? 0 : source.timePenalty ?? 0
    const now = this.now()
    let e = this.entry({ host, port: a.port })
    let isNew = false
    if (e !== undefined) {
      // Refresh its time now and then: hourly while it is online, daily otherwise.
      const interval = now - a.time < 24 * 3600 ? 3600 : 24 * 3600
      if (a.time > 0 && (e.time === 0 || e.time < a.time - interval - penalty)) e.time = Math.max(0, a.time - penalty)
      e.services |= a.services
      if (a.time === 0 || (e.time > 0 && a.time <= e.time)) return false
      if (e.tried || e.refCount >= NEW_BUCKETS_PER_ADDRESS) return false
      // Each further reference is half as likely: an address often heard of gains buckets slowly.
      if (randomBelow(1 << e.refCount) !== 0) return false
    } else {
      e = this.create(host, a.port, a.services, Math.max(0, a.time - penalty), sourceGroup, group)
      isNew = true
    }
    const bucket = this.newBucket(e.group, sourceGroup)
    const at = bucket * this.bucketSize + this.slotOf('new', bucket, formatAddress(e))
    const there = this.newTable[at]!
    if (there === e.id) return isNew
    const other = there === EMPTY ? undefined : this.byId.get(there)
    // A slot taken is given up by a terrible address, or by one in other buckets too for one in none.
    if (other === undefined || isTerrible(other, now) || (other.refCount > 1 && e.refCount === 0)) {
      this.clearNew(bucket, at)
      this.put(e, 'new', bucket, at)
    } else if (e.refCount === 0) {
      this.forget(e)
      return false
    }
    return isNew
  }

  // Core's MakeTried: out of every new bucket, into its tried slot; whoever was there goes back to new.
  private makeTried (e: Entry): void {
    for (let at = 0; at < this.newTable.length && e.refCount > 0; at++) {
      if (this.newTable[at] === e.id) {
        this.newTable[at] = EMPTY
        this.newFill.remove(Math.floor(at / this.bucketSize))
        e.refCount--
      }
    }
    this.newCount--
    const { bucket, slot } = this.position(e, 'tried')
    const at = bucket * this.bucketSize + slot
    const evicted = this.byId.get(this.triedTable[at]!)
    if (evicted !== undefined) {
      this.triedTable[at] = EMPTY
      this.triedFill.remove(bucket)
      this.triedCount--
      evicted.tried = false
      const newBucket = this.newBucket(evicted.group, evicted.source)
      const newAt = newBucket * this.bucketSize + this.slotOf('new', newBucket, formatAddress(evicted))
      this.clearNew(newBucket, newAt)
      this.put(evicted, 'new', newBucket, newAt)
    }
    this.put(e, 'tried', bucket, at)
  }
}

function infoOf (e: Entry): AddrInfo {
  const { host, port, services, time, lastTry, lastSuccess, attempts, source, tried } = e
  return { host, port, services, time, lastTry, lastSuccess, attempts, source, tried }
}

/** Core's IsTerrible: an address not worth keeping when its slot is wanted. */
export function isTerrible (info: AddrInfo, now: number): boolean {
  if (info.lastTry > 0 && now - info.lastTry <= RECENT_TRY) return false
  if (info.time > now + FUTURE) return true
  if (now - info.time > HORIZON) return true
  if (info.lastSuccess === 0 && info.attempts >= RETRIES) return true
  if (now - info.lastSuccess > MIN_FAIL && info.attempts >= MAX_FAILURES) return true
  return false
}

/** Core's GetChance: the odds select() takes an address it drew. */
export function chance (info: AddrInfo, now: number): number {
  let c = 1
  if (Math.max(now - info.lastTry, 0) < RECENT_TRY_CHANCE) c *= 0.01
  return c * 0.66 ** Math.min(info.attempts, 8)
}
