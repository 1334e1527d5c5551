/** Reads the vectors in test/fixtures: the BIP-324 CSVs in bip324/ (CRLF lines, header first, lowercase
 *  hex) and the hex files of blocks and transactions in blocks/. */

import fs from 'node:fs'
import path from 'node:path'

import { hex } from './bytes'

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'bip324')
export const BLOCKS = path.join(__dirname, '..', 'fixtures', 'blocks')

export function readCsv (file: string): Array<Record<string, string>> {
  const [header, ...rows] = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\r\n').filter((l) => l !== '')
  const columns = header!.split(',')
  return rows.map((line) => {
    const cells = line.split(',')
    if (cells.length !== columns.length) throw new Error(`${file}: expected ${columns.length} cells, got ${cells.length}`)
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]!]))
  })
}

/** The bytes of a hex file in test/fixtures/blocks (provenance: its README.md). */
export function blockFixture (name: string): Uint8Array {
  return hex(fs.readFileSync(path.join(BLOCKS, name), 'utf8'))
}
