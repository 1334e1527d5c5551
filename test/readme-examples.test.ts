// Every fenced block of README.md and docs/*.md runs as a user would run it, so a broken example
// fails `npm test`: JavaScript as a program of its own importing `bip324` by name (an .mjs when it
// has import/export statements, else a .cjs), TypeScript type-checked strictly against the
// published declarations and then run, shell blocks under bash with the `bip324` command on PATH.
// Each must exit 0 by itself within the deadline (no socket left open) and write nothing to
// stderr. A block that cannot run is on NOT_RUNNABLE, by its exact text, with the reason.
//
// Addresses: the examples talk to a node at 127.0.0.1:8333 and run the proxy on 8339. Each run
// gets those ports replaced by free loopback ports, and a block whose info string says `node`
// (```js node) gets a stand-in Bitcoin node (test/helpers/fake-node.ts: v2, v1 fallback) on the
// first. A block marked `socks` gets a stand-in SOCKS5 proxy for Tor's port, 9050
// (test/helpers/socks5-server.ts), which takes any name to 127.0.0.1 at the port asked, the
// stand-in node's; the block must have used it. A block marked `sigint` is a server: it gets
// SIGINT once it listens, and must then close everything and exit, as Ctrl-C would make it. Only
// loopback is used.

import fs from 'node:fs'
import path from 'node:path'

import { type FakeNode, v2Node } from './helpers/fake-node'
import { installedPackage, ROOT } from './helpers/installed-package'
import { type Block, fencedBlocks } from './helpers/markdown-blocks'
import { freePort, isListening } from './helpers/ports'
import { type Exit, start } from './helpers/process'
import { type Socks5Server, socks5Server } from './helpers/socks5-server'

const FILES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]

/** Reviewed: blocks that must not run in a test, by file and exact text. */
const NOT_RUNNABLE: ReadonlyArray<{ file: string, text: string, why: string }> = [
  { file: 'README.md', text: 'npm install bip324', why: 'installs from the registry' },
  { file: 'README.md', text: 'npm ci && npm run demo', why: 'reinstalls node_modules from the registry (the demo itself runs in the CLI block)' },
  { file: 'README.md', text: 'npm ci && npm test', why: 'reinstalls node_modules from the registry, then runs this very suite' },
  {
    file: 'README.md',
    why: 'a browser page\'s module (top-level await, fetch from the page\'s server): npm run test:browser runs this path in Chromium',
    text: `import { hasSimd128, loadWasmBackend, Protocol } from 'bip324/browser'

const file = hasSimd128() ? 'bip324.wasm' : 'bip324-scalar.wasm' // copied from node_modules/bip324/wasm/
const backend = await loadWasmBackend(await (await fetch(\`/assets/\${file}\`)).arrayBuffer())
const protocol = new Protocol({ role: 'initiator', backend })`
  },
  { file: 'docs/packaging.md', text: 'npm install bip324', why: 'installs from the registry' },
  {
    file: 'docs/packaging.md',
    why: 'a release: reinstalls node_modules, builds every prebuild (root, the registry, minutes), publishes; CI runs the two middle steps',
    text: `npm ci
npm run build:prebuilds     # linux-x64, linux-arm64 (zig) and win32-x64 (mingw-w64)
npm run test:platforms      # every prebuild in the packed tarball, in its platform's Node
npm publish                 # prepack refuses if a prebuild is missing or stale`
  },
  {
    file: 'docs/packaging.md',
    why: 'what scripts/install.js prints, not a program',
    text: `bip324: no prebuilt binary for linux-x64 loads here and there is no C/C++ toolchain to build one (missing: a C compiler, a C++ compiler, make, python3).
Install the toolchain, then run \`npm rebuild bip324\`:
  Debian/Ubuntu:  apt-get install build-essential python3
  Fedora/RHEL:    dnf install gcc gcc-c++ make python3
  Alpine:         apk add build-base python3
  macOS:          xcode-select --install
  Windows:        Visual Studio Build Tools ("Desktop development with C++") and Python 3
Or install with --ignore-scripts and use the pure-JavaScript backend (Node >= 20.19).`
  }
]

/**
 * What each example prints, as the README's comments say, with the stand-ins' answers filled in (the
 * stand-in node of test/helpers/fake-node.ts: user agent /Satoshi:28.1.0/, start height 871234,
 * mainnet's genesis block). Each pattern must match a line of the output, in order; a block not
 * listed here must print nothing, so every result an example shows is asserted.
 */
