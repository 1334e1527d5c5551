#!/usr/bin/env node
/**
 * The `bip324` command: dispatch, help and version. Exit codes are in USAGE; report.ts says how
 * each ending is printed.
 */

import { PACKAGE_VERSION } from '../package'
import { backendOf, type Options, parseCommandLine, type Values, wantsJson } from './args'
import { bench, usage as benchUsage } from './bench'
import { blockCommand, usage as blockUsage } from './block'
import { broadcastCommand, BROADCAST_OPTIONS, usage as broadcastUsage } from './broadcast'
import { connectCommand, usage as connectUsage } from './connect'
import { demo, usage as demoUsage } from './demo'
import { headersCommand, usage as headersUsage } from './headers'
import { NODE_OPTIONS } from './node-target'
import { peersCommand, PEERS_OPTIONS, usage as peersUsage } from './peers'
import { UsageError } from './errors'
import { output, type Output } from './output'
import { proxyCommand, usage as proxyUsage } from './proxy'
import { report } from './report'

interface Command {
  usage: string
  options: Options
  /** Whether it takes arguments besides options (connect's <host[:port]>). */
  positionals: boolean
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
    positionals: false,
    run: (out, values) => demo(out, { backend: backendOf(values) })
  },
  connect: {
    usage: connectUsage,
    options: { ...common, ...NODE_OPTIONS },
    positionals: true,
    run: connectCommand
  },
  headers: {
    usage: headersUsage,
    options: { ...common, ...NODE_OPTIONS },
    positionals: true,
    run: headersCommand
  },
  block: {
    usage: blockUsage,
    options: { ...common, ...NODE_OPTIONS },
    positionals: true,
    run: blockCommand
  },
  broadcast: {
    usage: broadcastUsage,
    options: { ...common, ...BROADCAST_OPTIONS },
    positionals: true,
    run: (out, values, positionals) => broadcastCommand(out, values, positionals)
  },
  peers: {
    usage: peersUsage,
    options: { ...common, ...PEERS_OPTIONS },
    positionals: true,
    run: (out, values, positionals) => peersCommand(out, values, positionals)
  },
  proxy: {
    usage: proxyUsage,
    options: { ...common, network: { type: 'string' }, listen: { type: 'string' }, target: { type: 'string' }, allow: { type: 'string', multiple: true }, 'max-sessions': { type: 'string' } },
    positionals: false,
    run: proxyCommand
  },
  bench: {
    usage: benchUsage,
    options: { json: common.json, help: common.help },
    positionals: false,
    run: (out) => bench(out)
  }
}

const USAGE = `bip324 <command> [options]    bip324 help <command>    bip324 --version

BIP-324 v2 encrypted transport for Bitcoin P2P.

  bip324 demo       a handshake and messages between two peers of ours on 127.0.0.1
  bip324 connect    probe a Bitcoin node: handshake, version, user agent, session id
  bip324 headers    download and check a node's block headers from genesis
  bip324 block      download one block with its witnesses and check it
  bip324 broadcast  send a transaction privately, as Bitcoin Core's -privatebroadcast
  bip324 peers      a small census: peers reached from the DNS seeds or given addresses, and the v2 share
  bip324 proxy      let v1-only software reach peers over BIP-324
  bip324 bench      a short benchmark: native against JS, bip324 against plain TCP

Every command takes --help and --json. With --json, the result or the error is one JSON object
on stdout (the proxy: one per line); errors are { "ok": false, "error": { "code", "message", ... } }.

Exit codes:
  0  success
  1  the operation failed (refused, unreachable, timed out, handshake or transport error: the
     message says which); also a bug, which alone prints a stack trace (please report it)
  2  usage error: the command line is wrong, and nothing was attempted
  3  the peer speaks only v1 (connect, headers and block without --v1-fallback)`

// Own keys only: 'toString' or '__proto__' name no command.
function commandNamed (name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
}

function unknownCommand (name: string): UsageError {
  return new UsageError(name.startsWith('-') ? `unknown option ${name} (options go after the command)` : `unknown command "${name}"`)
}

// `bip324`, `bip324 help [command]` (or --help, -h), `bip324 --version` (or -v).
function topLevel (name: string | undefined, rest: string[]): number {
  if (name === undefined) throw new UsageError('which command?')
  const help = name === 'help' || name === '--help' || name === '-h'
  if (rest.length > 0 && !help) throw new UsageError(`${name} takes nothing after it`)
  if (!help) {
    process.stdout.write(PACKAGE_VERSION + '\n')
  } else if (rest.length === 0) {
    process.stdout.write(USAGE + '\n')
  } else {
    const command = commandNamed(rest[0]!)
    if (command === undefined) throw unknownCommand(rest[0]!)
    if (rest.length > 1) throw new UsageError('help takes one command')
    process.stdout.write(command.usage + '\n')
  }
  return 0
}

const TOP_LEVEL = [undefined, '--help', '-h', 'help', '--version', '-v']

export async function main (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const command = name === undefined ? undefined : commandNamed(name)
  const where = { command: command === undefined ? undefined : name, usage: command?.usage ?? USAGE, json: wantsJson(argv) }
  try {
    if (TOP_LEVEL.includes(name)) return topLevel(name, rest)
    if (command === undefined) throw unknownCommand(name!)
    const { values, positionals } = parseCommandLine(rest, command.options, command.positionals)
    if (values.help === true) {
      process.stdout.write(command.usage + '\n')
      return 0
    }
    return await command.run(output(values.json === true), values, positionals)
  } catch (err) {
    return report(err, where)
  }
}

/**
 * A reader that stops reading (`bip324 connect ... | head -1`) closes our stdout, and the next
 * write fails with EPIPE: the command ends there, quietly and with exit code 0, as a Unix tool
 * ends of SIGPIPE (which Node ignores) without a word. A closed stderr costs only the messages it
 * would have carried: the exit code still says how the command ended. Other errors of the two
 * streams are bugs, thrown as before.
 */
function endQuietlyOnClosedOutput (): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
    process.exit(0)
  })
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
  })
}

// A rejection here is a bug in report() itself: Node prints it with its stack and exits 1.
if (require.main === module) {
  endQuietlyOnClosedOutput()
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code })
}
