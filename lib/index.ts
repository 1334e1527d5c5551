/** bip324: BIP-324 v2 encrypted P2P transport for Node.js. */

import { native, type NativeInfo, type OpensslInfo } from './native/binding'

export { Bip324Error, type Bip324ErrorCode } from './errors'
export type { Backend, PacketCipher, SessionKeys, KeyPair, BatchPacket, BatchResult, BatchStatus } from './crypto/backend'
export { jsBackend, selectBackend, type BackendChoice } from './crypto'
export { nativeBackend } from './crypto/native'
export { wasmBackend } from './crypto/wasm-node'
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
