/** How the CLI talks: human lines on stdout, or one JSON document with --json; progress on stderr. */

import { Presets, SingleBar } from 'cli-progress'

import { printable } from './sanitize'

export interface Progress {
  /** `done` of the total so far. */
  update: (done: number) => void
  /** Ends the display (a bar is cleared); call it on every path, for the bar's timer. */
  stop: () => void
}

export interface ProgressOptions {
  /** When stderr is not a terminal, a plain line every few seconds instead of nothing: for a long
   *  download whose log should show it is alive. */
  lines?: boolean
}

export interface Output {
  readonly json: boolean
  /** A line for humans; dropped with --json. */
  say: (line?: string) => void
  /** A progress bar on stderr when it is a terminal (cli-progress), else plain lines if asked;
   *  nothing with --json. */
  progress: (label: string, total: number, options?: ProgressOptions) => Progress
}

const NO_PROGRESS: Progress = { update: () => {}, stop: () => {} }
// How often a line is written when stderr is not a terminal.
const LINE_INTERVAL = 5_000

export function output (json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  return {
    json,
    // Each line made printable: lines of ours may quote a peer (its user agent, an error message).
    say: (line = '') => { if (!json) stdout.write(line.split('\n').map(printable).join('\n') + '\n') },
    progress: (label, total, { lines = false } = {}) => {
      const tty = stderr.isTTY === true
      if (json || (!tty && !lines)) return NO_PROGRESS
      const bar = new SingleBar({
        stream: stderr,
        format: tty ? `  ${label} [{bar}] {percentage}% {value}/{total}` : `  ${label}: {value} of {total} ({percentage}%)`,
        formatValue: (v, _options, type) => type === 'value' || type === 'total' ? v.toLocaleString('en-US') : String(v),
        barsize: 30,
        clearOnComplete: true,
        hideCursor: tty,
        noTTYOutput: lines,
        notTTYSchedule: LINE_INTERVAL
      }, Presets.legacy)
      bar.start(total, 0)
      return {
        update: (done) => {
          // A total that was an estimate (a peer's start height) grows with what arrives.
          if (done > bar.getTotal()) bar.setTotal(done)
          bar.update(done)
        },
        stop: () => { bar.stop() }
      }
    }
  }
}

export function formatBytes (n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`
  return `${n} B`
}

export function formatSize (n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`
  return `${n.toLocaleString('en-US')} B`
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** Services as getpeerinfo's "services" shows them, in text and JSON alike: 16 hex digits. */
export const servicesHex = (services: bigint): string => services.toString(16).padStart(16, '0')