const HEX64 = '[0-9a-f]{64}'
const EXPECTED: ReadonlyArray<{ file: string, first: string, lines: readonly RegExp[] }> = [
  { file: 'README.md', first: '// example.mjs', lines: [new RegExp(`^session id ${HEX64}$`), /^pong 8$/] },
  { file: 'README.md', first: "import { connectAsync } from 'bip324'", lines: [/^v2 127\.0\.0\.1$/] },
  {
    file: 'README.md',
    first: '// peer.mjs',
    lines: [
      /^v2 70016 \[ 'NETWORK', 'P2P_V2' \] 100$/, /^\{ wtxidRelay: true, addrv2: true, sendHeaders: false \}$/,
      /^inbound \/bip324\.js:[0-9.]+\/ 127\.0\.0\.1$/, /^round trip [0-9.]+ ms$/,
      // The example's own server answers a genesis locator as a fresh regtest node: no headers (a 1-byte payload).
      /^headers 0 1$/
    ]
  },
  {
    file: 'README.md',
    first: 'npx bip324 demo                                  # the loopback demo above',
    lines: [
      /^bip324 demo: responder and initiator on 127\.0\.0\.1, native backend$/,
      new RegExp(`^  responder session id ${HEX64}  \\(match\\)$`),
      /^echo +0 B ok, 1 B ok, 32 B ok, 1 KiB ok, 64 KiB ok, 1 MiB ok, 4,000,013 B ok$/,
      /^127\.0\.0\.1:\d+ \(mainnet\) over BIP-324 v2, encrypted$/, /^  user agent   \/Satoshi:28\.1\.0\/$/, /^  start height 871234$/,
      /^bitcoinnodex+\.onion:\d+ \(mainnet\) over BIP-324 v2, encrypted, through the SOCKS5 proxy 127\.0\.0\.1:\d+$/,
      /^\{"ok":true,"peer":"127\.0\.0\.1:\d+","network":"mainnet","transport":"v2","height":0,"tip":"000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f","work":"0{55}100010001",/,
      /^block 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f from 127\.0\.0\.1:\d+/, /^  height      0$/,
      /^  merkle root 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b \(checked\)$/,
      /^block 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f from 127\.0\.0\.1:\d+/, /^  height      0$/,
      /^\{"ok":true,"txid":"f5864806e3565c34d1b41e716f72609d00b55ea5eac5b924c9719a842ef42206","wtxid":"80b7d8a82d5d5bf92905b06f2014dd699e03837ca172e3a59d51426ebbe3e7f5","peers":\[\{"peer":"127\.0\.0\.1:\d+","transport":"v2","sent":true\}\]\}$/,
      /^\{"peer":"127\.0\.0\.1:\d+","transport":"v2","userAgent":"\/Satoshi:28\.1\.0\/","services":"0000000000000c09","startHeight":871234\}$/,
      /^\{"ok":true,"reached":1,"v2":1,"v1":0,"failed":0,"v2Share":1\}$/,
      /^  32 B   native .*: native [0-9.]+x js$/, /^  64 B   bip324 .*: [0-9.]+x$/,
      /^bip324 proxy --listen <host:port>/
    ]
  },
  {
    file: 'README.md',
    first: '// pool.mjs',
    lines: [
      /^127\.0\.0\.1:\d+ outbound-full-relay v2$/, /^1 \{ size: 1, new: 0, tried: 1 \}$/, /^block true$/, /^ERR_BIP324_NOT_FOUND$/,
      /^f5864806e3565c34 \[ true \]$/, /^closed$/
    ]
  },
  { file: 'README.md', first: "import { probe, serviceNames } from 'bip324'", lines: [new RegExp(`^v2 ${HEX64}$`), /^\/Satoshi:28\.1\.0\/ 871234 \[ 'NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2' \]$/] },
  { file: 'README.md', first: "import { broadcastTransaction } from 'bip324'", lines: [/^f5864806e3565c34d1b41e716f72609d00b55ea5eac5b924c9719a842ef42206$/, /^127\.0\.0\.1:\d+ v2 true$/] },
  { file: 'README.md', first: 'npx bip324 proxy --listen 127.0.0.1:8339 --network signet --allow 192.168.1.20:38333 --max-sessions 8', lines: [/^listening on 127\.0\.0\.1:\d+ for v1 clients \(signet\)/] },
  { file: 'README.md', first: "const { SERVICE_FLAGS, encodePayload, encodeContents, decodeContents, decodePayload, serviceNames } = require('bip324')", lines: [/^\/my-app:1\.0\.0\/ \[ 'WITNESS', 'P2P_V2' \]$/] },
  { file: 'README.md', first: "const { decodePayload, encodePayload, hashFromHex, hashToHex, INVENTORY_TYPE, isKnownMessage, NETWORKS } = require('bip324')", lines: [/^unknown sendtxrcncl, 12 bytes$/, /^true$/, /^37 true$/] },
  {
    file: 'README.md',
    first: "const { Bip324Error, decodeBlock, decodeCheckedBlock, checkBlock, checkHeaders, hashToHex, NETWORKS } = require('bip324')",
    lines: [/^true$/, /^4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b \[ 5000000000n \]$/, /^ERR_BIP324_BAD_PAYLOAD bad-txnmrklroot$/, /^1 4295032833n$/]
  },
  { file: 'README.md', first: "const net = require('node:net')", lines: [new RegExp(`^session id ${HEX64}$`)] },
  { file: 'README.md', first: "import { Protocol } from 'bip324/protocol'   // no addon, no Node API", lines: [/^handshake ping$/] },
  { file: 'README.md', first: "const assert = require('node:assert')", lines: [/^wasm \[ '(simd128|scalar)' \]$/] },
  { file: 'docs/packaging.md', first: '// ESM: the named exports, and the CommonJS exports object as the default', lines: [/^true$/] },
  { file: 'docs/packaging.md', first: '// app.mts', lines: [/^ping 7$/, /^a truncated ping: payload truncated: needed 8 more bytes at offset 0, 3 left$/] }
]

function expectedOf (b: Block & { file: string }): readonly RegExp[] {
  return EXPECTED.find((e) => e.file === b.file && b.text.split('\n')[0] === e.first)?.lines ?? []
}

/** The patterns that no line of `stdout` matches in order (each after the previous one's line), and
 *  for a block that expects nothing, what it printed. */
function unmatched (patterns: readonly RegExp[], stdout: string): string[] {
  const lines = stdout.split('\n').filter((l) => l !== '')
  if (patterns.length === 0) return lines.map((l) => `printed: ${l}`)
  const missing: string[] = []
  let at = 0
  for (const p of patterns) {
    const found = lines.findIndex((l, i) => i >= at && p.test(l))
    if (found === -1) missing.push(`no line matches ${String(p)}`)
    else at = found + 1
  }
  return missing.length === 0 ? [] : [...missing, '--- printed:', ...lines]
}

const LANGS = { js: 'js', javascript: 'js', ts: 'ts', typescript: 'ts', sh: 'sh', bash: 'sh', shell: 'sh' } as const
const ATTRIBUTES = new Set(['node', 'socks', 'sigint'])
const NODE_PORT = /\b8333\b/g
const PROXY_PORT = /\b8339\b/g
const SOCKS_PORT = /\b9050\b/g
// Generous for two busy cores: the slowest block (the CLI's demo and bench) takes about 3 s alone.
const DEADLINE_MS = 30_000

const blocks = FILES.flatMap((file) => fencedBlocks(path.join(ROOT, file)).map((b) => ({ ...b, file })))
const listed = (b: Block): boolean => NOT_RUNNABLE.some((n) => n.file === b.file && n.text === b.text)
const runnable = blocks.filter((b) => !listed(b))
const name = (b: Block): string => `${b.file}:${b.line} (${b.lang === '' ? 'no language' : b.lang}${b.attributes.map((a) => ' ' + a).join('')})`
const isModule = (b: Block): boolean => /^(import|export)\s/m.test(b.text)

const app = installedPackage('bip324-examples-')
afterAll(() => app.remove())

// Every TypeScript block in one strict program, compiled once, as a user's tsc would: the types
// come from node_modules/bip324 through package.json's exports.
const tsBlocks = runnable.filter((b) => LANGS[b.lang as keyof typeof LANGS] === 'ts')
const tsFile = (b: Block): string => `example-${path.basename(b.file, '.md')}-${b.line}.${isModule(b) ? 'mts' : 'cts'}`
let compiled: Promise<Exit> | undefined
function compileTypeScript (): Promise<Exit> {
  compiled ??= (async () => {
    const dir = path.join(app.dir, 'ts')
    fs.mkdirSync(dir)
    for (const b of tsBlocks) fs.writeFileSync(path.join(dir, tsFile(b)), b.text + '\n')
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'nodenext', types: ['node'], outDir: 'out', skipLibCheck: false, noEmitOnError: true },
      include: ['*.mts', '*.cts']
    }))
    return await start(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, timeoutMs: DEADLINE_MS }).exited
  })()
  return compiled
}

