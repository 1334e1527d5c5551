// The published declarations type-check in strict applications, as a user installs the package:
// test/fixtures/consumer-apps/ holds two, one `module: commonjs` without esModuleInterop (types
// from package.json's "types", dist/index.d.ts), one `module: nodenext` with an ES module and a
// CommonJS module (esm/index.d.mts through the "import" condition, dist/index.d.ts through
// "require"). Each is compiled by tsc in a directory where node_modules/bip324 links to this
// checkout, with skipLibCheck off, so an error inside our .d.ts counts; tsc's trace shows which
// declaration file each import got; then the compiled app runs, so the types and the runtime agree.
// The fixtures' sources end in .in: under their own names the repository's tsc would type-check
// them too, before dist/ exists.
//
// The documentation's examples are applications too: every JavaScript and TypeScript block of
// README.md and docs/*.md is type-checked under the same strict settings (strict,
// noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck off), once in a NodeNext
// project and once in a CommonJS one, as a user who pastes it into a .ts file would: a block with
// import statements as TypeScript, a block with require() as JavaScript under checkJs (a
// TypeScript file would type require() as any, and check nothing).

import fs from 'node:fs'
import path from 'node:path'

import { installedPackage, ROOT } from './helpers/installed-package'
import { type Block, fencedBlocks } from './helpers/markdown-blocks'
import { start } from './helpers/process'

const FIXTURES = path.join(__dirname, 'fixtures', 'consumer-apps')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

const app = installedPackage('bip324-declarations-')
afterAll(() => app.remove())

// Copies a fixture app into the application directory, .in taken off; returns its directory.
function copy (name: string): string {
  const dir = path.join(app.dir, name)
  fs.mkdirSync(dir)
  for (const f of fs.readdirSync(path.join(FIXTURES, name))) fs.copyFileSync(path.join(FIXTURES, name, f), path.join(dir, f.replace(/\.in$/, '')))
  return dir
}

// tsc -p with --traceResolution: its diagnostics (as `file: error TSn: message`, the file relative
// to the checkout when it is ours), and what `bip324` resolved to from each file.
async function compile (dir: string): Promise<{ code: number | null, errors: string[], resolved: Record<string, string> }> {
  const exit = await start(process.execPath, [TSC, '-p', dir, '--traceResolution'], { cwd: dir, timeoutMs: 60_000 }).exited
  const resolved: Record<string, string> = {}
  for (const [, from, to] of exit.stdout.matchAll(/Resolving module 'bip324' from '([^']+)'[\s\S]*?Module name 'bip324' was successfully resolved to '([^']+)'/g)) {
    resolved[path.basename(from!)] = path.relative(ROOT, to!)
  }
  const errors = [...exit.stdout.matchAll(/^(.+?)\(\d+,\d+\): (error TS\d+: .*)$/gm)].map(([, file, message]) => {
    const absolute = path.resolve(dir, file!)
    return `${absolute.startsWith(ROOT + path.sep) ? path.relative(ROOT, absolute) : path.basename(absolute)}: ${message!}`
  })
  return { code: exit.code, errors, resolved }
}

async function run (file: string): Promise<unknown> {
  const exit = await start(process.execPath, [file], { cwd: path.dirname(file), timeoutMs: 30_000 }).exited
  expect({ code: exit.code, stderr: exit.stderr, timedOut: exit.timedOut }).toEqual({ code: 0, stderr: '', timedOut: false })
  return JSON.parse(exit.stdout)
}

test('module commonjs without esModuleInterop: dist/index.d.ts, strict, no error; the app runs', async () => {
  const dir = copy('commonjs')
  const { code, errors, resolved } = await compile(dir)
  expect(resolved).toEqual({ 'app.ts': 'dist/index.d.ts' })
  expect({ code, errors }).toEqual({ code: 0, errors: [] })
  expect(await run(path.join(dir, 'out', 'app.js'))).toEqual({ ok: true, type: 'pong', nonce: '7', keyAndGarbage: true, code: 'ERR_BIP324_BAD_PAYLOAD' })
})

test('module nodenext: esm/index.d.mts for import, dist/index.d.ts for require, no error; the app runs', async () => {
  const dir = copy('nodenext')
  expect(await compile(dir)).toEqual({ code: 0, errors: [], resolved: { 'app.mts': 'esm/index.d.mts', 'app.cts': 'dist/index.d.ts' } })
  expect(await run(path.join(dir, 'out', 'app.mjs'))).toEqual({ type: 'pong', nonce: '7', code: 'ERR_BIP324_BAD_STATE', fromCommonJs: 'ERR_BIP324_BAD_PAYLOAD' })
})

