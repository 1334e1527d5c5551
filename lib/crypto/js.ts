/**
 * The `js` backend: the same contract as the native engine, in pure JavaScript on audited
 * libraries: ChaCha20 and ChaCha20-Poly1305 from @noble/ciphers, HKDF and SHA-256 from @noble/hashes,
 * secp256k1 from @noble/curves, ElligatorSwift from @scure/btc-signer. Nothing cryptographic is
 * written here; this file only arranges those primitives as BIP-324 says.
 *
 * Those libraries are ES modules: Node loads them with require() from 20.19 and 22.12 on. Nothing
 * here needs Node: randomness is the Web Crypto `crypto.getRandomValues` that Node, Bun, Deno and
 * browsers all have.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki
 */

import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { elligatorSwift } from '@scure/btc-signer/p2p.js'

import { Bip324Error } from '../errors'
import type { Backend, BatchPacket, BatchResult, BatchStatus, PacketCipher, SessionKeys } from './backend'
import { FSChaCha20 } from './fschacha20'
import { FSChaCha20Poly1305 } from './fschacha20poly1305'
import { copyItems } from './items'
import { checkDecrypt, checkDecryptBatch, checkEncrypt, checkEncryptBatch } from './contract'
import { GENUINE_BYTE, NUM_HEADER_BYTES, NUM_LENGTH_BYTES, NUM_PACKET_OVERHEAD_BYTES, NUM_TAG_BYTES } from './packet-format'
import { randomBytes } from './random'
import { checkBytes, invalid } from '../checks'

const EMPTY = new Uint8Array(0)
const SALT_PREFIX = new TextEncoder().encode('bitcoin_v2_shared_secret')
const INFOS = ['initiator_L', 'initiator_P', 'responder_L', 'responder_P', 'garbage_terminators', 'session_id']
  .map((s) => new TextEncoder().encode(s))
const ENCODING_TAG = sha256(new TextEncoder().encode('bip324.js/ellswift_create'))

function validSecret (secretKey: Uint8Array): boolean {
  return secp256k1.utils.isValidSecretKey(secretKey)
}

/** One direction of a session, as the C engine's bip324_cipher: the length cipher and the AEAD,
 *  with the contract's argument checks and the pending length between decryptLength and decrypt. */
class JsPacketCipher implements PacketCipher {
  readonly provider = 'noble'
  private readonly length: FSChaCha20
  private readonly aead: FSChaCha20Poly1305
  private pending: number | null = null
  private live = true

  constructor (lengthKey: Uint8Array, aeadKey: Uint8Array) {
    this.length = new FSChaCha20(checkBytes(lengthKey, 'lengthKey32', 32))
    this.aead = new FSChaCha20Poly1305(checkBytes(aeadKey, 'aeadKey32', 32))
  }

  private check (): void {
    if (!this.live) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'cipher has been destroyed')
  }

  encrypt (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void {
    this.check()
    checkEncrypt(out, contents, aad, header)
    this.seal(out, contents, aad, header)
  }

  async encryptAsync (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): Promise<void> {
    this.encrypt(out, contents, aad, header)
  }

  private seal (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void {
    const len = contents.length
    this.length.crypt(out, Uint8Array.of(len & 0xff, (len >> 8) & 0xff, len >> 16))
    const plaintext = new Uint8Array(NUM_HEADER_BYTES + len)
    plaintext[0] = header
    plaintext.set(contents, NUM_HEADER_BYTES)
    out.set(this.aead.encrypt(plaintext, aad), NUM_LENGTH_BYTES)
  }

  decryptLength (len3: Uint8Array): number {
    this.check()
    checkBytes(len3, 'len3', NUM_LENGTH_BYTES)
    if (this.pending !== null) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'a length is already pending: decrypt its packet first')
    const plain = new Uint8Array(NUM_LENGTH_BYTES)
    this.length.crypt(plain, len3)
    this.pending = plain[0]! | (plain[1]! << 8) | (plain[2]! << 16)
    return this.pending
  }

  decrypt (contents: Uint8Array, input: Uint8Array, aad: Uint8Array): number {
    this.check()
    checkBytes(contents, 'contents')
    checkBytes(input, 'input')
    checkBytes(aad, 'aad')
    if (this.pending === null) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'no length is pending: call decryptLength first')
    checkDecrypt(contents, input, aad, this.pending)
    return this.open(contents, input, aad)
  }

  // The pending packet: its header byte and contents, or -1 (nothing written, still pending).
  private open (contents: Uint8Array, input: Uint8Array, aad: Uint8Array): number {
    const plaintext = this.aead.decrypt(input, aad)
    if (plaintext === null) return -1
    contents.set(plaintext.subarray(NUM_HEADER_BYTES))
    this.pending = null
    return plaintext[0]!
  }

  encryptBatch (out: Uint8Array, items: readonly Uint8Array[]): void {
    const copy = copyItems(items)
    this.check()
    checkEncryptBatch(out, copy)
    let at = 0
    for (const item of copy) {
      this.seal(out.subarray(at, at + item.length + NUM_PACKET_OVERHEAD_BYTES), item, EMPTY, GENUINE_BYTE)
      at += item.length + NUM_PACKET_OVERHEAD_BYTES
    }
  }

  decryptBatch (plain: Uint8Array, input: Uint8Array, maxContents: number): BatchResult {
    this.check()
    checkDecryptBatch(plain, input, maxContents)
    const packets: BatchPacket[] = []
    let pos = 0
    let used = 0
    let status: BatchStatus = 'more'
    for (;;) {
      if (this.pending === null) {
        if (input.length - pos < NUM_LENGTH_BYTES) break
        this.decryptLength(input.subarray(pos, pos + NUM_LENGTH_BYTES))
        pos += NUM_LENGTH_BYTES
      }
      const len = this.pending!
      if (len > maxContents) { status = 'oversized'; break }
      const need = len + NUM_HEADER_BYTES + NUM_TAG_BYTES
      if (input.length - pos < need) break
      if (plain.length - used < len) { status = 'full'; break }
      const contents = plain.subarray(used, used + len)
      const header = this.open(contents, input.subarray(pos, pos + need), EMPTY)
      if (header < 0) { status = 'bad-mac'; break }
      packets.push({ header, contents })
      used += len
      pos += need
    }
    return { status, packets, consumed: pos, pending: this.pending }
  }

  destroy (): void {
    this.length.wipe()
    this.aead.wipe()
    this.live = false
  }
}