// The program to start for a block, written into the application directory with its ports replaced.
async function program (b: Block, ports: (text: string) => string): Promise<[string, string[]]> {
  const kind = LANGS[b.lang as keyof typeof LANGS]
  if (kind === 'js') {
    const file = path.join(app.dir, `example-${path.basename(b.file, '.md')}-${b.line}.${isModule(b) ? 'mjs' : 'cjs'}`)
    fs.writeFileSync(file, ports(b.text) + '\n')
    return [process.execPath, [file]]
  }
  if (kind === 'ts') {
    const tsc = await compileTypeScript()
    expect(tsc.stdout.split('\n').filter((line) => line.startsWith(tsFile(b)))).toEqual([])
    expect(tsc.code).toBe(0)
    // Replaced in tsc's output: what was type-checked is the text as documented.
    const file = path.join(app.dir, 'ts', 'out', tsFile(b).replace(/ts$/, 'js'))
    fs.writeFileSync(file, ports(fs.readFileSync(file, 'utf8')))
    return [process.execPath, [file]]
  }
  // Nothing else is started: the first test names the block that is neither runnable nor listed.
  if (kind !== 'sh') throw new Error(`${name(b)}: no way to run ${JSON.stringify(b.lang)}, and not on NOT_RUNNABLE`)
  return ['bash', ['-e', '-c', ports(b.text)]]
}

