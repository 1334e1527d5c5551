/**
 * The `wasm` backend: the C engine (native/, without the OpenSSL provider) compiled to WebAssembly
 * with libsecp256k1 and libsodium's ChaCha20, Poly1305 and HMAC-SHA256 (scripts/build-wasm.js).
 * No Node API here, so that a browser bundle can take it with the sans-IO core: the caller hands in
 * the module's bytes or a compiled WebAssembly.Module (./wasm-node reads the file in Node).
 *
 * Keys and plaintext cross into the module's memory for each call and are wiped there when the call
 * returns; a cipher's state lives there until destroy() (or, for a cipher dropped undestroyed, its
 * finalizer) wipes and frees it. Arguments are checked here, as the js backend checks them, before
 * any byte is copied in.
 */

import { Bip324Error } from '../errors'
import { checkBytes, invalid } from '../checks'
import type { Backend, BatchPacket, BatchResult, BatchStatus, PacketCipher } from './backend'
import { copyItems } from './items'
import { checkDecrypt, checkDecryptBatch, checkEncrypt, checkEncryptBatch } from './contract'
import { NUM_HEADER_BYTES, NUM_LENGTH_BYTES, NUM_PACKET_OVERHEAD_BYTES } from './packet-format'
import { type RandomFill, webRandom } from './random'
import { splitKeys } from './session-keys'

// The WebAssembly API as every runtime has it, declared here: the package's types assume only
// ES2022 and Node's, and neither declares it.
interface Memory { readonly buffer: ArrayBuffer }
interface Instance { readonly exports: object }
type Imports = Record<string, Record<string, (...args: number[]) => number>>
interface WebAssemblyApi {
  Module: new (bytes: ArrayBuffer | ArrayBufferView) => object
  Instance: new (module: object, imports: Imports) => Instance
  validate (bytes: ArrayBuffer | ArrayBufferView): boolean
  instantiate (bytes: ArrayBuffer | ArrayBufferView, imports: Imports): Promise<{ instance: Instance }>
  instantiate (module: object, imports: Imports): Promise<Instance>
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly

/** What the module exports (native/wasm/exports.c and secp256k1.c); pointers are offsets into memory. */
interface Exports {
  memory: Memory
  _initialize (): void
  init (): number
  provider (): number
  alloc (size: number): number
  release (p: number, size: number): void
  ellswift_decode (x32: number, ell64: number): void
  ellswift_create (ell64: number, seckey32: number, auxrnd32: number): number
  keygen (seckey32: number, ell64: number): void
  ecdh (secret32: number, ellOurs64: number, ellTheirs64: number, seckey32: number, initiator: number): number
  ecdh_x (x32: number, ellTheirs64: number, seckey32: number): number
  key_schedule (keys192: number, secret32: number, magic4: number): void
  cipher_create (lengthKey32: number, aeadKey32: number): number
  cipher_destroy (cipher: number): void
  pending (cipher: number): number
  encrypt (cipher: number, out: number, contents: number, len: number, aad: number, aadlen: number, header: number): void
  decrypt_length (cipher: number, len3: number): number
  decrypt (cipher: number, contents: number, input: number, aad: number, aadlen: number): number
  encrypt_batch (cipher: number, out: number, items: number, n: number): void
  decrypt_batch (cipher: number, plain: number, plainCap: number, packets: number, maxPackets: number, counts: number,
    input: number, inputLen: number, maxContents: number): number
  xswiftec_inv (t32: number, x32: number, u32: number, c: number): number
}

/** The module's bytes, or the module compiled (a WebAssembly.Module). */
export type WasmSource = ArrayBuffer | ArrayBufferView | object

const STATUS: readonly BatchStatus[] = ['more', 'bad-mac', 'oversized', 'full']
/** Packets one decryptBatch call reports at most, as the native backend's (it then says `full`). */
const BATCH_PACKETS = 1024
/** bip324_key_schedule's output. */
const KEYS_BYTES = 192

/** The smallest module with a SIMD128 instruction (v128.const): whether this runtime can run
 *  bip324.wasm, or needs bip324-scalar.wasm. */
const SIMD_PROBE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11)

/** Whether this runtime runs WebAssembly SIMD128: load bip324.wasm if so, else bip324-scalar.wasm. */
export function hasSimd128 (): boolean {
  return WebAssembly.validate(SIMD_PROBE)
}

/** One instance of the module: its exports, a view of its memory, and one scratch block that every
 *  call copies its arguments into (wasm runs one call at a time, so one block serves them all). */
class Engine {
  private heap: Uint8Array
  private scratch = 0
  private scratchSize = 0
  /** Ciphers dropped without destroy(): their states are wiped and freed when they are collected. */
  readonly states = new FinalizationRegistry<number>((state) => this.x.cipher_destroy(state))

