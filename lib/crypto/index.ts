/**
 * The backends of the Node entry: the core's choice (./choice) plus the native engine and the wasm
 * module read from this package's files, which only Node (and Bun, Deno) can load. Importing this
 * module provides them, so 'auto' means native, else wasm, else js.
 */

import { nativeBackend } from './native'
import { provideBackend } from './choice'
import { wasmBackend } from './wasm-node'

// Node's warning, under a code per backend taken: BIP324_WASM_FALLBACK, BIP324_JS_FALLBACK.
const warn = (message: string, taken: string): void => { process.emitWarning(message, { code: `BIP324_${taken.toUpperCase()}_FALLBACK` }) }
provideBackend('native', nativeBackend, warn)
provideBackend('wasm', wasmBackend, warn)

export { jsBackend, selectBackend, provideBackend, type BackendChoice, type BackendName } from './choice'
export { nativeBackend, wasmBackend }
