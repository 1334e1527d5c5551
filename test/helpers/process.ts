/**
 * A program run as a child process with a deadline: its exit, output, and whether it had to be
 * killed. It leads a process group of its own, so a signal reaches what it started too (a shell's
 * commands), and the deadline leaves nothing running.
 */

import { spawn } from 'node:child_process'

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Killed at the deadline: it did not exit by itself. */
  timedOut: boolean
}

export interface Running {
  exited: Promise<Exit>
  signal: (name: NodeJS.Signals) => void
}

export function start (command: string, args: string[], options: { cwd: string, env?: NodeJS.ProcessEnv, timeoutMs: number }): Running {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let stdout = ''
  let stderr = ''
  let timedOut = false
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
  const group = (name: NodeJS.Signals): void => {
    try { process.kill(-child.pid!, name) } catch { /* already gone */ }
  }
  const timer = setTimeout(() => { timedOut = true; group('SIGKILL') }, options.timeoutMs)
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, timedOut }) })
  })
  return { exited, signal: group }
}
