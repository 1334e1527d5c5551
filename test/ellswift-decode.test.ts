import { native } from '../lib/native/binding'
import { variants } from './helpers/backends'
import { hex, toHex } from './helpers/bytes'
import { readCsv } from './helpers/vectors'

const rows = readCsv('ellswift_decode_test_vectors.csv')

test('the decode vectors are all here', () => {
  expect(rows).toHaveLength(76)
})

const cases = rows.map((r, i) => ({ row: i + 1, ellswift: r.ellswift!, x: r.x!, comment: r.comment! }))

describe.each(variants)('$name', ({ backend }) => {
  test.each(cases)('row $row decodes ($comment)', ({ ellswift, x }) => {
    expect(toHex(backend.ellswiftDecode(hex(ellswift)))).toBe(x)
  })
})

test('the binding reads and writes at the views\' offsets, not at the start of their buffers', () => {
  const row = rows[5]!
  const input = Buffer.alloc(64 + 7 + 9, 0xee)
  hex(row.ellswift!).forEach((b, i) => { input[7 + i] = b })
  const output = Buffer.alloc(32 + 3 + 5, 0xaa)
  native().ellswiftDecode(output.subarray(3, 35), input.subarray(7, 71))
  expect(toHex(output.subarray(3, 35))).toBe(row.x)
  expect([...output.subarray(0, 3), ...output.subarray(35)]).toEqual(Array(8).fill(0xaa))
})
