/**
 * The v1 (unencrypted) message framing, for peers that fall back to it: a 24-byte header of network
 * magic, 12-byte command, payload length (uint32 LE) and the first 4 bytes of the payload's double
 * SHA-256, then the payload. The reader is sans-IO: push bytes split anywhere, get whole messages.
 * @see https://developer.bitcoin.org/reference/p2p_networking.html#message-headers
 */

import { Bip324Error } from '../errors'
import { uninitialized } from '../uninitialized'
import { invalid } from './byte-writer'
import { COMMAND_BYTES, readCommand, writeCommand } from './command'
import { doubleSha256 } from './hashes'
import { MAX_PROTOCOL_MESSAGE_LENGTH } from './limits'
import { V1_HEADER_BYTES } from '../v1-header'

export { V1_HEADER_BYTES }
const LENGTH_AT = 4 + COMMAND_BYTES
const CHECKSUM_AT = LENGTH_AT + 4
/** The first buffer of a split body: small bodies (most messages) are not grown byte by byte. */
const MIN_BODY_BUFFER = 1024

export interface V1Message {
  type: string
  /** The reader's own copy, never a view of the pushed bytes. */
  payload: Uint8Array
}

export interface V1ReadResult {
  messages: V1Message[]
  /** Set once the stream is broken; messages before it are still returned, and no more will come. */
  error?: Bip324Error
}

export interface V1MessageReaderOptions {
  /** Longest payload accepted, checked on the header before the body is awaited. Default 4,000,000. */
  maxPayload?: number
  /** Called with each header's command and payload length once magic and maxPayload have passed,
   *  before the body is awaited: throw a Bip324Error to refuse the message, and the stream breaks
   *  with it. For limits that depend on the command or the conversation so far. */
  checkHeader?: (type: string, length: number) => void
}

export function encodeV1Message (magic: Uint8Array, type: string, payload: Uint8Array): Uint8Array {
  checkMagic(magic)
  if (!(payload instanceof Uint8Array)) throw invalid('expected the payload as a Uint8Array')
  const out = new Uint8Array(V1_HEADER_BYTES + payload.length)
  out.set(magic, 0)
  writeCommand(out, 4, type)
  new DataView(out.buffer).setUint32(LENGTH_AT, payload.length, true)
  out.set(doubleSha256(payload).subarray(0, 4), CHECKSUM_AT)
  out.set(payload, V1_HEADER_BYTES)
  return out
}

export class V1MessageReader {
  private readonly magic: Uint8Array
  private readonly maxPayload: number
  private readonly checkHeaderHook: ((type: string, length: number) => void) | undefined
  private readonly header = new Uint8Array(V1_HEADER_BYTES)
  private headerFill = 0
  private type = ''
  private length = 0
  // A split body goes into one buffer that doubles as bytes arrive, up to the header's length: memory
  // follows what the peer actually sent (at most twice it), not what its header claims (a 24-byte
  // header would make us allocate its 4 MB), nor how it was cut up (an array per read cost far more
  // than the byte it held when a peer dripped one byte at a time).
  private body: Uint8Array | null = null
  private bodyFill = 0
  private error: Bip324Error | undefined

  constructor (magic: Uint8Array, options: V1MessageReaderOptions = {}) {
    checkMagic(magic)
    const { maxPayload = MAX_PROTOCOL_MESSAGE_LENGTH, checkHeader } = options
    if (!Number.isInteger(maxPayload) || maxPayload < 0 || maxPayload > 0xffff_ffff) {
      throw invalid(`maxPayload: expected an integer in 0..2^32-1, got ${String(maxPayload)}`)
    }
    if (checkHeader !== undefined && typeof checkHeader !== 'function') throw invalid('checkHeader: expected a function')
    this.magic = Uint8Array.from(magic)
    this.maxPayload = maxPayload
    this.checkHeaderHook = checkHeader
  }

