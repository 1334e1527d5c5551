import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const SCRIPT = path.join(__dirname, '..', 'scripts', 'fetch-deps.js')

// Runs a copy of the fetcher in a scratch package root, with nothing on PATH (no git, no apt-get).
function fetchIn (setup: (root: string) => void): { status: number | null, stderr: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-fetch-'))
  try {
    fs.mkdirSync(path.join(root, 'scripts'))
    fs.copyFileSync(SCRIPT, path.join(root, 'scripts', 'fetch-deps.js'))
    setup(root)
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'fetch-deps.js')], {
      env: { PATH: path.join(root, 'empty-path') }, encoding: 'utf8'
    })
    return { status: r.status, stderr: r.stderr }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

test('with no way to obtain sources it exits non-zero and names each way it tried', () => {
  const { status, stderr } = fetchIn(() => {})
  expect(status).toBe(1)
  expect(stderr).toContain('cannot obtain secp256k1 0.5.0 sources for deps/secp256k1')
  expect(stderr).toContain('sources already present: deps/secp256k1/include/secp256k1_ellswift.h not found')
  expect(stderr).toContain('git submodule: not a git work tree')
  expect(stderr).toContain('Debian trixie source package: apt-get is not available')
})

test('sources of another release are refused, whatever put them there', () => {
  const { status, stderr } = fetchIn((root) => {
    const dir = path.join(root, 'deps', 'secp256k1')
    fs.mkdirSync(path.join(dir, 'include'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'include', 'secp256k1_ellswift.h'), '')
    fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), 'project(libsecp256k1\n  VERSION 0.4.1\n  LANGUAGES C\n)\n')
  })
  expect(status).toBe(1)
  expect(stderr).toContain('deps/secp256k1 holds secp256k1 0.4.1, but 0.5.0 is pinned')
})
