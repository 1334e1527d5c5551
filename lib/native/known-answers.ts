/**
 * The addon's known-answer test, run once where it loads: a prebuilt binary for a platform no
 * machine of ours runs (macOS, musl, Windows on arm64) proves itself there, and one that computes
 * anything but the BIP's bytes is refused before a connection uses it, so `backend: 'auto'` moves
 * on to the next backend and says why.
 */

import type { Addon } from './binding'

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))
const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')

/** BIP-324's packet_encoding_test_vectors.csv, row 1: ECDH over ElligatorSwift, the key schedule,
 *  FSChaCha20 and FSChaCha20Poly1305 (the initiator's second packet: one empty one, then `8e`). */
export const PACKET_VECTOR = {
  privOurs: '61062ea5071d800bbfd59e2e8b53d47d194b095ae5a4df04936b49772ef0d4d7',
  ellswiftOurs: 'ec0adff257bbfe500c188c80b4fdd640f6b45a482bbc15fc7cef5931deff0aa186f6eb9bba7b85dc4dcc28b28722de1e3d9108b985e2967045668f66098e475b',
  ellswiftTheirs: 'a4a94dfce69b4a2a0a099313d10f9f7e7d649d60501c9e1d274c300e0d89aafaffffffffffffffffffffffffffffffffffffffffffffffffffffffff8faf88d5',
  contents: '8e',
  ciphertext: '7530d2a18720162ac09c25329a60d75adf36eda3c3'
} as const

/** BIP-324's ellswift_decode_test_vectors.csv, row 2 (u = 0 mod p). */
export const ELLSWIFT_VECTOR = {
  ellswift: '000000000000000000000000000000000000000000000000000000000000000001d3475bf7655b0fb2d852921035b2ef607f49069b97454e6795251062741771',
  x: 'b5da00b73cd6560520e7c364086e7cd23a34bf60d0e707be9fc34d4cd5fdfa2c'
} as const

const MAINNET_MAGIC = bytes('f9beb4d9')

/** null when the addon computes both vectors' bytes on every provider it offers, else what differed. */
export function knownAnswerFailure (addon: Addon): string | null {
  const x = new Uint8Array(32)
  addon.ellswiftDecode(x, bytes(ELLSWIFT_VECTOR.ellswift))
  if (hexOf(x) !== ELLSWIFT_VECTOR.x) return `ellswift decode gave ${hexOf(x)}, not ${ELLSWIFT_VECTOR.x}`

  const v = PACKET_VECTOR
  const secret = new Uint8Array(32)
  if (!addon.ecdh(secret, bytes(v.ellswiftOurs), bytes(v.ellswiftTheirs), bytes(v.privOurs), true)) return 'ECDH refused the vector\'s keys'
  const keys = new Uint8Array(addon.constants.KEYS_BYTES)
  addon.keySchedule(keys, secret, MAINNET_MAGIC)
  const contents = bytes(v.contents)
  for (const provider of addon.nativeInfo().providers) {
    const cipher = addon.cipherCreate(keys.subarray(0, 32), keys.subarray(32, 64), provider)
    try {
      addon.encrypt(cipher, new Uint8Array(addon.constants.EXPANSION), new Uint8Array(0), 0)
      const out = new Uint8Array(contents.length + addon.constants.EXPANSION)
      addon.encrypt(cipher, out, contents, 0)
      if (hexOf(out) !== v.ciphertext) return `the packet cipher (provider ${provider}) gave ${hexOf(out)}, not ${v.ciphertext}`
    } finally {
      addon.cipherDestroy(cipher)
    }
  }
  return null
}
