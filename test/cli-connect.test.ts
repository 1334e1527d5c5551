// `bip324 connect` and the probe under it, against stand-in nodes on 127.0.0.1.

import net from 'node:net'

import { probe } from '../lib/net/probe'
import { runCli } from './helpers/cli'
import { NODE_SERVICES, NODE_START_HEIGHT, NODE_USER_AGENT, v1OnlyNode, v2Node } from './helpers/fake-node'
import { rawServer } from './helpers/net'

test('probe over v2: version fields as the node sent them, and the session id the node derived', async () => {
  const node = await v2Node()
  const result = await probe({ port: node.port })
  expect(result.transport).toBe('v2')
  expect(result.sessionId).toBe(node.sessions[0])
  expect(result.version).toMatchObject({ userAgent: NODE_USER_AGENT, startHeight: NODE_START_HEIGHT, services: NODE_SERVICES, version: 70016, relay: true })
  await node.close()
})

test('connect --json: exit 0 with the node\'s user agent, services, start height and session id', async () => {
  const node = await v2Node('regtest')
  const run = await runCli(['connect', `127.0.0.1:${node.port}`, '--network', 'regtest', '--json'])
  expect(run.code).toBe(0)
  const out = JSON.parse(run.stdout)
  expect(out).toMatchObject({ ok: true, transport: 'v2', fellBackToV1: false, userAgent: NODE_USER_AGENT, startHeight: NODE_START_HEIGHT, services: NODE_SERVICES.toString() })
  expect(out.serviceNames).toEqual(['NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2'])
  expect(out.sessionId).toBe(node.sessions[0])
  await node.close()
})

test('connect for humans prints the session id and says the transport is encrypted', async () => {
  const node = await v2Node()
  const run = await runCli(['connect', `127.0.0.1:${node.port}`])
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('over BIP-324 v2, encrypted')
  expect(run.stdout).toContain(`session id   ${node.sessions[0]}`)
  expect(run.stdout).toContain(`user agent   ${NODE_USER_AGENT}`)
  await node.close()
})

test('a v1-only node: exit 3 with a hint; with --v1-fallback the probe succeeds over v1 and says so', async () => {
  const node = await v1OnlyNode()
  const refused = await runCli(['connect', `127.0.0.1:${node.port}`])
  expect(refused.code).toBe(3)
  expect(refused.stderr).toContain('try --v1-fallback')
  const fallback = await runCli(['connect', `127.0.0.1:${node.port}`, '--v1-fallback', '--json'])
  expect(fallback.code).toBe(0)
  expect(JSON.parse(fallback.stdout)).toMatchObject({ ok: true, transport: 'v1', fellBackToV1: true, userAgent: NODE_USER_AGENT })
  expect(node.v1Connections).toBe(3)
  await node.close()
})

test('refused, silent and wrong-network nodes: exit 1 with a message that says which', async () => {
  const closed = net.createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as net.AddressInfo
  await new Promise((resolve) => closed.close(resolve))
  const refused = await runCli(['connect', `127.0.0.1:${port}`])
  expect(refused.code).toBe(1)
  expect(refused.stderr).toContain('refused the connection')

  const silent = await rawServer(() => {})
  const timeout = await runCli(['connect', `127.0.0.1:${silent.port}`, '--timeout', '300', '--json'])
  expect(timeout.code).toBe(1)
  expect(JSON.parse(timeout.stdout).error.code).toBe('ERR_BIP324_HANDSHAKE_TIMEOUT')
  await silent.close()

  const signet = await v2Node('signet')
  const wrong = await runCli(['connect', `127.0.0.1:${signet.port}`, '--network', 'mainnet', '--timeout', '1000'])
  expect(wrong.code).toBe(1)
  expect(wrong.stderr).toContain('try --network')
  await signet.close()
})

test('usage errors exit 2', async () => {
  expect((await runCli(['connect'])).code).toBe(2)
  expect((await runCli(['connect', '127.0.0.1:1', '--network', 'moonnet'])).code).toBe(2)
  expect((await runCli(['connect', '127.0.0.1:1', '--timeout', '-5'])).code).toBe(2)
  expect((await runCli(['connect', '127.0.0.1:70000'])).code).toBe(2)
})
