/**
 * FSChaCha20, BIP-324's length cipher, over @noble/ciphers' ChaCha20: a keystream of which each
 * packet takes 3 bytes; after REKEY_INTERVAL chunks the next 32 keystream bytes are the new key.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#rekeying-wrappers-fschacha20poly1305-and-fschacha20
 */

import { chacha20 } from '@noble/ciphers/chacha.js'

import { nonce } from './nonce'
import { NUM_LENGTH_BYTES, REKEY_INTERVAL } from './packet-format'

const STREAM_BYTES = REKEY_INTERVAL * NUM_LENGTH_BYTES + 32
const ZEROS = new Uint8Array(STREAM_BYTES)

export class FSChaCha20 {
  private readonly key: Uint8Array
  private readonly stream = new Uint8Array(STREAM_BYTES)
  private chunk = 0
  private rekeys = 0

  /** `key` is copied: the caller's may be wiped. */
  constructor (key: Uint8Array) {
    this.key = Uint8Array.from(key)
    this.start()
  }

  private start (): void {
    chacha20(this.key, nonce(0, this.rekeys), ZEROS, this.stream, 0)
    this.chunk = 0
  }

  /** `out` = `len3` XOR the next 3 keystream bytes (out may be len3). */
  crypt (out: Uint8Array, len3: Uint8Array): void {
    const at = this.chunk * NUM_LENGTH_BYTES
    for (let i = 0; i < NUM_LENGTH_BYTES; i++) out[i] = len3[i]! ^ this.stream[at + i]!
    if (++this.chunk === REKEY_INTERVAL) {
      this.key.set(this.stream.subarray(REKEY_INTERVAL * NUM_LENGTH_BYTES))
      this.rekeys++
      this.start()
    }
  }

  /** Wipes the key and the keystream. */
  wipe (): void {
    this.key.fill(0)
    this.stream.fill(0)
  }
}
