/**
 * A slow, obviously-correct BIP-324 packet cipher built on node:crypto, independent of the engine
 * and written from the BIP's reference code ("Rekeying wrappers" and "Packet encryption"):
 * differential tests compare the backends against it byte for byte.
 */

import crypto from 'node:crypto'

const REKEY_INTERVAL = 224

function chacha20 (key: Uint8Array, nonce12: Uint8Array, counter: number, data: Uint8Array): Buffer {
  const iv = Buffer.alloc(16)
  iv.writeUInt32LE(counter, 0)
  Buffer.from(nonce12).copy(iv, 4)
  return crypto.createCipheriv('chacha20', key, iv).update(data)
}

function nonce (first: number, epoch: number): Buffer {
  const n = Buffer.alloc(12)
  n.writeUInt32LE(first, 0)
  n.writeBigUInt64LE(BigInt(epoch), 4)
  return n
}

export class RefFSChaCha20 {
  private chunkCounter = 0
  private blockCounter = 0
  private keystream = Buffer.alloc(0)

  constructor (private key: Uint8Array) {}

  private keystreamBytes (n: number): Buffer {
    while (this.keystream.length < n) {
      const block = chacha20(this.key, nonce(0, Math.floor(this.chunkCounter / REKEY_INTERVAL)), this.blockCounter++, Buffer.alloc(64))
      this.keystream = Buffer.concat([this.keystream, block])
    }
    const out = this.keystream.subarray(0, n)
    this.keystream = this.keystream.subarray(n)
    return out
  }

  crypt (chunk: Uint8Array): Buffer {
    const ks = this.keystreamBytes(chunk.length)
    const out = Buffer.from(chunk.map((b, i) => b ^ ks[i]!))
    if ((this.chunkCounter + 1) % REKEY_INTERVAL === 0) {
      this.key = this.keystreamBytes(32)
      this.blockCounter = 0
      this.keystream = Buffer.alloc(0)
    }
    this.chunkCounter++
    return out
  }
}

export class RefFSChaCha20Poly1305 {
  private packetCounter = 0

  constructor (private key: Uint8Array) {}

  private step (): Buffer {
    return nonce(this.packetCounter % REKEY_INTERVAL, Math.floor(this.packetCounter / REKEY_INTERVAL))
  }

  private advance (n: Buffer): void {
    if ((this.packetCounter + 1) % REKEY_INTERVAL === 0) {
      const rekeyNonce = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), n.subarray(4)])
      this.key = chacha20(this.key, rekeyNonce, 1, Buffer.alloc(32))
    }
    this.packetCounter++
  }

  encrypt (aad: Uint8Array, plaintext: Uint8Array): Buffer {
    const n = this.step()
    const c = crypto.createCipheriv('chacha20-poly1305', this.key, n, { authTagLength: 16 })
    c.setAAD(aad, { plaintextLength: plaintext.length })
    const out = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()])
    this.advance(n)
    return out
  }

  decrypt (aad: Uint8Array, ciphertext: Uint8Array): Buffer | null {
    const n = this.step()
    const d = crypto.createDecipheriv('chacha20-poly1305', this.key, n, { authTagLength: 16 })
    d.setAAD(aad, { plaintextLength: ciphertext.length - 16 })
    d.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
    let out: Buffer | null
    try {
      out = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()])
    } catch {
      out = null
    }
    this.advance(n)
    return out
  }
}

/** One direction of the reference: BIP-324's v2_enc_packet and v2_dec_packet. */
export class RefPacketCipher {
  private readonly length: RefFSChaCha20
  private readonly aead: RefFSChaCha20Poly1305

  constructor (lengthKey: Uint8Array, aeadKey: Uint8Array) {
    this.length = new RefFSChaCha20(lengthKey)
    this.aead = new RefFSChaCha20Poly1305(aeadKey)
  }

  encrypt (contents: Uint8Array, aad: Uint8Array, header: number): Buffer {
    const len = Buffer.alloc(3)
    len.writeUIntLE(contents.length, 0, 3)
    const body = this.aead.encrypt(aad, Buffer.concat([Buffer.from([header]), contents]))
    return Buffer.concat([this.length.crypt(len), body])
  }

  /** The contents and header of one whole packet, or null if it fails authentication. */
  decrypt (packet: Uint8Array, aad: Uint8Array): { header: number, contents: Buffer } | null {
    const len = this.length.crypt(packet.subarray(0, 3)).readUIntLE(0, 3)
    const plain = this.aead.decrypt(aad, packet.subarray(3, 3 + 1 + len + 16))
    return plain === null ? null : { header: plain[0]!, contents: plain.subarray(1) }
  }
}
