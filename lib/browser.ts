/**
 * `bip324/browser`: the sans-IO core (Protocol and the handshake states, packet framing, the
 * message codecs' constants) with the wasm backend, for a bundle that runs where Node does not.
 * Nothing here loads a file: the page fetches bip324.wasm (bip324-scalar.wasm where hasSimd128()
 * is false) and hands its bytes to loadWasmBackend, whose backend every Protocol then takes as
 * its `backend` option.
 */

export { Bip324Error, type Bip324ErrorCode } from './errors'
export type { Backend, PacketCipher, SessionKeys, KeyPair, BatchPacket, BatchResult, BatchStatus } from './crypto/backend'
export { hasSimd128, loadWasmBackend, wasmBackendSync, type WasmSource } from './crypto/wasm'
export type { RandomFill } from './crypto/random'
export * from './protocol'
