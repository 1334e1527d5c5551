#!/usr/bin/env node
'use strict'
// What a platform's real Node runs against the installed package to prove a prebuild: the loader
// (which file, which provider), every row of BIP-324's packet_encoding_test_vectors.csv on the
// native backend with each provider the engine offers and on the wasm backend (the package's
// wasm/ module this runtime loads), and a loopback handshake that echoes messages of 0 B to 1 MiB. Plain JavaScript with no dependency but the package, so it runs under emulators
// (qemu, wine) as it is; the result goes to a file, since wine's console is not a pipe.
//
// Usage (cwd: an app with bip324 installed): node platform-smoke.js <vectors.csv> <result.json>
// Writes { ok, platform, node, addon, provider, providers, vectors, wasm, wasmVectors, echo, errors }; exits 0 if ok.

const fs = require('node:fs')
const { once } = require('node:events')

const [csvPath, outPath] = process.argv.slice(2)
const errors = []
const result = { ok: false, platform: `${process.platform}-${process.arch}`, node: process.version, errors }

function write () {
  result.ok = errors.length === 0
  fs.writeFileSync(outPath, JSON.stringify(result, null, 2) + '\n')
}

const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'))
const toHex = (b) => Buffer.from(b).toString('hex')

// The CSV has no quoted fields: every cell is hex or a small integer.
function rows (text) {
  const [head, ...lines] = text.trim().split(/\r?\n/)
  const names = head.split(',')
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [names[i], cell])))
}

function vectorRow (bip324, backend, r, provider) {
  const initiating = r.in_initiating === '1'
  const secret = backend.ecdh(hex(r.in_ellswift_ours), hex(r.in_ellswift_theirs), hex(r.in_priv_ours), initiating)
  if (toHex(secret) !== r.mid_shared_secret) throw new Error('mid_shared_secret')
  const keys = backend.keySchedule(secret, bip324.magicOf('mainnet'))
  if (toHex(keys.sessionId) !== r.out_session_id) throw new Error('out_session_id')
  const [l, p] = initiating ? [keys.initiatorL, keys.initiatorP] : [keys.responderL, keys.responderP]
  const send = backend.createCipher(l, p, provider)
  const recv = backend.createCipher(l, p, provider)
  const expansion = bip324.NUM_PACKET_OVERHEAD_BYTES
  const empty = new Uint8Array(0)
  for (let i = 0; i < Number(r.in_idx); i++) {
    const e = new Uint8Array(expansion)
    send.encrypt(e, empty, empty, 0)
    if (recv.decryptLength(e.subarray(0, 3)) !== 0 || recv.decrypt(empty, e.subarray(3), empty) !== 0) throw new Error('empty packet')
  }
  const unit = hex(r.in_contents)
  const contents = new Uint8Array(unit.length * Number(r.in_multiply))
  for (let i = 0; i < Number(r.in_multiply); i++) contents.set(unit, i * unit.length)
  const packet = new Uint8Array(contents.length + expansion)
  send.encrypt(packet, contents, hex(r.in_aad), r.in_ignore === '1' ? 0x80 : 0)
  const got = r.out_ciphertext !== '' ? toHex(packet) : toHex(packet.subarray(packet.length - 128))
  if (got !== (r.out_ciphertext || r.out_ciphertext_endswith)) throw new Error('out_ciphertext')
  if (recv.decryptLength(packet.subarray(0, 3)) !== contents.length) throw new Error('decrypted length')
  const plain = new Uint8Array(contents.length)
  recv.decrypt(plain, packet.subarray(3), hex(r.in_aad))
  if (Buffer.compare(plain, contents) !== 0) throw new Error('decrypted contents')
  send.destroy()
  recv.destroy()
}

async function echo (bip324) {
  const sizes = [0, 1, 64, 1000, 65536, 1 << 20]
  const server = bip324.createServer((c) => {
    c.on('data', (m) => c.write(m))
    c.on('error', () => {})
  })
  const { port } = await server.listenAsync(0, '127.0.0.1')
  const client = await bip324.connectAsync(port, '127.0.0.1')
  const echoed = []
  for (const size of sizes) {
    const message = new Uint8Array(size).map((_, i) => (i * 7 + size) & 0xff)
    client.write(message)
    const [back] = await once(client, 'data')
    if (Buffer.compare(Buffer.from(back), Buffer.from(message)) !== 0) throw new Error(`echo of ${size} bytes differs`)
    echoed.push(size)
  }
  client.end()
  await server[Symbol.asyncDispose]()
  return echoed
}

async function main () {
  const bip324 = require('bip324')
  const info = bip324.nativeInfo()
  result.addon = require('node-gyp-build').path(require('node:path').dirname(require.resolve('bip324/package.json')))
  result.provider = info.provider
  result.providers = info.providers
  result.nativeInfo = info
  const table = rows(fs.readFileSync(csvPath, 'utf8'))
  result.vectors = 0
  for (const provider of info.providers) {
    table.forEach((r, i) => {
      try {
        vectorRow(bip324, bip324.nativeBackend(), r, provider)
        result.vectors++
      } catch (err) {
        errors.push(`vector row ${i + 1} (${provider}): ${err.message}`)
      }
    })
  }
  const wasm = bip324.wasmBackend()
  result.wasm = wasm.providers
  result.wasmVectors = 0
  table.forEach((r, i) => {
    try {
      vectorRow(bip324, wasm, r, undefined)
      result.wasmVectors++
    } catch (err) {
      errors.push(`vector row ${i + 1} (wasm): ${err.message}`)
    }
  })
  result.echo = await echo(bip324)
}

main().catch((err) => errors.push(err.stack || String(err))).finally(() => {
  write()
  process.exitCode = errors.length === 0 ? 0 : 1
})