/**
 * BIP-324's xswiftec_inv(x, u, case) as the 64-byte encoding it yields: u || t, both 32-byte
 * big-endian, which decodes to x; null when this case has no t. x and u are field elements, u not 0.
 * Exported for the BIP's xswiftec_inv vectors (test/js-backend.test.ts).
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#elligatorswift-encoding-of-curve-x-coordinates
 */
export function xswiftecInvEncoding (x: bigint, u: bigint, c: number): Uint8Array | null {
  const { Fp } = secp256k1.Point
  const t = elligatorSwift._inv(x, u, c)
  return t === undefined ? null : concatBytes(Fp.toBytes(u), Fp.toBytes(t))
}

// An encoding of x chosen by a stream derived from the secret key and the aux randomness, so that
// the same inputs give the same key (seeded handshakes are reproducible), and fresh aux
// randomness a fresh, uniformly distributed encoding.
function encode (secretKey: Uint8Array, auxRandom: Uint8Array): Uint8Array {
  const { Fp } = secp256k1.Point
  const x = secp256k1.Point.BASE.multiply(secp256k1.Point.Fn.fromBytes(secretKey)).x
  for (let attempt = 0; ; attempt++) {
    const counter = new Uint8Array(4)
    new DataView(counter.buffer).setUint32(0, attempt)
    // concatBytes allocates its own memory: Buffer.concat would put the secret key in Node's shared pool.
    const input = concatBytes(ENCODING_TAG, secretKey, auxRandom, counter)
    const seed = sha256(input)
    input.fill(0)
    const u = Fp.create(Fp.fromBytes(seed, true))
    if (Fp.is0(u)) continue
    const encoding = xswiftecInvEncoding(x, u, sha256(seed)[0]! & 7)
    if (encoding !== null) return encoding
  }
}

/** The pure-JavaScript backend. */
export function jsBackend (): Backend {
  return {
    name: 'js',
    providers: ['noble'],
    randomBytes,
    ellswiftDecode (ell64) {
      return elligatorSwift.decode(checkBytes(ell64, 'ell64', 64))
    },
    ellswiftCreate (secretKey, auxRandom) {
      checkBytes(secretKey, 'seckey32', 32)
      checkBytes(auxRandom, 'auxrnd32', 32)
      return validSecret(secretKey) ? encode(secretKey, auxRandom) : null
    },
    keygen () {
      for (;;) {
        const secretKey = randomBytes(32)
        if (validSecret(secretKey)) return { secretKey, ellswift: encode(secretKey, randomBytes(32)) }
      }
    },
    ecdh (ellOurs, ellTheirs, secretKey, initiator) {
      checkBytes(ellOurs, 'ellOurs64', 64)
      checkBytes(ellTheirs, 'ellTheirs64', 64)
      checkBytes(secretKey, 'seckey32', 32)
      if (typeof initiator !== 'boolean') throw invalid('initiator must be a boolean')
      if (!validSecret(secretKey)) return null
      return elligatorSwift.getSharedSecretBip324(secretKey, ellTheirs, ellOurs, initiator)
    },
    keySchedule (sharedSecret, magic): SessionKeys {
      checkBytes(sharedSecret, 'secret32', 32)
      const salt = concatBytes(SALT_PREFIX, checkBytes(magic, 'magic4', 4))
      const [initiatorL, initiatorP, responderL, responderP, terminators, sessionId] =
        INFOS.map((info) => hkdf(sha256, sharedSecret, salt, info, 32)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
      return {
        initiatorL,
        initiatorP,
        responderL,
        responderP,
        initiatorGarbageTerminator: terminators.slice(0, 16),
        responderGarbageTerminator: terminators.slice(16),
        sessionId
      }
    },
    createCipher (lengthKey, aeadKey, provider) {
      if (provider !== undefined && provider !== 'noble') throw invalid(`the js backend has no provider "${provider}"`)
      return new JsPacketCipher(lengthKey, aeadKey)
    }
  }
}
