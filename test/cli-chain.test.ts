// `bip324 headers` and `bip324 block` against a stand-in that behaves as Bitcoin Core does
// (test/helpers/chain-node.ts) and serves a chain: regtest headers mined here, and mainnet block
// 542,213 from bitcoinjs-lib's fixtures, whose hash is the one they publish (test/fixtures/blocks).

import { decodePayload } from '../lib'
import { blockHash, encodeBlockHeader, encodeCompactSize, hashToHex } from '../lib/messages'
import { chainNode } from './helpers/chain-node'
import { runCli } from './helpers/cli'
import { type Wire } from './helpers/core-node'
import { v1OnlyNode } from './helpers/fake-node'
import { mineRegtestHeaders, REGTEST_GENESIS, regtestBlock } from './helpers/regtest-chain'
import { blockFixture } from './helpers/vectors'

const BLOCK_542213 = '000000000000000000143a2c56c0214236dadfd30df41d4a0345492ad6d861ec'
const block542213 = blockFixture('bitcoinjs-block-542213.hex')

const hashOf = (h: typeof REGTEST_GENESIS): string => hashToHex(blockHash(encodeBlockHeader(h)))

test('headers --json: every header of a 4,500-header regtest chain, in three rounds, to its tip', async () => {
  const mined = mineRegtestHeaders(4_500)
  const node = await chainNode('regtest', { headers: [REGTEST_GENESIS, ...mined] })
  const run = await runCli(['headers', `127.0.0.1:${node.port}`, '--network', 'regtest', '--json'])
  expect(run.code).toBe(0)
  const last = JSON.parse(run.stdout.trim().split('\n').pop()!)
  expect(last).toMatchObject({ ok: true, transport: 'v2', height: 4_500, tip: hashOf(mined[4_499]!) })
  // Rounds of 2,000, as Core sends them, then the short one that says the tip is reached.
  expect(node.asked.map((m) => m.type)).toEqual(['getheaders', 'getheaders', 'getheaders'])
  await node.close()
})

test('headers for humans: height and tip, and progress lines on stderr when it is not a terminal', async () => {
  const mined = mineRegtestHeaders(10)
  const node = await chainNode('regtest', { headers: [REGTEST_GENESIS, ...mined] })
  const run = await runCli(['headers', `127.0.0.1:${node.port}`, '--network', 'regtest'])
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('height     10')
  expect(run.stdout).toContain(`tip        ${hashOf(mined[9]!)}`)
  // getblockheader's chainwork of the tip: 11 regtest headers of work 2, genesis included.
  expect(run.stdout).toContain(`work       ${'0'.repeat(62)}16 (chainwork`)
  expect(run.stderr).toMatch(/headers: \d+ of [\d,]+/)
  await node.close()
})

test('headers: a header that does not meet its own target ends the download with Core\'s reason', async () => {
  const mined = mineRegtestHeaders(50)
  // A hash above regtest's target: the header of the node's reply is re-mined to fail.
  let bad = { ...mined[20]!, nonce: 0 }
  while ((blockHash(encodeBlockHeader(bad))[31]! & 0x80) === 0) bad = { ...bad, nonce: bad.nonce + 1 }
  const node = await chainNode('regtest', { headers: [REGTEST_GENESIS, ...mined.slice(0, 20), bad] })
  const run = await runCli(['headers', `127.0.0.1:${node.port}`, '--network', 'regtest', '--json'])
  expect(run.code).toBe(1)
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!)
  expect(out).toMatchObject({ ok: false, error: { code: 'ERR_BIP324_BAD_PAYLOAD' } })
  expect(out.error.message).toContain('high-hash')
  await node.close()
})

test('headers: a node feeding headers past a round beyond the height it announced is cut off (ERR_BIP324_LIMIT)', async () => {
  const mined = mineRegtestHeaders(4_500)
  const node = await chainNode('regtest', { headers: [REGTEST_GENESIS, ...mined] }, { behaviour: { startHeight: 10 } })
  const run = await runCli(['headers', `127.0.0.1:${node.port}`, '--network', 'regtest', '--json'])
  expect(run.code).toBe(1)
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!)
  expect(out).toMatchObject({ ok: false, error: { code: 'ERR_BIP324_LIMIT' } })
  expect(out.error.message).toContain('past height 2,010')
  // The first round (2,000, within 10 + 2,000) was taken; the second went past.
  expect(node.asked).toHaveLength(2)
  await node.close()
})