const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]
const examples = DOCS.flatMap((f) => fencedBlocks(path.join(ROOT, f)).map((b) => ({ ...b, file: f })))
  .filter((b) => ['js', 'javascript', 'ts', 'typescript'].includes(b.lang))
/** Reviewed: ES-module blocks a CommonJS application cannot have, by file and first line. */
const ESM_ONLY: ReadonlyArray<{ file: string, first: string, why: string }> = [
  { file: 'docs/packaging.md', first: '// ESM: the named exports, and the CommonJS exports object as the default', why: 'shows what an ES module gets; a default import of CommonJS needs esModuleInterop' },
  { file: 'README.md', first: "import { hasSimd128, loadWasmBackend, Protocol } from 'bip324/browser'", why: 'a browser page\'s module: top-level await, and a subpath export that CommonJS resolution (node10) does not read' }
]
const esmOnly = (b: Block & { file: string }): boolean => ESM_ONLY.some((e) => e.file === b.file && b.text.split('\n')[0] === e.first)
const isModule = (b: Block): boolean => /^(import|export)\s/m.test(b.text)
const STRICT = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  target: 'ES2022',
  types: ['node'],
  noEmit: true,
  allowJs: true,
  checkJs: true,
  // Each block is a program of its own, whether or not it imports anything.
  moduleDetection: 'force'
}

// A module block as a CommonJS application has it: its import lines stay where they are, the rest
// runs in an async function (CommonJS has no top-level await). Lines keep their numbers.
function asCommonJs (text: string): string {
  const lines = text.split('\n')
  const imports = lines.reduce((last, l, i) => /^import\s/.test(l) ? i : last, -1)
  const body = lines.findIndex((l, i) => i > imports && l.trim() !== '' && !l.startsWith('//'))
  if (body === -1) return text
  lines[body] = `void (async () => { ${lines[body]!}`
  return lines.join('\n') + '\n})()'
}

// Writes each example into a project of its own and type-checks it; the errors, as
// `README.md:line: error TSn: message`.
async function checkExamples (module: 'nodenext' | 'commonjs'): Promise<string[]> {
  const dir = path.join(app.dir, `examples-${module}`)
  fs.mkdirSync(dir)
  const where = new Map<string, Block & { file: string }>()
  for (const b of examples) {
    if (module === 'commonjs' && esmOnly(b)) continue
    const ts = b.lang.startsWith('t') || isModule(b)
    const ext = module === 'nodenext' ? (isModule(b) ? (ts ? 'mts' : 'mjs') : (ts ? 'cts' : 'cjs')) : (ts ? 'ts' : 'js')
    const name = `${path.basename(b.file, '.md')}-${b.line}.${ext}`
    fs.writeFileSync(path.join(dir, name), (module === 'commonjs' && isModule(b) ? asCommonJs(b.text) : b.text) + '\n')
    where.set(name, b)
  }
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { ...STRICT, module, ...(module === 'commonjs' && { esModuleInterop: false }) },
    include: [...where.keys()]
  }))
  const exit = await start(process.execPath, [TSC, '-p', dir], { cwd: dir, timeoutMs: 60_000 }).exited
  const errors = [...exit.stdout.matchAll(/^(.+?)\((\d+),\d+\): (error TS\d+: .*)$/gm)].map(([, file, line, message]) => {
    const b = where.get(path.basename(file!))
    return b === undefined ? `${file!}: ${message!}` : `${b.file}:${b.line + Number(line)}: ${message!}`
  })
  expect(exit.stdout.trim() === '' || errors.length > 0).toBe(true)
  return errors
}

test('the examples of README.md and docs/*.md type-check strictly in a NodeNext application', async () => {
  expect(examples.length).toBeGreaterThan(5)
  expect(await checkExamples('nodenext')).toEqual([])
})

test('the examples of README.md and docs/*.md type-check strictly in a CommonJS application', async () => {
  expect(ESM_ONLY.filter((e) => !examples.some((b) => e.file === b.file && b.text.split('\n')[0] === e.first))).toEqual([])
  expect(await checkExamples('commonjs')).toEqual([])
})
