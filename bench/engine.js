#!/usr/bin/env node
'use strict'
// The native engine through the JavaScript API against its raw C floor (the same engine calls looped
// in C), per provider, in one run. Ratios are what to read: absolute times on shared machines are noise.
// Usage: node bench/engine.js [--quick]

const { nativeBackend, nativeInfo } = require('..')
const { native } = require('../dist/native/binding')

const quick = process.argv.includes('--quick')
const SAMPLES = quick ? 3 : 7
const EMPTY = new Uint8Array(0)

function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

// Iterations so that one sample takes about `ms` milliseconds.
function iterationsFor (size, ms) {
  return Math.max(20, Math.floor((ms * 1e6) / (300 + size * 0.6)))
}

function jsRoundTrip (backend, provider, size, iterations) {
  const key = new Uint8Array(32).fill(7)
  const send = backend.createCipher(key, key, provider)
  const recv = backend.createCipher(key, key, provider)
  const contents = new Uint8Array(size)
  const packet = new Uint8Array(size + 20)
  const plain = new Uint8Array(size)
  const len3 = packet.subarray(0, 3)
  const body = packet.subarray(3)
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) {
    send.encrypt(packet, contents, EMPTY, 0)
    recv.decryptLength(len3)
    recv.decrypt(plain, body, EMPTY)
  }
  const ns = Number(process.hrtime.bigint() - start)
  send.destroy()
  recv.destroy()
  return ns
}

// 1,000 small packets per call each way: encryptBatch into one buffer, decryptBatch out of it.
function jsBatch (backend, provider, size, count, iterations) {
  const key = new Uint8Array(32).fill(7)
  const send = backend.createCipher(key, key, provider)
  const recv = backend.createCipher(key, key, provider)
  const items = Array.from({ length: count }, () => new Uint8Array(size))
  const wire = new Uint8Array(count * (size + 20))
  const plain = new Uint8Array(count * size)
  const meta = new Uint32Array(4 + 3 * count)
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) {
    send.encryptBatch(wire, items)
    recv.decryptBatch(plain, meta, wire, 4000013)
  }
  const ns = Number(process.hrtime.bigint() - start)
  send.destroy()
  recv.destroy()
  return ns
}

function jsHandshake (backend, iterations) {
  const magic = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9)
  const theirs = backend.keygen().ellswift
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) {
    const ours = backend.keygen()
    const secret = backend.ecdh(ours.ellswift, theirs, ours.secretKey, true)
    backend.keySchedule(secret, magic)
  }
  return Number(process.hrtime.bigint() - start)
}

function measure (fn, iterations) {
  fn(Math.max(1, iterations >> 3)) // warm-up
  return median(Array.from({ length: SAMPLES }, () => fn(iterations) / iterations))
}

function fmtTime (ns) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} us` : `${ns.toFixed(0)} ns`
}

function main () {
  const info = nativeInfo()
  const addon = native()
  const backend = nativeBackend()
  console.log(`node ${process.version}, libsodium ${info.sodium} (ChaCha20 ${info.chacha20}, Poly1305 ${info.poly1305}), ` +
    `providers: ${info.providers.join(', ')}\n`)
  console.log('| provider | contents | raw C enc+dec | JS API enc+dec | JS API / raw C | JS API throughput (each way) |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  const sizes = quick ? [32, 1024, 1 << 20] : [0, 32, 256, 1024, 65536, 1 << 20, 4000000]
  for (const provider of info.providers) {
    for (const size of sizes) {
      const iterations = iterationsFor(size, quick ? 40 : 150)
      const raw = measure((n) => addon.bench(2, provider, size, n), iterations)
      const js = measure((n) => jsRoundTrip(backend, provider, size, n), iterations)
      const gbps = size > 0 ? `${(size / (js / 2)).toFixed(2)} GB/s` : '-'
      console.log(`| ${provider} | ${size} B | ${fmtTime(raw)} | ${fmtTime(js)} | ${(js / raw).toFixed(2)}x | ${gbps} |`)
    }
  }
  console.log('\n| provider | 1,000 x 32 B packets | raw C, one call per packet | JS API batch calls | batch / raw C |')
  console.log('| --- | --- | ---: | ---: | ---: |')
  for (const provider of info.providers) {
    const iterations = quick ? 20 : 100
    const raw = measure((n) => addon.bench(2, provider, 32, n * 1000), iterations)
    const batch = measure((n) => jsBatch(backend, provider, 32, 1000, n), iterations)
    console.log(`| ${provider} | enc+dec | ${fmtTime(raw)} | ${fmtTime(batch)} | ${(batch / raw).toFixed(2)}x |`)
  }

  const hsIterations = quick ? 200 : 1000
  const rawHs = measure((n) => addon.bench(3, undefined, 0, n), hsIterations)
  const jsHs = measure((n) => jsHandshake(backend, n), hsIterations)
  console.log('\n| keygen + ECDH + key schedule (one side) | raw C | JS API | JS API / raw C |')
  console.log('| --- | ---: | ---: | ---: |')
  console.log(`| native | ${fmtTime(rawHs)} | ${fmtTime(jsHs)} | ${(jsHs / rawHs).toFixed(2)}x |`)
}

main()
