import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import { FIXTURES, readCsv } from './helpers/vectors'

// The table in the fixtures README is the provenance record: each file must still be the copy it names.
const table = [...fs.readFileSync(path.join(FIXTURES, 'README.md'), 'utf8')
  .matchAll(/^\| `([\w.]+\.csv)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm)]
  .map(([, file, rows, sha256]) => ({ file: file!, rows: Number(rows), sha256: sha256! }))

test('the provenance table names all three BIP-324 vector files', () => {
  expect(table.map((t) => t.file).sort()).toEqual(
    fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.csv')).sort())
})

test.each(table)('$file is byte-for-byte the recorded copy, with $rows rows', ({ file, rows, sha256 }) => {
  const digest = crypto.createHash('sha256').update(fs.readFileSync(path.join(FIXTURES, file))).digest('hex')
  expect(digest).toBe(sha256)
  expect(readCsv(file)).toHaveLength(rows)
})