  /** What the module's ChaCha20 runs on: `simd128` or `scalar` (native/wasm/engine.c). */
  readonly provider: string

  constructor (readonly x: Exports) {
    this.heap = new Uint8Array(x.memory.buffer)
    const name = x.provider()
    this.provider = new TextDecoder().decode(this.heap.subarray(name, this.heap.indexOf(0, name)))
  }

  /** The module's memory now: growing it (any alloc) detaches the old buffer. */
  bytes (): Uint8Array {
    if (this.heap.byteLength === 0) this.heap = new Uint8Array(this.x.memory.buffer)
    return this.heap
  }

  /** The scratch block, at least `size` bytes; a bigger one replaces it (the old one wiped). */
  reserve (size: number): number {
    if (size > this.scratchSize) {
      const want = Math.max(size, 2 * this.scratchSize, 4096)
      const p = this.x.alloc(want)
      if (p === 0) throw new RangeError(`bip324: the wasm engine cannot grow its memory by ${want} bytes`)
      if (this.scratch !== 0) this.x.release(this.scratch, this.scratchSize)
      this.scratch = p
      this.scratchSize = want
    }
    return this.scratch
  }

  /** Copies `data` in at `p`. */
  put (p: number, data: Uint8Array): void {
    this.bytes().set(data, p)
  }

  /** A copy of `n` bytes at `p`. */
  take (p: number, n: number): Uint8Array {
    return this.bytes().slice(p, p + n)
  }

  /** Zeroes `n` bytes at `p`: secrets and plaintext leave the module's memory with the call. */
  wipe (p: number, n: number): void {
    this.bytes().fill(0, p, p + n)
  }
}

// The WASI import the module asks for (native/wasm/host.c): the host's CSPRNG.
function imports (memory: () => Memory, random: RandomFill): Imports {
  return {
    wasi_snapshot_preview1: {
      random_get (p: number, n: number): number {
        random(new Uint8Array(memory().buffer, p, n))
        return 0
      }
    }
  }
}

function engineOf (instance: Instance): Engine {
  const x = instance.exports as unknown as Exports
  x._initialize()
  if (x.init() !== 1) throw new Bip324Error('ERR_BIP324_WASM_UNAVAILABLE', 'bip324: the wasm engine cannot create its secp256k1 context')
  return new Engine(x)
}

class WasmCipher implements PacketCipher {
  readonly provider: string
  private state: number

  constructor (private readonly e: Engine, lengthKey: Uint8Array, aeadKey: Uint8Array) {
    checkBytes(lengthKey, 'lengthKey32', 32)
    checkBytes(aeadKey, 'aeadKey32', 32)
    this.provider = e.provider
    const p = e.reserve(64)
    e.put(p, lengthKey)
    e.put(p + 32, aeadKey)
    this.state = e.x.cipher_create(p, p + 32)
    e.wipe(p, 64)
    if (this.state === 0) throw new RangeError('bip324: the wasm engine cannot grow its memory for a cipher')
    e.states.register(this, this.state, this)
  }

