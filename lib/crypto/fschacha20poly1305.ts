/**
 * FSChaCha20Poly1305, BIP-324's packet AEAD, over @noble/ciphers' ChaCha20-Poly1305: the nonce is
 * LE32(packet % REKEY_INTERVAL) || LE64(packet / REKEY_INTERVAL), and after every REKEY_INTERVAL-th
 * packet the key becomes the first 32 bytes of ChaCha20 under the rekey nonce.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#rekeying-wrappers-fschacha20poly1305-and-fschacha20
 */

import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js'

import { nonce } from './nonce'
import { REKEY_INTERVAL } from './packet-format'

const ZEROS = new Uint8Array(32)

export class FSChaCha20Poly1305 {
  private readonly key: Uint8Array
  private packets = 0

  /** `key` is copied: the caller's may be wiped. */
  constructor (key: Uint8Array) {
    this.key = Uint8Array.from(key)
  }

  /** `plaintext` sealed under `aad`: ciphertext || 16-byte tag. */
  encrypt (plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const sealed = this.aead(aad).encrypt(plaintext)
    this.advance()
    return sealed
  }

  /** The plaintext of `sealed` (ciphertext || tag), or null when the tag does not authenticate it
   *  (the packet count then stays, so the same packet can be tried again). */
  decrypt (sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
    let plaintext: Uint8Array
    try {
      plaintext = this.aead(aad).decrypt(sealed)
    } catch {
      return null
    }
    this.advance()
    return plaintext
  }

  private aead (aad: Uint8Array): ReturnType<typeof chacha20poly1305> {
    return chacha20poly1305(this.key, nonce(this.packets % REKEY_INTERVAL, Math.floor(this.packets / REKEY_INTERVAL)), aad)
  }

  private advance (): void {
    if (++this.packets % REKEY_INTERVAL !== 0) return
    const next = chacha20(this.key, nonce(0xffffffff, this.packets / REKEY_INTERVAL - 1), ZEROS, undefined, 1)
    // In place: the old key is overwritten, not left to the garbage collector.
    this.key.set(next)
    next.fill(0)
  }

  /** Wipes the key. */
  wipe (): void {
    this.key.fill(0)
  }
}
