/**
 * The wasm engine against the native one, packet by packet: the same keys, the same contents,
 * aad and header go through both, and everything they say must agree: the encrypted bytes, the
 * lengths, the headers (or -1 for a packet one of them rejects), the plaintext, and for a batch
 * of packets (possibly damaged) status, packets, consumed and pending. The input is the
 * contents; params say how they are cut into packets, and which byte of the wire is flipped.
 */

import { nativeBackend, type PacketCipher, wasmBackend } from '../../lib'
import { NUM_PACKET_OVERHEAD_BYTES as EXPANSION } from '../../lib/crypto/packet-format'
import { check, equal, type Target } from './case'
import { toHex } from '../../test/helpers/bytes'
import { cuts, chunksOf } from './mutate'

const wasm = wasmBackend()
const nat = nativeBackend()

export function backendTargets (): Target[] {
  return [{
    name: 'crypto.wasm-native',
    weight: 2,
    gen: (rng) => {
      const bytes = rng.bytes(rng.size(rng.chance(0.05) ? 300_000 : 3000))
      return {
        bytes,
        cuts: cuts(rng, bytes.length, [], 40),
        params: {
          keys: toHex(rng.bytes(64)),
          aad: toHex(rng.bytes(rng.chance(0.5) ? 0 : rng.size(100))),
          decoys: rng.int(256),
          // Packets sent before, so that the keys have moved on (224 a rekey).
          skip: rng.chance(0.3) ? rng.range(200, 500) : rng.int(5),
          flip: rng.chance(0.5) ? -1 : rng.int(1 << 20),
          batch: rng.chance(0.5)
        }
      }
    },
    run: (c) => {
      const keys = Buffer.from(String(c.params.keys), 'hex')
      const make = (): [PacketCipher, PacketCipher, PacketCipher, PacketCipher] =>
        [wasm.createCipher(keys.subarray(0, 32), keys.subarray(32)), nat.createCipher(keys.subarray(0, 32), keys.subarray(32)),
          wasm.createCipher(keys.subarray(0, 32), keys.subarray(32)), nat.createCipher(keys.subarray(0, 32), keys.subarray(32))]
      const [ws, ns, wr, nr] = make()
      const none = new Uint8Array(0)
      for (let i = 0; i < Number(c.params.skip); i++) {
        for (const [send, recv] of [[ws, wr], [ns, nr]] as const) {
          const e = new Uint8Array(EXPANSION)
          send.encrypt(e, none, none, 0)
          recv.decryptLength(e.subarray(0, 3))
          recv.decrypt(none, e.subarray(3), none)
        }
      }
      const aad = Buffer.from(String(c.params.aad), 'hex')
      const wire: Uint8Array[] = []
      chunksOf(c.bytes, c.cuts).forEach((contents, i) => {
        const header = (Number(c.params.decoys) >> (i % 8)) & 1 ? 0x80 : 0
        const a = i === 0 ? aad : none
        const w = new Uint8Array(contents.length + EXPANSION)
        const n = new Uint8Array(contents.length + EXPANSION)
        ws.encrypt(w, contents, a, header)
        ns.encrypt(n, contents, a, header)
        check(equal(w, n), 'wasm and native encrypt differently', () => `packet ${i} of ${contents.length} bytes`)
        wire.push(w)
      })
      const all = new Uint8Array(Buffer.concat(wire))
      const flip = Number(c.params.flip)
      if (flip >= 0 && all.length > 0) all[flip % all.length]! ^= 1 << (flip % 8)
      if (c.params.batch === true && aad.length === 0) {
        const wp = new Uint8Array(all.length)
        const np = new Uint8Array(all.length)
        const w = wr.decryptBatch(wp, all, 1 << 20)
        const n = nr.decryptBatch(np, all, 1 << 20)
        check(w.status === n.status && w.consumed === n.consumed && w.pending === n.pending && w.packets.length === n.packets.length &&
          w.packets.every((p, i) => p.header === n.packets[i]!.header && equal(p.contents, n.packets[i]!.contents)),
        'wasm and native decrypt a batch differently', () => `${w.status}/${n.status}, ${w.packets.length}/${n.packets.length} packets`)
        for (const x of [ws, ns, wr, nr]) x.destroy()
        return `batch ${w.status}`
      }
      let at = 0
      let outcome = 'delivered'
      for (let i = 0; i < wire.length; i++) {
        const len3 = all.subarray(at, at + 3)
        const wl = wr.decryptLength(len3)
        const nl = nr.decryptLength(len3)
        check(wl === nl, 'wasm and native decrypt a length differently', () => `${wl} vs ${nl}`)
        const body = all.subarray(at + 3, at + wire[i]!.length)
        if (wl !== wire[i]!.length - EXPANSION) { outcome = 'length changed'; break }
        const a = i === 0 ? aad : none
        const wp = new Uint8Array(wl)
        const np = new Uint8Array(wl)
        const wh = wr.decrypt(wp, body, a)
        const nh = nr.decrypt(np, body, a)
        check(wh === nh && equal(wp, np), 'wasm and native decrypt a packet differently', () => `packet ${i}: header ${wh} vs ${nh}`)
        if (wh < 0) { outcome = 'bad mac'; break }
        at += wire[i]!.length
      }
      for (const x of [ws, ns, wr, nr]) x.destroy()
      return outcome
    }
  }]
}
