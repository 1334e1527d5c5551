/** Reads the BIP-324 CSV vectors in test/fixtures/bip324 (CRLF lines, header first, lowercase hex). */

import fs from 'node:fs'
import path from 'node:path'

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'bip324')

export function readCsv (file: string): Array<Record<string, string>> {
  const [header, ...rows] = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\r\n').filter((l) => l !== '')
  const columns = header!.split(',')
  return rows.map((line) => {
    const cells = line.split(',')
    if (cells.length !== columns.length) throw new Error(`${file}: expected ${columns.length} cells, got ${cells.length}`)
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]!]))
  })
}
