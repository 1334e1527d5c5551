/** Every backend/provider combination the tests must pass on: each runs the whole suite. */

import fs from 'node:fs'
import path from 'node:path'

import { jsBackend, nativeBackend, nativeInfo, wasmBackend, wasmBackendSync } from '../../lib'
import type { Backend } from '../../lib/crypto/backend'
import { PACKAGE_ROOT } from '../../lib/package'

export interface Variant {
  name: string
  backend: Backend
  provider: string
}

/** Both WebAssembly modules: the one this runtime loads (SIMD128) and the one for runtimes without SIMD128. */
const wasm = [wasmBackend(), wasmBackendSync(fs.readFileSync(path.join(PACKAGE_ROOT, 'wasm', 'bip324-scalar.wasm')))]

export const variants: Variant[] = [
  ...nativeInfo().providers.map((provider) => ({ name: `native/${provider}`, backend: nativeBackend(), provider })),
  ...wasm.map((backend) => ({ name: `wasm/${backend.providers[0]!}`, backend, provider: backend.providers[0]! })),
  { name: 'js/noble', backend: jsBackend(), provider: 'noble' }
]

export const MAINNET_MAGIC = Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9])