test('headers: the node reorganises its chain during the download; we follow from where the chains meet', async () => {
  const mined = mineRegtestHeaders(2_500)
  const chain = { headers: [REGTEST_GENESIS, ...mined] }
  // After the first round (heights 1..2,000), the node's chain leaves ours at height 1,995.
  const fork = mineRegtestHeaders(600, mined[1_994]!)
  let rounds = 0
  const node = await chainNode('regtest', chain, {
    tamper: (reply) => {
      if (++rounds === 1) chain.headers = [REGTEST_GENESIS, ...mined.slice(0, 1_995), ...fork]
      return reply
    }
  })
  const run = await runCli(['headers', `127.0.0.1:${node.port}`, '--network', 'regtest', '--json'])
  expect(run.code).toBe(0)
  const last = JSON.parse(run.stdout.trim().split('\n').pop()!)
  expect(last).toMatchObject({ ok: true, height: 1_995 + 600, tip: hashOf(fork[599]!) })
  // The work is that of the chain we ended on, as Core's chainwork: regtest's 2 per header
  // (blockProof of 0x207fffff), genesis included, in 64 hex digits.
  expect(last.work).toBe((2n * BigInt(1_995 + 600 + 1)).toString(16).padStart(64, '0'))
  expect(last.seconds).toBe(Math.round(last.seconds * 10) / 10)
  // The second locator names our last ten headers, newest first, then genesis.
  const second = decodePayload('getheaders', node.asked[1]!.payload) as { locator: Uint8Array[] }
  expect(second.locator.map(hashToHex)).toEqual([...mined.slice(1_990, 2_000).reverse().map(hashOf), hashOf(REGTEST_GENESIS)])
  await node.close()
})

test('headers: a node that breaks a rule after the handshake (2,001 headers) ends the command with its error, not a crash', async () => {
  const mined = mineRegtestHeaders(2_001)
  const tooMany = (r: Wire): Wire => {
    if (r.type !== 'headers') return r
    const body = mined.map((h) => [...encodeBlockHeader(h), 0])
    return { type: 'headers', payload: Uint8Array.from([...encodeCompactSize(2_001), ...body.flat()]) }
  }
  const node = await chainNode('regtest', { headers: [REGTEST_GENESIS, ...mined] }, { tamper: tooMany })
  const run = await runCli(['headers', `127.0.0.1:${node.port}`, '--network', 'regtest', '--json'])
  expect(run.code).toBe(1)
  expect(run.stderr).not.toContain('Unhandled')
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!)
  expect(out).toMatchObject({ ok: false, error: { code: 'ERR_BIP324_MISBEHAVIOR' } })
  expect(out.error.message).toContain('over-limit')
  await node.close()
})

test('block --json: mainnet block 542,213 with its witnesses, checked, its transactions in order', async () => {
  const node = await chainNode('mainnet', { headers: [], blocks: new Map([[BLOCK_542213, block542213]]) })
  const run = await runCli(['block', `127.0.0.1:${node.port}`, BLOCK_542213, '--json'])
  expect(run.code).toBe(0)
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!)
  // Its height from its coinbase (BIP 34, active on mainnet from 227,931).
  expect(out).toMatchObject({ ok: true, transport: 'v2', hash: BLOCK_542213, height: 542_213, size: 2_355 })
  expect(out.transactions).toHaveLength(4)
  // Two of the four carry witness data (bitcoinjs-lib's fixture): their wtxids differ from their txids.
  expect(out.transactions.filter((t: { txid: string, wtxid: string }) => t.txid !== t.wtxid)).toHaveLength(2)
  // It asked for the header first, with no locator (Core answers with the stop hash's header), then
  // for the block with witnesses (MSG_WITNESS_BLOCK).
  expect(node.asked.map((m) => m.type)).toEqual(['getheaders', 'getdata'])
  expect(decodePayload('getheaders', node.asked[0]!.payload)).toMatchObject({ locator: [] })
  const getdata = decodePayload('getdata', node.asked[1]!.payload) as { inventory: Array<{ invType: number }> }
  expect(getdata.inventory[0]!.invType).toBe(0x40000002)
  await node.close()
})

