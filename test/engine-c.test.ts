// Runs the engine's own C tests (native/test/engine_test.c, built with the addon) on the BIP-324
// packet vectors and the batch calls.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { FIXTURES } from './helpers/vectors'

const binary = ['Release', 'Debug'].map((c) => path.join(__dirname, '..', 'build', c, 'engine_test')).find((p) => fs.existsSync(p))

test('the C engine tests are built beside the addon', () => {
  expect(binary).toBeDefined()
})

test('the C engine tests pass, all 7 packet vector rows included', () => {
  const r = spawnSync(binary!, [path.join(FIXTURES, 'packet_encoding_test_vectors.csv')], { encoding: 'utf8' })
  expect(r.stderr).toBe('')
  const summary = /^engine_test: (\d+) passed, (\d+) failed$/m.exec(r.stdout)
  expect(summary).not.toBeNull()
  expect(Number(summary![2])).toBe(0)
  expect(Number(summary![1])).toBeGreaterThanOrEqual(7 * 15)
  expect(r.status).toBe(0)
})
