/**
 * The backends of the Node entry: the core's choice (./choice) plus the native engine, which only
 * Node can load. Importing this module provides it, so 'auto' means native, else js.
 */

import { nativeBackend } from './native'
import { provideBackend } from './choice'

provideBackend('native', nativeBackend, (message) => {
  process.emitWarning(message, { code: 'BIP324_JS_FALLBACK' })
})

export { jsBackend, selectBackend, provideBackend, type BackendChoice, type BackendName } from './choice'
export { nativeBackend }
