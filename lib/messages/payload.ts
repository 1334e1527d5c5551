/**
 * Message payloads as typed values: `Message` is a union keyed by `type`, the command string.
 * tx, block, cmpctblock, blocktxn and merkleblock stay raw bytes, as does any type this library does
 * not know. Decoding a block is the costly step (up to 4 MB of transactions, each hashed), so it is
 * an explicit one that keeps `raw` beside its result: `decodeTransaction(msg.raw)`,
 * `decodeCheckedBlock(msg.raw)` (which also checks the merkle root and witness commitment). Decoding
 * enforces Bitcoin Core's limits before allocating and fails only with a Bip324Error:
 * ERR_BIP324_BAD_PAYLOAD (truncated, trailing bytes, a malformed field), ERR_BIP324_LIMIT (too many
 * entries) or ERR_BIP324_OVERSIZED.
 */

import { Bip324Error } from '../errors'
import { ByteReader } from './byte-reader'
import { ByteWriter, invalid } from './byte-writer'
import { addrCodec, type AddrMessage, addrV2Codec, type AddrV2Message } from './codecs/addr'
import { filterAddCodec, type FilterAddMessage, filterLoadCodec, type FilterLoadMessage } from './codecs/bloom'
import type { Codec } from './codecs/codec'
import { getBlockTxnCodec, type GetBlockTxnMessage, sendCmpctCodec, type SendCmpctMessage } from './codecs/compact-blocks'
import {
  cfcheckptCodec, type CFCheckptMessage, cfheadersCodec, type CFHeadersMessage, cfilterCodec, type CFilterMessage,
  type FilterRangeMessage, filterRangeCodec, getCFCheckptCodec, type GetCFCheckptMessage
} from './codecs/compact-filters'
import { emptyCodec, type EmptyMessage } from './codecs/empty'
import { featureCodec, type FeatureMessage } from './codecs/feature'
import { feeFilterCodec, type FeeFilterMessage } from './codecs/fee-filter'
import { headersCodec, type HeadersMessage, locatorCodec, type LocatorMessage } from './codecs/headers'
import { inventoryCodec, type InventoryMessage } from './codecs/inventory'
import { pingCodec, type PingMessage } from './codecs/ping'
import { versionCodec, type VersionMessage } from './codecs/version'
import { MAX_PROTOCOL_MESSAGE_LENGTH } from './limits'

export type RawCommand = 'tx' | 'block' | 'cmpctblock' | 'blocktxn' | 'merkleblock'

/** A message whose payload is passed through as it came. */
export type RawPayloadMessage<T extends RawCommand = RawCommand> = T extends RawCommand ? { type: T, raw: Uint8Array } : never

/**
 * A message of a type this library has no codec for, payload as it came. Its command is in
 * `command`, not `type`: a `type` that could be any string would keep TypeScript from narrowing
 * `Message` on `type`, so every unknown message shares the one tag 'unknown' (a peer's command
 * "unknown" included, which no codec has either).
 */
export interface UnknownMessage {
  type: 'unknown'
  /** The message type as it came on the wire: 'sendtxrcncl', 'alert', ... */
  command: string
  raw: Uint8Array
}

export type TypedMessage =
  | VersionMessage | EmptyMessage | PingMessage | FeeFilterMessage | AddrMessage | AddrV2Message
  | InventoryMessage | LocatorMessage | HeadersMessage | FilterLoadMessage | FilterAddMessage
  | SendCmpctMessage | GetBlockTxnMessage | FilterRangeMessage | CFilterMessage | CFHeadersMessage
  | GetCFCheckptMessage | CFCheckptMessage | FeatureMessage

/** Every message type this library knows: `switch (msg.type)` narrows it. */
export type KnownMessage = TypedMessage | RawPayloadMessage

/** What `decodePayload` returns: `switch (msg.type)` narrows it, 'unknown' included. */
export type Message = KnownMessage | UnknownMessage

export type KnownCommand = KnownMessage['type']

