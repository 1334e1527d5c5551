import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { loadAddon } from '../lib/native/binding'
import { PACKAGE_ROOT } from '../lib/package'

test('the package root holds the built addon', () => {
  expect(typeof loadAddon(PACKAGE_ROOT).ellswiftDecode).toBe('function')
})

test('with no addon anywhere, loading fails with ERR_BIP324_NATIVE_UNAVAILABLE naming every path tried', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-loader-'))
  try {
    fs.writeFileSync(path.join(root, 'package.json'), '{"name":"bip324"}')
    let caught: unknown
    try { loadAddon(root) } catch (err) { caught = err }
    expect(caught).toMatchObject({ code: 'ERR_BIP324_NATIVE_UNAVAILABLE', name: 'Bip324Error' })
    const message = (caught as Error).message
    expect(message).toContain(path.join(root, 'build', 'Release', 'bip324.node'))
    expect(message).toContain(path.join(root, 'prebuilds', `${process.platform}-${process.arch}`))
    expect(message).toContain('npm rebuild bip324')
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
})
