// What a pack does with the prebuilds (scripts/prebuild.js --pack, npm's prepack): a contributor's
// `npm pack` takes what is built and says what is missing, in seconds; the release's check
// (--release, `npm publish`, BIP324_RELEASE=1) builds or refuses. The decision on a fake prebuilds
// folder, and the contributor's pack of this checkout, which builds and installs nothing.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const prebuild = require('../scripts/prebuild') as {
  isRelease: (args: string[], env: Record<string, string | undefined>) => boolean
  packPlan: (o: { targets: Array<{ target: string, needs: () => string | null }>, manifest: Record<string, { file: string, sources: string }>, hash: string, exists: (file: string) => boolean, release: boolean, root: string }) => Array<{ target: { target: string }, state: string, action: string }>
  loadTargets: () => Array<{ target: string }>
}

const ROOT = path.join(__dirname, '..')

test('--pack decides per target: current ships; missing and stale are built in a release, else lacked or shipped as they are; needs() (which may apt-get) is never asked for a contributor', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-pack-'))
  try {
    fs.mkdirSync(path.join(root, 'prebuilds', 'linux-x64'), { recursive: true })
    fs.mkdirSync(path.join(root, 'prebuilds', 'linux-arm64'), { recursive: true })
    fs.writeFileSync(path.join(root, 'prebuilds', 'linux-x64', 'bip324.napi.glibc.node'), '')
    fs.writeFileSync(path.join(root, 'prebuilds', 'linux-arm64', 'bip324.napi.glibc.node'), '')
    const manifest = {
      'linux-x64': { file: 'linux-x64/bip324.napi.glibc.node', sources: 'now' },
      'linux-arm64': { file: 'linux-arm64/bip324.napi.glibc.node', sources: 'before' },
      // Listed, but its file is gone.
      'darwin-arm64': { file: 'darwin-arm64/bip324.napi.node', sources: 'now' }
    }
    const targets = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64'].map((target) => ({
      target,
      needs: (): string | null => { throw new Error(`needs() of ${target} was asked`) }
    }))
    const decide = (release: boolean): string[] => prebuild.packPlan({ targets, manifest, hash: 'now', exists: fs.existsSync, release, root })
      .map((p) => `${p.target.target} ${p.state} ${p.action}`)
    expect(decide(false)).toEqual(['linux-x64 current ship', 'linux-arm64 stale ship-stale', 'darwin-arm64 missing lack', 'win32-x64 missing lack'])
    expect(decide(true)).toEqual(['linux-x64 current ship', 'linux-arm64 stale build', 'darwin-arm64 missing build', 'win32-x64 missing build'])
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
})

test('the release\'s check: --release, npm publish (npm_command) or BIP324_RELEASE=1; a plain npm pack is a contributor\'s', () => {
  expect(prebuild.isRelease(['--pack'], { npm_command: 'pack' })).toBe(false)
  expect(prebuild.isRelease(['--pack'], {})).toBe(false)
  expect(prebuild.isRelease(['--pack', '--release'], { npm_command: 'pack' })).toBe(true)
  expect(prebuild.isRelease(['--pack'], { npm_command: 'publish' })).toBe(true)
  expect(prebuild.isRelease(['--pack'], { BIP324_RELEASE: '1' })).toBe(true)
  // npm run release:pack is the strict check, then the pack.
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  expect(scripts['release:pack']).toBe('node scripts/prebuild.js --pack --release && npm pack')
  expect(scripts.prepack).toBe('node scripts/prebuild.js --pack && typedoc --options typedoc.markdown.json --logLevel Warn')
})

test('a contributor\'s prepack of this checkout: exit 0 within seconds, one line per target, nothing built or written', () => {
  const before = fs.existsSync(path.join(ROOT, 'prebuilds')) ? fs.readdirSync(path.join(ROOT, 'prebuilds'), { recursive: true }).sort() : []
  const started = Date.now()
  const env: NodeJS.ProcessEnv = { ...process.env, npm_command: 'pack' }
  delete env.BIP324_RELEASE
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'prebuild.js'), '--pack'], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 })
  expect(run.status).toBe(0)
  expect(Date.now() - started).toBeLessThan(30_000)
  for (const { target } of prebuild.loadTargets()) expect(run.stderr).toMatch(new RegExp(`bip324 prebuild: ${target}: (.*, current|prebuilds/.* is built from older sources|missing: the tarball has no prebuild)`))
  expect(run.stderr).not.toMatch(/apt-get|building it now|installing/)
  const after = fs.existsSync(path.join(ROOT, 'prebuilds')) ? fs.readdirSync(path.join(ROOT, 'prebuilds'), { recursive: true }).sort() : []
  expect(after).toEqual(before)
})
