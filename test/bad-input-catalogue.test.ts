// The bad-input catalogue (docs/bad-input.md): one test per row, each checking the error code the
// row promises and the memory bound it states. UPDATE_CATALOGUE=1 rewrites the document.

import fs from 'node:fs'
import path from 'node:path'

import type { Case } from './catalogue/case'
import { handshakeCases } from './catalogue/handshake'
import { messageCases } from './catalogue/messages'
import { networkCases } from './catalogue/network'
import { packetCases } from './catalogue/packets'
import { peerCases } from './catalogue/peer'
import { proxyCases } from './catalogue/proxy'
import { render } from './catalogue/render'

const SECTIONS: Array<[string, Case[]]> = [
  ['Handshake', handshakeCases],
  ['Packets after the handshake', packetCases],
  ['Sockets', networkCases],
  ['Messages and v1 frames', messageCases],
  ['Proxy clients', proxyCases],
  ['Peer messages', peerCases]
]
const DOC = path.join(__dirname, '..', 'docs', 'bad-input.md')

describe.each(SECTIONS)('%s', (_title, cases) => {
  test.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const outcome = await c.run()
    expect(outcome.code).toBe(c.expected)
    if (c.bound !== undefined) {
      expect(outcome.maxBuffered).toBeDefined()
      expect(outcome.maxBuffered).toBeLessThanOrEqual(c.bound)
    }
    // Any error ends the session; accepted input leaves it open.
    if (outcome.closed !== undefined) expect(outcome.closed).toBe(c.expected !== 'none')
    if (c.sends !== undefined) {
      expect(outcome.sent).toBeDefined()
      expect(outcome.sent).toBeLessThanOrEqual(c.sends)
    }
  })
})

test('every case id is unique, and there are at least 40', () => {
  const ids = SECTIONS.flatMap(([, cases]) => cases.map((c) => c.id))
  expect(new Set(ids).size).toBe(ids.length)
  expect(ids.length).toBeGreaterThanOrEqual(40)
})

test('docs/bad-input.md is the table of these cases', () => {
  const text = render(SECTIONS)
  if (process.env.UPDATE_CATALOGUE === '1') fs.writeFileSync(DOC, text)
  expect(fs.readFileSync(DOC, 'utf8')).toBe(text)
})
