/**
 * Puts the latest run's headline tables into README.md, between the bench markers, so that the
 * README shows measured figures rather than a link to them.
 */

import fs from 'node:fs'
import path from 'node:path'

const START = '<!-- bench:start -->'
const END = '<!-- bench:end -->'
const SECTIONS = ['### Goals', '### Packets: encrypt + decrypt', '### Loopback', '### Two-process stream', '### Memory per idle connection', '### Big messages']

/** The sections of `markdown` whose headings start with one of SECTIONS, up to the next heading. */
function pick (markdown: string): string {
  const parts = markdown.split(/\n(?=### )/)
  return SECTIONS.map((h) => parts.find((p) => p.startsWith(h))).filter((p): p is string => p !== undefined).map((p) => p.trim()).join('\n\n')
}

/** `markdown`: a run's latest.md; its machine line (the first after the title) heads the block. */
export function updateReadme (readme: string, markdown: string): void {
  const header = markdown.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))[0] ?? ''
  const text = fs.readFileSync(readme, 'utf8')
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) return
  const block = `${START}\n${header}\n\n${pick(markdown).replace(/^### /gm, '#### ')}\n${END}`
  fs.writeFileSync(readme, text.slice(0, start) + block + text.slice(end + END.length))
}

// `node .bench/bench/readme.js`: the README from the last run's latest.md, without measuring again.
if (require.main === module) {
  const root = path.join(__dirname, '..', '..')
  updateReadme(path.join(root, 'README.md'), fs.readFileSync(path.join(root, 'bench', 'results', 'latest.md'), 'utf8'))
}
