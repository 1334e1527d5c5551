/**
 * This package as installed: its root directory (where the addon is built or prebuilt) and its
 * version, read from its own package.json. Found by climbing from this file, which sits in lib/ in
 * the sources (ts-jest), dist/ when built and deeper in other builds (.bench/lib, .fuzz/lib), so no
 * fixed relative path would do.
 */

import * as fs from 'node:fs'
import * as path from 'node:path'

interface Found {
  root: string
  version: string
}

function find (from: string): Found {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'bip324' && typeof pkg.version === 'string') return { root: dir, version: pkg.version }
    } catch {
      // no package.json here: keep climbing
    }
    // Copied without its package.json (a bundle): the layout of the sources, and no version to tell.
    if (path.dirname(dir) === dir) return { root: path.resolve(from, '..'), version: 'unknown' }
  }
}

const found = find(__dirname)

/** The nearest directory above this file whose package.json is ours. */
export const PACKAGE_ROOT = found.root
/** The version in that package.json. */
export const PACKAGE_VERSION = found.version
