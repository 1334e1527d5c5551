// The prebuild framework's shape, without building anything: every scripts/targets/<platform>-<arch>.js
// is a target with the interface scripts/prebuild.js documents, and npm's scripts reach it. Building
// and proving the binaries is `npm run build:prebuilds` and `npm run test:platforms` (minutes, toolchains).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.join(__dirname, '..')

// Asks a fresh node what the framework loads (the scripts are plain CommonJS, outside tsc's view).
function inspect (code: string): unknown {
  const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

test('every target module exports target, needs, build and prove, and is named after its prebuilds/ folder', () => {
  const files = fs.readdirSync(path.join(ROOT, 'scripts/targets')).filter((n) => n.endsWith('.js'))
  const loaded = inspect(`
    const path = require('path')
    const { loadTargets } = require('./scripts/prebuild')
    const all = ${JSON.stringify(files)}.map((n) => [n, require(path.resolve('scripts/targets', n))])
    console.log(JSON.stringify({
      targets: loadTargets().map((t) => t.target),
      shapes: all.filter(([, m]) => m.target !== undefined).map(([n, m]) => ({
        file: n, target: m.target, needs: typeof m.needs, build: typeof m.build, prove: typeof m.prove
      }))
    }))`) as { targets: string[], shapes: Array<Record<string, string>> }
  expect(loaded.targets).toEqual(expect.arrayContaining(['linux-x64', 'linux-arm64']))
  for (const s of loaded.shapes) {
    expect(s).toEqual({ file: `${s.target}.js`, target: expect.stringMatching(/^[a-z0-9]+-[a-z0-9]+$/), needs: 'function', build: 'function', prove: 'function' })
  }
  expect(loaded.targets.sort()).toEqual(loaded.shapes.map((s) => s.target).sort())
})

test('the glibc floor compares versions numerically (2.28 is above 2.3)', () => {
  expect(inspect(`const { compareVersions } = require('./scripts/prebuild')
    console.log(JSON.stringify([['2.28', '2.3'], ['2.2.5', '2.28'], ['2.28', '2.28']].map(([a, b]) => Math.sign(compareVersions(a, b)))))`))
    .toEqual([1, -1, 0])
})

test('npm scripts: build:prebuilds builds, prepack checks every prebuild, test:platforms proves them', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  expect(scripts['build:prebuilds']).toBe('node scripts/prebuild.js')
  expect(scripts.prepack).toBe('node scripts/prebuild.js --pack && typedoc --options typedoc.markdown.json --logLevel Warn')
  expect(scripts['test:platforms']).toBe('node scripts/platform-test.js')
})
