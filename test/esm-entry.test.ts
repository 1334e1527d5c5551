// esm/index.mjs, the "import" entry: it loads dist/index.js with require() and lists its names
// (an ES module's exports are static), so that Deno, which reads a .js file outside node_modules
// as ESM, sees them too. Here, in Node: the list is exactly the CommonJS build's, and an import
// gives the same objects as require (one module instance). Runs against dist/, as users get it.

import { execFileSync } from 'node:child_process'
import path from 'node:path'

const ROOT = path.join(__dirname, '..')

function node (script: string): unknown {
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }))
}

test('esm/index.mjs exports every name of dist/index.js, no other but default, each the same value', () => {
  const out = node(`
    import { createRequire } from 'node:module'
    import * as ns from './esm/index.mjs'
    const cjs = createRequire(import.meta.url)('./dist/index.js')
    const names = Object.keys(cjs)
    const exported = Object.keys(ns).filter((k) => k !== 'default' && k !== '__esModule')
    console.log(JSON.stringify({
      missing: names.filter((k) => !exported.includes(k)),
      extra: exported.filter((k) => !names.includes(k)),
      different: names.filter((k) => k in ns && ns[k] !== cjs[k]),
      defaultIsRequire: ns.default === cjs,
      esModule: ns.__esModule
    }))`)
  // A name in "missing" was added to lib/index.ts: add it to esm/index.mjs's list.
  expect(out).toEqual({ missing: [], extra: [], different: [], defaultIsRequire: true, esModule: true })
})

test('import bip324 from, named imports and require(\'bip324\') share one instance (Bip324Error, the addon)', () => {
  const out = node(`
    import { createRequire } from 'node:module'
    import bip324, { Bip324Error, nativeInfo, Protocol } from 'bip324'
    const required = createRequire(import.meta.url)('bip324')
    console.log(JSON.stringify({
      same: bip324 === required && Bip324Error === required.Bip324Error && Protocol === bip324.Protocol,
      provider: nativeInfo().provider === required.nativeInfo().provider
    }))`)
  expect(out).toEqual({ same: true, provider: true })
})