  /** Bytes received for a message not complete yet (the memory held for it is at most twice this,
   *  and at least MIN_BODY_BUFFER once a body has begun). */
  get buffered (): number {
    return this.headerFill + this.bodyFill
  }

  push (bytes: Uint8Array): V1ReadResult {
    if (this.error !== undefined) return { messages: [], error: this.error }
    if (!(bytes instanceof Uint8Array)) throw invalid('expected a Uint8Array')
    const messages: V1Message[] = []
    let input = bytes
    try {
      while (input.length > 0) {
        input = this.headerFill < V1_HEADER_BYTES ? this.readHeader(input, messages) : this.readBody(input, messages)
      }
    } catch (err) {
      this.error = err as Bip324Error
      return { messages, error: this.error }
    }
    return { messages }
  }

  private readHeader (input: Uint8Array, messages: V1Message[]): Uint8Array {
    const take = Math.min(V1_HEADER_BYTES - this.headerFill, input.length)
    this.header.set(input.subarray(0, take), this.headerFill)
    this.headerFill += take
    if (this.headerFill < V1_HEADER_BYTES) return input.subarray(take)
    this.checkHeader()
    // An empty payload completes the message with the header.
    return this.length === 0 ? this.complete(new Uint8Array(0), input.subarray(take), messages) : input.subarray(take)
  }

  private checkHeader (): void {
    const h = this.header
    for (let i = 0; i < 4; i++) {
      if (h[i] !== this.magic[i]) {
        throw new Bip324Error('ERR_BIP324_BAD_MAGIC', `expected network magic ${hex(this.magic)}, got ${hex(h.subarray(0, 4))}`)
      }
    }
    this.length = new DataView(h.buffer).getUint32(LENGTH_AT, true)
    if (this.length > this.maxPayload) {
      throw new Bip324Error('ERR_BIP324_OVERSIZED', `a v1 message announced a ${this.length}-byte payload, the limit is ${this.maxPayload}`)
    }
    this.type = readCommand(h.subarray(4, LENGTH_AT))
    this.checkHeaderHook?.(this.type, this.length)
  }

  private readBody (input: Uint8Array, messages: V1Message[]): Uint8Array {
    const take = Math.min(this.length - this.bodyFill, input.length)
    // Copies, not views (nor .slice(), a view on a node Buffer): the caller may reuse its buffer.
    if (take === this.length) return this.complete(new Uint8Array(input.subarray(0, take)), input.subarray(take), messages)
    const fill = this.bodyFill + take
    let body = this.body
    if (body === null || body.length < fill) {
      // Capped by the length, so the full buffer is the payload itself, never copied again.
      const grown = uninitialized(Math.min(this.length, Math.max(fill, 2 * (body?.length ?? 0), MIN_BODY_BUFFER)))
      if (body !== null) grown.set(body.subarray(0, this.bodyFill))
      body = this.body = grown
    }
    body.set(input.subarray(0, take), this.bodyFill)
    this.bodyFill = fill
    if (fill < this.length) return input.subarray(take)
    return this.complete(body, input.subarray(take), messages)
  }

  private complete (payload: Uint8Array, rest: Uint8Array, messages: V1Message[]): Uint8Array {
    const sum = doubleSha256(payload)
    for (let i = 0; i < 4; i++) {
      if (sum[i] !== this.header[CHECKSUM_AT + i]) {
        throw new Bip324Error('ERR_BIP324_BAD_CHECKSUM', `${this.type}: payload checksum ${hex(sum.subarray(0, 4))}, header says ${hex(this.header.subarray(CHECKSUM_AT))}`)
      }
    }
    messages.push({ type: this.type, payload })
    this.headerFill = 0
    this.body = null
    this.bodyFill = 0
    return rest
  }
}

function checkMagic (magic: Uint8Array): void {
  if (!(magic instanceof Uint8Array) || magic.length !== 4) throw invalid('expected the network magic as a 4-byte Uint8Array')
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
