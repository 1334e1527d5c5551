// lib/network.ts: each network's magic and default port, the service flags, and names that only
// look like networks (Object.prototype's) refused everywhere a network is looked up by name.

import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import ts from 'typescript'

import { isNetworkName, magicOf, NETWORK_MAGIC, NETWORKS, Protocol, SERVICE_FLAGS, serviceNames } from '../lib'
import { runCli } from './helpers/cli'

const INVALID = expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG', name: 'Bip324Error' })
const PROTOTYPE_NAMES = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']

// Bitcoin Core's src/kernel/chainparams.cpp: pchMessageStart and nDefaultPort of each chain.
const CORE_CHAINS = {
  mainnet: { magic: [0xf9, 0xbe, 0xb4, 0xd9], port: 8333 },
  testnet3: { magic: [0x0b, 0x11, 0x09, 0x07], port: 18333 },
  testnet4: { magic: [0x1c, 0x16, 0x3f, 0x28], port: 48333 },
  signet: { magic: [0x0a, 0x03, 0xcf, 0x40], port: 38333 },
  regtest: { magic: [0xfa, 0xbf, 0xb5, 0xda], port: 18444 }
}

test('every named network has Bitcoin Core\'s magic and default port', () => {
  expect(Object.keys(NETWORKS)).toEqual(Object.keys(CORE_CHAINS))
  for (const [name, { magic, port }] of Object.entries(CORE_CHAINS)) {
    expect(isNetworkName(name)).toBe(true)
    expect([...magicOf(name as keyof typeof CORE_CHAINS)]).toEqual(magic)
    expect(NETWORKS[name as keyof typeof NETWORKS].port).toBe(port)
    expect(NETWORK_MAGIC[name as keyof typeof NETWORK_MAGIC]).toBe(Buffer.from(magic).toString('hex'))
  }
})

test('magicOf returns a new array each time, and copies a custom magic', () => {
  const a = magicOf('mainnet')
  a[0] = 0
  expect(magicOf('mainnet')[0]).toBe(0xf9)
  const custom = Uint8Array.of(1, 2, 3, 4)
  const got = magicOf({ magic: custom })
  expect([...got]).toEqual([1, 2, 3, 4])
  expect(got).not.toBe(custom)
})

test('the tables cannot be changed in place', () => {
  expect(Object.isFrozen(NETWORKS) && Object.isFrozen(NETWORKS.mainnet) && Object.isFrozen(NETWORK_MAGIC)).toBe(true)
  expect(Object.isFrozen(SERVICE_FLAGS)).toBe(true)
})

test.each([...PROTOTYPE_NAMES, '', 'Mainnet', 'moonnet', 'testnet'])('magicOf(%j) is ERR_BIP324_INVALID_ARG, and no network name', (name) => {
  expect(isNetworkName(name)).toBe(false)
  expect(() => magicOf(name as never)).toThrow(INVALID)
})

test.each([
  ['no magic', {}],
  ['a 3-byte magic', { magic: new Uint8Array(3) }],
  ['a 5-byte magic', { magic: new Uint8Array(5) }],
  ['a magic as an array', { magic: [1, 2, 3, 4] }],
  ['null', null],
  ['a number', 1]
])('a custom network with %s is ERR_BIP324_INVALID_ARG', (_name, network) => {
  expect(() => magicOf(network as never)).toThrow(INVALID)
})

test('a Protocol on a network named after an Object method is refused at construction', () => {
  for (const network of PROTOTYPE_NAMES) expect(() => new Protocol({ role: 'initiator', network: network as never })).toThrow(INVALID)
})

// Bitcoin Core's src/protocol.h, enum ServiceFlags.
test('the service flags are Bitcoin Core\'s bits', () => {
  expect(SERVICE_FLAGS).toEqual({
    NODE_NETWORK: 1n,
    NODE_BLOOM: 4n,
    NODE_WITNESS: 8n,
    NODE_COMPACT_FILTERS: 64n,
    NODE_NETWORK_LIMITED: 1024n,
    NODE_P2P_V2: 2048n
  })
})

