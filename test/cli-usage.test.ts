// The command line itself, run as a child process: version, help, and usage errors in our words,
// for humans (stderr, with the usage) and under --json (one object on stdout).

import { PACKAGE_VERSION } from '../lib/package'
import { runCli } from './helpers/cli'

const COMMANDS = ['demo', 'connect', 'proxy', 'bench']

test('--version and -v print the package version and nothing else, exit 0', async () => {
  for (const flag of ['--version', '-v']) {
    const run = await runCli([flag])
    expect({ flag, ...run }).toEqual({ flag, code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' })
  }
  const extra = await runCli(['--version', 'connect'])
  expect(extra.code).toBe(2)
  expect(extra.stderr).toMatch(/^bip324: --version takes nothing after it\n/)
})

test('help <command> prints what <command> --help does, exit 0; help alone lists the commands and the exit codes', async () => {
  for (const command of COMMANDS) {
    const help = await runCli(['help', command])
    const flag = await runCli([command, '--help'])
    expect({ command, code: help.code, stderr: help.stderr }).toEqual({ command, code: 0, stderr: '' })
    expect(help.stdout).toBe(flag.stdout)
    expect(help.stdout.startsWith(`bip324 ${command}`)).toBe(true)
  }
  const all = await runCli(['help'])
  expect(all.code).toBe(0)
  for (const command of COMMANDS) expect(all.stdout).toContain(`bip324 ${command} `)
  expect(all.stdout).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}the operation failed[^]*\n {2}2 {2}usage error[^]*\n {2}3 {2}the peer speaks only v1/)
})

test('help with an unknown command, and bip324 alone, are usage errors: exit 2, the list of commands on stderr', async () => {
  const unknown = await runCli(['help', 'frobnicate'])
  expect(unknown).toMatchObject({ code: 2, stdout: '' })
  expect(unknown.stderr).toMatch(/^bip324: unknown command "frobnicate"\n\nbip324 <command>[^]*bip324 connect {4}probe/)
  const bare = await runCli([])
  expect(bare).toMatchObject({ code: 2, stdout: '' })
  expect(bare.stderr).toMatch(/^bip324: which command\?\n\nbip324 <command>/)
})

test('parseArgs errors in our words, naming the option; the command is the prefix and the usage follows', async () => {
  const cases: Array<[string[], string]> = [
    [['connect', '127.0.0.1', '--foo'], 'bip324 connect: unknown option --foo'],
    [['bench', '-x'], 'bip324 bench: unknown option -x'],
    [['bench', '--backend', 'js'], 'bip324 bench: unknown option --backend'],
    [['connect', '127.0.0.1', '--timeout'], 'bip324 connect: --timeout needs a value'],
    [['connect', '127.0.0.1', '--timeout', '-5'], 'bip324 connect: --timeout needs a value (for one that starts with "-", write --timeout=-5)'],
    [['demo', '--json=yes'], 'bip324 demo: --json takes no value'],
    [['demo', 'now'], 'bip324 demo: unexpected argument "now"'],
    [['proxy', '--listen', '127.0.0.1:0', 'extra'], 'bip324 proxy: unexpected argument "extra"'],
    [['demo', '--backend', 'quantum'], 'bip324 demo: --backend takes native, js or auto, not "quantum"'],
    [['connect', '127.0.0.1', '--network', 'moonnet'], 'bip324 connect: --network takes mainnet, testnet3, testnet4, signet, regtest, not "moonnet"'],
    [['connect', '127.0.0.1', '--timeout', '5s'], 'bip324 connect: --timeout takes milliseconds from 1 to 2147483647, not "5s"'],
    [['connect'], 'bip324 connect: expected a <host[:port]>'],
    [['frobnicate'], 'bip324: unknown command "frobnicate"'],
    [['--foo'], 'bip324: unknown option --foo (options go after the command)']
  ]
  for (const [args, line] of cases) {
    const run = await runCli(args)
    const [first, blank] = run.stderr.split('\n')
    expect({ args, code: run.code, stdout: run.stdout, first, blank }).toEqual({ args, code: 2, stdout: '', first: line, blank: '' })
    expect(run.stderr).not.toMatch(/positional|backend object|To specify|Did you forget/)
    expect(run.stderr).toContain(`\n\nbip324 ${args[0]!.startsWith('-') || args[0] === 'frobnicate' ? '<command>' : args[0]}`)
  }
})

