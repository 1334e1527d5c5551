#!/usr/bin/env node
'use strict'
// The README's demo until the `bip324` CLI lands: shows what the native engine was built with and
// decodes an ElligatorSwift public key, the 64-byte form BIP-324 peers exchange first.
const crypto = require('node:crypto')
const { nativeInfo, nativeBackend } = require('..')

const info = nativeInfo()
console.log('bip324 native engine')
console.log(`  libsecp256k1 ${info.secp256k1}, libsodium ${info.sodium}`)
console.log(`  packet primitives from ${info.provider} (available: ${info.providers.join(', ')})`)
console.log(`  libsodium picks ChaCha20: ${info.chacha20}, Poly1305: ${info.poly1305} ` +
  `(CPU: ${Object.entries(info.cpu).filter(([, on]) => on).map(([f]) => f).join(', ') || 'no SIMD'})`)

// Every 64-byte string is a valid encoding, which is why a v2 handshake looks like random bytes.
const ell64 = crypto.randomBytes(64)
console.log(`\nElligatorSwift key  ${ell64.toString('hex')}`)
console.log(`decodes to x        ${Buffer.from(nativeBackend().ellswiftDecode(ell64)).toString('hex')}`)