test('serviceNames names the set flags lowest bit first, as getpeerinfo does, unknown bits as UNKNOWN[2^bit]', () => {
  expect(serviceNames(0n)).toEqual([])
  expect(serviceNames(SERVICE_FLAGS.NODE_P2P_V2 | SERVICE_FLAGS.NODE_NETWORK)).toEqual(['NETWORK', 'P2P_V2'])
  expect(serviceNames(0b1100_0100_1101n)).toEqual(['NETWORK', 'BLOOM', 'WITNESS', 'COMPACT_FILTERS', 'NETWORK_LIMITED', 'P2P_V2'])
  expect(serviceNames((1n << 1n) | (1n << 24n) | (1n << 63n))).toEqual(['UNKNOWN[2^1]', 'UNKNOWN[2^24]', 'UNKNOWN[2^63]'])
})

// The module must load where there is no Node: no node:* import, no Buffer, no process. Run it in
// a context that has none of them, with a require that serves its one import.
test('lib/network.ts runs without Node\'s globals or modules', () => {
  const compile = (file: string): string => ts.transpileModule(fs.readFileSync(path.join(__dirname, '..', 'lib', file), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 }
  }).outputText
  const context = vm.createContext({})
  const load = (file: string, imports: Record<string, unknown>): Record<string, unknown> => {
    const module = { exports: {} as Record<string, unknown> }
    const require = (name: string): unknown => {
      if (!(name in imports)) throw new Error(`lib/${file} imports ${name}`)
      return imports[name]
    }
    vm.runInContext(`(function (exports, module, require) { ${compile(file)} \n})`, context)(module.exports, module, require)
    return module.exports
  }
  expect(vm.runInContext('typeof Buffer + typeof process + typeof require', context)).toBe('undefinedundefinedundefined')
  const errors = load('errors.ts', {})
  const checks = load('checks.ts', { './errors': errors })
  const network = load('network.ts', { './checks': checks }) as { magicOf: typeof magicOf, serviceNames: typeof serviceNames }
  expect([...network.magicOf('signet')]).toEqual(CORE_CHAINS.signet.magic)
  expect(() => network.magicOf('toString' as never)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  expect(network.serviceNames(2048n)).toEqual(['P2P_V2'])
})

describe('the command line refuses a network or command named after an Object method, as a usage error', () => {
  test.each(['toString', '__proto__', 'constructor'])('connect --network %s: exit 2, unknown network', async (name) => {
    const run = await runCli(['connect', '127.0.0.1:1', '--network', name])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`--network takes mainnet, testnet3, testnet4, signet, regtest, not "${name}"`)
    expect(run.stderr).toContain('bip324 connect <host[:port]>')
  })

  test('connect with a name and no port: exit 2, not a port from Object.prototype', async () => {
    const run = await runCli(['connect', '127.0.0.1', '--network', 'toString'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--network takes mainnet, testnet3, testnet4, signet, regtest, not "toString"')
  })

  test('proxy --network toString: exit 2, unknown network', async () => {
    const run = await runCli(['proxy', '--listen', '127.0.0.1:0', '--target', '127.0.0.1', '--network', 'toString'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--network takes mainnet, testnet3, testnet4, signet, regtest, not "toString"')
  })

  test.each(['toString', '__proto__'])('a command named %s: exit 2, unknown command', async (name) => {
    const run = await runCli([name])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`unknown command "${name}"`)
  })

  test('connect --backend toString: exit 2 with the usage, not a failed probe', async () => {
    const run = await runCli(['connect', '127.0.0.1:1', '--backend', 'toString'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('bip324 connect <host[:port]>')
  })

  test('the usage lists every network', async () => {
    const run = await runCli(['connect', '--help'])
    expect(run.stdout).toContain(`--network ${Object.keys(NETWORKS).join('|')}`)
  })
})
