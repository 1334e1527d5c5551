/**
 * A Node process of its own running a script against the built package (dist/), for what one
 * process must show alone: its memory while a peer floods it, its file descriptors, that it
 * survives. The script talks in JSON lines: `report(value)` writes one; `requests` are lines the
 * test sends on stdin.
 */

import { type ChildProcessByStdio, spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import type { Readable, Writable } from 'node:stream'

const DIST = path.join(__dirname, '..', '..', 'dist')

const PRELUDE = `
const bip324 = require(${JSON.stringify(DIST)})
const report = (value) => process.stdout.write(JSON.stringify(value) + '\\n')
const requests = require('node:readline').createInterface({ input: process.stdin })
// Memory after a full collection, the way a bound is stated: what stays, not garbage awaiting GC.
const rss = () => { global.gc(); return process.memoryUsage().rss }
// What JavaScript holds after a full collection (heap and buffers): RSS keeps pages a flood of
// garbage grew, so a small bound on what a connection holds is stated in this.
const live = () => { global.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
// The peak RSS seen every 10 ms (no collection: the peak is what the process really held).
const peak = { base: 0, max: 0, timer: null }
const watchPeak = () => { peak.live = live(); peak.base = rss(); peak.max = peak.base; peak.timer = setInterval(() => { peak.max = Math.max(peak.max, process.memoryUsage().rss) }, 10) }
const fds = () => require('node:fs').readdirSync('/proc/self/fd').length
`

export interface Child {
  /** The next JSON line the script reports. */
  next: <T = Record<string, unknown>>() => Promise<T>
  send: (line: string) => void
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<number | string>
  stderr: () => string
  kill: () => void
}

export function child (script: string): Child {
  const proc: ChildProcessByStdio<Writable, Readable, Readable> = spawn(process.execPath, ['--expose-gc', '-e', PRELUDE + script], { stdio: ['pipe', 'pipe', 'pipe'] })
  let err = ''
  proc.stderr.on('data', (b: Buffer) => { err += b.toString() })
  const lines = readline.createInterface({ input: proc.stdout })
  const queue: string[] = []
  const waiting: Array<(line: string) => void> = []
  lines.on('line', (line) => { const w = waiting.shift(); if (w) w(line); else queue.push(line) })
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  return {
    next: <T>() => new Promise<T>((resolve, reject) => {
      const take = (line: string): void => resolve(JSON.parse(line) as T)
      const line = queue.shift()
      if (line !== undefined) { take(line); return }
      waiting.push(take)
      void exited.then((code) => reject(new Error(`child exited (${code}) before reporting:\n${err}`)))
    }),
    send: (line) => proc.stdin.write(line + '\n'),
    exited,
    stderr: () => err,
    kill: () => proc.kill()
  }
}
