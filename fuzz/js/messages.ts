/**
 * Targets for the message layer, which meets hostile bytes right after decryption: decodeContents,
 * decodePayload for every known type, V1MessageReader.push, txid/wtxid, decodeBlock and checkBlock,
 * decodeBlockHeader and decodeCompactSize. Random bytes and mutations of valid encodings; only a Bip324Error with a
 * code the decoder documents may come out. What decodes must encode back to the same bytes (the
 * decoders accept only canonical forms), and decoded fields must not alias the input.
 */

import {
  type Bip324Error, BLOCK_HEADER_BYTES, blockHash, checkBlock, commandOf, decodeBlock, decodeBlockHeader, decodeCompactSize, decodeContents, decodePayload,
  encodeBlockHeader, encodeCompactSize, encodeContents, encodePayload, encodeV1Message, type KnownCommand,
  MAX_PROTOCOL_MESSAGE_LENGTH, type Message, NETWORK_MAGIC, SHORT_MESSAGE_IDS, txid, V1_HEADER_BYTES,
  type V1Message, V1MessageReader, wtxid
} from '../../lib'
import { merkleRoot, sha256d, toHex } from '../../test/helpers/bytes'
import { canonical, check, concat, equal, isBip324, only, present, type Target } from './case'
import { GENERATORS, KNOWN_TYPES, randomCommand, randomMessage, randomTx } from './generators'
import { cuts, chunksOf, mutate } from './mutate'

const PAYLOAD_CODES = ['ERR_BIP324_BAD_PAYLOAD', 'ERR_BIP324_LIMIT', 'ERR_BIP324_OVERSIZED']
const TYPE_CODES = ['ERR_BIP324_BAD_MESSAGE_TYPE']
const V1_CODES = ['ERR_BIP324_BAD_MAGIC', 'ERR_BIP324_BAD_CHECKSUM', 'ERR_BIP324_BAD_MESSAGE_TYPE', 'ERR_BIP324_OVERSIZED']
const SHORT_TYPES = new Set(Object.values(SHORT_MESSAGE_IDS))
const PRESENTATIONS = ['u8', 'buffer', 'offset']
const CODEC_TYPES = new Set<string>(KNOWN_TYPES.filter((t) => !['tx', 'block', 'cmpctblock', 'blocktxn', 'merkleblock'].includes(t)))

/** decodePayload inputs per message type, for the report. */
export const payloadTypeCounts = new Map<string, number>()

// Bytes a decoder may read in more than one way; what re-encoding them must give. null: not comparable.
function canonicalForm (msg: Message, bytes: Uint8Array): Uint8Array | null {
  if (msg.type === 'sendcmpct' && bytes.length > 0) {
    const out = Uint8Array.from(bytes)
    out[0] = out[0] === 0 ? 0 : 1 // any non-zero byte is true
    return out
  }
  if (msg.type === 'version' && 'userAgent' in msg) {
    if (msg.userAgent.includes('\ufffd')) return null // bytes that are not UTF-8 decode to U+FFFD
    // Bytes past relay are ignored (as Core does): only the prefix the fields encode to can compare.
    const out = Uint8Array.from(msg.relay === undefined ? bytes : bytes.subarray(0, encodePayload(msg).length))
    if (msg.relay !== undefined) out[out.length - 1] = out[out.length - 1] === 0 ? 0 : 1
    return out
  }
  return bytes
}

