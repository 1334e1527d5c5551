#!/usr/bin/env node
'use strict'
// The sans-IO core and the wasm backend in a real browser (npm run test:browser): esbuild bundles
// bip324/browser (lib/browser.ts: lib/protocol with lib/crypto/wasm) for the browser, with no
// stubs: esbuild refuses a Node builtin anywhere in what the entry pulls in, and the check below
// refuses the addon's or the Node wasm loader's files; a server on 127.0.0.1 serves a page with it, both .wasm files and BIP-324's vectors,
// and Debian's headless Chromium loads the page. The page compiles each module with
// loadWasmBackend (asynchronous, as a browser's main thread needs), runs every packet vector
// through the handshake states, every ellswift_decode vector, every xswiftec_inv vector, and a
// full handshake between two Protocols with messages both ways, then posts what it got back to
// the server; this script checks it. One line per check, then 'N passed, N failed'.
//
// Chromium: /usr/bin/chromium (BIP324_CHROMIUM to override); when it is missing and we run as
// root, Debian's package is installed (as the fuzz toolchain is), else the run fails saying so.
// Not part of `npm test` (Chromium is not on a fresh machine): .ci/run runs it as a deep check.
//
// Usage: node scripts/browser-test.js

const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')

const { REALM_SCENARIOS } = require('./realm-scenarios')

const ROOT = path.resolve(__dirname, '..')
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'bip324')
const CHROMIUM = process.env.BIP324_CHROMIUM || '/usr/bin/chromium'
const TIMEOUT_MS = 180000
// Chromium as root on a machine with no network but loopback: no sandbox (root), no GPU, and none
// of the background connections it would otherwise keep trying.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

function ensureChromium () {
  if (fs.existsSync(CHROMIUM)) return
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`)
  process.stderr.write('browser-test: installing Debian\'s chromium\n')
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`)
  }
}

async function bundle () {
  const { build } = require('esbuild')
  const r = await build({
    stdin: {
      // What bip324/browser exports (lib/browser.ts), and the vectors' entry points beside it.
      contents: "export * from './lib/browser'\nexport { wasmTesting } from './lib/crypto/wasm'",
      resolveDir: ROOT,
      loader: 'ts'
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'bip324',
    write: false,
    metafile: true,
    logLevel: 'silent'
  })
  return { code: r.outputFiles[0].text, inputs: Object.keys(r.metafile.inputs) }
}

// The page's script: plain JavaScript, run by Chromium.
const PAGE = String.raw`
${REALM_SCENARIOS}
const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16))
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const csv = async (name) => {
  const [header, ...lines] = (await (await fetch('/vectors/' + name)).text()).split('\r\n').filter((l) => l !== '')
  const columns = header.split(',')
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])))
}
const { Protocol, Initialized, hasSimd128, loadWasmBackend, wasmTesting } = bip324

async function run (file) {
  const backend = await loadWasmBackend(await (await fetch('/wasm/' + file)).arrayBuffer())
  const out = { file, provider: backend.providers[0], packets: [], decode: [], inverse: [] }
  for (const r of await csv('packet_encoding_test_vectors.csv')) out.packets.push(Object.values(packetVector(r, { backend })).every(Boolean))
  for (const r of await csv('ellswift_decode_test_vectors.csv')) out.decode.push(toHex(backend.ellswiftDecode(hex(r.ellswift))) === r.x)
  const t = wasmTesting(backend)
  for (const r of await csv('xswiftec_inv_test_vectors.csv')) {
    for (let c = 0; c < 8; c++) {
      const got = t.xswiftecInv(hex(r.x), hex(r.u), c)
      out.inverse.push((got === null ? '' : toHex(got)) === r['case' + c + '_t'])
    }
  }
  // Two Protocols on this backend: the handshake, a decoy, and messages both ways (one of 1 MiB).
  const a = new Protocol({ role: 'initiator', backend, decoys: [5] })
  const b = new Protocol({ role: 'responder', backend })
  const big = new Uint8Array(1 << 20).map((_, i) => i * 7)
  const show = (m) => m.length > 64 ? 'big:' + (toHex(m) === toHex(big)) : toHex(m)
  const got = exchange(a, b, show, () => [[hex('0102')], [hex('ff'), big]])
  out.handshake = { same: a.sessionId !== null && toHex(a.sessionId) === toHex(b.sessionId), got }
  return out
}

(async () => {
  let result
  try {
    result = { simd128: hasSimd128(), node: ['process', 'Buffer', 'require'].filter((g) => typeof globalThis[g] !== 'undefined'), modules: [] }
    for (const file of ['bip324.wasm', 'bip324-scalar.wasm']) result.modules.push(await run(file))
  } catch (err) {
    result = { error: String(err && err.stack || err) }
  }
  await fetch('/result', { method: 'POST', body: JSON.stringify(result) })
  document.body.textContent = 'done'
})()
`

function serve (files) {
  let deliver
  const result = new Promise((resolve) => { deliver = resolve })
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = ''
      req.on('data', (d) => { body += d })
      req.on('end', () => { res.end('ok'); deliver(JSON.parse(body)) })
      return
    }
    const file = files[req.url]
    if (file === undefined) { res.statusCode = 404; res.end(); return }
    res.setHeader('content-type', file.type)
    res.end(file.body)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, result, port: server.address().port })))
}

