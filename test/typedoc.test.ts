// The API reference `npm run docs` builds cannot break silently: TypeDoc converts lib/index.ts with
// typedoc.json (which turns warnings into errors: a type the API names but does not export, a
// broken {@link}, a stale intentionallyNotExported entry) and must report nothing. `--emit none`
// checks all of that without writing docs/api; rendering adds no check of its own.

import path from 'node:path'

import { ROOT } from './helpers/installed-package'
import { start } from './helpers/process'

test('TypeDoc converts the public API without a warning', async () => {
  const run = start(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'], { cwd: ROOT, timeoutMs: 60_000 })
  const exit = await run.exited
  expect(exit).toEqual({ code: 0, signal: null, stdout: '', stderr: '', timedOut: false })
})
