/**
 * The testing addon (native/testing.cc): entry points that tests and benchmarks need and users
 * never do, built beside the addon as bip324_testing.addon (an extension neither node-gyp-build nor
 * prebuildify picks up, so it can never be loaded or packed in the addon's place).
 */

import path from 'node:path'
import load from 'node-gyp-build'

import { Bip324Error } from '../../lib/errors'
import type { ErrorClass } from '../../lib/native/binding'
import { PACKAGE_ROOT } from '../../lib/package'

export interface TestingAddon {
  /** Plain x-only ECDH, before BIP-324's hash: the vectors' mid_x_shared. False for an invalid key. */
  ecdhX (x32: Uint8Array, ellTheirs64: Uint8Array, seckey32: Uint8Array): boolean
  /** Nanoseconds spent looping `kind` (RAW_BENCH) `iterations` times in C; 0 if the loop failed. */
  bench (kind: number, provider: string | undefined, size: number, iterations: number): number
  /** An opaque handle for callFloor, an External as the addon's cipher handles are. */
  floorHandle (): object
  /** Takes and checks what the addon's encrypt takes, calls no engine and returns 0: the N-API
   *  cost of one small packet call, for the benchmarks. */
  callFloor (handle: object, out: Uint8Array, contents: Uint8Array, header: number): number
  /** As the addon's (lib/native/binding.ts): the class its errors are made with. */
  setErrorClass (errorClass: ErrorClass): void
}

/** bip324_bench_kind (native/bench.h); baselineRoundtrip is roundtrip on the frozen pre-issue-17 path. */
export const RAW_BENCH = { encrypt: 0, decrypt: 1, roundtrip: 2, handshake: 3, baselineRoundtrip: 4 } as const

let loaded: TestingAddon | undefined

/** The testing addon beside the addon that node-gyp-build resolves (so the sanitized build when
 *  scripts/asan-test.sh redirects it), making its errors Bip324Errors as the addon's are; throws,
 *  naming the path and the fix, when it was not built. */
export function testingAddon (): TestingAddon {
  if (loaded) return loaded
  const file = path.join(path.dirname(load.resolve(PACKAGE_ROOT)), 'bip324_testing.addon')
  const module = { exports: {} as TestingAddon }
  try {
    process.dlopen(module, file)
  } catch (cause) {
    throw new Error(`the testing addon ${file} does not load (build it with \`npm run build\`): ${String(cause)}`, { cause })
  }
  module.exports.setErrorClass(Bip324Error)
  loaded = module.exports
  return loaded
}