async function main () {
  ensureChromium()
  const { code, inputs } = await bundle()
  const wasmDir = path.join(ROOT, 'wasm')
  const files = {
    '/': { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>bip324</title><body>running<script src="/bundle.js"></script><script src="/page.js"></script></body>' },
    '/bundle.js': { type: 'text/javascript', body: code },
    '/page.js': { type: 'text/javascript', body: PAGE },
    '/wasm/bip324.wasm': { type: 'application/wasm', body: fs.readFileSync(path.join(wasmDir, 'bip324.wasm')) },
    '/wasm/bip324-scalar.wasm': { type: 'application/wasm', body: fs.readFileSync(path.join(wasmDir, 'bip324-scalar.wasm')) }
  }
  for (const f of fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.csv'))) {
    files[`/vectors/${f}`] = { type: 'text/csv', body: fs.readFileSync(path.join(FIXTURES, f)) }
  }
  const rows = (f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8').split('\r\n').filter((l) => l !== '').length - 1
  const expected = { packets: rows('packet_encoding_test_vectors.csv'), decode: rows('ellswift_decode_test_vectors.csv'), inverse: 8 * rows('xswiftec_inv_test_vectors.csv') }
  const { server, result, port } = await serve(files)
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-chromium-'))
  const chromium = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  let stderr = ''
  chromium.stderr.on('data', (d) => { stderr += d })
  const exited = new Promise((resolve) => chromium.on('exit', resolve))
  const version = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim()
  let timer
  const got = await Promise.race([
    result,
    new Promise((resolve) => { timer = setTimeout(() => resolve({ error: `no result within ${TIMEOUT_MS / 1000} s; chromium said: ${stderr.slice(-2000)}` }), TIMEOUT_MS) }),
    exited.then((c) => ({ error: `chromium exited (${c}) before the page reported: ${stderr.slice(-2000)}` }))
  ])
  clearTimeout(timer)
  // Its own process group: Chromium's helper processes go with it.
  try { process.kill(-chromium.pid, 'SIGTERM') } catch {}
  await exited
  server.close()
  fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })

  const checks = []
  const check = (name, ok, detail = '') => checks.push({ name, ok, detail })
  check('the bundle holds the core and the wasm backend, and neither the addon nor a Node loader',
    inputs.every((i) => /^(lib\/(protocol|crypto|(browser|errors|checks|network|esm|bytes|uninitialized|v1-header)\.ts$)|(.*\/)?node_modules\/(@noble\/|@scure\/|micro-packed\/)|<stdin>$)/.test(i)) &&
    inputs.includes('lib/crypto/wasm.ts') && !inputs.some((i) => /crypto\/(native|wasm-node)\.ts$|lib\/native\//.test(i)),
  inputs.filter((i) => !i.includes('node_modules/')).join(' '))
  if (got.error !== undefined) {
    check('the page ran', false, got.error)
  } else {
    check(`the page ran in ${version}, with SIMD128, and no Node globals`, got.simd128 === true && got.node.length === 0, JSON.stringify(got.node))
    for (const m of got.modules) {
      const all = (list) => list.length > 0 && list.every(Boolean)
      check(`${m.file} (${m.provider}): ${m.packets.length} packet vectors`, m.packets.length === expected.packets && all(m.packets))
      check(`${m.file} (${m.provider}): ${m.decode.length} ellswift_decode vectors`, m.decode.length === expected.decode && all(m.decode))
      check(`${m.file} (${m.provider}): ${m.inverse.length} xswiftec_inv cases (${expected.inverse / 8} rows of 8)`, m.inverse.length === expected.inverse && all(m.inverse))
      const h = m.handshake
      check(`${m.file} (${m.provider}): a handshake between two Protocols, a decoy, messages both ways (one of 1 MiB)`,
        h.same && JSON.stringify(h.got.b) === '["0102"]' && JSON.stringify(h.got.a) === '["ff","big:true"]' &&
        JSON.stringify(h.got.events.sort()) === '["a:handshake","b:decoy","b:handshake"]', JSON.stringify(h.got))
    }
    check('both modules ran', got.modules.map((m) => m.provider).join() === 'simd128,scalar')
  }
  for (const c of checks) console.log(`browser: ${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.ok || !c.detail ? '' : `: ${c.detail}`}`)
  const failed = checks.filter((c) => !c.ok).length
  console.log(`${checks.length - failed} passed, ${failed} failed`)
  process.exitCode = failed === 0 ? 0 : 1
}

main().catch((err) => {
  console.error(`browser-test: ${err.stack || err}`)
  console.log('0 passed, 1 failed')
  process.exitCode = 1
})
