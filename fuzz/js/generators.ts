/**
 * Random valid messages for every type decodePayload knows, from random field values. The table is
 * typed over KnownCommand, so a type added to lib/messages/payload.ts does not compile here until it
 * has a generator: the fuzzer cannot silently skip a decoder.
 */

import {
  BIP155_NETWORK, type BlockHeader, type EmptyCommand, type KnownCommand, type KnownMessage, MAX_ADDR_TO_SEND, MAX_ADDRV2_SIZE,
  MAX_BLOOM_FILTER_SIZE, MAX_CFHEADERS_SIZE, MAX_FEATUREDATA_LENGTH, MAX_FEATUREID_LENGTH, MAX_HASH_FUNCS, MAX_HEADERS_RESULTS, MAX_INV_SZ, MAX_LOCATOR_SZ,
  MAX_SCRIPT_ELEMENT_SIZE, MAX_SUBVERSION_LENGTH, MIN_FEATUREID_LENGTH, type NetAddress
} from '../../lib'
import { compactSize } from '../../test/helpers/bytes'
import { EMPTY_COMMANDS } from '../../test/helpers/empty-messages'
import type { Rng } from './rng'

type Gen<T extends KnownCommand> = (rng: Rng) => Extract<KnownMessage, { type: T }>

const ADDRESS_BYTES: Record<number, number> = { 1: 4, 2: 16, 4: 32, 5: 32, 6: 16 }

const u8 = (rng: Rng): number => rng.edgy(0, 0xff)
const u16 = (rng: Rng): number => rng.edgy(0, 0xffff)
const u32 = (rng: Rng): number => rng.edgy(0, 0xffff_ffff)
const i32 = (rng: Rng): number => rng.edgy(-0x8000_0000, 0x7fff_ffff)
const u64 = (rng: Rng): bigint => rng.edgyBig(0n, 2n ** 64n - 1n)
const i64 = (rng: Rng): bigint => rng.edgyBig(-(2n ** 63n), 2n ** 63n - 1n)
const hash = (rng: Rng): Uint8Array => rng.bytes(32)
// Mostly small lists: a list near its limit is drawn now and then, not every time.
const count = (rng: Rng, max: number): number => (rng.chance(0.005) ? max - rng.int(2) : rng.size(Math.min(max, 40)))
const list = <T>(rng: Rng, max: number, item: (rng: Rng) => T): T[] => Array.from({ length: count(rng, max) }, () => item(rng))

function netAddress (rng: Rng): NetAddress {
  return { services: u64(rng), ip: rng.bytes(16), port: u16(rng) }
}

/** Text whose UTF-8 fits in `maxBytes`: ASCII, accents, CJK and astral characters (surrogate pairs). */
export function userAgent (rng: Rng, maxBytes: number): string {
  let s = ''
  let bytes = 0
  for (let n = rng.size(maxBytes); n > 0; n--) {
    const ch = rng.pick(['/', 'a', 'Z', '0', ':', ' ', '\u00e9', '\u4e2d', '\u{1f600}', '\ufeff', String.fromCharCode(rng.range(0x20, 0x7e))])
    const size = Buffer.byteLength(ch)
    if (bytes + size > maxBytes) break
    s += ch
    bytes += size
  }
  return s
}

function header (rng: Rng): BlockHeader {
  return { version: i32(rng), prevBlock: hash(rng), merkleRoot: hash(rng), time: u32(rng), bits: u32(rng), nonce: u32(rng) }
}

function increasing (rng: Rng): number[] {
  const out: number[] = []
  for (let next = 0, n = count(rng, 200); n > 0 && next <= 0xffff; n--) {
    const index = next + (rng.chance(0.8) ? rng.size(5) : rng.size(0xffff))
    if (index > 0xffff) break
    out.push(index)
    next = index + 1
  }
  return out
}