function payloadTarget (): Target {
  return {
    name: 'decode.payload',
    weight: 40,
    gen: (rng) => {
      const type = rng.chance(0.05) ? randomCommand(rng) : rng.pick(KNOWN_TYPES)
      const as = rng.pick(PRESENTATIONS)
      if (rng.chance(0.0005)) return { bytes: new Uint8Array(MAX_PROTOCOL_MESSAGE_LENGTH + 1), cuts: [], params: { type, as } }
      if (rng.chance(0.25)) return { bytes: rng.bytes(rng.size(rng.chance(0.8) ? 120 : 6000)), cuts: [], params: { type, as } }
      const source = rng.chance(0.1) || !Object.hasOwn(GENERATORS, type) ? rng.pick(KNOWN_TYPES) : type as KnownCommand
      const msg = randomMessage(rng, source)
      const bytes = encodePayload(msg)
      if (source === type && rng.chance(0.3)) return { bytes, cuts: [], params: { type, as, expect: canonical(msg) } }
      return { bytes: mutate(rng, bytes), cuts: [], params: { type, as } }
    },
    run: (c) => {
      const type = String(c.params.type)
      const key = Object.hasOwn(GENERATORS, type) ? type : '(other types)'
      payloadTypeCounts.set(key, (payloadTypeCounts.get(key) ?? 0) + 1)
      const input = present(c.bytes, c.params.as)
      const r = only(`decodePayload(${JSON.stringify(type)})`, PAYLOAD_CODES, () => decodePayload(type, input))
      if (!r.ok) {
        check(c.params.expect === undefined, 'valid encoding refused', () => `${type}: ${r.error.code} ${r.error.message}`)
        check(r.error.code !== 'ERR_BIP324_OVERSIZED' || c.bytes.length > MAX_PROTOCOL_MESSAGE_LENGTH, 'OVERSIZED for a payload within the limit', () => `${c.bytes.length} bytes`)
        return r.error.code
      }
      const msg = r.value
      check(commandOf(msg) === type, 'decoded type differs', () => `${commandOf(msg)} vs ${type}`)
      check(c.bytes.length <= MAX_PROTOCOL_MESSAGE_LENGTH, 'oversized payload accepted', () => `${c.bytes.length} bytes`)
      if ('raw' in msg) {
        check(!CODEC_TYPES.has(type) && msg.raw === input, 'raw message is not the payload itself', () => type)
        return 'raw'
      }
      check(CODEC_TYPES.has(type), 'typed result for a type without a codec', () => type)
      input.fill(0xee) // decoded fields are documented as copies: scrub the input before re-encoding
      if (c.params.expect !== undefined) check(canonical(msg) === c.params.expect, 'decoded fields differ from the encoded ones', () => `${canonical(msg).slice(0, 300)}\nexpected ${String(c.params.expect).slice(0, 300)}`)
      const want = canonicalForm(msg, c.bytes)
      if (want !== null) {
        const again = only(`encodePayload(decoded ${type})`, [], () => encodePayload(msg))
        check(again.ok && equal(again.value, want), 'decode/encode round trip differs (non-canonical form accepted, or a field aliases the input)',
          () => `${type}: re-encoded ${again.ok ? toHex(again.value).slice(0, 200) : ''}`)
      }
      return 'ok'
    }
  }
}

function contentsTarget (): Target {
  return {
    name: 'decode.contents',
    weight: 20,
    gen: (rng) => {
      const as = rng.pick(PRESENTATIONS)
      if (rng.chance(0.5)) {
        const bytes = rng.bytes(rng.size(40))
        if (bytes.length > 0) bytes[0] = rng.pick([0, 0, rng.range(1, 37), rng.range(38, 255), rng.int(256)])
        return { bytes, cuts: [], params: { as } }
      }
      const bytes = encodeContents(randomCommand(rng), rng.bytes(rng.size(64)))
      return { bytes: rng.chance(0.7) ? mutate(rng, bytes, [], [0, 1, 2, 12, 13]) : bytes, cuts: [], params: { as } }
    },
    run: (c) => {
      const r = only('decodeContents', TYPE_CODES, () => decodeContents(present(c.bytes, c.params.as)))
      if (!r.ok) return r.error.code
      const m = r.value
      const header = c.bytes[0] === 0 ? 13 : 1
      check(equal(m.payload, c.bytes.subarray(header)), 'payload is not the rest of the contents', () => `${m.payload.length} bytes`)
      if (m.type === undefined) {
        check(c.bytes[0]! >= 38 && m.shortId === c.bytes[0] && SHORT_MESSAGE_IDS[c.bytes[0]!] === undefined, 'unknown short id misreported', () => `${m.shortId}`)
        return 'reserved-id'
      }
      check(/^[\x20-\x7e]{1,12}$/.test(m.type), 'decoded type is not 1-12 printable characters', () => JSON.stringify(m.type))
      // The long form of a type that has a short id is allowed and re-encodes short: not comparable.
      if (c.bytes[0] !== 0 || !SHORT_TYPES.has(m.type)) {
        check(equal(encodeContents(m.type, m.payload), c.bytes), 'contents round trip differs (non-canonical command accepted)', () => JSON.stringify(m.type))
      }
      only(`decodePayload(${JSON.stringify(m.type)}) after decodeContents`, PAYLOAD_CODES, () => decodePayload(m.type, m.payload))
      return c.bytes[0] === 0 ? 'long' : 'short'
    }
  }
}

