#!/usr/bin/env node
/**
 * The `bip324` command. Exit codes: 0 success; 1 the operation failed (refused, timeout, handshake
 * or transport error: the message says which); 2 usage error; 3 the peer only speaks v1 (connect
 * without --v1-fallback).
 */

import { parseArgs, type ParseArgsConfig } from 'node:util'

import { Bip324Error } from '../errors'
import type { BackendChoice } from '../crypto'
import { bench, usage as benchUsage } from './bench'
import { connectCommand, usage as connectUsage } from './connect'
import { demo, usage as demoUsage } from './demo'
import { UsageError } from './errors'
import { output, type Output } from './output'
import { proxyCommand, usage as proxyUsage } from './proxy'

/** parseArgs' values: strings, booleans, and string arrays for repeatable options. */
export type Values = Record<string, string | boolean | string[] | undefined>

interface Command {
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  run: (out: Output, values: Values, positionals: string[]) => Promise<number>
}

const common = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  backend: { type: 'string' }
} as const

const COMMANDS: Record<string, Command> = {
  demo: {
    usage: demoUsage,
    options: common,
    run: (out, values) => demo(out, { backend: values.backend as BackendChoice })
  },
  connect: {
    usage: connectUsage,
    options: { ...common, network: { type: 'string' }, 'v1-fallback': { type: 'boolean' }, timeout: { type: 'string' } },
    run: connectCommand
  },
  proxy: {
    usage: proxyUsage,
    options: { ...common, network: { type: 'string' }, listen: { type: 'string' }, target: { type: 'string' }, allow: { type: 'string', multiple: true }, 'max-sessions': { type: 'string' } },
    run: proxyCommand
  },
  bench: {
    usage: benchUsage,
    options: { json: common.json, help: common.help },
    run: (out) => bench(out)
  }
}

const USAGE = `bip324: BIP-324 v2 encrypted transport for Bitcoin P2P

  bip324 demo       a handshake and messages between two peers of ours on 127.0.0.1
  bip324 connect    probe a Bitcoin node: handshake, version, user agent, session id
  bip324 proxy      let v1-only software reach peers over BIP-324
  bip324 bench      a short benchmark: native against JS, bip324 against plain TCP

Every command takes --help and --json. Exit codes: 0 success, 1 failure, 2 usage error,
3 the peer only speaks v1.`

export async function main (argv: string[], out?: Output): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n')
    return name === undefined ? 2 : 0
  }
  // Own keys only: 'toString' or '__proto__' name no command.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (command === undefined) {
    process.stderr.write(`bip324: unknown command "${name}"\n\n${USAGE}\n`)
    return 2
  }
  let parsed: { values: Values, positionals: string[] }
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true }) as typeof parsed
  } catch (err) {
    process.stderr.write(`bip324 ${name}: ${(err as Error).message}\n\n${command.usage}\n`)
    return 2
  }
  if (parsed.values.help === true) {
    process.stdout.write(command.usage + '\n')
    return 0
  }
  const o = out ?? output(parsed.values.json === true)
  try {
    return await command.run(o, parsed.values, parsed.positionals)
  } catch (err) {
    if (err instanceof UsageError || (err as Bip324Error).code === 'ERR_BIP324_INVALID_ARG') {
      process.stderr.write(`bip324 ${name}: ${(err as Error).message}\n\n${command.usage}\n`)
      return 2
    }
    const code = (err as Bip324Error).code
    if (o.json) process.stdout.write(JSON.stringify({ ok: false, error: { code, message: (err as Error).message } }) + '\n')
    else process.stderr.write(`bip324 ${name}: ${(err as Error).message}${code === undefined ? '' : ` (${code})`}\n`)
    return 1
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
    process.stderr.write(`bip324: ${String(err)}\n`)
    process.exitCode = 1
  })
}
