/**
 * The `native` backend: the C engine through the addon. Keys live in native memory behind opaque
 * cipher handles, wiped on destroy() and by the finalizer.
 */

import * as crypto from 'node:crypto'

import type { Backend, BatchPacket, BatchResult, BatchStatus, KeyPair, PacketCipher } from './backend'
import { copyItems } from './items'
import { splitKeys } from './session-keys'
import { type Addon, type CipherHandle, native } from '../native/binding'

const STATUS: readonly BatchStatus[] = ['more', 'bad-mac', 'oversized', 'full']

// An empty aad is left out of the addon's calls (its last argument), which then need not look it up:
// a sizeable part of a small packet's call. `aad` of any other kind goes in, for the addon to check.
const none = (aad: Uint8Array): boolean => aad instanceof Uint8Array && aad.length === 0

/** Packets one decryptBatch call reports at most (the engine stops with `full` there). */
const BATCH_PACKETS = 1024

/** The addon's report of a batch: [packets, consumed, pending length, has pending], then per packet
 *  [contents offset in plain, length, header]. One array serves every cipher: it is read right
 *  after the call returns, and no JavaScript runs in between. */
const meta = new Uint32Array(4 + 3 * BATCH_PACKETS)

class NativeCipher implements PacketCipher {
  readonly provider: string

  constructor (private readonly addon: Addon, private readonly handle: CipherHandle) {
    this.provider = addon.cipherProvider(handle)
  }

  encrypt (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void {
    if (none(aad)) this.addon.encrypt(this.handle, out, contents, header)
    else this.addon.encrypt(this.handle, out, contents, header, aad)
  }

  encryptAsync (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => { if (error === undefined) resolve(); else reject(error) }
      if (none(aad)) this.addon.encryptAsync(this.handle, out, contents, header, done)
      else this.addon.encryptAsync(this.handle, out, contents, header, done, aad)
    })
  }

  encryptNewAsync (contents: Uint8Array, aad: Uint8Array, header: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error, packet?: Uint8Array): void => { if (error === undefined) resolve(packet!); else reject(error) }
      if (none(aad)) this.addon.encryptAsync(this.handle, null, contents, header, done)
      else this.addon.encryptAsync(this.handle, null, contents, header, done, aad)
    })
  }

  decryptLength (len3: Uint8Array): number {
    return this.addon.decryptLength(this.handle, len3)
  }

  decrypt (contents: Uint8Array, input: Uint8Array, aad: Uint8Array): number {
    return none(aad) ? this.addon.decrypt(this.handle, contents, input) : this.addon.decrypt(this.handle, contents, input, aad)
  }

  encryptBatch (out: Uint8Array, items: readonly Uint8Array[]): void {
    this.addon.encryptBatch(this.handle, out, copyItems(items))
  }

  decryptBatch (plain: Uint8Array, input: Uint8Array, maxContents: number): BatchResult {
    const status = STATUS[this.addon.decryptBatch(this.handle, plain, meta, input, maxContents)]!
    const packets: BatchPacket[] = []
    const { buffer, byteOffset } = plain
    for (let i = 0, at = 4; i < meta[0]!; i++, at += 3) {
      // The constructor, not subarray(): subarray looks up a species constructor on every call.
      packets.push({ header: meta[at + 2]!, contents: new Uint8Array(buffer, byteOffset + meta[at]!, meta[at + 1]!) })
    }
    return { status, packets, consumed: meta[1]!, pending: meta[3] === 1 ? meta[2]! : null }
  }

  destroy (): void {
    this.addon.cipherDestroy(this.handle)
  }
}

/** The native backend, or ERR_BIP324_NATIVE_UNAVAILABLE when the addon cannot load. */
export function nativeBackend (): Backend {
  const addon = native()
  return {
    name: 'native',
    providers: addon.nativeInfo().providers,
    randomBytes (n) {
      return crypto.randomFillSync(new Uint8Array(n))
    },
    ellswiftDecode (ell64) {
      const x32 = new Uint8Array(32)
      addon.ellswiftDecode(x32, ell64)
      return x32
    },
    ellswiftCreate (secretKey, auxRandom) {
      const ell64 = new Uint8Array(64)
      return addon.ellswiftCreate(ell64, secretKey, auxRandom) ? ell64 : null
    },
    keygen (): KeyPair {
      const pair = { secretKey: new Uint8Array(32), ellswift: new Uint8Array(64) }
      addon.keygen(pair.secretKey, pair.ellswift)
      return pair
    },
    ecdh (ellOurs, ellTheirs, secretKey, initiator) {
      const secret = new Uint8Array(32)
      return addon.ecdh(secret, ellOurs, ellTheirs, secretKey, initiator) ? secret : null
    },
    keySchedule (sharedSecret, magic) {
      const keys = new Uint8Array(addon.constants.KEYS_BYTES)
      addon.keySchedule(keys, sharedSecret, magic)
      const split = splitKeys(keys)
      keys.fill(0)
      return split
    },
    createCipher (lengthKey, aeadKey, provider) {
      return new NativeCipher(addon, addon.cipherCreate(lengthKey, aeadKey, provider))
    }
  }
}
