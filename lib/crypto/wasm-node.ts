/**
 * The wasm backend in Node (and Bun, Deno): the module read from this package's wasm/ directory,
 * bip324.wasm where the runtime has SIMD128, else bip324-scalar.wasm, and compiled synchronously
 * (which Node allows at any size). Browsers load lib/crypto/wasm.ts with the bytes instead.
 */

import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

import type { Backend } from './backend'
import { compileWasm, hasSimd128, wasmBackendSync, type WasmSource } from './wasm'
import { Bip324Error } from '../errors'
import { PACKAGE_ROOT } from '../package'

/** The module file this runtime runs. */
export function wasmFile (root: string = PACKAGE_ROOT): string {
  return path.join(root, 'wasm', hasSimd128() ? 'bip324.wasm' : 'bip324-scalar.wasm')
}

// node:crypto's generator: Node 18 has no global crypto.getRandomValues.
const random = (bytes: Uint8Array): void => { crypto.randomFillSync(bytes) }

// Compiled once: each backend is an instance of its own over the same module.
let compiled: { file: string, module: WasmSource } | undefined

/** A wasm backend (an instance of its own), or ERR_BIP324_WASM_UNAVAILABLE when the module cannot
 *  be read or instantiated. */
export function wasmBackend (): Backend {
  const file = wasmFile()
  let bytes: Uint8Array
  if (compiled?.file === file) return wasmBackendSync(compiled.module, random)
  try {
    bytes = fs.readFileSync(file)
  } catch (cause) {
    throw new Bip324Error('ERR_BIP324_WASM_UNAVAILABLE',
      `bip324: the WebAssembly engine ${file} cannot be read (build it with \`npm run build:wasm\`): ${(cause as Error).message}`, { cause })
  }
  try {
    const module = compileWasm(bytes)
    const backend = wasmBackendSync(module, random)
    compiled = { file, module }
    return backend
  } catch (cause) {
    if (cause instanceof Bip324Error) throw cause
    throw new Bip324Error('ERR_BIP324_WASM_UNAVAILABLE', `bip324: the WebAssembly engine ${file} does not instantiate: ${(cause as Error).message}`, { cause })
  }
}