const CODECS: { readonly [T in TypedMessage['type']]: Codec<Extract<TypedMessage, { type: T }>> } = {
  version: versionCodec,
  verack: emptyCodec,
  getaddr: emptyCodec,
  mempool: emptyCodec,
  sendheaders: emptyCodec,
  filterclear: emptyCodec,
  sendaddrv2: emptyCodec,
  wtxidrelay: emptyCodec,
  ping: pingCodec,
  pong: pingCodec,
  feefilter: feeFilterCodec,
  addr: addrCodec,
  addrv2: addrV2Codec,
  inv: inventoryCodec,
  getdata: inventoryCodec,
  notfound: inventoryCodec,
  getheaders: locatorCodec,
  getblocks: locatorCodec,
  headers: headersCodec,
  filterload: filterLoadCodec,
  filteradd: filterAddCodec,
  sendcmpct: sendCmpctCodec,
  getblocktxn: getBlockTxnCodec,
  getcfilters: filterRangeCodec,
  getcfheaders: filterRangeCodec,
  cfilter: cfilterCodec,
  cfheaders: cfheadersCodec,
  getcfcheckpt: getCFCheckptCodec,
  cfcheckpt: cfcheckptCodec,
  feature: featureCodec
}

const RAW_COMMANDS: ReadonlySet<string> = new Set<RawCommand>(['tx', 'block', 'cmpctblock', 'blocktxn', 'merkleblock'])

function codecOf (type: string): Codec<TypedMessage> | undefined {
  // hasOwn: a peer's command may well be "constructor" or "__proto__".
  return Object.hasOwn(CODECS, type) ? CODECS[type as TypedMessage['type']] as Codec<TypedMessage> : undefined
}

/** Whether `msg` is of a type this library knows; `msg.type !== 'unknown'` says the same of what
 *  decodePayload returns. */
export function isKnownMessage (msg: Message): msg is KnownMessage {
  return RAW_COMMANDS.has(msg.type) || (codecOf(msg.type) !== undefined && !('raw' in msg))
}

/** The message type `msg` travels under: an unknown message's `command`, any other's `type`. */
export function commandOf (msg: Message): string {
  return msg.type === 'unknown' && typeof msg.command === 'string' ? msg.command : msg.type
}

/** Raw and unknown messages encode to their `raw` bytes, unchanged. */
export function encodePayload (msg: Message): Uint8Array {
  if (msg === null || typeof msg !== 'object') throw invalid(`expected a message as { type, ... }, got ${String(msg)}`)
  let payload: Uint8Array
  if (msg.type === 'unknown' && typeof msg.command !== 'string') throw invalid('an unknown message needs its command as a string: { type: \'unknown\', command, raw }')
  if ('raw' in msg) {
    if (!(msg.raw instanceof Uint8Array)) throw invalid(`${commandOf(msg)}: expected raw as a Uint8Array`)
    payload = msg.raw
  } else {
    const codec = codecOf(msg.type)
    if (codec === undefined) throw invalid(`no codec for message type ${JSON.stringify(msg.type)}: pass it as { type: 'unknown', command, raw }`)
    const w = new ByteWriter()
    codec.encode(w, msg as TypedMessage)
    payload = w.finish()
  }
  if (payload.length > MAX_PROTOCOL_MESSAGE_LENGTH) throw invalid(`${commandOf(msg)}: a ${payload.length}-byte payload, the limit is ${MAX_PROTOCOL_MESSAGE_LENGTH}`)
  return payload
}

/** Decoded fields are copies; a raw or unknown message's `raw` is `payload` itself. A type with no
 *  codec comes back as `{ type: 'unknown', command: type, raw }`. */
export function decodePayload<T extends KnownCommand> (type: T, payload: Uint8Array): Extract<KnownMessage, { type: T }>
export function decodePayload (type: string, payload: Uint8Array): Message
export function decodePayload (type: string, payload: Uint8Array): Message {
  if (typeof type !== 'string') throw invalid('expected the message type as a string')
  if (!(payload instanceof Uint8Array)) throw invalid('expected the payload as a Uint8Array')
  if (payload.length > MAX_PROTOCOL_MESSAGE_LENGTH) {
    throw new Bip324Error('ERR_BIP324_OVERSIZED', `a ${payload.length}-byte ${type} payload, the limit is ${MAX_PROTOCOL_MESSAGE_LENGTH}`)
  }
  const codec = codecOf(type)
  if (codec === undefined) return RAW_COMMANDS.has(type) ? { type, raw: payload } as RawPayloadMessage : { type: 'unknown', command: type, raw: payload }
  const r = new ByteReader(payload)
  const fields = codec.decode(r)
  r.end()
  return { type, ...fields } as Message
}
