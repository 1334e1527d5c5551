/** Catalogue rows for message contents and payloads, v2 message types and v1 frames. */

import crypto from 'node:crypto'

import { decodeCheckedBlock, decodeContents, decodePayload, decodeTransaction, encodeCompactSize, encodeV1Message, magicOf, V1MessageReader } from '../../lib'
import { blockFixture } from '../helpers/vectors'
import type { Case, Outcome } from './case'

const MAGIC = magicOf('mainnet')

function attempt (fn: () => unknown): Outcome {
  try {
    fn()
    return { code: 'none' }
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err) }
  }
}

const cat = (...parts: Array<Uint8Array | number[]>): Uint8Array => Buffer.concat(parts.map((p) => Uint8Array.from(p)))
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')]
const longForm = (command: number[]): Uint8Array => cat([0], command, new Array(12 - command.length).fill(0))

/** A v1 reader fed `frame` split in two; reports its error and the most it buffered. */
function v1 (frame: Uint8Array, cut = 10): Outcome {
  const reader = new V1MessageReader(MAGIC)
  let max = 0
  for (const part of [frame.subarray(0, cut), frame.subarray(cut)]) {
    const r = reader.push(part)
    max = Math.max(max, reader.buffered)
    if (r.error !== undefined) return { code: r.error.code, maxBuffered: max }
  }
  return { code: 'none', maxBuffered: max }
}

const DECODER = 'nothing held; counts are checked against the bytes left before any array is allocated'
const CLOSED_V2 = 'the message is dropped (in `messages` mode, counted and reported by an `invalidMessage` event; the connection stays, as in Bitcoin Core)'
const CLOSED_PAYLOAD = 'the message: decodePayload throws, the caller decides (Bitcoin Core disconnects)'

function payload (id: string, input: string, expected: string, type: string, bytes: () => Uint8Array): Case {
  return { id, input, expected, closed: CLOSED_PAYLOAD, memory: DECODER, run: () => attempt(() => decodePayload(type, bytes())) }
}

// Transactions and blocks: the library's coder grows its arrays as entries decode, so a count costs
// what the bytes present hold; a block's transaction count is checked against the bytes left first.
const TX_DECODER = 'what the bytes present hold: arrays grow as entries decode, none is allocated by its count'
const CLOSED_TX = 'the message: decodeTransaction throws, the caller decides (Bitcoin Core disconnects)'
const CLOSED_BLOCK = 'the message: decodeCheckedBlock throws with Core\'s reject reason in `err.reason`, the caller decides (Bitcoin Core disconnects a peer sending a mutated block)'
const BLOCK_542213 = (): Buffer => Buffer.from(blockFixture('bitcoinjs-block-542213.hex'))

function transaction (id: string, input: string, bytes: () => Uint8Array): Case {
  return { id, input, expected: 'ERR_BIP324_BAD_PAYLOAD', closed: CLOSED_TX, memory: TX_DECODER, run: () => attempt(() => decodeTransaction(bytes())) }
}

/** A block that decodeCheckedBlock refuses with Core's `reason` (or, undefined, as malformed). */
function badBlock (id: string, input: string, reason: string | undefined, bytes: () => Uint8Array, memory = TX_DECODER): Case {
  return {
    id,
    input: reason === undefined ? input : `${input}: \`${reason}\``,
    expected: 'ERR_BIP324_BAD_PAYLOAD',
    closed: CLOSED_BLOCK,
    memory,
    run: () => {
      try {
        decodeCheckedBlock(bytes())
        return { code: 'none' }
      } catch (err) {
        expect((err as { reason?: string }).reason).toBe(reason)
        return { code: (err as { code?: string }).code ?? String(err) }
      }
    }
  }
}

function flipped (bytes: Buffer, at: number): Buffer {
  bytes[at]! ^= 1
  return bytes
}

