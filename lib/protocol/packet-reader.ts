/**
 * Frames an inbound byte stream into packets, whatever the chunking (1 byte to many MB):
 * complete packets in a chunk are decrypted in one engine call; a packet split across chunks gets
 * one buffer of its exact size, allocated only after its length passed the limit. So the reader
 * holds at most one packet plus the 2 bytes of a split length field.
 */

import { Bip324Error } from '../errors'
import { badMac, type InboundCipher, oversized, type Packet } from './cipher-session'
import { DECOY_BYTE, NUM_HEADER_BYTES, NUM_LENGTH_BYTES, NUM_TAG_BYTES } from './constants'

const BATCH_PACKETS = 256
const EMPTY = new Uint8Array(0)

export interface ReadResult {
  packets: Packet[]
  /** Set when the stream is broken (bad tag, oversized length); packets before it are still returned. */
  error?: Bip324Error
}

// Uninitialised memory is safe here: fillBody writes every byte before anything reads it.
function allocBody (size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size)
  return new Uint8Array(b.buffer, b.byteOffset, size)
}

export class PacketReader {
  private readonly meta = new Uint32Array(4 + 3 * BATCH_PACKETS)
  private readonly lengthBytes = new Uint8Array(NUM_LENGTH_BYTES)
  private lengthFill = 0
  private body: Uint8Array | null = null
  private bodyFill = 0

  /** `firstAad`: the peer's garbage, which authenticates the first packet after its terminator. */
  constructor (private readonly inbound: InboundCipher, private aad: Uint8Array) {}

  /** Bytes of memory held for a packet not complete yet (its body buffer is allocated whole). */
  get buffered (): number {
    return this.lengthFill + (this.body?.length ?? 0)
  }

  feed (chunk: Uint8Array): ReadResult {
    const packets: Packet[] = []
    let input = chunk
    try {
      while (input.length > 0) {
        if (this.body !== null) {
          input = this.fillBody(input, packets)
        } else if (this.lengthFill > 0 || input.length < NUM_LENGTH_BYTES || this.aad.length > 0) {
          input = this.readOne(input, packets)
        } else {
          input = this.readBatch(input, packets)
        }
      }
    } catch (err) {
      return { packets, error: err as Bip324Error }
    }
    return { packets }
  }

  // One packet the slow way: the length (perhaps split), then the body from input or buffered.
  private readOne (input: Uint8Array, packets: Packet[]): Uint8Array {
    const take = Math.min(NUM_LENGTH_BYTES - this.lengthFill, input.length)
    this.lengthBytes.set(input.subarray(0, take), this.lengthFill)
    this.lengthFill += take
    input = input.subarray(take)
    if (this.lengthFill < NUM_LENGTH_BYTES) return input
    this.lengthFill = 0
    const need = NUM_HEADER_BYTES + this.inbound.decryptLength(this.lengthBytes) + NUM_TAG_BYTES
    if (input.length >= need) {
      packets.push(this.decrypt(input.subarray(0, need)))
      return input.subarray(need)
    }
    this.body = allocBody(need)
    return this.fillBody(input, packets)
  }

  private fillBody (input: Uint8Array, packets: Packet[]): Uint8Array {
    const body = this.body!
    const take = Math.min(body.length - this.bodyFill, input.length)
    body.set(input.subarray(0, take), this.bodyFill)
    this.bodyFill += take
    if (this.bodyFill === body.length) {
      // Held, and counted in `buffered`, until it is decrypted.
      packets.push(this.decrypt(body, true))
      this.body = null
      this.bodyFill = 0
    }
    return input.subarray(take)
  }

  // In place only in a body buffer of our own: input chunks belong to the caller.
  private decrypt (body: Uint8Array, ours = false): Packet {
    const packet = this.inbound.decrypt(body, this.aad, ours)
    this.aad = EMPTY
    return packet
  }

  // Every complete packet at the start of input, in one engine call per BATCH_PACKETS.
  private readBatch (input: Uint8Array, packets: Packet[]): Uint8Array {
    const { cipher, maxContents } = this.inbound
    const plain = new Uint8Array(input.length)
    const r = cipher.decryptBatch(plain, this.meta, input, maxContents)
    for (let i = 0; i < r.packets; i++) {
      const offset = this.meta[4 + 3 * i]!
      const len = this.meta[5 + 3 * i]!
      // A small message is copied out so that it does not keep the whole chunk's buffer alive.
      const contents = len * 2 >= plain.length ? plain.subarray(offset, offset + len) : plain.slice(offset, offset + len)
      packets.push({ type: this.meta[6 + 3 * i]! & DECOY_BYTE ? 'decoy' : 'genuine', contents })
    }
    this.inbound.packets += r.packets
    if (r.status === 'bad-mac') throw badMac(this.inbound.packets)
    if (r.status === 'oversized') throw oversized(r.pending!, maxContents)
    input = input.subarray(r.consumed)
    if (r.pending !== null) {
      this.body = allocBody(NUM_HEADER_BYTES + r.pending + NUM_TAG_BYTES)
      return this.fillBody(input, packets)
    }
    return input
  }
}