// A generator per empty type, each making its own key's type (which fromEntries cannot say to the compiler).
const EMPTY = Object.fromEntries(EMPTY_COMMANDS.map((type) => [type, () => ({ type })])) as unknown as { readonly [T in EmptyCommand]: Gen<T> }
const raw = <T extends 'tx' | 'block' | 'cmpctblock' | 'blocktxn' | 'merkleblock'>(type: T) => (rng: Rng) => ({ type, raw: rng.bytes(rng.size(600)) }) as Extract<KnownMessage, { type: T }>

export const GENERATORS: { readonly [T in KnownCommand]: Gen<T> } = {
  version: (rng) => ({
    type: 'version',
    version: i32(rng),
    services: u64(rng),
    timestamp: i64(rng),
    receiver: netAddress(rng),
    sender: netAddress(rng),
    nonce: u64(rng),
    userAgent: userAgent(rng, MAX_SUBVERSION_LENGTH),
    startHeight: i32(rng),
    ...(rng.chance(0.7) && { relay: rng.chance(0.5) })
  }),
  ...EMPTY,
  ping: (rng) => ({ type: 'ping', nonce: u64(rng) }),
  pong: (rng) => ({ type: 'pong', nonce: u64(rng) }),
  feefilter: (rng) => ({ type: 'feefilter', feeRate: i64(rng) }),
  addr: (rng) => ({ type: 'addr', addresses: list(rng, MAX_ADDR_TO_SEND, (r) => ({ time: u32(r), ...netAddress(r) })) }),
  addrv2: (rng) => ({
    type: 'addrv2',
    addresses: list(rng, MAX_ADDR_TO_SEND, (r) => {
      const networkId = r.chance(0.8) ? r.pick(Object.values(BIP155_NETWORK)) : u8(r)
      const size = ADDRESS_BYTES[networkId] ?? r.size(MAX_ADDRV2_SIZE)
      return { time: u32(r), services: u64(r), networkId, addr: r.bytes(size), port: u16(r) }
    })
  }),
  inv: (rng) => ({ type: 'inv', inventory: list(rng, MAX_INV_SZ, (r) => ({ invType: u32(r), hash: hash(r) })) }),
  getdata: (rng) => ({ type: 'getdata', inventory: list(rng, MAX_INV_SZ, (r) => ({ invType: u32(r), hash: hash(r) })) }),
  notfound: (rng) => ({ type: 'notfound', inventory: list(rng, MAX_INV_SZ, (r) => ({ invType: u32(r), hash: hash(r) })) }),
  getheaders: (rng) => ({ type: 'getheaders', version: i32(rng), locator: list(rng, MAX_LOCATOR_SZ, hash), stopHash: hash(rng) }),
  getblocks: (rng) => ({ type: 'getblocks', version: i32(rng), locator: list(rng, MAX_LOCATOR_SZ, hash), stopHash: hash(rng) }),
  headers: (rng) => ({ type: 'headers', headers: list(rng, MAX_HEADERS_RESULTS, header) }),
  filterload: (rng) => ({
    type: 'filterload',
    filter: rng.bytes(rng.size(MAX_BLOOM_FILTER_SIZE)),
    hashFuncs: rng.edgy(0, MAX_HASH_FUNCS),
    tweak: u32(rng),
    flags: u8(rng)
  }),
  filteradd: (rng) => ({ type: 'filteradd', data: rng.bytes(rng.size(MAX_SCRIPT_ELEMENT_SIZE)) }),
  sendcmpct: (rng) => ({ type: 'sendcmpct', announce: rng.chance(0.5), version: u64(rng) }),
  getblocktxn: (rng) => ({ type: 'getblocktxn', blockHash: hash(rng), indexes: increasing(rng) }),
  getcfilters: (rng) => ({ type: 'getcfilters', filterType: u8(rng), startHeight: u32(rng), stopHash: hash(rng) }),
  getcfheaders: (rng) => ({ type: 'getcfheaders', filterType: u8(rng), startHeight: u32(rng), stopHash: hash(rng) }),
  cfilter: (rng) => ({ type: 'cfilter', filterType: u8(rng), blockHash: hash(rng), filter: rng.bytes(rng.size(3000)) }),
  cfheaders: (rng) => ({
    type: 'cfheaders',
    filterType: u8(rng),
    stopHash: hash(rng),
    previousFilterHeader: hash(rng),
    filterHashes: list(rng, MAX_CFHEADERS_SIZE, hash)
  }),
  getcfcheckpt: (rng) => ({ type: 'getcfcheckpt', filterType: u8(rng), stopHash: hash(rng) }),
  cfcheckpt: (rng) => ({ type: 'cfcheckpt', filterType: u8(rng), stopHash: hash(rng), filterHeaders: list(rng, 3000, hash) }),
  feature: (rng) => ({
    type: 'feature',
    featureId: Buffer.from(rng.bytes(rng.edgy(MIN_FEATUREID_LENGTH, MAX_FEATUREID_LENGTH))).toString('latin1'),
    featureData: rng.bytes(rng.size(MAX_FEATUREDATA_LENGTH))
  }),
  tx: raw('tx'),
  block: raw('block'),
  cmpctblock: raw('cmpctblock'),
  blocktxn: raw('blocktxn'),
  merkleblock: raw('merkleblock')
}

