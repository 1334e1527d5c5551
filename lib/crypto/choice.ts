/**
 * Which backend a Protocol runs on, decided without any Node API: the sans-IO core (protocol/)
 * resolves its `backend` option here, so it bundles for a browser. The core knows the pure-JS
 * backend only; an entry point for a runtime that has more (the Node entry: the native engine)
 * provides them with provideBackend(), and 'auto' then takes the first that loads.
 */

import type { Backend } from './backend'
import { Bip324Error } from '../errors'
import { invalid } from '../checks'
import { requireEsm } from '../esm'

/** The backends by name. */
export type BackendName = Backend['name']

/** `native`: the C engine; `wasm`: the same engine compiled to WebAssembly; `js`: pure JavaScript;
 *  `auto` (default): native where this runtime has it, else wasm, else js, with one warning naming
 *  the one taken and why. Or a backend object. */
export type BackendChoice = BackendName | 'auto' | Backend

/** The order 'auto' tries them in: fastest first. */
const AUTO_ORDER: readonly BackendName[] = ['native', 'wasm', 'js']

// Each made once: a backend is stateless, and making one can ask the addon what it was built with.
const made = new Map<BackendName, Backend>()
const factories = new Map<BackendName, () => Backend>([['js', loadJs]])
let auto: Backend | undefined
let warn = (message: string, _taken: BackendName): void => { (globalThis as { console?: { warn?: (m: string) => void } }).console?.warn?.(message) }

/** The pure-JS backend, loaded on first use: its @noble/@scure libraries are ES modules that
 *  require() loads only from Node 20.19 / 22.12, and the native path must not depend on them. */
export function jsBackend (): Backend {
  return make('js')
}

function loadJs (): Backend {
  return requireEsm(() => require('./js') as typeof import('./js'), 'the pure-JavaScript backend').jsBackend()
}

/**
 * Makes `name` available to selectBackend, built by `factory` on first use (a browser's entry:
 * `provideBackend('wasm', () => backend)` once loadWasmBackend resolved). A factory throws
 * ERR_BIP324_NATIVE_UNAVAILABLE or ERR_BIP324_WASM_UNAVAILABLE when its backend cannot run here
 * ('auto' then goes on to the next). `warning` replaces how the one fallback warning is given
 * (default: console.warn), with the name of the backend taken.
 */
export function provideBackend (name: BackendName, factory: () => Backend, warning?: (message: string, taken: BackendName) => void): void {
  factories.set(name, factory)
  if (warning !== undefined) warn = warning
}

export function selectBackend (choice: BackendChoice = 'auto'): Backend {
  if (typeof choice === 'object' && choice !== null) return choice
  if (choice === 'auto') return (auto ??= autoBackend())
  if (typeof choice === 'string' && AUTO_ORDER.includes(choice as BackendName)) return make(choice as BackendName)
  throw invalid(`backend must be ${AUTO_ORDER.map((n) => `'${n}'`).join(', ')}, 'auto' or a backend object, got ${String(choice)}`)
}

function make (name: BackendName): Backend {
  const existing = made.get(name)
  if (existing !== undefined) return existing
  const factory = factories.get(name)
  if (factory === undefined) {
    throw new Bip324Error(unavailable(name), `the ${name} backend is not loaded in this runtime: in Node, import 'bip324' (the package's main entry), which provides it; elsewhere provideBackend('wasm', ...) with loadWasmBackend's`)
  }
  const backend = factory()
  made.set(name, backend)
  return backend
}

// The code a backend that cannot run here is refused with.
const unavailable = (name: BackendName): 'ERR_BIP324_NATIVE_UNAVAILABLE' | 'ERR_BIP324_WASM_UNAVAILABLE' =>
  name === 'wasm' ? 'ERR_BIP324_WASM_UNAVAILABLE' : 'ERR_BIP324_NATIVE_UNAVAILABLE'

function autoBackend (): Backend {
  const reasons: string[] = []
  for (const name of AUTO_ORDER) {
    try {
      const backend = make(name)
      if (reasons.length > 0) warn(`bip324: using the ${name} backend: ${reasons.join('; ')}`, name)
      return backend
    } catch (err) {
      if ((err as Bip324Error).code !== unavailable(name) || name === AUTO_ORDER[AUTO_ORDER.length - 1]) throw err
      reasons.push((err as Error).message.split('\n')[0]!)
    }
  }
  throw new Error('unreachable: js is always provided')
}
