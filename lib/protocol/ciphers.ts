/**
 * A session's two directions, usable apart (say, from a reader and a writer): the OutboundCipher
 * frames contents into packets, the InboundCipher takes packets apart and enforces the contents
 * limit before anything is allocated. Both count their packets, decoys included.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#overall-packet-encryption-and-decryption-pseudocode
 */

import type { PacketCipher } from '../crypto/backend'
import { Bip324Error } from '../errors'
import { EMPTY } from '../bytes'
import { uninitialized } from '../uninitialized'
import { DECOY_BYTE, GENUINE_BYTE, IGNORE_BIT, NUM_HEADER_BYTES, NUM_PACKET_OVERHEAD_BYTES, NUM_TAG_BYTES } from '../crypto/packet-format'
import type { PacketType } from './constants'
import { invalid } from '../checks'

export class OutboundCipher {
  /** Packets sent, decoys included. */
  packets = 0

  constructor (private readonly cipher: PacketCipher) {}

  /** One packet carrying `contents`; `aad` only on the first packet after the garbage terminator. */
  encrypt (contents: Uint8Array, type: PacketType = 'genuine', aad: Uint8Array = EMPTY): Uint8Array {
    // The backend checks contents too, but only after its length sized the packet.
    if (!(contents instanceof Uint8Array)) throw invalid('contents must be a Uint8Array')
    const packet = uninitialized(contents.length + NUM_PACKET_OVERHEAD_BYTES)
    this.cipher.encrypt(packet, contents, aad, type === 'decoy' ? DECOY_BYTE : GENUINE_BYTE)
    this.packets++
    return packet
  }

  /** As encrypt() for a genuine packet, with the encryption off the JavaScript thread where the
   *  backend can (see PacketCipher.encryptAsync): worth it for big contents. Until it settles, the
   *  cipher refuses other calls. */
  async encryptAsync (contents: Uint8Array): Promise<Uint8Array> {
    if (!(contents instanceof Uint8Array)) throw invalid('contents must be a Uint8Array')
    this.packets++
    // Where the backend makes the packet itself, the thread pool writes it in place (see
    // PacketCipher.encryptNewAsync): a copy fewer on this thread.
    if (this.cipher.encryptNewAsync !== undefined) return await this.cipher.encryptNewAsync(contents, EMPTY, GENUINE_BYTE)
    const packet = uninitialized(contents.length + NUM_PACKET_OVERHEAD_BYTES)
    await this.cipher.encryptAsync(packet, contents, EMPTY, GENUINE_BYTE)
    return packet
  }

  /** Genuine packets for every item, back to back in one buffer, in one engine call. */
  encryptMany (contents: readonly Uint8Array[]): Uint8Array {
    if (!Array.isArray(contents)) throw invalid('contents must be an array of Uint8Array')
    let total = 0
    for (const c of contents) total += c.length + NUM_PACKET_OVERHEAD_BYTES
    const out = uninitialized(total)
    this.cipher.encryptBatch(out, contents)
    this.packets += contents.length
    return out
  }

  /** Wipes the keys. */
  destroy (): void {
    this.cipher.destroy()
  }
}

export interface Packet {
  type: PacketType
  contents: Uint8Array
}

function typeOf (header: number): PacketType {
  return (header & IGNORE_BIT) !== 0 ? 'decoy' : 'genuine'
}

export class InboundCipher {
  /** Packets received, decoys included. */
  packets = 0

  constructor (private readonly cipher: PacketCipher, readonly maxContents: number) {}

  /** Decrypts a packet's 3 length bytes; a length over maxContents is ERR_BIP324_OVERSIZED. */
  decryptLength (len3: Uint8Array): number {
    const len = this.cipher.decryptLength(len3)
    if (len > this.maxContents) throw oversized(len, this.maxContents)
    return len
  }

  /** Authenticates and decrypts the body (header, contents, tag) of the packet whose length was
   *  just decrypted; a wrong tag is ERR_BIP324_BAD_MAC. `inPlace`: `body` is ours to overwrite,
   *  and the contents are a view into it rather than a new buffer. */
  decrypt (body: Uint8Array, aad: Uint8Array = EMPTY, inPlace = false): Packet {
    const length = body.length - NUM_HEADER_BYTES - NUM_TAG_BYTES
    // Empty contents (Bitcoin Core's version packet) share one array: a session keeps that one.
    const contents = inPlace ? body.subarray(NUM_HEADER_BYTES, NUM_HEADER_BYTES + length) : length === 0 ? EMPTY : uninitialized(length)
    const header = this.cipher.decrypt(contents, body, aad)
    if (header < 0) throw badMac(this.packets)
    this.packets++
    return { type: typeOf(header), contents }
  }

  /** The complete packets at the start of `input` that fit in `plain`, decrypted there in one
   *  engine call, copied out (so `plain` may be reused at once) and appended to `into`. Returns the
   *  input used and the length of the next packet if it is decrypted but not taken (its body has
   *  not arrived, or its contents do not fit in what is left of `plain`), else null. A bad tag or
   *  an oversized length throws, after the packets before it are in `into`. */
  decryptBatch (plain: Uint8Array, input: Uint8Array, into: Packet[]): { consumed: number, pending: number | null } {
    const r = this.cipher.decryptBatch(plain, input, this.maxContents)
    for (const { header, contents } of r.packets) {
      // new Uint8Array(view) copies without the species lookup that slice() makes on every call.
      into.push({ type: typeOf(header), contents: new Uint8Array(contents) })
    }
    this.packets += r.packets.length
    if (r.status === 'bad-mac') throw badMac(this.packets)
    if (r.status === 'oversized') throw oversized(r.pending ?? 0, this.maxContents)
    return { consumed: r.consumed, pending: r.pending }
  }

  /** Wipes the keys. */
  destroy (): void {
    this.cipher.destroy()
  }
}


function oversized (len: number, max: number): Bip324Error {
  return new Bip324Error('ERR_BIP324_OVERSIZED', `peer announced a packet of ${len} bytes of contents; the limit is ${max}`)
}

function badMac (index: number): Bip324Error {
  return new Bip324Error('ERR_BIP324_BAD_MAC', `packet ${index} from the peer failed authentication`)
}

/** The non-secret outputs of the key schedule: what both peers can compare or log. */
export interface SessionKeyMaterial {
  /** 32 bytes both sides derive: compare it out of band to detect a man in the middle. */
  sessionId: Uint8Array
  initiatorGarbageTerminator: Uint8Array
  responderGarbageTerminator: Uint8Array
}
