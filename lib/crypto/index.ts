/** Picks the crypto backend every entry point runs on. */

import type { Backend } from './backend'
import { nativeBackend } from './native'
import { Bip324Error } from '../errors'

/** `native`: the C engine; `js`: pure JavaScript; `auto` (default): native, else js with one
 *  warning. Or a backend object. */
export type BackendChoice = 'native' | 'js' | 'auto' | Backend

let auto: Backend | undefined

/** The pure-JS backend, loaded on first use: its @noble/@scure libraries are ES modules that
 *  require() loads only from Node 20.19 / 22.12, and the native path must not depend on them. */
export function jsBackend (): Backend {
  let js: typeof import('./js')
  try {
    js = require('./js') as typeof import('./js')
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw err
    throw new Bip324Error('ERR_BIP324_JS_UNAVAILABLE', `the pure-JavaScript backend needs Node.js >= 20.19 or >= 22.12 (it loads ES modules with require); this is ${process.version}`, { cause: err })
  }
  return js.jsBackend()
}

export function selectBackend (choice: BackendChoice = 'auto'): Backend {
  if (typeof choice === 'object') return choice
  switch (choice) {
    case 'native': return nativeBackend()
    case 'js': return jsBackend()
    case 'auto': return (auto ??= autoBackend())
    default: throw new Bip324Error('ERR_BIP324_INVALID_ARG', `backend must be 'native', 'js', 'auto' or a backend object, got ${String(choice)}`)
  }
}

function autoBackend (): Backend {
  try {
    return nativeBackend()
  } catch (err) {
    if ((err as Bip324Error).code !== 'ERR_BIP324_NATIVE_UNAVAILABLE') throw err
    process.emitWarning(`bip324: using the pure-JavaScript backend: ${(err as Error).message.split('\n')[0]}`,
      { code: 'BIP324_JS_FALLBACK' })
    return jsBackend()
  }
}