const NETWORK_HEX = Object.values(NETWORK_MAGIC)

function v1ReaderTarget (): Target {
  return {
    name: 'decode.v1reader',
    weight: 10,
    gen: (rng) => {
      const magic = rng.chance(0.9) ? rng.pick(NETWORK_HEX) : toHex(rng.bytes(4))
      const maxPayload = rng.chance(0.8) ? -1 : rng.size(70_000)
      const frames: Uint8Array[] = []
      for (let n = rng.size(6); n > 0; n--) {
        const type = rng.chance(0.6) ? rng.pick(KNOWN_TYPES) : randomCommand(rng)
        const payload = rng.chance(0.01) ? rng.bytes(70_000) : Object.hasOwn(GENERATORS, type) && rng.chance(0.6) ? encodePayload(randomMessage(rng, type as KnownCommand)) : rng.bytes(rng.size(2000))
        frames.push(encodeV1Message(Buffer.from(magic, 'hex'), type, payload))
      }
      let bytes = concat(frames)
      const kind = rng.int(20)
      if (kind < 3) bytes = concat([rng.chance(0.5) ? Buffer.from(magic, 'hex') : new Uint8Array(0), rng.bytes(rng.size(3000))])
      else if (kind < 13) bytes = mutate(rng, bytes, [], [4, 16, 20, 24])
      const intact = kind >= 13 && (maxPayload < 0 || frames.every((f) => f.length - V1_HEADER_BYTES <= maxPayload))
      return { bytes, cuts: cuts(rng, bytes.length, [4, 16, 20, 24]), params: { magic, maxPayload, intact, frames: frames.length } }
    },
    run: (c) => {
      const magic = Buffer.from(String(c.params.magic), 'hex')
      const max = Number(c.params.maxPayload)
      const options = max >= 0 ? { maxPayload: max } : {}
      // One message: a header and its payload (held whole once a checksum fails: the reader is then done).
      const bound = V1_HEADER_BYTES + (max >= 0 ? max : MAX_PROTOCOL_MESSAGE_LENGTH)
      const reader = new V1MessageReader(magic, options)
      const got: V1Message[] = []
      let error: Bip324Error | undefined
      // One scratch buffer for every chunk, scrubbed after each push: the reader promises copies.
      const scratch = new Uint8Array(Math.max(1, c.bytes.length))
      for (const chunk of chunksOf(c.bytes, c.cuts)) {
        const view = scratch.subarray(0, chunk.length)
        view.set(chunk)
        const r = only('V1MessageReader.push', [], () => reader.push(view))
        if (!r.ok) return 'unreachable'
        if (error !== undefined) {
          check(r.value.error === error && r.value.messages.length === 0, 'push after an error did not repeat it', () => `${r.value.messages.length} messages`)
          continue
        }
        for (const m of r.value.messages) got.push({ type: m.type, payload: m.payload })
        check(reader.buffered <= bound, 'v1 reader buffered over one message', () => `${reader.buffered} > ${bound}`)
        if (r.value.error !== undefined) {
          error = r.value.error
          check(isBip324(error) && V1_CODES.includes(error.code), 'v1 reader error is not a v1 framing code', () => `${String(error?.code)}: ${String(error?.message)}`)
        }
        view.fill(0x55)
      }
      const whole = new V1MessageReader(magic, options).push(Uint8Array.from(c.bytes))
      check(whole.messages.length === got.length && (whole.error?.code ?? '') === (error?.code ?? ''),
        'chunking (or buffer reuse) changed the v1 reader\'s outcome', () => `${got.length} vs ${whole.messages.length} messages, ${String(error)} vs ${String(whole.error)}`)
      got.forEach((m, i) => check(m.type === whole.messages[i]!.type && equal(m.payload, whole.messages[i]!.payload), 'v1 message differs with chunking or buffer reuse', () => `message ${i} (${m.type})`))
      if (c.params.intact === true) {
        check(error === undefined && got.length === Number(c.params.frames), 'valid v1 frames refused', () => String(error))
        check(equal(concat(got.map((m) => encodeV1Message(magic, m.type, m.payload))), c.bytes), 'v1 frames do not re-encode to the input', () => '')
      }
      for (const m of got) only(`decodePayload(${JSON.stringify(m.type)}) of a v1 frame`, PAYLOAD_CODES, () => decodePayload(m.type, m.payload))
      return error?.code ?? 'ok'
    }
  }
}

