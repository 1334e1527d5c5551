/**
 * How a command that ends badly says so, and its exit code. For humans: one line on stderr,
 * `bip324 <command>: <what happened> (<code>)`, and the usage after a usage error. With --json:
 * one object on stdout, where the commands print their results, `{ ok: false, error: { code,
 * message, command, usage? } }`. Only a bug (an error with no code a library or the system gave)
 * prints a stack trace: that is what a bug report needs, and nothing a user can act on.
 */

import { Failure, UsageError } from './errors'
import { printable } from './sanitize'

/** The code of a usage error in JSON: ours, not the library's (it is not a Bip324ErrorCode). */
const USAGE_CODE = 'ERR_USAGE'

export interface Where {
  /** The command (connect, proxy...), or undefined before one is known. */
  command: string | undefined
  /** Its usage text, printed after a usage error; its first paragraph goes into JSON. */
  usage: string
  json: boolean
}

type Coded = Error & { code?: unknown, syscall?: unknown }

/** Errors of the library (Bip324Error) and of the system (ECONNRESET...), which the commands did
 *  not put in other words: their message is the report. Node's own ERR_* codes mark bugs of ours. */
export function isOperational (err: unknown): err is Error & { code: string } {
  const e = err as Coded
  return err instanceof Error && typeof e.code === 'string' && (e.code.startsWith('ERR_BIP324_') || typeof e.syscall === 'string' || e.code === 'ABORT_ERR')
}

export function report (err: unknown, where: Where): number {
  const prefix = where.command === undefined ? 'bip324' : `bip324 ${where.command}`
  const print = (code: string, message: string, extra: Record<string, unknown> = {}): void => {
    if (where.json) process.stdout.write(JSON.stringify({ ok: false, error: { code, message, command: where.command ?? null, ...extra } }) + '\n')
    // An error message may quote what a peer sent: made printable for a terminal, exact in JSON.
    else process.stderr.write(`${prefix}: ${printable(message)}\n`)
  }
  // The library's checks behind the command's own: a value the command passed on as given.
  if (err instanceof UsageError || (isOperational(err) && err.code === 'ERR_BIP324_INVALID_ARG')) {
    if (where.json) print(USAGE_CODE, err.message, { usage: where.usage.split('\n\n')[0] })
    else process.stderr.write(`${prefix}: ${printable(err.message)}\n\n${where.usage}\n`)
    return 2
  }
  if (err instanceof Failure || isOperational(err)) {
    print(err.code, where.json ? err.message : `${err.message} (${err.code})`)
    return err instanceof Failure ? err.exitCode : 1
  }
  const stack = err instanceof Error ? err.stack ?? String(err) : String(err)
  if (where.json) print('ERR_INTERNAL', `internal error: ${String(err)}`, { stack })
  else process.stderr.write(`${prefix}: internal error, please report it with what follows:\n${stack.split('\n').map(printable).join('\n')}\n`)
  return 1
}
