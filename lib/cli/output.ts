/** How the CLI talks: human lines on stdout, or one JSON document with --json; progress on stderr. */

export interface Output {
  readonly json: boolean
  /** A line for humans; dropped with --json. */
  say: (line?: string) => void
  /** A progress bar on stderr when it is a terminal; returns the function that updates it. */
  progress: (label: string, total: number) => (done: number) => void
}

export function output (json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  return {
    json,
    say: (line = '') => { if (!json) stdout.write(line + '\n') },
    progress: (label, total) => {
      if (json || stderr.isTTY !== true) return () => {}
      return (done) => {
        const width = 30
        const filled = Math.round((done / total) * width)
        stderr.write(`\r  ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((done / total) * 100)}%`)
        if (done >= total) stderr.write('\r\x1b[K')
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
