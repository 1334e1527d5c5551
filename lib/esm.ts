/**
 * Loading, on first use, the parts of this package built on ES-module libraries (@noble, @scure,
 * micro-packed): Node's require() takes an ES module only from 20.19 and 22.12 on, and the rest of
 * the package (the native backend, the protocol, the message codecs) must not depend on them.
 */

import { Bip324Error } from './errors'

/** Runs `load` (a `require()` of such a part); where this Node cannot require an ES module, throws
 *  ERR_BIP324_JS_UNAVAILABLE naming `what` instead of Node's ERR_REQUIRE_ESM. */
export function requireEsm<T> (load: () => T, what: string): T {
  try {
    return load()
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw err
    // Only Node says ERR_REQUIRE_ESM, but the sans-IO core bundles this file for runtimes without `process`.
    const version = (globalThis as { process?: { version?: string } }).process?.version
    throw new Bip324Error('ERR_BIP324_JS_UNAVAILABLE', `${what} needs Node.js >= 20.19 or >= 22.12 (it loads ES modules with require); this is ${version}`, { cause: err })
  }
}
