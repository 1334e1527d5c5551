// protocol/ is the sans-IO core: it must run where Node does not. Two checks: no file under
// lib/protocol names a Node API, and the core bundled with the js backend for a neutral platform
// (esbuild fails on any Node builtin) runs a whole handshake and BIP-324's packet vectors in a
// realm with no Buffer, process, require or timers, only what browsers, Deno and Bun all have.

import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { webcrypto } from 'node:crypto'

import { build, type Plugin } from 'esbuild'

import { FIXTURES } from './helpers/vectors'

const ROOT = path.join(__dirname, '..')
const PROTOCOL = path.join(ROOT, 'lib', 'protocol')

test('no file under lib/protocol imports node:* or uses Buffer or process', () => {
  const files = fs.readdirSync(PROTOCOL).filter((f) => f.endsWith('.ts'))
  expect(files.length).toBeGreaterThan(5)
  for (const file of files) {
    // Comments may name Node; code may not.
    const code = fs.readFileSync(path.join(PROTOCOL, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
    expect({ file, node: /from '(node:)?(crypto|fs|path|util|buffer|events|net|os)(\/[a-z]+)?'|from 'node:/.test(code) }).toEqual({ file, node: false })
    expect({ file, buffer: /\bBuffer\b/.test(code), process: /\bprocess\s*\./.test(code) }).toEqual({ file, buffer: false, process: false })
  }
})

// The native backend, and the Node loader of the wasm file, are what a browser bundle cannot have:
// they are replaced by the unavailable stubs that every runtime without them sees, so backend 'js'
// is the one that runs.
const withoutNative: Plugin = {
  name: 'without-native',
  setup (b) {
    b.onResolve({ filter: /^\.\/(native|wasm-node)$/ }, (args) => (args.importer.endsWith(path.join('crypto', 'index.ts')) ? { path: args.path.slice(2), namespace: 'stub' } : undefined))
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      contents: args.path === 'native'
        ? "export function nativeBackend () { throw Object.assign(new Error('no addon in this runtime'), { code: 'ERR_BIP324_NATIVE_UNAVAILABLE' }) }"
        : "export function wasmBackend () { throw Object.assign(new Error('no wasm file in this runtime'), { code: 'ERR_BIP324_WASM_UNAVAILABLE' }) }",
      loader: 'js'
    }))
  }
}

async function bundle (): Promise<{ code: string, inputs: string[] }> {
  const r = await build({
    stdin: {
      contents: "export { Protocol, Initialized } from './lib/protocol'",
      resolveDir: ROOT,
      loader: 'ts'
    },
    bundle: true,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    format: 'iife',
    globalName: 'bip324',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [withoutNative]
  })
  return { code: r.outputFiles[0]!.text, inputs: Object.keys(r.metafile.inputs) }
}

// Runs inside the bare realm: plain JavaScript (not compiled by the test runner), bytes as hex.
const SCENARIO = String.raw`
const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16))
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const { Protocol, Initialized } = bip324
const globals = ['Buffer', 'process', 'require', 'setTimeout', 'setImmediate', 'module'].filter((g) => typeof globalThis[g] !== 'undefined')

// Two protocols on the js backend: handshake, decoys and messages both ways.
const a = new Protocol({ role: 'initiator', backend: 'js', decoys: [5] })
const b = new Protocol({ role: 'responder', backend: 'js' })
b.start()
const toB = [a.start()]
const toA = []
const got = { a: [], b: [], events: [] }
for (let round = 0; round < 4; round++) {
  for (const chunk of toB.splice(0)) {
    const r = b.receive(chunk)
    toA.push(...r.send); got.b.push(...r.messages.map(toHex)); got.events.push(...r.events.map((e) => 'b:' + e.type))
    if (r.error) throw r.error
  }
  for (const chunk of toA.splice(0)) {
    const r = a.receive(chunk)
    toB.push(...r.send); got.a.push(...r.messages.map(toHex)); got.events.push(...r.events.map((e) => 'a:' + e.type))
    if (r.error) throw r.error
  }
  if (round === 1) { toB.push(a.send(hex('0102'))); toA.push(b.send(hex('ff'))) }
}

// BIP-324's packet vectors through the handshake states, as test/protocol-vectors does.
const vectors = rows.map((r) => {
  const start = Initialized.create({ role: r.in_initiating === '1' ? 'initiator' : 'responder', backend: 'js', secretKey: hex(r.in_priv_ours), ellswift: hex(r.in_ellswift_ours) })
  const { state, bytes: hello } = start.sendKey(hex(r.in_aad))
  const key = state.receiveKey(hex(r.in_ellswift_theirs))
  const unit = hex(r.in_contents)
  const contents = new Uint8Array(unit.length * Number(r.in_multiply))
  for (let at = 0; at < contents.length; at += unit.length) contents.set(unit, at)
  let packet
  let sent
  if (r.in_idx === '0') {
    sent = key.state.sendVersion({ version: contents })
    packet = sent.bytes.subarray(16)
  } else {
    sent = key.state.sendVersion()
    for (let i = 1; i < Number(r.in_idx); i++) sent.state.outbound.encrypt(new Uint8Array(0))
    packet = sent.state.outbound.encrypt(contents, r.in_ignore === '1' ? 'decoy' : 'genuine')
  }
  return {
    hello: toHex(hello) === r.in_ellswift_ours + r.in_aad,
    terminator: toHex(sent.bytes.subarray(0, 16)) === r.mid_send_garbage_terminator,
    packet: r.out_ciphertext !== '' ? toHex(packet) === r.out_ciphertext : toHex(packet.subarray(packet.length - 128)) === r.out_ciphertext_endswith,
    sessionId: toHex(sent.state.sessionId) === r.out_session_id
  }
})
;({ globals, same: toHex(a.sessionId) === toHex(b.sessionId), got, vectors })
`

test('the core with the js backend runs in a realm without Node: a handshake and every packet vector', async () => {
  const { code, inputs } = await bundle()
  // What the bundle is made of: our core, the js backend and its audited libraries (micro-packed is @scure/btc-signer's own),
  // and lib/esm.ts, which loads that backend on first use; nothing else.
  for (const input of inputs) expect(input).toMatch(/^(lib\/(protocol|crypto|errors|checks\.ts$|network|esm\.ts$)|node_modules\/(@noble\/|@scure\/|micro-packed\/)|stub:|<stdin>$)/)
  expect(inputs).toContain('lib/crypto/js.ts')
  const [header, ...lines] = fs.readFileSync(path.join(FIXTURES, 'packet_encoding_test_vectors.csv'), 'utf8').split('\r\n').filter((l) => l !== '')
  const columns = header!.split(',')
  const rows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])))
  // Web Crypto's getRandomValues and the encoding classes: web standards every runtime has.
  const realm = vm.createContext({
    crypto: { getRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a) },
    TextEncoder,
    TextDecoder,
    rows: JSON.parse(JSON.stringify(rows)) as unknown
  })
  vm.runInContext(code, realm)
  const result = JSON.parse(JSON.stringify(vm.runInContext(SCENARIO, realm))) as {
    globals: string[], same: boolean, got: { a: string[], b: string[], events: string[] }, vectors: Array<Record<string, boolean>>
  }
  expect(result.globals).toEqual([])
  expect(result.same).toBe(true)
  expect(result.got.b).toEqual(['0102'])
  expect(result.got.a).toEqual(['ff'])
  expect(result.got.events.sort()).toEqual(['a:handshake', 'b:decoy', 'b:handshake'])
  expect(result.vectors).toHaveLength(7)
  for (const v of result.vectors) expect(v).toEqual({ hello: true, terminator: true, packet: true, sessionId: true })
}, 120_000)
