/**
 * The address book in a file the application names, as Core's peers.dat: saved so that a restart
 * does not begin from the DNS seeds. JSON (one object: the format's name and version, the
 * network's magic, the book's key and table sizes, and every address), written to a temporary
 * file beside it and renamed over it, so a crash leaves the old book or the new one, never half.
 * Reading back checks every field: anything else is ERR_BIP324_CORRUPT_ADDRMAN (as Core refuses a
 * corrupt peers.dat), and a file over MAX_BOOK_FILE bytes is refused before it is read.
 */

import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'

import { Bip324Error } from '../errors'
import { magicOf, type Network } from '../network'
import { type AddrInfo, AddrMan, type AddrManOptions } from './addrman'
import { canonicalHost } from './address'

const FORMAT = 'bip324-addrman'
const VERSION = 1
/** Bytes: the largest book file read back. A full book of Core's sizes (81,920 addresses of at
 *  most about 250 bytes of JSON each) fits in it. */
export const MAX_BOOK_FILE = 32 * 1024 * 1024
const MAX_U64 = 2n ** 64n - 1n

function corrupt (path: string, why: string): Bip324Error {
  return new Bip324Error('ERR_BIP324_CORRUPT_ADDRMAN', `the address book ${path} is corrupt: ${why}`)
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** The book as the file holds it. */
export function serializeAddrMan (book: AddrMan, network: Network): string {
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    network: hex(magicOf(network)),
    key: hex(book.secret),
    newBucketCount: book.newBucketCount,
    triedBucketCount: book.triedBucketCount,
    bucketSize: book.bucketSize,
    addresses: book.entries().map((a) => [a.host, a.port, a.services.toString(), a.time, a.lastTry, a.lastSuccess, a.attempts, a.source, a.tried ? 1 : 0])
  })
}

const isTime = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 32 - 1

/** The book a file's text holds: its key and sizes, `options` for the rest (netGroup, now).
 *  Addresses whose slot is taken twice are dropped, as Core drops them. */
export function deserializeAddrMan (text: string, network: Network, options: Omit<AddrManOptions, 'key' | 'newBucketCount' | 'triedBucketCount' | 'bucketSize'> = {}, path = 'file'): AddrMan {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw corrupt(path, `not JSON (${(err as Error).message})`)
  }
  if (data === null || typeof data !== 'object') throw corrupt(path, 'not an object')
  const d = data as Record<string, unknown>
  if (d.format !== FORMAT || d.version !== VERSION) throw corrupt(path, `not the ${FORMAT} format, version ${VERSION}`)
  if (d.network !== hex(magicOf(network))) throw corrupt(path, `another network's book (magic ${String(d.network)})`)
  if (typeof d.key !== 'string' || !/^[0-9a-f]{64}$/.test(d.key)) throw corrupt(path, 'no 32-byte key')
  let book: AddrMan
  try {
    book = new AddrMan({
      ...options,
      key: Buffer.from(d.key, 'hex'),
      newBucketCount: d.newBucketCount as number,
      triedBucketCount: d.triedBucketCount as number,
      bucketSize: d.bucketSize as number
    })
  } catch (err) {
    throw corrupt(path, (err as Error).message)
  }
  if (!Array.isArray(d.addresses) || d.addresses.length > book.capacity) throw corrupt(path, `addresses must be a list of at most ${book.capacity}`)
  for (const a of d.addresses as unknown[]) {
    if (!Array.isArray(a) || a.length !== 9) throw corrupt(path, 'an address is not a list of 9 fields')
    const [host, port, services, time, lastTry, lastSuccess, attempts, source, tried] = a as unknown[]
    if (typeof host !== 'string' || canonicalHost(host) !== host) throw corrupt(path, `not an address: ${String(host)}`)
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) throw corrupt(path, `a bad port: ${String(port)}`)
    if (typeof services !== 'string' || !/^\d{1,20}$/.test(services) || BigInt(services) > MAX_U64) throw corrupt(path, `bad services: ${String(services)}`)
    if (![time, lastTry, lastSuccess, attempts].every(isTime)) throw corrupt(path, 'a time or count out of range')
    if (typeof source !== 'string' || source.length > 64) throw corrupt(path, 'a bad source group')
    if (tried !== 0 && tried !== 1) throw corrupt(path, 'tried must be 0 or 1')
    const info: AddrInfo = {
      host, port: port as number, services: BigInt(services), time: time as number, lastTry: lastTry as number,
      lastSuccess: lastSuccess as number, attempts: attempts as number, source, tried: tried === 1
    }
    book.restore(info)
  }
  return book
}

/** Writes the book to `path` atomically (a temporary file beside it, synced, then renamed). */
export async function saveAddrMan (path: string, book: AddrMan, network: Network): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const file = await fs.open(temp, 'w', 0o600)
  try {
    await file.writeFile(serializeAddrMan(book, network))
    await file.sync()
  } catch (err) {
    await file.close()
    await fs.rm(temp, { force: true })
    throw err
  }
  await file.close()
  try {
    await fs.rename(temp, path)
  } catch (err) {
    await fs.rm(temp, { force: true })
    throw err
  }
}

/** Reads the book saved at `path`: ERR_BIP324_CORRUPT_ADDRMAN if it is not one, node:fs's error
 *  (ENOENT...) if it cannot be read. */
export async function loadAddrMan (path: string, network: Network, options: Omit<AddrManOptions, 'key' | 'newBucketCount' | 'triedBucketCount' | 'bucketSize'> = {}): Promise<AddrMan> {
  const file = await fs.open(path, 'r')
  let text: string
  try {
    const { size } = await file.stat()
    if (size > MAX_BOOK_FILE) throw corrupt(path, `${size} bytes, over ${MAX_BOOK_FILE}`)
    // Exactly the bytes stat() counted: a file growing meanwhile is not read past the bound.
    const bytes = Buffer.alloc(size)
    const { bytesRead } = await file.read(bytes, 0, size, 0)
    text = bytes.subarray(0, bytesRead).toString('utf8')
  } finally {
    await file.close()
  }
  return deserializeAddrMan(text, network, options, path)
}