  private live (): number {
    if (this.state === 0) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'cipher has been destroyed')
    return this.state
  }

  private pending (): number | null {
    const n = this.e.x.pending(this.state)
    return n < 0 ? null : n
  }

  encrypt (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void {
    const state = this.live()
    checkEncrypt(out, contents, aad, header)
    const e = this.e
    const n = contents.length
    const p = e.reserve(2 * n + aad.length + NUM_PACKET_OVERHEAD_BYTES)
    const at = p + n + aad.length
    e.put(p, contents)
    e.put(p + n, aad)
    e.x.encrypt(state, at, p, n, p + n, aad.length, header)
    out.set(e.bytes().subarray(at, at + n + NUM_PACKET_OVERHEAD_BYTES))
    e.wipe(p, n)
  }

  async encryptAsync (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): Promise<void> {
    this.encrypt(out, contents, aad, header)
  }

  decryptLength (len3: Uint8Array): number {
    const state = this.live()
    checkBytes(len3, 'len3', NUM_LENGTH_BYTES)
    if (this.pending() !== null) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'a length is already pending: decrypt its packet first')
    const p = this.e.reserve(NUM_LENGTH_BYTES)
    this.e.put(p, len3)
    return this.e.x.decrypt_length(state, p)
  }

  decrypt (contents: Uint8Array, input: Uint8Array, aad: Uint8Array): number {
    const state = this.live()
    checkBytes(contents, 'contents')
    checkBytes(input, 'input')
    checkBytes(aad, 'aad')
    const pending = this.pending()
    if (pending === null) throw new Bip324Error('ERR_BIP324_BAD_STATE', 'no length is pending: call decryptLength first')
    checkDecrypt(contents, input, aad, pending)
    const e = this.e
    // Decrypted in place, one byte into the input (as bip324_decrypt allows): half the memory a
    // big packet would otherwise take here.
    const p = e.reserve(aad.length + input.length)
    const at = p + aad.length
    e.put(p, aad)
    e.put(at, input)
    const header = e.x.decrypt(state, at + NUM_HEADER_BYTES, at, p, aad.length)
    if (header >= 0) contents.set(e.bytes().subarray(at + NUM_HEADER_BYTES, at + NUM_HEADER_BYTES + pending))
    e.wipe(at + NUM_HEADER_BYTES, pending)
    return header
  }

  encryptBatch (out: Uint8Array, items: readonly Uint8Array[]): void {
    const copy = copyItems(items)
    const state = this.live()
    const total = checkEncryptBatch(out, copy)
    const e = this.e
    const slices = 8 * copy.length
    const plain = total - NUM_PACKET_OVERHEAD_BYTES * copy.length
    const p = e.reserve(slices + plain + total)
    // bip324_slice on wasm32: a 4-byte pointer and a 4-byte length, little-endian.
    const view = new DataView(e.bytes().buffer)
    let at = p + slices
    copy.forEach((item, i) => {
      view.setUint32(p + 8 * i, at, true)
      view.setUint32(p + 8 * i + 4, item.length, true)
      e.put(at, item)
      at += item.length
    })
    e.x.encrypt_batch(state, at, p, copy.length)
    out.set(e.bytes().subarray(at, at + total))
    e.wipe(p + slices, plain)
  }

  decryptBatch (plain: Uint8Array, input: Uint8Array, maxContents: number): BatchResult {
    const state = this.live()
    checkDecryptBatch(plain, input, maxContents)
    const e = this.e
    // A complete packet's contents are shorter than the packet, so the contents of `input` fit in
    // input.length bytes: a bigger `plain` changes nothing the engine decides.
    const cap = Math.min(plain.length, input.length)
    const meta = 8 + 12 * BATCH_PACKETS
    const p = e.reserve(meta + input.length + cap)
    const at = p + meta + input.length
    e.put(p + meta, input)
    const status = STATUS[e.x.decrypt_batch(state, at, cap, p + 8, BATCH_PACKETS, p, p + meta, input.length, maxContents)]!
    const words = new Uint32Array(e.bytes().buffer, p, meta / 4)
    const n = words[0]!
    const consumed = words[1]!
    const packets: BatchPacket[] = []
    let used = 0
    for (let i = 0, w = 2; i < n; i++, w += 3) {
      const offset = words[w]!
      const len = words[w + 1]!
      packets.push({ header: words[w + 2]!, contents: plain.subarray(offset, offset + len) })
      used = offset + len
    }
    plain.set(e.bytes().subarray(at, at + used))
    e.wipe(at, used)
    return { status, packets, consumed, pending: this.pending() }
  }

  destroy (): void {
    if (this.state === 0) return
    this.e.states.unregister(this)
    this.e.x.cipher_destroy(this.state)
    this.state = 0
  }
}

/** What the tests check the BIP's vectors with, beside the Backend: not part of the public API. */
export interface WasmTesting {
  /** Plain x-only ECDH before BIP-324's hash (the vectors' mid_x_shared); null for an invalid key. */
  ecdhX (ellTheirs: Uint8Array, secretKey: Uint8Array): Uint8Array | null
  /** BIP-324's xswiftec_inv(x, u, c): t, or null when this case has none (or x is not on the curve). */
  xswiftecInv (x: Uint8Array, u: Uint8Array, c: number): Uint8Array | null
  /** The module's memory as it is now, to look for what should have been wiped. */
  memory (): Uint8Array
}

const testing = new WeakMap<Backend, WasmTesting>()

/** The testing entry points of a backend made here. */
export function wasmTesting (backend: Backend): WasmTesting {
  const t = testing.get(backend)
  if (t === undefined) throw invalid('not a wasm backend')
  return t
}

