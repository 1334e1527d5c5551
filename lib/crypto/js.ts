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

import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { elligatorSwift } from '@scure/btc-signer/p2p.js'

import { Bip324Error } from '../errors'
import type { Backend, BatchPacket, BatchResult, BatchStatus, PacketCipher, SessionKeys } from './backend'
import { copyItems } from './items'
import { apart, overlap } from './overlap'
import {
  MAX_CONTENTS_LIMIT as MAX_CONTENTS, NUM_HEADER_BYTES, NUM_LENGTH_BYTES as LENGTH_BYTES, NUM_PACKET_OVERHEAD_BYTES as EXPANSION,
  NUM_TAG_BYTES as TAG_BYTES, REKEY_INTERVAL
} from './packet-format'
import { randomBytes } from './random'
import { checkBytes, invalid } from '../checks'

const LENGTH_STREAM_BYTES = REKEY_INTERVAL * LENGTH_BYTES + 32
const ZEROS = new Uint8Array(LENGTH_STREAM_BYTES)
const EMPTY = new Uint8Array(0)
const SALT_PREFIX = new TextEncoder().encode('bitcoin_v2_shared_secret')
const INFOS = ['initiator_L', 'initiator_P', 'responder_L', 'responder_P', 'garbage_terminators', 'session_id']
  .map((s) => new TextEncoder().encode(s))
const ENCODING_TAG = sha256(new TextEncoder().encode('bip324.js/ellswift_create'))



function nonce (first: number, epoch: number): Uint8Array {
  const n = new Uint8Array(12)
  const view = new DataView(n.buffer)
  view.setUint32(0, first, true)
  view.setBigUint64(4, BigInt(epoch), true)
  return n
}

function validSecret (secretKey: Uint8Array): boolean {
  return secp256k1.utils.isValidSecretKey(secretKey)
}

class JsCipher implements PacketCipher {
  readonly provider = 'noble'
  private lengthKey: Uint8Array
  private lengthStream = new Uint8Array(LENGTH_STREAM_BYTES)
  private lengthChunk = 0
  private lengthRekeys = 0
  private aeadKey: Uint8Array
  private aeadPackets = 0
  private pending: number | null = null
  private live = true

  constructor (lengthKey: Uint8Array, aeadKey: Uint8Array) {
    this.lengthKey = Uint8Array.from(checkBytes(lengthKey, 'lengthKey32', 32))
    this.aeadKey = Uint8Array.from(checkBytes(aeadKey, 'aeadKey32', 32))
    this.startLengthKey()
  }

  // FSChaCha20: 224 chunks of 3 bytes per key, then the next 32 keystream bytes are the key.
  private startLengthKey (): void {
    chacha20(this.lengthKey, nonce(0, this.lengthRekeys), ZEROS, this.lengthStream, 0)
    this.lengthChunk = 0
  }

  private cryptLength (out: Uint8Array, len3: Uint8Array): void {
    const at = this.lengthChunk * LENGTH_BYTES
    for (let i = 0; i < LENGTH_BYTES; i++) out[i] = len3[i]! ^ this.lengthStream[at + i]!
    if (++this.lengthChunk === REKEY_INTERVAL) {
      this.lengthKey.set(this.lengthStream.subarray(REKEY_INTERVAL * LENGTH_BYTES))
      this.lengthRekeys++
      this.startLengthKey()
    }
  }

  // FSChaCha20Poly1305: nonce LE32(packet % 224) || LE64(packet / 224); rekey after every 224th.
  private aead (aad: Uint8Array): ReturnType<typeof chacha20poly1305> {
    return chacha20poly1305(this.aeadKey, nonce(this.aeadPackets % REKEY_INTERVAL, Math.floor(this.aeadPackets / REKEY_INTERVAL)), aad)
  }

  private advance (): void {
    if (++this.aeadPackets % REKEY_INTERVAL === 0) {
      const rekeyNonce = nonce(0xffffffff, this.aeadPackets / REKEY_INTERVAL - 1)
      // In place: the old key is overwritten, not left to the garbage collector.
      const next = chacha20(this.aeadKey, rekeyNonce, ZEROS.subarray(0, 32), undefined, 1)
      this.aeadKey.set(next)
      next.fill(0)
    }
  }

