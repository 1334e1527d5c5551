// The API reference `npm run docs` builds cannot break silently: TypeDoc converts lib/index.ts with
// typedoc.json (which turns warnings into errors: a type the API names but does not export, a
// broken {@link}, a stale intentionallyNotExported entry) and must report nothing. `--emit none`
// checks all of that without writing docs/api; rendering adds no check of its own.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { ROOT } from './helpers/installed-package'
import { start } from './helpers/process'

test('TypeDoc converts the public API without a warning', async () => {
  const run = start(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'], { cwd: ROOT, timeoutMs: 60_000 })
  const exit = await run.exited
  expect(exit).toEqual({ code: 0, signal: null, stdout: '', stderr: '', timedOut: false })
})

// What the tarball ships (package.json "files": docs/reference/API.md, made by prepack), so an
// installed package carries its API reference: rendered here into a temporary folder.
test('the Markdown API reference renders into one file naming the public API', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-api-'))
  try {
    const run = start(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--options', 'typedoc.markdown.json', '--out', out, '--logLevel', 'Warn'], { cwd: ROOT, timeoutMs: 120_000 })
    expect(await run.exited).toEqual({ code: 0, signal: null, stdout: '', stderr: '', timedOut: false })
    expect(fs.readdirSync(out)).toEqual(['API.md'])
    const api = fs.readFileSync(path.join(out, 'API.md'), 'utf8')
    // Headings as the Markdown renders them: underscores escaped, functions with ().
    const headings = api.split('\n').filter((l) => l.startsWith('### ')).map((l) => l.slice(4).replace(/\\_/g, '_').replace(/\(\)$/, ''))
    for (const name of ['connectPeer', 'createServer', 'Protocol', 'decodePayload', 'INVENTORY_TYPE', 'isKnownMessage', 'Bip324Error', 'blockHash', 'hashFromHex']) expect(headings).toContain(name)
  } finally {
    fs.rmSync(out, { recursive: true, force: true })
  }
}, 150_000)