test('block: a block changed in its last transaction fails its checks; one the node lacks ends at once (its header was not known), not after --timeout', async () => {
  const broken = (r: Wire): Wire => {
    if (r.type !== 'block') return r
    const payload = new Uint8Array(r.payload)
    payload[payload.length - 10]! ^= 1 // inside the last transaction: a root or the commitment no longer matches
    return { type: r.type, payload }
  }
  const node = await chainNode('mainnet', { headers: [], blocks: new Map([[BLOCK_542213, block542213]]) }, { tamper: broken })
  const run = await runCli(['block', `127.0.0.1:${node.port}`, BLOCK_542213, '--json'])
  expect(run.code).toBe(1)
  expect(JSON.parse(run.stdout.trim().split('\n').pop()!).error.code).toBe('ERR_BIP324_BAD_PAYLOAD')
  // The default --timeout, 60 s: the stand-in, as Core, sends nothing for the header of a block it
  // does not have, and the ping after it tells.
  const started = Date.now()
  const missing = await runCli(['block', `127.0.0.1:${node.port}`, '00'.repeat(32), '--json'], { timeoutMs: 20_000 })
  expect(Date.now() - started).toBeLessThan(15_000)
  expect(missing.code).toBe(1)
  expect(JSON.parse(missing.stdout.trim().split('\n').pop()!).error).toEqual({ code: 'ERR_BIP324_NOT_FOUND', command: 'block', message: `127.0.0.1:${node.port} does not have block ${'00'.repeat(32)} (it answered no header for it: not in its block index)` })
  // No getdata was sent for it: the header's getheaders alone.
  expect(node.asked.slice(-1).map((m) => m.type)).toEqual(['getheaders'])
  await node.close()
})

test('block: usage errors for a missing or malformed hash', async () => {
  expect((await runCli(['block', '127.0.0.1:1'])).code).toBe(2)
  const bad = await runCli(['block', '127.0.0.1:1', 'xyz'])
  expect(bad.code).toBe(2)
  expect(bad.stderr).toContain('expected 64 hex digits or a height from 0 to 2147483647')
  expect((await runCli(['block', '127.0.0.1:1', '2147483648'])).code).toBe(2)
})

test('headers and block on a v1-only node: asked over v1 as connect asks, the same exit code 3 and hint; with --v1-fallback they work over v1', async () => {
  const node = await v1OnlyNode('regtest')
  const genesis = hashOf(REGTEST_GENESIS)
  for (const [command, rest] of [['headers', []], ['block', [genesis]]] as const) {
    const argv = [command, `127.0.0.1:${node.port}`, ...rest, '--network', 'regtest']
    const run = await runCli(argv)
    expect({ command, ...run }).toEqual({ command, code: 3, stdout: '', stderr: `bip324 ${command}: 127.0.0.1:${node.port} speaks only v1: it answered a v1 version message (retry with --v1-fallback) (ERR_BIP324_V1_PEER)\n` })
    const fallback = await runCli([...argv, '--v1-fallback', '--json'])
    expect({ command, code: fallback.code }).toEqual({ command, code: 0 })
    expect(JSON.parse(fallback.stdout.trim().split('\n').pop()!)).toMatchObject({ ok: true, transport: 'v1' })
  }
  await node.close()
})

test('block by height: the headers from genesis to it, then the block, its height printed; a hash\'s height from its coinbase; a height past the node\'s chain ends at once', async () => {
  const mined = mineRegtestHeaders(4)
  const fifth = regtestBlock(5, mined[3]!)
  const hash = hashOf(fifth.header)
  const node = await chainNode('regtest', { headers: [REGTEST_GENESIS, ...mined, fifth.header], blocks: new Map([[hash, fifth.raw]]) })
  try {
    const byHeight = await runCli(['block', `127.0.0.1:${node.port}`, '5', '--network', 'regtest', '--json'])
    expect(byHeight.code).toBe(0)
    expect(JSON.parse(byHeight.stdout.trim().split('\n').pop()!)).toMatchObject({ ok: true, hash, height: 5, transactions: [{ txid: hashToHex(fifth.header.merkleRoot) }] })
    // The headers to height 5 (one round), the header of its hash, the block.
    expect(node.asked.map((m) => m.type)).toEqual(['getheaders', 'getheaders', 'getdata'])
    const byHash = await runCli(['block', `127.0.0.1:${node.port}`, hash, '--network', 'regtest'])
    expect(byHash.code).toBe(0)
    expect(byHash.stdout).toContain('  height      5\n')
    const past = await runCli(['block', `127.0.0.1:${node.port}`, '9', '--network', 'regtest', '--json'])
    expect(past.code).toBe(1)
    expect(JSON.parse(past.stdout.trim().split('\n').pop()!).error).toMatchObject({ code: 'ERR_BIP324_NOT_FOUND', message: `127.0.0.1:${node.port}'s best chain ends at height 5, below 9` })
  } finally {
    await node.close()
  }
})