  private check (): void {
    if (!this.live) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'cipher has been destroyed')
  }

  encrypt (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void {
    this.check()
    checkBytes(out, 'out')
    checkBytes(contents, 'contents')
    checkBytes(aad, 'aad')
    if (!Number.isInteger(header) || header < 0 || header > 255) throw invalid('header must be an integer from 0 to 255')
    if (contents.length > MAX_CONTENTS) throw invalid(`contents must be at most ${MAX_CONTENTS} bytes`)
    if (out.length !== contents.length + EXPANSION) throw invalid(`out must be contents.length + ${EXPANSION} bytes`)
    apart(out, 'out', contents, 'contents')
    apart(out, 'out', aad, 'aad')
    this.seal(out, contents, aad, header)
  }

  async encryptAsync (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): Promise<void> {
    this.encrypt(out, contents, aad, header)
  }

  private seal (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void {
    const len = contents.length
    this.cryptLength(out, Uint8Array.of(len & 0xff, (len >> 8) & 0xff, len >> 16))
    const plaintext = new Uint8Array(1 + len)
    plaintext[0] = header
    plaintext.set(contents, 1)
    out.set(this.aead(aad).encrypt(plaintext), LENGTH_BYTES)
    this.advance()
  }

  decryptLength (len3: Uint8Array): number {
    this.check()
    checkBytes(len3, 'len3', LENGTH_BYTES)
    if (this.pending !== null) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'a length is already pending: decrypt its packet first')
    const plain = new Uint8Array(LENGTH_BYTES)
    this.cryptLength(plain, len3)
    this.pending = plain[0]! | (plain[1]! << 8) | (plain[2]! << 16)
    return this.pending
  }

  decrypt (contents: Uint8Array, input: Uint8Array, aad: Uint8Array): number {
    this.check()
    checkBytes(contents, 'contents')
    checkBytes(input, 'input')
    checkBytes(aad, 'aad')
    if (this.pending === null) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'no length is pending: call decryptLength first')
    if (contents.length !== this.pending || input.length !== this.pending + NUM_HEADER_BYTES + TAG_BYTES) {
      throw invalid(`contents must be the pending length (${this.pending}) and input ${NUM_HEADER_BYTES + TAG_BYTES} bytes more`)
    }
    if (overlap(contents, input) && !(contents.buffer === input.buffer && contents.byteOffset === input.byteOffset + 1)) {
      throw invalid('contents may only overlap input exactly one byte in')
    }
    apart(contents, 'contents', aad, 'aad')
    return this.open(contents, input, aad)
  }

  decryptPacket (contents: Uint8Array, packet: Uint8Array, aad: Uint8Array): number {
    this.check()
    checkBytes(contents, 'contents')
    checkBytes(packet, 'packet')
    checkBytes(aad, 'aad')
    if (this.pending !== null) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'a length is pending: decrypt its packet with decrypt()')
    if (packet.length < EXPANSION || packet.length - EXPANSION > MAX_CONTENTS || contents.length !== packet.length - EXPANSION) {
      throw invalid(`packet must be ${EXPANSION} to ${MAX_CONTENTS + EXPANSION} bytes and contents ${EXPANSION} bytes fewer`)
    }
    if (overlap(contents, packet) && !(contents.buffer === packet.buffer && contents.byteOffset === packet.byteOffset + LENGTH_BYTES + NUM_HEADER_BYTES)) {
      throw invalid('contents may only overlap packet exactly four bytes in')
    }
    apart(contents, 'contents', aad, 'aad')
    if (this.decryptLength(packet.subarray(0, LENGTH_BYTES)) !== contents.length) return -2
    return this.open(contents, packet.subarray(LENGTH_BYTES), aad)
  }

  private open (contents: Uint8Array, input: Uint8Array, aad: Uint8Array): number {
    let plaintext: Uint8Array
    try {
      plaintext = this.aead(aad).decrypt(input)
    } catch {
      return -1
    }
    contents.set(plaintext.subarray(1))
    this.pending = null
    this.advance()
    return plaintext[0]!
  }

  encryptBatch (out: Uint8Array, items: readonly Uint8Array[], headers?: Uint8Array): void {
    const copy = copyItems(items)
    this.check()
    checkBytes(out, 'out')
    if (headers !== undefined && headers !== null && checkBytes(headers, 'headers').length !== copy.length) {
      throw invalid('headers must have one byte per item')
    }
    let total = 0
    for (const item of copy) {
      if (item.length > MAX_CONTENTS) throw invalid(`items are limited to ${MAX_CONTENTS} bytes`)
      apart(out, 'out', item, 'items[i]')
      total += item.length + EXPANSION
    }
    if (out.length !== total) throw invalid(`out must be ${total} bytes`)
    if (headers !== undefined && headers !== null) apart(out, 'out', headers, 'headers')
    let at = 0
    copy.forEach((item, i) => {
      this.seal(out.subarray(at, at + item.length + EXPANSION), item, EMPTY, headers?.[i] ?? 0)
      at += item.length + EXPANSION
    })
  }

  decryptBatch (plain: Uint8Array, input: Uint8Array, maxContents: number): BatchResult {
    this.check()
    checkBytes(plain, 'plain')
    checkBytes(input, 'input')
    if (!Number.isInteger(maxContents) || maxContents < 0 || maxContents > MAX_CONTENTS) throw invalid(`maxContents must be an integer from 0 to ${MAX_CONTENTS}`)
    apart(plain, 'plain', input, 'input')
    const packets: BatchPacket[] = []
    let pos = 0
    let used = 0
    let status: BatchStatus = 'more'
    for (;;) {
      if (this.pending === null) {
        if (input.length - pos < LENGTH_BYTES) break
        this.decryptLength(input.subarray(pos, pos + LENGTH_BYTES))
        pos += LENGTH_BYTES
      }
      const len = this.pending!
      if (len > maxContents) { status = 'oversized'; break }
      const need = len + NUM_HEADER_BYTES + TAG_BYTES
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
    this.lengthKey.fill(0)
    this.lengthStream.fill(0)
    this.aeadKey.fill(0)
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
      return new JsCipher(lengthKey, aeadKey)
    }
  }
}
