/** Picks the crypto backend every entry point runs on. */

import type { Backend } from './backend'
import { nativeBackend } from './native'

/** `native`: the C engine; `auto`: the best available (today, native). Or a backend object. */
export type BackendChoice = 'native' | 'auto' | Backend

export function selectBackend (choice: BackendChoice = 'auto'): Backend {
  return typeof choice === 'object' ? choice : nativeBackend()
}
