// Runs the engine's own C tests (native/test/engine_test.c, built with the addon) on the BIP-324
// packet vectors, the xswiftec_inv vectors' encodings (decoded back to x) and the batch calls, and
// checks what the header makes the compiler enforce.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { FIXTURES } from './helpers/vectors'

const ROOT = path.join(__dirname, '..')
const binary = ['Release', 'Debug'].map((c) => path.join(ROOT, 'build', c, 'engine_test')).find((p) => fs.existsSync(p))

test('the C engine tests are built beside the addon', () => {
  expect(binary).toBeDefined()
})

test('the C engine tests pass, all 7 packet vector rows and all 98 xswiftec_inv encodings included', () => {
  const r = spawnSync(binary!, [path.join(FIXTURES, 'packet_encoding_test_vectors.csv')], { encoding: 'utf8' })
  expect(r.stderr).toBe('')
  const summary = /^engine_test: (\d+) passed, (\d+) failed$/m.exec(r.stdout)
  expect(summary).not.toBeNull()
  expect(Number(summary![2])).toBe(0)
  expect(Number(summary![1])).toBeGreaterThanOrEqual(7 * 15 + 98)
  expect(r.status).toBe(0)
})

// Ignoring a MAC or key-validity result is a compile error with -Werror (gcc ignores a (void) cast
// here, so the engine's own callers use every result).
test.each([
  ['bip324_decrypt', 'bip324_decrypt(c, &header, out, out, NULL, 0)'],
  ['bip324_ecdh', 'bip324_ecdh(ctx, out, out, out, out, 1)'],
  ['bip324_ellswift_create', 'bip324_ellswift_create(ctx, out, out, out)']
])('ignoring the result of %s does not compile; using it does', (_name, call) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-unused-'))
  const compile = (statement: string): { status: number | null, stderr: string } => {
    const file = path.join(dir, 'use.c')
    fs.writeFileSync(file, '#include <stddef.h>\n#include "bip324_engine.h"\n' +
      'int use(bip324_cipher *c, const secp256k1_context *ctx, unsigned char *out) {\n' +
      `  unsigned char header;\n  ${statement};\n  return 0;\n}\n`)
    const r = spawnSync('cc', ['-c', '-o', path.join(dir, 'use.o'), '-Werror=unused-result', '-I', path.join(ROOT, 'native'),
      '-I', path.join(ROOT, 'deps', 'secp256k1', 'include'), file], { encoding: 'utf8' })
    if (r.error) throw new Error(`cannot run the system C compiler cc: ${r.error.message}`)
    return { status: r.status, stderr: r.stderr }
  }
  try {
    const ignored = compile(call)
    expect(ignored.status).not.toBe(0)
    expect(ignored.stderr).toMatch(/unused-result|ignoring return value/)
    expect(compile(`if (!${call}) return 1`)).toEqual({ status: 0, stderr: '' })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
