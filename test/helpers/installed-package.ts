/**
 * A throwaway application directory in which `bip324` resolves to this checkout as if installed:
 * node_modules/bip324 is a symlink to the repository root, so Node and TypeScript go through
 * package.json (`exports`, `types`, `bin`) exactly as for a user, without `npm pack` or the
 * registry. Node and tsc follow the link to its real path, so the package's own dependencies
 * resolve from the checkout's node_modules, as from an installed package's. @types/node is linked
 * too: an application that type-checks against the package must have it (its declarations use
 * node:net and node:stream types).
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const ROOT = path.join(__dirname, '..', '..')

export interface App {
  dir: string
  /** node_modules/.bin: what `npx <bin>` finds first in a project that depends on bip324. */
  bin: string
  remove: () => void
}

export function installedPackage (prefix: string): App {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const modules = path.join(dir, 'node_modules')
  fs.mkdirSync(path.join(modules, '@types'), { recursive: true })
  fs.symlinkSync(ROOT, path.join(modules, 'bip324'), 'dir')
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(modules, '@types', 'node'), 'dir')
  const bin = path.join(modules, '.bin')
  fs.mkdirSync(bin)
  // What npm writes for package.json's "bin"; the target is run through its shebang, and tsc's
  // output is not executable, so a small script runs it with this Node.
  const { bin: bins } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }
  for (const [name, target] of Object.entries(bins)) {
    const file = path.join(bin, name)
    fs.writeFileSync(file, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(modules, 'bip324', target))} "$@"\n`, { mode: 0o755 })
  }
  return { dir, bin, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}
