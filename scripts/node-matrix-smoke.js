'use strict'
// Copied by scripts/node-matrix.js into a project where bip324 is installed, so that require and
// import resolve it as a user's code would; prints one JSON object saying what worked.
// Node 18 syntax and APIs only.

const path = require('node:path')

const bip324 = require('bip324')
const results = {
  node: process.version,
  napi: process.versions.napi,
  openssl: process.versions.openssl,
  // how the native engine judged this Node's OpenSSL (BIP324_OPENSSL as the caller set it)
  provider: bip324.nativeInfo().openssl,
  // the JS backend's @noble/@scure dependencies are ESM only: it needs require(esm)
  requireModule: Boolean(process.features && process.features.require_module)
}

// Two Protocol objects wired back to back: handshake, then packets both ways.
function roundTrip (backend) {
  const a = new bip324.Protocol({ role: 'initiator', backend })
  const b = new bip324.Protocol({ role: 'responder', backend })
  const deliver = (to, bytes) => {
    const r = to.receive(bytes)
    if (r.error) throw r.error
    return { bytes: Buffer.concat(r.send), messages: r.messages }
  }
  let toB = a.start()
  b.start()
  for (let i = 0; i < 8 && (a.state !== 'ready' || b.state !== 'ready'); i++) {
    const toA = toB.length ? deliver(b, toB).bytes : Buffer.alloc(0)
    toB = toA.length ? deliver(a, toA).bytes : Buffer.alloc(0)
  }
  if (a.state !== 'ready' || b.state !== 'ready') throw new Error(`handshake stuck: ${a.state}/${b.state}`)
  if (!Buffer.from(a.sessionId).equals(Buffer.from(b.sessionId))) throw new Error('session ids differ')
  const sizes = [0, 1, 100, 70000]
  for (const size of sizes) {
    const msg = Buffer.alloc(size, size & 0xff)
    const got = deliver(b, a.send(msg)).messages
    if (got.length !== 1 || !Buffer.from(got[0]).equals(msg)) throw new Error(`a->b ${size} bytes garbled`)
  }
  const batch = sizes.map((s) => Buffer.alloc(s, 7))
  const got = deliver(a, b.sendMany(batch)).messages
  if (got.length !== batch.length || got.some((m, i) => !Buffer.from(m).equals(batch[i]))) throw new Error('b->a batch garbled')
  a.destroy()
  b.destroy()
}

async function check (name, fn) {
  try {
    await fn()
    results[name] = 'ok'
  } catch (err) {
    results[name] = `${err.code || err.name}: ${String(err.message).split('\n')[0]}`
  }
}

async function main () {
  await check('prebuilt', () => {
    const file = require('node-gyp-build').path(path.dirname(require.resolve('bip324/package.json')))
    if (!file.includes(`${path.sep}prebuilds${path.sep}`)) throw new Error(`loaded ${file}`)
  })
  await check('native', () => roundTrip('native'))
  await check('wasm', () => roundTrip('wasm'))
  await check('esm', async () => {
    const ns = await import('bip324')
    if (ns.default !== bip324 || typeof ns.connect !== 'function' || typeof ns.createServer !== 'function') throw new Error('exports differ')
  })
  await check('js', () => roundTrip('js'))
  process.stdout.write(JSON.stringify(results) + '\n')
}

main()
