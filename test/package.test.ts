// The package's own root and version, found from wherever the code runs (lib/ under jest, dist/
// when built), and the user agent the probe sends, which carries that version.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { decodePayload, V1MessageReader } from '../lib/messages'
import { probe } from '../lib/peer/probe'
import { PACKAGE_ROOT, PACKAGE_VERSION } from '../lib/package'
import { runCli } from './helpers/cli'
import { rawServer } from './helpers/net'
import { MAGIC } from './helpers/v1-client'

const ROOT = path.join(__dirname, '..')
const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }

test('from lib/, the package is the repository root, at package.json\'s version', () => {
  expect(PACKAGE_ROOT).toBe(ROOT)
  expect(PACKAGE_VERSION).toBe(version)
})

test('from dist/, the same root and version', () => {
  const out = execFileSync(process.execPath, ['-p', 'JSON.stringify(require("./dist/package"))'], { cwd: ROOT, encoding: 'utf8' })
  expect(JSON.parse(out)).toEqual({ PACKAGE_ROOT: ROOT, PACKAGE_VERSION: version })
})

// A v1-only node that records the user agent of the version message it gets, and closes.
async function v1Recorder (): Promise<{ port: number, userAgent: Promise<string>, close: () => Promise<void> }> {
  let seen = (_ua: string): void => {}
  const userAgent = new Promise<string>((resolve) => { seen = resolve })
  const node = await rawServer((s) => {
    const reader = new V1MessageReader(MAGIC)
    s.on('data', (chunk: Buffer) => {
      if (!chunk.subarray(0, 4).equals(Buffer.from(MAGIC))) { s.destroy(); return } // a v2 key: not a v1 node's business
      const [m] = reader.push(chunk).messages
      if (m?.type === 'version') { seen(decodePayload('version', m.payload).userAgent); s.destroy() }
    })
  })
  return { port: node.port, userAgent, close: node.close }
}

test('the probe\'s user agent is /bip324.js:<package.json version>/, from lib/ and from the built command', async () => {
  const want = `/bip324.js:${version}/`
  const fromLib = await v1Recorder()
  await probe({ port: fromLib.port, v1Fallback: true, timeout: 5000 }).catch(() => {})
  expect(await fromLib.userAgent).toBe(want)
  await fromLib.close()

  const fromDist = await v1Recorder()
  await runCli(['connect', `127.0.0.1:${fromDist.port}`, '--v1-fallback', '--timeout', '5000'])
  expect(await fromDist.userAgent).toBe(want)
  await fromDist.close()
})