function txTarget (): Target {
  return {
    name: 'decode.txid',
    weight: 15,
    gen: (rng) => {
      const as = rng.pick(PRESENTATIONS)
      if (rng.chance(0.3)) {
        const bytes = rng.bytes(rng.size(600))
        if (bytes.length > 6 && rng.chance(0.5)) bytes.set([0, rng.chance(0.8) ? 1 : rng.int(256)], 4) // the segwit marker and a flag
        return { bytes, cuts: [], params: { as } }
      }
      const tx = randomTx(rng)
      if (rng.chance(0.4)) return { bytes: tx.raw, cuts: [], params: { as, txid: toHex(sha256d(tx.stripped)), wtxid: toHex(sha256d(tx.raw)) } }
      return { bytes: mutate(rng, tx.raw, [], [4, 5, 6]), cuts: [], params: { as } }
    },
    run: (c) => {
      const input = present(c.bytes, c.params.as)
      const t = only('txid', ['ERR_BIP324_BAD_PAYLOAD'], () => txid(input))
      const w = only('wtxid', ['ERR_BIP324_BAD_PAYLOAD'], () => wtxid(input))
      check(t.ok === w.ok, 'txid and wtxid disagree on validity', () => `txid ${t.ok ? 'ok' : t.error.code}, wtxid ${w.ok ? 'ok' : w.error.code}`)
      if (c.params.txid !== undefined) check(t.ok && w.ok, 'valid transaction refused', () => (t.ok ? '' : t.error.message))
      if (!t.ok || !w.ok) return t.ok ? 'error' : t.error.code
      check(equal(w.value, sha256d(c.bytes)), 'wtxid is not the hash of the whole transaction', () => toHex(w.value))
      const segwit = c.bytes[4] === 0 && c.bytes[5] === 1
      check(segwit !== equal(t.value, w.value), 'txid/wtxid relation wrong for the format', () => `segwit ${segwit}`)
      if (c.params.txid !== undefined) {
        check(toHex(t.value) === c.params.txid && toHex(w.value) === c.params.wtxid, 'txid or wtxid differs from the serialization\'s', () => toHex(t.value))
      }
      return segwit ? 'segwit' : 'legacy'
    }
  }
}

// A block's serialization from the fuzzer's own transactions: header (half the time committing to
// them), count, transactions.
function blockTarget (): Target {
  return {
    name: 'decode.block',
    weight: 8,
    gen: (rng) => {
      const as = rng.pick(PRESENTATIONS)
      const txs = Array.from({ length: rng.range(1, 1 + rng.size(6)) }, () => randomTx(rng))
      const header = rng.bytes(BLOCK_HEADER_BYTES)
      if (rng.chance(0.5)) header.set(merkleRoot(txs.map((tx) => sha256d(tx.stripped))), 36)
      const bytes = concat([header, encodeCompactSize(txs.length), ...txs.map((tx) => tx.raw)])
      if (rng.chance(0.4)) {
        return { bytes, cuts: [], params: { as, txids: txs.map((tx) => toHex(sha256d(tx.stripped))).join(','), sizes: txs.map((tx) => tx.raw.length).join(',') } }
      }
      return { bytes: mutate(rng, bytes, [], [BLOCK_HEADER_BYTES, BLOCK_HEADER_BYTES + 5, BLOCK_HEADER_BYTES + 6]), cuts: [], params: { as } }
    },
    run: (c) => {
      const input = present(c.bytes, c.params.as)
      const r = only('decodeBlock', PAYLOAD_CODES, () => decodeBlock(input))
      if (c.params.txids !== undefined) check(r.ok, 'valid block refused', () => (r.ok ? '' : r.error.message))
      if (!r.ok) return r.error.code
      const block = r.value
      check(equal(block.raw, c.bytes) && equal(block.hash, sha256d(c.bytes.subarray(0, BLOCK_HEADER_BYTES))), 'block bytes or hash differ from the input', () => toHex(block.hash))
      check(block.transactions.every((tx) => tx.raw.buffer === block.raw.buffer), 'a transaction is not a view of the block', () => '')
      if (c.params.txids !== undefined) {
        check(block.transactions.map((tx) => toHex(tx.txid)).join(',') === c.params.txids, 'txids differ from the serializations\'', () => '')
        check(block.transactions.map((tx) => tx.raw.length).join(',') === c.params.sizes, 'transaction lengths differ', () => '')
      }
      // A random header commits to other transactions: checkBlock must say so with a reason of Core's.
      const checked = only('checkBlock', ['ERR_BIP324_BAD_PAYLOAD'], () => checkBlock(block))
      if (checked.ok) return 'passes'
      check(typeof (checked.error as Bip324Error).reason === 'string', 'checkBlock failed without a reject reason', () => checked.error.message)
      return String((checked.error as Bip324Error).reason)
    }
  }
}

