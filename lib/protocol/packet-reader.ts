/**
 * Frames an inbound byte stream into packets, whatever the chunking (1 byte to many MB), through
 * the one InboundCipher it owns: complete packets in a chunk are decrypted in one engine call; a
 * packet split across chunks gets one buffer of its exact size, allocated only after its length
 * passed the limit. So the reader holds at most one packet plus the 2 bytes of a split length field.
 */

import type { Bip324Error } from '../errors'
import { EMPTY } from '../bytes'
import { uninitialized } from '../uninitialized'
import type { InboundCipher, Packet } from './ciphers'
import { NUM_HEADER_BYTES, NUM_LENGTH_BYTES, NUM_TAG_BYTES } from '../crypto/packet-format'

export interface ReadResult {
  packets: Packet[]
  /** Input bytes taken: all of it, unless the read stopped after one packet or at an error. */
  consumed: number
  /** Set when the stream is broken (bad tag, oversized length); packets before it are still returned. */
  error?: Bip324Error
}

/** Batches decrypt into one buffer that all readers share: JavaScript runs one reader at a time,
 *  and contents are copied out before feed() returns, so no connection holds a buffer of its own
 *  for this. 64 KiB: what Node reads from a socket at once. Packets with more contents than this
 *  are decrypted into their own buffer. */
const SCRATCH_BYTES = 1 << 16
let scratch: Uint8Array | undefined

export class PacketReader {
  // Made when a length field is split across chunks, and kept from then on.
  private lengthBytes: Uint8Array | undefined
  private lengthFill = 0
  private body: Uint8Array | null = null
  private bodyFill = 0

  /** `aad`: the peer's garbage, which authenticates the first packet after its terminator. */
  constructor (private readonly inbound: InboundCipher, private aad: Uint8Array) {}

  /** Bytes of memory held for a packet not complete yet (its body buffer is allocated whole). */
  get buffered (): number {
    return this.lengthFill + (this.body?.length ?? 0)
  }

  /** Packets received, decoys included. */
  get packets (): number {
    return this.inbound.packets
  }

  /** Reads `chunk`; with `onePacket`, stops right after the first complete packet (the handshake
   *  reads its packets one at a time: what follows the version packet is for the session). */
  feed (chunk: Uint8Array, onePacket = false): ReadResult {
    const packets: Packet[] = []
    let input = chunk
    try {
      while (input.length > 0 && !(onePacket && packets.length > 0)) {
        if (this.body !== null) {
          input = this.fillBody(input, packets)
        } else if (onePacket || this.lengthFill > 0 || input.length < NUM_LENGTH_BYTES || this.aad.length > 0) {
          input = this.readOne(input, packets)
        } else {
          input = this.readBatch(input, packets)
        }
      }
    } catch (err) {
      return { packets, consumed: chunk.length - input.length, error: err as Bip324Error }
    }
    return { packets, consumed: chunk.length - input.length }
  }

  /** Wipes the keys. */
  destroy (): void {
    this.inbound.destroy()
    this.body = null
  }

  // One packet the slow way: the length (perhaps split), then the body from input or buffered.
  private readOne (input: Uint8Array, packets: Packet[]): Uint8Array {
    let len3: Uint8Array
    if (this.lengthFill === 0 && input.length >= NUM_LENGTH_BYTES) {
      len3 = input.subarray(0, NUM_LENGTH_BYTES)
      input = input.subarray(NUM_LENGTH_BYTES)
    } else {
      len3 = this.lengthBytes ??= new Uint8Array(NUM_LENGTH_BYTES)
      const take = Math.min(NUM_LENGTH_BYTES - this.lengthFill, input.length)
      len3.set(input.subarray(0, take), this.lengthFill)
      this.lengthFill += take
      input = input.subarray(take)
      if (this.lengthFill < NUM_LENGTH_BYTES) return input
      this.lengthFill = 0
    }
    const need = NUM_HEADER_BYTES + this.inbound.decryptLength(len3) + NUM_TAG_BYTES
    if (input.length >= need) {
      packets.push(this.decrypt(input.subarray(0, need)))
      return input.subarray(need)
    }
    this.body = uninitialized(need)
    return this.fillBody(input, packets)
  }

  private fillBody (input: Uint8Array, packets: Packet[]): Uint8Array {
    const body = this.body as Uint8Array
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

  // The complete packets at the start of input: small ones in as few engine calls as the engine
  // allows, through the scratch buffer every reader shares; one too big for it straight into a
  // buffer of its own (one write of its contents, no copy).
  private readBatch (input: Uint8Array, packets: Packet[]): Uint8Array {
    const r = this.inbound.decryptBatch(scratch ??= new Uint8Array(SCRATCH_BYTES), input, packets)
    input = input.subarray(r.consumed)
    if (r.pending === null) return input
    const need = NUM_HEADER_BYTES + r.pending + NUM_TAG_BYTES
    if (input.length >= need) {
      packets.push(this.decrypt(input.subarray(0, need)))
      return input.subarray(need)
    }
    this.body = uninitialized(need)
    return this.fillBody(input, packets)
  }
}
