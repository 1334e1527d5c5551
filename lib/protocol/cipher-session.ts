/**
 * A finished handshake's two directions, usable apart (say, from a reader and a writer): the
 * OutboundCipher frames contents into packets, the InboundCipher takes packets apart and enforces
 * the contents limit before anything is allocated.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#overall-packet-encryption-and-decryption-pseudocode
 */

import type { PacketCipher } from '../crypto/backend'
import { Bip324Error } from '../errors'
import { DECOY_BYTE, NUM_HEADER_BYTES, NUM_PACKET_OVERHEAD_BYTES, NUM_TAG_BYTES, type PacketType } from './constants'

const EMPTY = new Uint8Array(0)

export class OutboundCipher {
  /** Packets sent, decoys included. */
  packets = 0

  constructor (private readonly cipher: PacketCipher) {}

  /** One packet carrying `contents`; `aad` only on the first packet after the garbage terminator. */
  encrypt (contents: Uint8Array, type: PacketType = 'genuine', aad: Uint8Array = EMPTY): Uint8Array {
    const packet = new Uint8Array(contents.length + NUM_PACKET_OVERHEAD_BYTES)
    this.cipher.encrypt(packet, contents, aad, type === 'decoy' ? DECOY_BYTE : 0)
    this.packets++
    return packet
  }

  /** Genuine packets for every item, back to back in one buffer, in one engine call. */
  encryptMany (contents: readonly Uint8Array[]): Uint8Array {
    let total = 0
    for (const c of contents) total += c.length + NUM_PACKET_OVERHEAD_BYTES
    const out = new Uint8Array(total)
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

export class InboundCipher {
  /** Packets received, decoys included. */
  packets = 0

  constructor (readonly cipher: PacketCipher, readonly maxContents: number) {}

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
    const contents = inPlace ? body.subarray(NUM_HEADER_BYTES, NUM_HEADER_BYTES + length) : new Uint8Array(length)
    const header = this.cipher.decrypt(contents, body, aad)
    if (header < 0) throw badMac(this.packets)
    this.packets++
    return { type: header & DECOY_BYTE ? 'decoy' : 'genuine', contents }
  }

  /** Wipes the keys. */
  destroy (): void {
    this.cipher.destroy()
  }
}

export function oversized (len: number, max: number): Bip324Error {
  return new Bip324Error('ERR_BIP324_OVERSIZED', `peer announced a packet of ${len} bytes of contents; the limit is ${max}`)
}

export function badMac (index: number): Bip324Error {
  return new Bip324Error('ERR_BIP324_BAD_MAC', `packet ${index} from the peer failed authentication`)
}

/** The non-secret outputs of the key schedule: what both peers can compare or log. */
export interface SessionKeyMaterial {
  /** 32 bytes both sides derive: compare it out of band to detect a man in the middle. */
  sessionId: Uint8Array
  initiatorGarbageTerminator: Uint8Array
  responderGarbageTerminator: Uint8Array
}

export interface CipherSession {
  outbound: OutboundCipher
  inbound: InboundCipher
  /** 32 bytes both sides derive: compare it out of band to detect a man in the middle. */
  sessionId: Uint8Array
}