function backendOf (e: Engine, random: RandomFill): Backend {
  const secretCall = <T>(size: number, fill: (p: number) => T, secret: Array<[number, number]>): T => {
    const p = e.reserve(size)
    try {
      return fill(p)
    } finally {
      for (const [at, n] of secret) e.wipe(p + at, n)
    }
  }
  const backend: Backend = {
    name: 'wasm',
    providers: [e.provider],
    randomBytes (n) {
      const bytes = new Uint8Array(n)
      random(bytes)
      return bytes
    },
    ellswiftDecode (ell64) {
      checkBytes(ell64, 'ell64', 64)
      return secretCall(96, (p) => {
        e.put(p + 32, ell64)
        e.x.ellswift_decode(p, p + 32)
        return e.take(p, 32)
      }, [])
    },
    ellswiftCreate (secretKey, auxRandom) {
      checkBytes(secretKey, 'seckey32', 32)
      checkBytes(auxRandom, 'auxrnd32', 32)
      return secretCall(128, (p) => {
        e.put(p + 64, secretKey)
        e.put(p + 96, auxRandom)
        return e.x.ellswift_create(p, p + 64, p + 96) === 1 ? e.take(p, 64) : null
      }, [[64, 64]])
    },
    keygen () {
      return secretCall(96, (p) => {
        e.x.keygen(p, p + 32)
        return { secretKey: e.take(p, 32), ellswift: e.take(p + 32, 64) }
      }, [[0, 32]])
    },
    ecdh (ellOurs, ellTheirs, secretKey, initiator) {
      checkBytes(ellOurs, 'ellOurs64', 64)
      checkBytes(ellTheirs, 'ellTheirs64', 64)
      checkBytes(secretKey, 'seckey32', 32)
      if (typeof initiator !== 'boolean') throw invalid('initiator must be a boolean')
      return secretCall(192, (p) => {
        e.put(p + 32, ellOurs)
        e.put(p + 96, ellTheirs)
        e.put(p + 160, secretKey)
        return e.x.ecdh(p, p + 32, p + 96, p + 160, initiator ? 1 : 0) === 1 ? e.take(p, 32) : null
      }, [[0, 32], [160, 32]])
    },
    keySchedule (sharedSecret, magic) {
      checkBytes(sharedSecret, 'secret32', 32)
      checkBytes(magic, 'magic4', 4)
      return secretCall(KEYS_BYTES + 36, (p) => {
        e.put(p + KEYS_BYTES, sharedSecret)
        e.put(p + KEYS_BYTES + 32, magic)
        e.x.key_schedule(p, p + KEYS_BYTES, p + KEYS_BYTES + 32)
        const keys = e.take(p, KEYS_BYTES)
        const split = splitKeys(keys)
        keys.fill(0)
        return split
      }, [[0, KEYS_BYTES + 32]])
    },
    createCipher (lengthKey, aeadKey, provider) {
      if (provider !== undefined && provider !== e.provider) throw invalid(`the wasm backend has no provider "${provider}"`)
      return new WasmCipher(e, lengthKey, aeadKey)
    }
  }
  testing.set(backend, {
    ecdhX (ellTheirs, secretKey) {
      checkBytes(ellTheirs, 'ellTheirs64', 64)
      checkBytes(secretKey, 'seckey32', 32)
      return secretCall(128, (p) => {
        e.put(p + 32, ellTheirs)
        e.put(p + 96, secretKey)
        return e.x.ecdh_x(p, p + 32, p + 96) === 1 ? e.take(p, 32) : null
      }, [[0, 32], [96, 32]])
    },
    xswiftecInv (x, u, c) {
      checkBytes(x, 'x32', 32)
      checkBytes(u, 'u32', 32)
      return secretCall(96, (p) => {
        e.put(p + 32, x)
        e.put(p + 64, u)
        return e.x.xswiftec_inv(p, p + 32, p + 64, c) === 1 ? e.take(p, 32) : null
      }, [])
    },
    memory: () => e.bytes()
  })
  return backend
}

function isBytes (source: WasmSource): source is ArrayBuffer | ArrayBufferView {
  return source instanceof ArrayBuffer || ArrayBuffer.isView(source)
}

/** The module compiled, synchronously (Node, workers): a WasmSource to make backends from. */
export function compileWasm (bytes: ArrayBuffer | ArrayBufferView): WasmSource {
  return new WebAssembly.Module(bytes)
}

/** The wasm backend over `source`, compiled and instantiated at once: for Node, Bun, Deno and
 *  workers. A browser's main thread refuses to compile a module this size synchronously: use
 *  loadWasmBackend there. `random` is where the engine's and the handshake's randomness come from
 *  (default: the global `crypto.getRandomValues`, which Node 18 does not have). */
export function wasmBackendSync (source: WasmSource, random: RandomFill = webRandom): Backend {
  const module = isBytes(source) ? new WebAssembly.Module(source) : source
  let memory: Memory | undefined
  const instance = new WebAssembly.Instance(module, imports(() => memory!, random))
  memory = (instance.exports as unknown as Exports).memory
  return backendOf(engineOf(instance), random)
}

/** The wasm backend over `source` (the bytes of bip324.wasm, or bip324-scalar.wasm where
 *  hasSimd128() is false; or either compiled), compiled and instantiated off the main thread where
 *  the runtime can: what a browser page calls. Each call makes an instance of its own. */
export async function loadWasmBackend (source: WasmSource, random: RandomFill = webRandom): Promise<Backend> {
  let memory: Memory | undefined
  const instance = isBytes(source)
    ? (await WebAssembly.instantiate(source, imports(() => memory!, random))).instance
    : await WebAssembly.instantiate(source, imports(() => memory!, random))
  memory = (instance.exports as unknown as Exports).memory
  return backendOf(engineOf(instance), random)
}
