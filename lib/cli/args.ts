/**
 * A command's line through util.parseArgs, with its errors in our words: parseArgs' own messages
 * speak of "positional arguments" and of '--' tricks a user did not ask about. It reports only a
 * code and a message, so the offending argument is found again in a lenient parse's tokens.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util'

import type { BackendChoice } from '../crypto'
import { isNetworkName, NETWORKS, type NetworkName } from '../network'
import { UsageError } from './errors'

/** parseArgs' values: strings, booleans, and string arrays for repeatable options. */
export type Values = Record<string, string | boolean | string[] | undefined>

export type Options = NonNullable<ParseArgsConfig['options']>

export interface Parsed {
  values: Values
  positionals: string[]
}

/** Whether `args` ask for JSON: read before parsing, so that a line that does not parse is
 *  reported in JSON too. Past '--' everything is an argument. */
export function wantsJson (args: readonly string[]): boolean {
  const end = args.indexOf('--')
  return (end < 0 ? args : args.slice(0, end)).includes('--json')
}

export function parseCommandLine (args: string[], options: Options, allowPositionals: boolean): Parsed {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true }) as Parsed
  } catch (err) {
    throw new UsageError(explain(err as Error & { code?: string }, args, options))
  }
}

function explain (err: Error & { code?: string }, args: string[], options: Options): string {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true })
  for (const t of tokens) {
    if (t.kind === 'positional' && err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument "${t.value}"`
    if (t.kind !== 'option') continue
    const option = Object.hasOwn(options, t.name) ? options[t.name] : undefined
    if (option === undefined) {
      if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${t.rawName}`
      continue
    }
    if (err.code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') continue
    if (option.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value`
    if (option.type === 'string' && t.value === undefined) return `${t.rawName} needs a value`
    // parseArgs refuses "--timeout --json": most likely a forgotten value, not the value "--json".
    if (option.type === 'string' && t.inlineValue === false && t.value.startsWith('-')) {
      return `${t.rawName} needs a value (for one that starts with "-", write ${t.rawName}=${t.value})`
    }
  }
  // A parseArgs error we do not know: a bug of ours to report, not a message to pass on.
  throw err
}

/** --backend, as the library's selectBackend takes it (whose message would offer "a backend object"). */
export function backendOf (values: Values): BackendChoice {
  const backend = values.backend ?? 'auto'
  if (backend !== 'native' && backend !== 'js' && backend !== 'auto') throw new UsageError(`--backend takes native, js or auto, not "${String(backend)}"`)
  return backend
}

export function networkOf (values: Values): NetworkName {
  const network = values.network ?? 'mainnet'
  if (!isNetworkName(network)) throw new UsageError(`--network takes ${Object.keys(NETWORKS).join(', ')}, not "${String(network)}"`)
  return network
}

/** --name as an integer from 1 to max (`fallback` when it is not given). */
export function integerOption (values: Values, name: string, fallback: number, max: number): number {
  const text = typeof values[name] === 'string' ? values[name] : String(fallback)
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`--${name} takes an integer from 1 to ${max}, not "${text}"`)
  return n
}