// npx in a project runs node_modules/.bin; this one runs nothing else, so no example can reach the registry.
const shims = path.join(app.dir, 'shims')
fs.mkdirSync(shims)
fs.writeFileSync(path.join(shims, 'npx'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 })

test('every block runs or is listed as not runnable, every listed block still exists, and so does every expected output\'s block', () => {
  expect(EXPECTED.filter((e) => !runnable.some((b) => b.file === e.file && b.text.split('\n')[0] === e.first)).map((e) => e.first)).toEqual([])
  const unknown = runnable.filter((b) => !(b.lang in LANGS) || b.attributes.some((a) => !ATTRIBUTES.has(a))).map(name)
  expect(unknown).toEqual([])
  const stale = NOT_RUNNABLE.filter((n) => !blocks.some((b) => b.file === n.file && b.text === n.text))
  expect(stale).toEqual([])
})

test.each(runnable.map((b) => [name(b), b] as const))('%s runs, exits by itself and prints what the README says', async (_name, b) => {
  let node: FakeNode | undefined
  let socks: Socks5Server | undefined
  try {
    if (b.attributes.includes('node')) node = await v2Node()
    if (b.attributes.includes('socks')) socks = await socks5Server({ anyName: true })
    const nodePort = node?.port ?? await freePort()
    const proxyPort = await freePort()
    const socksPort = socks?.port ?? await freePort()
    const [command, args] = await program(b, (text) => text.replace(NODE_PORT, String(nodePort)).replace(PROXY_PORT, String(proxyPort)).replace(SOCKS_PORT, String(socksPort)))
    const run = start(command, args, {
      cwd: app.dir,
      env: { ...process.env, PATH: `${app.bin}${path.delimiter}${shims}${path.delimiter}${process.env.PATH ?? ''}` },
      timeoutMs: DEADLINE_MS
    })
    if (b.attributes.includes('sigint')) {
      // The ports the block listens on itself: those it names, but not the stand-in node's.
      const own = ([[NODE_PORT, nodePort], [PROXY_PORT, proxyPort]] as const).filter(([re, port]) => b.text.search(re) !== -1 && port !== node?.port).map(([, port]) => port)
      expect(own.length).toBeGreaterThan(0)
      let done = false
      void run.exited.then(() => { done = true })
      while (!done && !own.every(isListening)) await new Promise((resolve) => setTimeout(resolve, 50))
      run.signal('SIGINT')
    }
    const exit = await run.exited
    expect({ ...exit, stdout: exit.code === 0 ? '' : exit.stdout }).toEqual({ code: 0, signal: null, stdout: '', stderr: '', timedOut: false })
    // What it printed is what the README says it prints, against the stand-in node's known answers.
    expect(unmatched(expectedOf(b), exit.stdout)).toEqual([])
    // The block talked to the stand-in: the address replacement reached it. The stand-in (in this
    // process) may record the session a moment after the example, which exited once its side was done.
    for (let waited = 0; node !== undefined && node.sessions.length + node.v1Connections === 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))
    if (node) expect(node.sessions.length + node.v1Connections).toBeGreaterThan(0)
    if (socks) expect(socks.requests.length).toBeGreaterThan(0)
  } finally {
    await socks?.close()
    await node?.close()
  }
})