export const KNOWN_TYPES = Object.keys(GENERATORS) as KnownCommand[]

export function randomMessage (rng: Rng, type: KnownCommand): KnownMessage {
  return (GENERATORS[type] as (rng: Rng) => KnownMessage)(rng)
}

/** A printable command of 1 to 12 characters, sometimes one of ours, sometimes a JS property name. */
export function randomCommand (rng: Rng): string {
  if (rng.chance(0.3)) return rng.pick(KNOWN_TYPES)
  if (rng.chance(0.1)) return rng.pick(['constructor', '__proto__', 'toString', 'valueOf', 'toJSON'])
  let s = ''
  for (let n = rng.range(1, 12); n > 0; n--) s += String.fromCharCode(rng.range(0x20, 0x7e))
  return s
}

// Transactions, serialized by hand so the fuzzer does not trust the parser it checks.

export interface TxParts {
  /** The whole serialization (what wtxid hashes). */
  raw: Uint8Array
  /** Without marker, flag and witnesses (what txid hashes). */
  stripped: Uint8Array
}

function varBytes (rng: Rng, max: number): Uint8Array[] {
  const data = rng.bytes(rng.size(max))
  return [compactSize(data.length), data]
}

/** A valid transaction, legacy or segwit: at least one input, and a segwit one has a witness item. */
export function randomTx (rng: Rng): TxParts {
  const inputs = rng.range(1, 1 + rng.size(6))
  const vin: Uint8Array[] = [compactSize(inputs)]
  for (let i = 0; i < inputs; i++) vin.push(rng.bytes(36), ...varBytes(rng, rng.chance(0.05) ? 300 : 120), rng.bytes(4))
  const outputs = rng.size(6)
  const vout: Uint8Array[] = [compactSize(outputs)]
  for (let i = 0; i < outputs; i++) vout.push(rng.bytes(8), ...varBytes(rng, rng.chance(0.05) ? 300 : 60))
  const version = rng.bytes(4)
  const lockTime = rng.bytes(4)
  const stripped = Buffer.concat([version, ...vin, ...vout, lockTime])
  if (rng.chance(0.4)) return { raw: stripped, stripped }
  const witness: Uint8Array[] = []
  const withItem = rng.int(inputs)
  for (let i = 0; i < inputs; i++) {
    const items = Math.max(i === withItem ? 1 : 0, rng.size(4))
    witness.push(compactSize(items))
    for (let j = 0; j < items; j++) witness.push(...varBytes(rng, 80))
  }
  return { raw: Buffer.concat([version, Uint8Array.of(0, 1), ...vin, ...vout, ...witness, lockTime]), stripped }
}
