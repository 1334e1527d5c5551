// `bip324 broadcast` against stand-in nodes on 127.0.0.1 (the DNS seeds through an injected resolver:
// no test queries real DNS).

import fs from 'node:fs'
import path from 'node:path'

import { broadcastCommand, seedAddresses } from '../lib/cli/broadcast'
import { Failure } from '../lib/cli/errors'
import { output } from '../lib/cli/output'
import { runCli } from './helpers/cli'
import { v2Node } from './helpers/fake-node'
import { freePort } from './helpers/ports'

// rust-bitcoin's segwit transaction and the ids its tests give for it.
const TX_HEX = fs.readFileSync(path.join(__dirname, 'fixtures', 'blocks', 'rust-bitcoin-segwit-tx.hex'), 'utf8').replace(/\s+/g, '')
const TXID = 'f5864806e3565c34d1b41e716f72609d00b55ea5eac5b924c9719a842ef42206'
const WTXID = '80b7d8a82d5d5bf92905b06f2014dd699e03837ca172e3a59d51426ebbe3e7f5'

test('broadcast --json to two nodes: exit 0, one line of the documented shape, and each node got the transaction', async () => {
  const nodes = [await v2Node('regtest'), await v2Node('regtest')]
  try {
    const run = await runCli(['broadcast', TX_HEX, ...nodes.map((n) => `127.0.0.1:${n.port}`), '--network', 'regtest', '--json'])
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')).toEqual([expect.any(String), ''])
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      txid: TXID,
      wtxid: WTXID,
      peers: nodes.map((n) => ({ peer: `127.0.0.1:${n.port}`, transport: 'v2', sent: true }))
    })
    for (const n of nodes) expect(n.txs).toEqual([TX_HEX])
  } finally {
    await Promise.all(nodes.map((n) => n.close()))
  }
})

test('broadcast for humans: the ids, a line per peer with its reason when not sent, and the count; exit 0 when one took it, 1 when none did', async () => {
  const node = await v2Node()
  const refused = await freePort()
  try {
    const run = await runCli(['broadcast', TX_HEX, `127.0.0.1:${node.port}`, `127.0.0.1:${refused}`])
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')).toEqual([
      `txid  ${TXID}`,
      `wtxid ${WTXID}`,
      `  127.0.0.1:${node.port}  v2  sent`,
      expect.stringMatching(new RegExp(`^  127\\.0\\.0\\.1:${refused}  --  not sent: .*\\(ECONNREFUSED\\)$`)),
      'sent to 1 of 2 peers',
      ''
    ])
    const none = await runCli(['broadcast', TX_HEX, `127.0.0.1:${refused}`])
    expect(none.code).toBe(1)
    expect(none.stderr).toBe('bip324 broadcast: no peer took the transaction (of 1 tried) (ECONNREFUSED)\n')
    const json = await runCli(['broadcast', TX_HEX, `127.0.0.1:${refused}`, '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: { code: 'ECONNREFUSED', message: expect.any(String), command: 'broadcast' },
      txid: TXID,
      wtxid: WTXID,
      peers: [{ peer: `127.0.0.1:${refused}`, transport: null, sent: false, error: { code: 'ECONNREFUSED', message: expect.any(String) } }]
    })
  } finally {
    await node.close()
  }
})

test('usage errors, exit 2 and nothing sent: a malformed transaction, --peers with addresses, --proxy or regtest without addresses', async () => {
  const cases: Array<[string[], string]> = [
    [['broadcast'], 'expected a <tx-hex>'],
    [['broadcast', 'abc'], '<tx-hex> must be hex digits, two per byte'],
    [['broadcast', TX_HEX.slice(0, 80)], '<tx-hex>: malformed transaction'],
    [['broadcast', TX_HEX, '127.0.0.1:8333', '--peers', '2'], '--peers counts addresses drawn from the DNS seeds'],
    [['broadcast', TX_HEX, '--proxy', '127.0.0.1:9050'], 'without addresses, peers come from the DNS seeds, whose lookup would not go through --proxy'],
    [['broadcast', TX_HEX, '--network', 'regtest'], 'regtest has no DNS seeds: give addresses'],
    [['broadcast', TX_HEX, '--peers', '0'], '--peers takes an integer from 1 to 1000, not "0"']
  ]
  for (const [args, message] of cases) {
    const run = await runCli(args)
    expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' })
    expect(run.stderr).toContain(`bip324 broadcast: ${message}`)
  }
})

test('without addresses: every DNS seed of the network is asked (Core\'s list), answers merged at the network\'s port; none answering is a failure', async () => {
  const asked: string[] = []
  const answers: Record<string, string[]> = { 'seed.bitcoin.sipa.be': ['203.0.113.1', '2001:db8::1'], 'dnsseed.emzy.de': ['203.0.113.1', '203.0.113.2'] }
  const addresses = await seedAddresses('mainnet', 3, async (name) => {
    asked.push(name)
    if (name === 'dnsseed.bluematt.me') throw Object.assign(new Error('no answer'), { code: 'ESERVFAIL' })
    return answers[name] ?? []
  })
  expect(asked.sort()).toEqual([
    'dnsseed.bluematt.me', 'dnsseed.emzy.de', 'seed.bitcoin.jonasschnelli.ch', 'seed.bitcoin.sipa.be', 'seed.bitcoin.sprovoost.nl',
    'seed.bitcoin.wiz.biz', 'seed.btc.petertodd.net', 'seed.mainnet.achownodes.xyz'
  ])
  expect(addresses.map((a) => `${a.host} ${a.port}`).sort()).toEqual(['2001:db8::1 8333', '203.0.113.1 8333', '203.0.113.2 8333'])
  // At most 4 addresses per peer wanted: the spares.
  expect(await seedAddresses('signet', 1, async (name) => [1, 2, 3, 4, 5, 6].map((i) => `198.51.100.${i}`).concat(name))).toHaveLength(4)
  await expect(broadcastCommand(output(false), {}, [TX_HEX], async () => [])).rejects.toEqual(new Failure('no DNS seed of mainnet answered with an address', 'ENOTFOUND'))
})
