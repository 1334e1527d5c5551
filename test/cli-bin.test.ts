// The `bip324` bin as npx runs it from the repository: executable, shebang first, after a rebuild.

import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

import { PACKAGE_VERSION } from '../lib/package'
import { CLI } from './helpers/cli'

const ROOT = path.join(__dirname, '..')
const run = promisify(execFile)

test('bin-executable.js gives dist/cli/index.js back the exec bit a fresh tsc output lacks; the file then runs by itself', async () => {
  fs.chmodSync(CLI, 0o644)
  await run(process.execPath, [path.join(ROOT, 'scripts', 'bin-executable.js')])
  expect(fs.statSync(CLI).mode & 0o111).toBe(0o111)
  expect(fs.readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node')
  // Run as a program, not through node: the kernel reads the shebang and the mode.
  const { stdout } = await run(CLI, ['--version'])
  expect(stdout).toBe(`${PACKAGE_VERSION}\n`)
})

test('prepare (npm pack) and build run it after tsc has written dist/, then write the ESM entries', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  for (const name of ['prepare', 'build']) {
    expect({ name, script: scripts[name] }).toEqual({ name, script: expect.stringMatching(/tsc -p tsconfig\.build\.json && node scripts\/bin-executable\.js && node scripts\/esm-entries\.js$/) })
  }
})