test('under --json a usage error is one object on stdout, as the commands print results and failures; stderr stays empty', async () => {
  const cases: Array<[string[], string | null, string]> = [
    [['connect', '--json', '--foo'], 'connect', 'unknown option --foo'],
    [['connect', '--json'], 'connect', 'expected a <host[:port]>'],
    [['connect', '127.0.0.1:0', '--json'], 'connect', 'address "127.0.0.1:0": port 0 is out of range: 1 to 65535'],
    [['proxy', '--json', '--listen', '127.0.0.1:0', '--max-sessions', '0'], 'proxy', '--max-sessions takes a positive integer, not "0"'],
    [['frobnicate', '--json'], null, 'unknown command "frobnicate"'],
    [['help', 'frobnicate', '--json'], null, 'unknown command "frobnicate"']
  ]
  for (const [args, command, message] of cases) {
    const run = await runCli(args)
    expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 2, stderr: '' })
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    const out = JSON.parse(lines[0]!)
    expect(out).toEqual({ ok: false, error: { code: 'ERR_USAGE', message, command, usage: expect.any(String) } })
    expect(out.error.usage).toMatch(command === null ? /^bip324 <command>/ : new RegExp(`^bip324 ${command} `))
  }
  // Past '--' a "--json" is an argument, not the option.
  const literal = await runCli(['demo', '--', '--json'])
  expect(literal).toMatchObject({ code: 2, stdout: '' })
  expect(literal.stderr).toMatch(/^bip324 demo: unexpected argument "--json"\n/)
})

test('a port out of range or not a number is refused in the same words by every command and option taking one', async () => {
  const cases: Array<[string[], string]> = [
    [['connect', '127.0.0.1:0'], 'bip324 connect: address "127.0.0.1:0": port 0 is out of range: 1 to 65535'],
    [['connect', '127.0.0.1:65536'], 'bip324 connect: address "127.0.0.1:65536": port 65536 is out of range: 1 to 65535'],
    [['connect', '[::1]:abc'], 'bip324 connect: address "[::1]:abc": the port "abc" is not a number'],
    [['connect', '::1'], 'bip324 connect: address "::1": an IPv6 address goes in brackets: [::1] or [::1]:port'],
    [['proxy', '--listen', '127.0.0.1:65536'], 'bip324 proxy: --listen "127.0.0.1:65536": port 65536 is out of range: 0 to 65535 (0: any free port)'],
    [['proxy', '--listen', '127.0.0.1:abc'], 'bip324 proxy: --listen "127.0.0.1:abc": the port "abc" is not a number'],
    [['proxy', '--listen', '127.0.0.1:0', '--target', '127.0.0.1:0'], 'bip324 proxy: --target "127.0.0.1:0": port 0 is out of range: 1 to 65535'],
    [['proxy', '--listen', '127.0.0.1:0', '--target', '[::1]:65536'], 'bip324 proxy: --target "[::1]:65536": port 65536 is out of range: 1 to 65535'],
    [['proxy', '--listen', '127.0.0.1:0', '--allow', '127.0.0.1:0'], 'bip324 proxy: --allow "127.0.0.1:0": port 0 is out of range: 1 to 65535'],
    [['proxy', '--listen', '127.0.0.1:0', '--allow', '[::1]:abc'], 'bip324 proxy: --allow "[::1]:abc": the port "abc" is not a number']
  ]
  for (const [args, line] of cases) {
    const run = await runCli(args)
    expect({ args, code: run.code, first: run.stderr.split('\n')[0] }).toEqual({ args, code: 2, first: line })
  }
})
