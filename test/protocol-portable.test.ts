// protocol/ is the sans-IO core: it must run where Node does not. Two checks: no file under
// lib/protocol names a Node API, and the core bundled for a neutral platform (esbuild fails on any
// Node builtin anywhere in what it pulls in, so the check is transitive) runs a whole handshake and
// BIP-324's packet vectors with default options in a realm with no Buffer, process, require or
// timers, only what browsers, Deno and Bun all have.

import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { webcrypto } from 'node:crypto'

import { build } from 'esbuild'

import { FIXTURES } from './helpers/vectors'

// The scenarios the browser test runs too, as source text (scripts/ is plain CommonJS).
const { REALM_SCENARIOS } = require('../scripts/realm-scenarios') as { REALM_SCENARIOS: string }

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
    logLevel: 'silent'
  })
  return { code: r.outputFiles[0]!.text, inputs: Object.keys(r.metafile.inputs) }
}

// Runs inside the bare realm: plain JavaScript (not compiled by the test runner), bytes as hex.
const SCENARIO = String.raw`
${REALM_SCENARIOS}
const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16))
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const { Protocol, Initialized } = bip324
const globals = ['Buffer', 'process', 'require', 'setTimeout', 'setImmediate', 'module'].filter((g) => typeof globalThis[g] !== 'undefined')

// Two protocols on the js backend: handshake, decoys and messages both ways.
// Default options: 'auto' takes the js backend here, with one warning; 'native' is refused, typed.
const a = new Protocol({ role: 'initiator', decoys: [5] })
const b = new Protocol({ role: 'responder' })
let nativeRefused
try { new Protocol({ role: 'initiator', backend: 'native' }) } catch (err) { nativeRefused = err.code }
const got = exchange(a, b, toHex, () => [[hex('0102')], [hex('ff')]])

// BIP-324's packet vectors through the handshake states.
const vectors = rows.map((r) => packetVector(r, {}))
;({ globals, nativeRefused, same: toHex(a.sessionId) === toHex(b.sessionId), got, vectors })
`

test('the core with default options runs in a realm without Node: a handshake and every packet vector', async () => {
  const { code, inputs } = await bundle()
  // What the bundle is made of: our core, the js backend and its audited libraries (micro-packed is @scure/btc-signer's own),
  // and lib/esm.ts, which loads that backend on first use; nothing else.
  for (const input of inputs) expect(input).toMatch(/^(lib\/(protocol|crypto|errors|(checks|bytes|uninitialized|v1-header|esm)\.ts$|network)|node_modules\/(@noble\/|@scure\/|micro-packed\/)|<stdin>$)/)
  expect(inputs).not.toContain('lib/crypto/native.ts')
  expect(inputs).toContain('lib/crypto/js.ts')
  const [header, ...lines] = fs.readFileSync(path.join(FIXTURES, 'packet_encoding_test_vectors.csv'), 'utf8').split('\r\n').filter((l) => l !== '')
  const columns = header!.split(',')
  const rows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])))
  // Web Crypto's getRandomValues and the encoding classes: web standards every runtime has.
  const warnings: string[] = []
  const realm = vm.createContext({
    console: { warn: (message: string) => warnings.push(message) },
    crypto: { getRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a) },
    TextEncoder,
    TextDecoder,
    rows: JSON.parse(JSON.stringify(rows)) as unknown
  })
  vm.runInContext(code, realm)
  const result = JSON.parse(JSON.stringify(vm.runInContext(SCENARIO, realm))) as {
    globals: string[], nativeRefused: string, same: boolean, got: { a: string[], b: string[], events: string[] }, vectors: Array<Record<string, boolean>>
  }
  expect(result.globals).toEqual([])
  expect(result.nativeRefused).toBe('ERR_BIP324_NATIVE_UNAVAILABLE')
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toMatch(/^bip324: using the js backend: the native backend is not loaded in this runtime/)
  expect(result.same).toBe(true)
  expect(result.got.b).toEqual(['0102'])
  expect(result.got.a).toEqual(['ff'])
  expect(result.got.events.sort()).toEqual(['a:handshake', 'b:decoy', 'b:handshake'])
  expect(result.vectors).toHaveLength(7)
  for (const v of result.vectors) expect(v).toEqual({ hello: true, terminator: true, packet: true, sessionId: true })
}, 120_000)
