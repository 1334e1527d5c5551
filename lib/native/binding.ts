/**
 * Loads the compiled addon (build/Release, build/Debug, or prebuilds/<platform>-<arch>) through
 * node-gyp-build, hands it the Bip324Error class its errors are made with, and describes what it
 * exports. Nothing here checks arguments: the addon does.
 */

import * as path from 'node:path'
import load from 'node-gyp-build'

import { Bip324Error, type Bip324ErrorCode } from '../errors'
import { PACKAGE_ROOT } from '../package'
import { knownAnswerFailure } from './known-answers'

export interface NativeInfo {
  /** libsecp256k1 release compiled in. */
  secp256k1: string
  /** libsodium version, as the library reports it at run time. */
  sodium: string
  /** libsodium's ChaCha20 implementation picked for this CPU. */
  chacha20: 'avx2' | 'ssse3' | 'ref'
  /** libsodium's Poly1305 implementation picked for this CPU. */
  poly1305: 'sse2' | 'donna'
  /** Where new ciphers take ChaCha20 and Poly1305 from by default. */
  provider: 'openssl' | 'libsodium'
  /** Every provider that passed its checks in this process, fastest first. */
  providers: Array<'openssl' | 'libsodium'>
  /** How the engine decided about the host's OpenSSL, once per process (docs/openssl-provider.md). */
  openssl: OpensslInfo
  /** CPU features as libsodium detected them. */
  cpu: { ssse3: boolean, avx2: boolean, avx512f: boolean }
}

/** The OpenSSL provider's checks, as nativeInfo() reports them. */
export interface OpensslInfo {
  /** The environment variable BIP324_OPENSSL when the addon loaded: `auto` (also when unset),
   *  `off` (no symbol is looked up), `force` (an OpenSSL series not on the allow list is used if
   *  every other check passes), or `invalid` (any other value, taken as `off`). */
  switch: 'auto' | 'off' | 'force' | 'invalid'
  /** What OpenSSL_version_num() reported (`3.0.19`, without a build suffix such as `+quic`), or
   *  null when it was not looked up (`off`) or not found. */
  version: string | null
  /** `used`, or the first check that failed: `off` (the switch), `missing-symbols` (an entry
   *  point is not exported, or no dlsym), `unknown-version` (a series not on the allow list),
   *  `different-objects` (the entry points and OpenSSL_version_num come from different loaded
   *  objects), `state-too-large` (Poly1305_ctx_size() exceeds our state), `known-answer-failed`
   *  (outputs differ from libsodium's), `canary-overwritten` (a call wrote outside its buffers). */
  verdict: 'used' | 'off' | 'missing-symbols' | 'unknown-version' | 'different-objects' | 'state-too-large' |
  'known-answer-failed' | 'canary-overwritten'
}

/** The class the addon makes its errors with: lib/errors.ts's Bip324Error. */
export type ErrorClass = new (code: Bip324ErrorCode, message: string) => Error

/** An opaque native cipher state (one direction). */
export type CipherHandle = { readonly __brand: 'bip324.CipherHandle' }

/** What the addon exports; see native/binding.cc for each call's contract. */
export interface Addon {
  constants: {
    LENGTH_BYTES: number
    HEADER_BYTES: number
    TAG_BYTES: number
    EXPANSION: number
    IGNORE_BIT: number
    REKEY_INTERVAL: number
    MAX_CONTENTS: number
    KEYS_BYTES: number
  }
  nativeInfo (): NativeInfo
  ellswiftDecode (x32: Uint8Array, ell64: Uint8Array): void
  ellswiftCreate (ell64: Uint8Array, seckey32: Uint8Array, auxrnd32: Uint8Array): boolean
  keygen (seckey32: Uint8Array, ell64: Uint8Array): void
  ecdh (secret32: Uint8Array, ellOurs64: Uint8Array, ellTheirs64: Uint8Array, seckey32: Uint8Array, initiator: boolean): boolean
  keySchedule (keys: Uint8Array, secret32: Uint8Array, magic4: Uint8Array): void
  cipherCreate (lengthKey32: Uint8Array, aeadKey32: Uint8Array, provider?: string): CipherHandle
  cipherDestroy (cipher: CipherHandle): void
  cipherProvider (cipher: CipherHandle): string
  /** Here and in decrypt, `aad` is left out for none (one argument fewer to look up). */
  encrypt (cipher: CipherHandle, out: Uint8Array, contents: Uint8Array, header: number, aad?: Uint8Array): void
  /** Copies contents and aad at the call; done() once out holds the packet, done(error) if out was
   *  detached or resized meanwhile (the packet is lost). With out null, the addon makes the
   *  packet and done(undefined, packet) gets it. */
  encryptAsync (cipher: CipherHandle, out: Uint8Array | null, contents: Uint8Array, header: number, done: (error?: Error, packet?: Uint8Array) => void, aad?: Uint8Array): void
  decryptLength (cipher: CipherHandle, len3: Uint8Array): number
  decrypt (cipher: CipherHandle, contents: Uint8Array, input: Uint8Array, aad?: Uint8Array): number
  encryptBatch (cipher: CipherHandle, out: Uint8Array, items: readonly Uint8Array[]): void
  decryptBatch (cipher: CipherHandle, plain: Uint8Array, meta: Uint32Array, input: Uint8Array, maxContents: number): number
  /** Until it is called, misuse throws plain Errors (with the same code and message). */
  setErrorClass (errorClass: ErrorClass): void
}

/** Loads the addon found under `root`, or throws ERR_BIP324_NATIVE_UNAVAILABLE naming every place
 *  tried, or what its known-answer test saw. */
export function loadAddon (root: string = PACKAGE_ROOT): Addon {
  let addon: Addon
  try {
    addon = load(root) as Addon
  } catch (cause) {
    const tried = [
      path.join(root, 'build', 'Release', 'bip324.node'),
      path.join(root, 'build', 'Debug', 'bip324.node'),
      path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, '*.node')
    ]
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
    throw new Bip324Error('ERR_BIP324_NATIVE_UNAVAILABLE',
      `bip324: no native addon could be loaded for ${process.platform}-${process.arch} ` +
      `(Node ${process.version}, N-API ${process.versions.napi ?? 'unknown'}): ${reason}\n` +
      `Tried:\n${tried.map((p) => `  ${p}`).join('\n')}\n` +
      `Rebuild it with \`npm rebuild bip324\` (needs python3, make and a C/C++ compiler), ` +
      'or choose the pure-JavaScript backend.', { cause })
  }
  // Once per load, not once per process: every loader of this file shares one instance of it (the
  // addon's errors are then this copy's class, as the js backend's are).
  addon.setErrorClass(Bip324Error)
  checkAddon(addon)
  return addon
}

/** Throws ERR_BIP324_NATIVE_UNAVAILABLE unless the addon computes BIP-324's known answers. */
export function checkAddon (addon: Addon): void {
  let failure: string | null
  try {
    failure = knownAnswerFailure(addon)
  } catch (cause) {
    failure = `it threw ${cause instanceof Error ? cause.message : String(cause)}`
  }
  if (failure !== null) {
    throw new Bip324Error('ERR_BIP324_NATIVE_UNAVAILABLE',
      `bip324: the native addon for ${process.platform}-${process.arch} failed its known-answer test at load: ${failure}`)
  }
}

let addon: Addon | undefined

/** The addon of this package, loaded on first use. */
export function native (): Addon {
  addon ??= loadAddon()
  return addon
}