function headerTarget (): Target {
  return {
    name: 'decode.blockheader',
    weight: 8,
    gen: (rng) => {
      const as = rng.pick(PRESENTATIONS)
      if (rng.chance(0.2)) return { bytes: rng.bytes(rng.size(200)), cuts: [], params: { as } }
      if (rng.chance(0.5)) return { bytes: rng.bytes(BLOCK_HEADER_BYTES), cuts: [], params: { as } }
      const bytes = encodeBlockHeader(GENERATORS.headers(rng).headers[0] ?? { version: 0, prevBlock: rng.bytes(32), merkleRoot: rng.bytes(32), time: 0, bits: 0, nonce: 0 })
      return { bytes: rng.chance(0.5) ? mutate(rng, bytes) : bytes, cuts: [], params: { as } }
    },
    run: (c) => {
      const input = present(c.bytes, c.params.as)
      const h = only('decodeBlockHeader', ['ERR_BIP324_INVALID_ARG'], () => decodeBlockHeader(input))
      const id = only('blockHash', ['ERR_BIP324_INVALID_ARG'], () => blockHash(input))
      if (c.bytes.length !== BLOCK_HEADER_BYTES) {
        check(!h.ok && !id.ok, 'header of the wrong length accepted', () => `${c.bytes.length} bytes`)
        return 'wrong-length'
      }
      check(h.ok && id.ok, 'an 80-byte header refused', () => (h.ok ? '' : h.error.message))
      if (!h.ok || !id.ok) return 'unreachable'
      check(equal(id.value, sha256d(c.bytes)), 'blockHash is not the double SHA-256 of the header', () => toHex(id.value))
      input.fill(0xee) // decoded hashes are copies
      check(equal(encodeBlockHeader(h.value), c.bytes), 'header round trip differs', () => toHex(encodeBlockHeader(h.value)))
      return 'ok'
    }
  }
}

function compactSizeTarget (): Target {
  return {
    name: 'decode.compactsize',
    weight: 8,
    gen: (rng) => {
      const as = rng.pick(PRESENTATIONS)
      let bytes: Uint8Array
      if (rng.chance(0.5)) {
        bytes = rng.bytes(rng.size(12))
        if (bytes.length > 0) bytes[0] = rng.pick([0xfc, 0xfd, 0xfe, 0xff, rng.int(256)])
      } else {
        bytes = mutate(rng, encodeCompactSize(rng.pick([rng.edgyBig(0n, 2n ** 64n - 1n), BigInt(rng.edgy(0, 0xffff)), BigInt(rng.edgy(0xfc, 0x1_0000_0000))])))
      }
      return { bytes, cuts: [], params: { as, offset: rng.chance(0.7) ? 0 : rng.int(bytes.length + 2) } }
    },
    run: (c) => {
      const offset = Number(c.params.offset)
      const r = only('decodeCompactSize', ['ERR_BIP324_BAD_PAYLOAD'], () => decodeCompactSize(present(c.bytes, c.params.as), offset))
      if (!r.ok) return r.error.code
      const { value, length } = r.value
      check([1, 3, 5, 9].includes(length) && offset + length <= c.bytes.length, 'compact size read past the end', () => `length ${length} at ${offset} of ${c.bytes.length}`)
      check(equal(encodeCompactSize(value), c.bytes.subarray(offset, offset + length)), 'non-canonical compact size accepted', () => `${value} in ${length} bytes`)
      return `len${length}`
    }
  }
}

export function messageTargets (): Target[] {
  return [contentsTarget(), payloadTarget(), v1ReaderTarget(), txTarget(), blockTarget(), headerTarget(), compactSizeTarget()]
}