export const messageCases: Case[] = [
  { id: 'long-type-data-after-nul', input: 'a long message type "v\\0a" (bytes after the first NUL)', expected: 'ERR_BIP324_BAD_MESSAGE_TYPE', closed: CLOSED_V2, memory: DECODER, run: () => attempt(() => decodeContents(longForm([0x76, 0, 0x61]))) },
  { id: 'long-type-non-printable', input: 'a long message type with byte 0x07', expected: 'ERR_BIP324_BAD_MESSAGE_TYPE', closed: CLOSED_V2, memory: DECODER, run: () => attempt(() => decodeContents(longForm([0x70, 0x07]))) },
  { id: 'long-type-empty', input: 'a long message type of twelve NULs', expected: 'ERR_BIP324_BAD_MESSAGE_TYPE', closed: CLOSED_V2, memory: DECODER, run: () => attempt(() => decodeContents(longForm([]))) },
  { id: 'long-type-short', input: 'contents 0x00 followed by only 5 bytes', expected: 'ERR_BIP324_BAD_MESSAGE_TYPE', closed: CLOSED_V2, memory: DECODER, run: () => attempt(() => decodeContents(cat([0], ascii('ping!')))) },
  { id: 'contents-empty', input: 'empty contents (no message type at all)', expected: 'ERR_BIP324_BAD_MESSAGE_TYPE', closed: CLOSED_V2, memory: DECODER, run: () => attempt(() => decodeContents(new Uint8Array(0))) },
  {
    id: 'short-id-unknown',
    input: 'short message id 38 (the first no BIP has assigned)',
    expected: 'none',
    closed: 'nothing: reported as `{ type: undefined, shortId: 38 }` for the caller to ignore',
    memory: DECODER,
    run: () => {
      expect(decodeContents(Uint8Array.of(38, 1))).toMatchObject({ type: undefined, shortId: 38 })
      return { code: 'none' }
    }
  },
  payload('inv-over-limit', 'an inv announcing 50,001 entries', 'ERR_BIP324_LIMIT', 'inv', () => encodeCompactSize(50_001)),
  payload('inv-count-lies', 'an inv announcing 50,000 entries with 36 bytes of them', 'ERR_BIP324_BAD_PAYLOAD', 'inv', () => cat(encodeCompactSize(50_000), new Uint8Array(36))),
  payload('addr-over-limit', 'an addr announcing 1,001 addresses', 'ERR_BIP324_LIMIT', 'addr', () => encodeCompactSize(1001)),
  payload('addrv2-over-limit', 'an addrv2 announcing 1,001 addresses', 'ERR_BIP324_LIMIT', 'addrv2', () => encodeCompactSize(1001)),
  payload('addrv2-address-too-long', 'an addrv2 entry with a 513-byte address', 'ERR_BIP324_LIMIT', 'addrv2', () => cat(encodeCompactSize(1), new Uint8Array(4), [0, 7], encodeCompactSize(513), new Uint8Array(513), [0, 0])),
  payload('headers-over-limit', 'a headers message announcing 2,001 headers', 'ERR_BIP324_LIMIT', 'headers', () => encodeCompactSize(2001)),
  payload('locator-over-limit', 'a getheaders with 102 locator hashes', 'ERR_BIP324_LIMIT', 'getheaders', () => cat([0x80, 0x11, 0x01, 0], encodeCompactSize(102), new Uint8Array(102 * 32 + 32))),
  payload('feature-id-too-long', 'a feature (BIP-434) whose id is 81 bytes', 'ERR_BIP324_LIMIT', 'feature', () => cat(encodeCompactSize(81), new Uint8Array(81), [0])),
  payload('feature-id-too-short', 'a feature whose id is 3 bytes (BIP-434: at least 4)', 'ERR_BIP324_BAD_PAYLOAD', 'feature', () => cat([3], ascii('BIP'), [0])),
  payload('feature-data-too-long', 'a feature with 513 bytes of data', 'ERR_BIP324_LIMIT', 'feature', () => cat([4], ascii('BIP1'), encodeCompactSize(513), new Uint8Array(513))),
  payload('user-agent-too-long', 'a version whose user agent is 257 bytes', 'ERR_BIP324_LIMIT', 'version', () => cat(new Uint8Array(4 + 8 + 8 + 26 + 26 + 8), encodeCompactSize(257), new Uint8Array(257 + 4 + 1))),
  payload('compact-size-non-canonical', 'an inv whose count 1 is written as 0xfd 0x01 0x00', 'ERR_BIP324_BAD_PAYLOAD', 'inv', () => cat([0xfd, 0x01, 0x00], new Uint8Array(36))),
  payload('compact-size-non-canonical-64', 'an inv count written as 0xff and eight bytes for the value 1', 'ERR_BIP324_BAD_PAYLOAD', 'inv', () => cat([0xff, 1, 0, 0, 0, 0, 0, 0, 0], new Uint8Array(36))),
  payload('version-truncated', 'a version payload cut before its start height', 'ERR_BIP324_BAD_PAYLOAD', 'version', () => cat(new Uint8Array(4 + 8 + 8 + 26 + 26 + 8), [0], [1, 2])),
  {
    id: 'version-bytes-after-relay',
    input: 'a version with 100 bytes after its relay byte',
    expected: 'none',
    closed: 'nothing: the extra bytes are ignored, as Bitcoin Core ignores them (a newer peer\'s fields)',
    memory: DECODER,
    run: () => attempt(() => decodePayload('version', cat(new Uint8Array(4 + 8 + 8 + 26 + 26 + 8), encodeCompactSize(0), new Uint8Array(4), [1], crypto.randomBytes(100))))
  },
  payload('ping-trailing-byte', 'a ping with 9 bytes instead of 8', 'ERR_BIP324_BAD_PAYLOAD', 'ping', () => crypto.randomBytes(9)),
  payload('headers-with-transactions', 'a headers entry whose transaction count is 1', 'ERR_BIP324_BAD_PAYLOAD', 'headers', () => cat([1], new Uint8Array(80), [1])),
  payload('payload-over-limit', 'a payload of 4,000,001 bytes', 'ERR_BIP324_OVERSIZED', 'tx', () => new Uint8Array(4_000_001)),
  transaction('tx-input-count-lies', 'a tx announcing 2^32 - 1 inputs, with one input\'s bytes', () => cat([2, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff], new Uint8Array(41))),
  transaction('tx-no-inputs-then-flags', 'a tx with no inputs, then 0x02 where the segwit flag goes (Core: "unknown transaction optional data")', () => cat([2, 0, 0, 0, 0, 2], new Uint8Array(2 * 9 + 4))),
  transaction('tx-superfluous-witness', 'a tx with the segwit marker whose witness stacks are all empty', () => cat([2, 0, 0, 0, 0, 1, 1], new Uint8Array(36), [0, 0xff, 0xff, 0xff, 0xff, 1], new Uint8Array(9), [0], new Uint8Array(4))),
  badBlock('block-tx-count-lies', 'a block announcing 2^32 - 1 transactions over 2,274 bytes', undefined, () => cat(BLOCK_542213().subarray(0, 80), [0xfe, 0xff, 0xff, 0xff, 0xff], BLOCK_542213().subarray(81)), DECODER),
  badBlock('block-bad-merkle-root', 'mainnet block 542,213 with a byte of its merkle root flipped', 'bad-txnmrklroot', () => flipped(BLOCK_542213(), 36)),
  badBlock('block-bad-witness', 'block 542,213 with a byte of a witness signature flipped (txids, so the merkle root, unchanged)', 'bad-witness-merkle-match', () => {
    const b = BLOCK_542213()
    return flipped(b, b.indexOf(Buffer.from('02483045022100f93bd5d3', 'hex')) + 10)
  }),
  { id: 'v1-wrong-magic', input: 'a v1 frame with testnet magic on mainnet', expected: 'ERR_BIP324_BAD_MAGIC', closed: 'the v1 stream (the proxy ends that session)', bound: 24, run: () => v1(encodeV1Message(magicOf('testnet4'), 'ping', new Uint8Array(8))) },
  {
    id: 'v1-bad-checksum',
    input: 'a v1 frame whose checksum is off by one bit',
    expected: 'ERR_BIP324_BAD_CHECKSUM',
    closed: 'the v1 stream',
    bound: 32,
    run: () => {
      const frame = encodeV1Message(MAGIC, 'ping', new Uint8Array(8))
      frame[20]! ^= 1
      return v1(frame)
    }
  },
  {
    id: 'v1-length-over-limit',
    input: 'a v1 header announcing 4,000,001 bytes, and no body',
    expected: 'ERR_BIP324_OVERSIZED',
    closed: 'the v1 stream, from the header, before waiting for or allocating the body',
    bound: 24,
    run: () => {
      const header = encodeV1Message(MAGIC, 'tx', new Uint8Array(0))
      new DataView(header.buffer, header.byteOffset).setUint32(16, 4_000_001, true)
      return v1(header)
    }
  },
  {
    id: 'v1-command-data-after-nul',
    input: 'a v1 frame whose command is "ver\\0ack"',
    expected: 'ERR_BIP324_BAD_MESSAGE_TYPE',
    closed: 'the v1 stream',
    bound: 24,
    run: () => {
      const frame = encodeV1Message(MAGIC, 'verxack', new Uint8Array(0))
      frame[7] = 0
      return v1(frame)
    }
  }
]
