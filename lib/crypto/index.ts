/** Picks the crypto backend every entry point runs on. */

import type { Backend } from './backend'
import { nativeBackend } from './native'
import { wasmBackend } from './wasm-node'
import { Bip324Error } from '../errors'
import { requireEsm } from '../esm'

/** `native`: the C engine; `wasm`: the same engine compiled to WebAssembly; `js`: pure JavaScript;
 *  `auto` (default): native, else wasm, else js, with one warning naming the one taken and why. Or
 *  a backend object. */
export type BackendChoice = 'native' | 'wasm' | 'js' | 'auto' | Backend

// Each made once: a backend is stateless, and making one asks the addon what it was built with
// (nativeInfo), which cost a Protocol created with backend: 'native' about a tenth of its handshake.
let auto: Backend | undefined
let native: Backend | undefined
let wasm: Backend | undefined
let js: Backend | undefined

/** The pure-JS backend, loaded on first use: its @noble/@scure libraries are ES modules that
 *  require() loads only from Node 20.19 / 22.12, and the native path must not depend on them. */
export function jsBackend (): Backend {
  return (js ??= requireEsm(() => require('./js') as typeof import('./js'), 'the pure-JavaScript backend').jsBackend())
}

export function selectBackend (choice: BackendChoice = 'auto'): Backend {
  if (typeof choice === 'object') return choice
  switch (choice) {
    case 'native': return (native ??= nativeBackend())
    case 'wasm': return (wasm ??= wasmBackend())
    case 'js': return jsBackend()
    case 'auto': return (auto ??= autoBackend())
    default: throw new Bip324Error('ERR_BIP324_INVALID_ARG', `backend must be 'native', 'wasm', 'js', 'auto' or a backend object, got ${String(choice)}`)
  }
}

function autoBackend (): Backend {
  let nativeWhy: string
  try {
    return (native ??= nativeBackend())
  } catch (err) {
    if ((err as Bip324Error).code !== 'ERR_BIP324_NATIVE_UNAVAILABLE') throw err
    nativeWhy = (err as Error).message.split('\n')[0]!
  }
  try {
    wasm ??= wasmBackend()
    process.emitWarning(`bip324: using the WebAssembly backend: ${nativeWhy}`, { code: 'BIP324_WASM_FALLBACK' })
    return wasm
  } catch (err) {
    if ((err as Bip324Error).code !== 'ERR_BIP324_WASM_UNAVAILABLE') throw err
    process.emitWarning(`bip324: using the pure-JavaScript backend: ${nativeWhy}; ${(err as Error).message.split('\n')[0]!}`,
      { code: 'BIP324_JS_FALLBACK' })
    return jsBackend()
  }
}
