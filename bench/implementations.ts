/**
 * The packet ciphers compared, each as "encrypt N packets" and "decrypt N packets" loops:
 * the raw C floor (the engine's own C loop), the native engine through the JavaScript API per
 * provider, the N-API floor under that API, the same engine compiled to WebAssembly, the pure-JS backend, and node:crypto's chacha20-poly1305 arranged as BIP-324 says
 * (what a user would write with built-ins: test/reference).
 */

import { jsBackend, nativeBackend, nativeInfo, type PacketCipher, wasmBackend } from '../lib'
import { RAW_BENCH, testingAddon } from '../test/helpers/testing-addon'
import { RefPacketCipher } from '../test/reference/fschacha'
import { elapsed, type Loop } from './harness'

const EMPTY = new Uint8Array(0)
const KEY = new Uint8Array(32).fill(7)

export type Operation = 'encrypt' | 'decrypt' | 'roundtrip'

export interface Implementation {
  name: string
  /** A loop of `op` on `size`-byte contents. */
  loop: (op: Operation, size: number) => Loop
  /** The operations it has a loop for; every one when absent. */
  ops?: readonly Operation[]
}

function rawC (provider: string): Implementation {
  return { name: `raw C (${provider})`, loop: (op, size) => (n) => testingAddon().bench(RAW_BENCH[op], provider, size, n) }
}

// The engine's per-packet path as it was before issue 17 (native/bench_baseline.c), frozen: what
// the raw C rows are compared with in the same run. A round trip only.
function rawBaseline (provider: string): Implementation {
  return {
    name: `raw C baseline (${provider})`,
    ops: ['roundtrip'],
    loop: (_op, size) => (n) => testingAddon().bench(RAW_BENCH.baselineRoundtrip, provider, size, n)
  }
}

// What N-API alone costs a round trip through the JS API: calls that take and check what encrypt
// and decrypt take (a handle, two buffers, a number) and call no engine, one per API call (encrypt;
// decryptLength and decrypt). A round trip only.
const napiFloor: Implementation = {
  name: 'N-API floor',
  ops: ['roundtrip'],
  loop: (_op, size) => (n) => {
    const addon = testingAddon()
    const handle = addon.floorHandle()
    const packet = new Uint8Array(size + 20)
    const contents = new Uint8Array(size)
    return elapsed(() => {
      for (let i = 0; i < n; i++) {
        addon.callFloor(handle, packet, contents, 0)
        addon.callFloor(handle, contents, packet, 0)
        addon.callFloor(handle, contents, packet, 0)
      }
    })
  }
}

// Packets encrypted ahead, so that a decrypt loop times decryption alone.
function sealed (make: () => PacketCipher, size: number, n: number): Uint8Array[] {
  const c = make()
  const contents = new Uint8Array(size)
  return Array.from({ length: n }, () => {
    const out = new Uint8Array(size + 20)
    c.encrypt(out, contents, EMPTY, 0)
    return out
  })
}

// Each packet is decrypted as a stream reader does it: decryptLength, then decrypt, on views of the
// packet made ahead (a reader holds its buffers), so the loop times the two calls alone.
function api (name: string, make: () => PacketCipher): Implementation {
  return {
    name,
    loop: (op, size) => (n) => {
      const contents = new Uint8Array(size)
      const plain = new Uint8Array(size)
      const send = make()
      const recv = make()
      const packets = op === 'decrypt' ? sealed(make, size, n) : [new Uint8Array(size + 20)]
      const lengths = packets.map((p) => p.subarray(0, 3))
      const bodies = packets.map((p) => p.subarray(3))
      return elapsed(() => {
        for (let i = 0; i < n; i++) {
          const at = op === 'decrypt' ? i : 0
          if (op !== 'decrypt') send.encrypt(packets[at]!, contents, EMPTY, 0)
          if (op !== 'encrypt') {
            recv.decryptLength(lengths[at]!)
            recv.decrypt(plain, bodies[at]!, EMPTY)
          }
        }
      })
    }
  }
}

const nodeCrypto: Implementation = {
  name: 'node:crypto',
  loop: (op, size) => (n) => {
    const contents = new Uint8Array(size)
    const send = new RefPacketCipher(KEY, KEY)
    const recv = new RefPacketCipher(KEY, KEY)
    const ahead = new RefPacketCipher(KEY, KEY)
    const packets = op === 'decrypt' ? Array.from({ length: n }, () => ahead.encrypt(contents, EMPTY, 0)) : []
    return elapsed(() => {
      for (let i = 0; i < n; i++) {
        const packet = op === 'decrypt' ? packets[i]! : send.encrypt(contents, EMPTY, 0)
        if (op !== 'encrypt') recv.decrypt(packet, EMPTY)
      }
    })
  }
}

export function implementations (): Implementation[] {
  const providers = nativeInfo().providers
  const nat = nativeBackend()
  const js = jsBackend()
  const wasm = wasmBackend()
  return [
    ...providers.map(rawC),
    ...providers.map(rawBaseline),
    ...providers.map((p) => api(`native (${p})`, () => nat.createCipher(KEY, KEY, p))),
    napiFloor,
    ...wasm.providers.map((p) => api(`wasm (${p})`, () => wasm.createCipher(KEY, KEY, p))),
    api('js (noble)', () => js.createCipher(KEY, KEY)),
    nodeCrypto
  ]
}
