/**
 * Loads the compiled addon (build/Release, build/Debug, or prebuilds/<platform>-<arch>) through
 * node-gyp-build, and describes what it exports. Nothing here checks arguments: the addon does.
 */

import path from 'node:path'
import load from 'node-gyp-build'

import { Bip324Error } from '../errors'

export interface NativeInfo {
  /** libsecp256k1 release compiled in. */
  secp256k1: string
  /** libsodium version, as the library reports it at run time. */
  sodium: string
  /** libsodium's ChaCha20 implementation picked for this CPU. */
  chacha20: 'avx2' | 'ssse3' | 'ref'
  /** libsodium's Poly1305 implementation picked for this CPU. */
  poly1305: 'sse2' | 'donna'
  /** CPU features as libsodium detected them. */
  cpu: { ssse3: boolean, avx2: boolean, avx512f: boolean }
}

export interface Addon {
  nativeInfo (): NativeInfo
  /** Writes the X coordinate that the 64-byte ElligatorSwift encoding `ell64` decodes to. */
  ellswiftDecode (x32: Uint8Array, ell64: Uint8Array): void
}

/** The package root: this file sits at lib/native/ in the sources and dist/native/ when built. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..')

/** Loads the addon found under `root`, or throws ERR_BIP324_NATIVE_UNAVAILABLE naming every place tried. */
export function loadAddon (root: string = PACKAGE_ROOT): Addon {
  try {
    return load(root) as Addon
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
}

let addon: Addon | undefined

/** The addon of this package, loaded on first use. */
export function native (): Addon {
  addon ??= loadAddon()
  return addon
}
