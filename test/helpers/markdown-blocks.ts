/**
 * The fenced code blocks of a Markdown file, as CommonMark reads them: a fence is three or more
 * backticks or tildes indented by at most three spaces; it closes at a fence of the same character,
 * at least as long, with nothing after it; the opening fence's indentation is taken off each line
 * of the block. The info string's first word is the language, the words after it are attributes
 * (renderers show only the language, so attributes are invisible to readers).
 */

import fs from 'node:fs'

export interface Block {
  /** The file as given. */
  file: string
  /** 1-based line of the opening fence. */
  line: number
  /** The info string's first word: 'js', 'sh', ...; '' when the fence has none. */
  lang: string
  attributes: string[]
  /** The block's lines, joined with '\n', without a trailing newline. */
  text: string
}

const OPENING = /^( {0,3})(`{3,}|~{3,})\s*([^`]*)$/

export function fencedBlocks (file: string): Block[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i]!)
    if (open === null) continue
    const [, indent, fence, info] = open as unknown as [string, string, string, string]
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    const body: string[] = []
    let j = i + 1
    // An unclosed fence runs to the end of the file, as CommonMark says.
    for (; j < lines.length && !closing.test(lines[j]!); j++) body.push(stripIndent(lines[j]!, indent.length))
    const [lang = '', ...attributes] = info.trim().split(/\s+/).filter((w) => w !== '')
    blocks.push({ file, line: i + 1, lang, attributes, text: body.join('\n') })
    i = j
  }
  return blocks
}

// Up to `n` leading spaces, no more: deeper lines keep their own indentation.
function stripIndent (line: string, n: number): string {
  let k = 0
  while (k < n && line[k] === ' ') k++
  return line.slice(k)
}
