/** bip324: BIP-324 v2 encrypted P2P transport for Node.js. */

import { native, type NativeInfo, type OpensslInfo } from './native/binding'

// Loading ./crypto provides the native engine to the core's backend choice: from here on 'auto' is native, else js.
export { nativeBackend } from './crypto'
export { wasmBackend } from './crypto'
export { hasSimd128, loadWasmBackend, wasmBackendSync, type WasmSource } from './crypto/wasm'
export type { RandomFill } from './crypto/random'
export * from './protocol'
export * from './network'
export type { NativeInfo, OpensslInfo }

/** Versions of the native libraries and the implementations they picked for this CPU. */
export function nativeInfo (): NativeInfo {
  return native().nativeInfo()
}
export * from './net'
export type { ConnectionError } from './net/socket'
export * from './messages'
export * from './peer'
export * from './pool'
