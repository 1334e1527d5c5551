// `bip324 peers`, the census, against Core stand-ins on 127.0.0.x: the DNS seeds through an injected
// resolver (no test queries real DNS), addresses gossiped from one stand-in to another, a v1-only
// node, a refused port; and its output, text and --json, through the command-line as users run it.

import { peersCommand } from '../lib/cli/peers'
import { output } from '../lib/cli/output'
import { runCli } from './helpers/cli'
import { CORE_SERVICES, coreNode, type CoreBehaviour, type CoreNode } from './helpers/core-node'
import { v1OnlyNode } from './helpers/fake-node'
import { freePort } from './helpers/ports'

const nodes: Array<{ close: () => Promise<void> }> = []
afterEach(async () => { await Promise.all(nodes.splice(0).map((n) => n.close())) })

async function standIn (host: string, b: CoreBehaviour = {}): Promise<CoreNode> {
  const node = await coreNode(b, host)
  nodes.push(node)
  return node
}

// What the command writes to stdout, one JSON object a line (--json writes there directly).
async function census (positionals: string[], values: Record<string, string | boolean>, injected: Parameters<typeof peersCommand>[3]): Promise<{ code: number, lines: Array<Record<string, unknown>> }> {
  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { written.push(String(chunk)); return true })
  try {
    const code = await peersCommand(output(true), { json: true, ...values }, positionals, injected)
    return { code, lines: written.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) }
  } finally {
    spy.mockRestore()
  }
}

test('follows the addresses a peer gives: each peer reached once, with its user agent, services and height, then the v2 share (--json)', async () => {
  const gossiped = await standIn('127.0.0.12')
  const given = await standIn('127.0.0.11', {
    afterVerack: [{ type: 'addrv2', addresses: [{ time: Math.floor(Date.now() / 1000), services: CORE_SERVICES, networkId: 1, addr: Uint8Array.of(127, 0, 0, 12), port: gossiped.port }] }]
  })
  const { code, lines } = await census([`127.0.0.11:${given.port}`], { seconds: '20', max: '2' }, { netGroup: (host) => host })
  expect(code).toBe(0)
  const peers = lines.slice(0, -1)
  expect(peers.map((l) => l.peer)).toEqual([`127.0.0.11:${given.port}`, `127.0.0.12:${gossiped.port}`])
  for (const l of peers) expect(l).toEqual({ peer: l.peer, transport: 'v2', userAgent: '/Satoshi:28.1.0/', services: CORE_SERVICES.toString(16).padStart(16, '0'), startHeight: expect.any(Number) })
  expect(lines.at(-1)).toEqual({ ok: true, reached: 2, v2: 2, v1: 0, failed: 0, v2Share: 1 })
})

test('without addresses, from the network\'s DNS seeds through the resolver given: every seed asked, the answers tried at the network\'s port', async () => {
  // A stand-in where a seed's answer points: 127.0.0.21 at mainnet's port.
  let node: CoreNode
  try {
    node = await coreNode({}, '127.0.0.21', 8333)
  } catch {
    return expect('127.0.0.21:8333 in use').toBe('free (the test needs that address)')
  }
  nodes.push(node)
  const asked: string[] = []
  const { code, lines } = await census([], { seconds: '20', max: '1' }, {
    resolver: async (name) => { asked.push(name); return name === 'seed.bitcoin.sipa.be' ? ['127.0.0.21'] : [] },
    netGroup: (host) => host
  })
  expect(code).toBe(0)
  expect(asked).toContain('seed.bitcoin.sipa.be')
  expect(lines.map((l) => l.peer)).toEqual(['127.0.0.21:8333', undefined])
  expect(lines.at(-1)).toMatchObject({ ok: true, reached: 1, v2: 1 })
})

test('bip324 peers for humans: a v1-only node (v1), a refused port (failed), then the count and the v2 share; nothing reached is exit 1', async () => {
  const v1 = await v1OnlyNode()
  nodes.push(v1)
  const refused = await freePort()
  const run = await runCli(['peers', `127.0.0.1:${v1.port}`, `127.0.0.2:${refused}`, '--seconds', '3'])
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  const lines = run.stdout.split('\n').filter((l) => l !== '')
  expect(lines.sort()).toEqual([
    expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${v1.port}  v1  \\S+  [0-9a-f]{16} .*  height \\d+$`)),
    expect.stringMatching(new RegExp(`^127\\.0\\.0\\.2:${refused}  failed  .*\\(ECONNREFUSED\\)$`)),
    'reached 1 peers in 3 s: 0 over v2 (0.0%), 1 over v1; 1 failed'
  ])
  const none = await runCli(['peers', `127.0.0.2:${refused}`, '--seconds', '2', '--json'])
  expect(none.code).toBe(1)
  expect(JSON.parse(none.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: false, reached: 0, error: { command: 'peers' } })
})

test('usage errors: --proxy without addresses (the seeds would bypass it), regtest without addresses, a bad --seconds', async () => {
  for (const args of [['--proxy', '127.0.0.1:9050'], ['--network', 'regtest'], ['127.0.0.1:1', '--seconds', '0']]) {
    const run = await runCli(['peers', ...args])
    expect({ args, code: run.code }).toEqual({ args, code: 2 })
  }
})
