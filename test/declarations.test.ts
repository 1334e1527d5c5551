// The published declarations type-check in strict applications, as a user installs the package:
// test/fixtures/consumer-apps/ holds two, one `module: commonjs` without esModuleInterop (types
// from package.json's "types", dist/index.d.ts), one `module: nodenext` with an ES module and a
// CommonJS module (esm/index.d.mts through the "import" condition, dist/index.d.ts through
// "require"). Each is compiled by tsc in a directory where node_modules/bip324 links to this
// checkout, with skipLibCheck off, so an error inside our .d.ts counts; tsc's trace shows which
// declaration file each import got; then the compiled app runs, so the types and the runtime agree.
// The fixtures' sources end in .in: under their own names the repository's tsc would type-check
// them too, before dist/ exists.

import fs from 'node:fs'
import path from 'node:path'

import { installedPackage, ROOT } from './helpers/installed-package'
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
