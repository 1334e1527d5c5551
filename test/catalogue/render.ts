/** docs/bad-input.md, written from the cases so that the document and the tests are one table. */

import type { Case } from './case'

const cell = (s: string): string => s.replace(/\|/g, '\\|')

function memory (c: Case): string {
  if (c.bound === undefined) return c.memory ?? ''
  return c.bound === 0 ? 'nothing held after the call' : `at most ${c.bound.toLocaleString('en-US')} bytes held`
}

export function render (sections: Array<[string, Case[]]>): string {
  const total = sections.reduce((n, [, cases]) => n + cases.length, 0)
  const lines = [
    '# Bad-input catalogue',
    '',
    `${total} cases, each one test in \`test/bad-input-catalogue.test.ts\` (run by \`npm test\`), which checks the`,
    'error code and, where a byte count is given, the most the protocol held for the peer. This file is',
    'generated from the cases (`npm run docs:catalogue`); a test fails when it is out of date.',
    '',
    'Codes are `err.code` of a `Bip324Error`; `none` means the input is legitimate and must be accepted.',
    'Any error closes the session and wipes its keys; messages that arrived before it are still delivered.',
    ''
  ]
  for (const [title, cases] of sections) {
    lines.push(`## ${title}`, '', '| case | input | expected | what is closed | memory |', '| --- | --- | --- | --- | --- |')
    for (const c of cases) lines.push(`| \`${c.id}\` | ${cell(c.input)} | \`${c.expected}\` | ${cell(c.closed)} | ${cell(memory(c))} |`)
    lines.push('')
  }
  return lines.join('\n')
}
