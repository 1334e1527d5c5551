/** Every backend/provider combination the tests must pass on: each runs the whole suite. */

import { jsBackend, nativeBackend, nativeInfo } from '../../lib'
import type { Backend } from '../../lib/crypto/backend'

export interface Variant {
  name: string
  backend: Backend
  provider: string
}

export const variants: Variant[] = [
  ...nativeInfo().providers.map((provider) => ({ name: `native/${provider}`, backend: nativeBackend(), provider })),
  { name: 'js/noble', backend: jsBackend(), provider: 'noble' }
]

export const MAINNET_MAGIC = Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9])
