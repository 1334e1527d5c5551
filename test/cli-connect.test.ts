// `bip324 connect` and the probe under it, against stand-in nodes on 127.0.0.1.

import crypto from 'node:crypto'
import http from 'node:http'
import net from 'node:net'

import { createServer, decodePayload } from '../lib'
import { probe } from '../lib/peer/probe'
import { runCli, runCliHead } from './helpers/cli'
import { NODE_SERVICES, NODE_START_HEIGHT, NODE_USER_AGENT, v1OnlyNode, v2Node } from './helpers/fake-node'
import { rawServer } from './helpers/net'
import { socks5Server } from './helpers/socks5-server'

test('probe over v2: version fields as the node sent them, and the session id the node derived', async () => {
  const node = await v2Node()
  const result = await probe({ port: node.port })
  expect(result.transport).toBe('v2')
  expect(result.sessionIdHex).toBe(node.sessions[0])
  expect(result.version).toMatchObject({ userAgent: NODE_USER_AGENT, startHeight: NODE_START_HEIGHT, services: NODE_SERVICES, version: 70016, relay: true })
  await node.close()
})

test('connect --json: exit 0 with the node\'s user agent, services, start height and session id', async () => {
  const node = await v2Node('regtest')
  const run = await runCli(['connect', `127.0.0.1:${node.port}`, '--network', 'regtest', '--json'])
  expect(run.code).toBe(0)
  const out = JSON.parse(run.stdout)
  expect(out).toMatchObject({ ok: true, transport: 'v2', fellBackToV1: false, userAgent: NODE_USER_AGENT, startHeight: NODE_START_HEIGHT, services: NODE_SERVICES.toString(16).padStart(16, '0') })
  expect(out.serviceNames).toEqual(['NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2'])
  expect(out.sessionId).toBe(node.sessions[0])
  await node.close()
})

test('connect | head -1: a reader that closes our stdout ends the command quietly, exit 0, no stack trace (ten runs, and demo, which writes after the reader is gone)', async () => {
  const node = await v2Node()
  try {
    for (let i = 0; i < 10; i++) {
      const run = await runCliHead(['connect', `127.0.0.1:${node.port}`])
      expect({ i, ...run }).toEqual({ i, code: 0, stdout: expect.stringMatching(/^127\.0\.0\.1:\d+ \(mainnet\) over BIP-324 v2/), stderr: '' })
    }
  } finally {
    await node.close()
  }
  // demo prints its first line before the handshake and the next after it: that write always
  // meets the closed pipe (EPIPE), where connect's lines may all be in the pipe before it closes.
  const demo = await runCliHead(['demo'])
  expect(demo).toEqual({ code: 0, stdout: expect.stringMatching(/^bip324 demo: /), stderr: '' })
})

test('connect for humans prints the session id and says the transport is encrypted', async () => {
  const node = await v2Node()
  const run = await runCli(['connect', `127.0.0.1:${node.port}`])
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('over BIP-324 v2, encrypted')
  expect(run.stdout).toContain(`session id   ${node.sessions[0]}`)
  expect(run.stdout).toContain(`user agent   ${NODE_USER_AGENT}`)
  // As --json and getpeerinfo give them: 16 hex digits.
  expect(run.stdout).toContain('services     0000000000000c09 NETWORK WITNESS NETWORK_LIMITED P2P_V2')
  await node.close()
})

test('a user agent with escape sequences cannot rewrite the session id line: printed as getpeerinfo shows it (SanitizeString), exact in --json', async () => {
  const forged = `/Satoshi:27.0.0/\x1b[2K\r  session id   ${'00'.repeat(32)}\n`
  const node = await v2Node('mainnet', forged)
  const human = await runCli(['connect', `127.0.0.1:${node.port}`])
  expect(human.code).toBe(0)
  // Nothing but the line ends is a control character.
  expect(human.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/)
  expect(human.stdout.split('\n').filter((line) => line.startsWith('  session id'))).toEqual([`  session id   ${node.sessions[0]}`])
  expect(human.stdout).toContain(`  user agent   /Satoshi:27.0.0/2K  session id   ${'00'.repeat(32)}\n`)
  const json = await runCli(['connect', `127.0.0.1:${node.port}`, '--json'])
  expect(JSON.parse(json.stdout).userAgent).toBe(forged)
  await node.close()
})

test('a v1-only node closes on our key and answers a v1 version: exit 3, only then; with --v1-fallback the probe succeeds over v1 and says so', async () => {
  const node = await v1OnlyNode()
  const refused = await runCli(['connect', `127.0.0.1:${node.port}`])
  expect(refused).toMatchObject({ code: 3, stdout: '' })
  expect(refused.stderr).toBe(`bip324 connect: 127.0.0.1:${node.port} speaks only v1: it answered a v1 version message (retry with --v1-fallback) (ERR_BIP324_V1_PEER)\n`)
  // Our key, then the check: our key again and a v1 version (probe's fallback), then --v1-fallback's two.
  expect(node.v1Connections).toBe(3)
  const fallback = await runCli(['connect', `127.0.0.1:${node.port}`, '--v1-fallback', '--json'])
  expect(fallback.code).toBe(0)
  expect(JSON.parse(fallback.stdout)).toMatchObject({ ok: true, transport: 'v1', fellBackToV1: true, userAgent: NODE_USER_AGENT })
  expect(node.v1Connections).toBe(5)
  await node.close()
})

test('a peer that closes on our key and does not answer over v1 either: exit 1, not 3', async () => {
  // It reads what we send, then closes (a FIN, not a reset: nothing is left unread), as a v1-only
  // node does on our key; over v1 it closes on our version too.
  const closer = net.createServer((s) => s.once('data', () => s.end()))
  await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve))
  const { port } = closer.address() as net.AddressInfo
  const run = await runCli(['connect', `127.0.0.1:${port}`])
  expect(run).toMatchObject({ code: 1, stdout: '' })
  // Over v1 it closed on our version, as a node of another network does on our magic.
  expect(run.stderr).toBe(`bip324 connect: 127.0.0.1:${port}: the peer closed the connection during the version handshake over v1: a node of another network closes on mainnet's magic (try --network) (ERR_BIP324_PEER_CLOSED)\n`)
  await new Promise((resolve) => closer.close(resolve))
})

test('a v1-only node of another network: the --network hint, with --v1-fallback (the close on our v1 version) and without (the v1 check); exit 1', async () => {
  const node = await v1OnlyNode('testnet3')
  const hint = `127.0.0.1:${node.port}: the peer closed the connection during the version handshake over v1: a node of another network closes on mainnet's magic (try --network) (ERR_BIP324_PEER_CLOSED)\n`
  const fallback = await runCli(['connect', `127.0.0.1:${node.port}`, '--v1-fallback'])
  expect(fallback).toEqual({ code: 1, stdout: '', stderr: `bip324 connect: ${hint}` })
  const plain = await runCli(['connect', `127.0.0.1:${node.port}`])
  expect(plain).toEqual({ code: 1, stdout: '', stderr: `bip324 connect: ${hint}` })
  await node.close()
})

/** A port on `host` where nothing listens: bound once, then closed. */
async function closedPort (host: string): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

test('refused and silent nodes: exit 1, one line that says which, and no hint of another network', async () => {
  const port = await closedPort('127.0.0.1')
  const refused = await runCli(['connect', `127.0.0.1:${port}`])
  expect(refused).toEqual({ code: 1, stdout: '', stderr: `bip324 connect: 127.0.0.1:${port} refused the connection: is a node listening there? (ECONNREFUSED)\n` })

  const silent = await rawServer(() => {})
  const timeout = await runCli(['connect', `127.0.0.1:${silent.port}`, '--timeout', '300', '--json'])
  expect(timeout).toMatchObject({ code: 1, stderr: '' })
  const { error } = JSON.parse(timeout.stdout)
  expect(error).toEqual({ code: 'ERR_BIP324_HANDSHAKE_TIMEOUT', message: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${silent.port}: .*300 ms$`)), command: 'connect' })
  const human = await runCli(['connect', `127.0.0.1:${silent.port}`, '--timeout', '300'])
  expect(human.code).toBe(1)
  expect(human.stderr.split('\n')).toHaveLength(2)
  expect(human.stderr).not.toMatch(/network/)
  await silent.close()
})

test('an IPv6 peer is printed in brackets', async () => {
  const port = await closedPort('::1')
  const refused = await runCli(['connect', `[::1]:${port}`, '--json'])
  expect(refused.code).toBe(1)
  expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'ECONNREFUSED', message: `[::1]:${port} refused the connection: is a node listening there?` })
})

test('a peer that answers with a key and garbage but no terminator of this network: exit 1, try --network', async () => {
  // 64 bytes are a key (every 64-byte string decodes as ElligatorSwift); no terminator of ours follows.
  const other = await rawServer((s) => s.once('data', () => s.end(crypto.randomBytes(64 + 200))))
  const wrong = await runCli(['connect', `127.0.0.1:${other.port}`, '--network', 'signet'])
  expect(wrong).toEqual({ code: 1, stdout: '', stderr: `bip324 connect: 127.0.0.1:${other.port} is on another network: its handshake is not signet's (try --network) (ERR_BIP324_NO_TERMINATOR)\n` })
  await other.close()
})

test('usage errors exit 2', async () => {
  expect((await runCli(['connect'])).code).toBe(2)
  expect((await runCli(['connect', '127.0.0.1:1', '--network', 'moonnet'])).code).toBe(2)
  expect((await runCli(['connect', '127.0.0.1:1', '--timeout=-5'])).code).toBe(2)
  expect((await runCli(['connect', '127.0.0.1:1', '--timeout', '2147483648'])).code).toBe(2)
  expect((await runCli(['connect', '127.0.0.1:70000'])).code).toBe(2)
})

test('connect --proxy: through a SOCKS5 proxy to an .onion name, which reaches the proxy unresolved; exit 0', async () => {
  const node = await v2Node()
  const proxy = await socks5Server({ names: { 'examplexyz.onion': node.port } })
  const run = await runCli(['connect', 'examplexyz.onion:8333', '--proxy', `127.0.0.1:${proxy.port}`, '--json'])
  expect(run).toMatchObject({ code: 0, stderr: '' })
  const out = JSON.parse(run.stdout)
  expect(out).toMatchObject({ ok: true, peer: 'examplexyz.onion:8333', proxy: `127.0.0.1:${proxy.port}`, transport: 'v2', sessionId: node.sessions[0], userAgent: NODE_USER_AGENT })
  // Fresh credentials for Tor's stream isolation, as Bitcoin Core's -proxyrandomize.
  expect(proxy.requests).toMatchObject([{ atyp: 'domain', host: 'examplexyz.onion', port: 8333, methods: [0, 2], username: expect.stringMatching(/^[0-9a-f]{32}$/) }])
  const human = await runCli(['connect', 'examplexyz.onion:8333', '--proxy', `127.0.0.1:${proxy.port}`])
  expect(human.stdout).toContain(`examplexyz.onion:8333 (mainnet) over BIP-324 v2, encrypted, through the SOCKS5 proxy 127.0.0.1:${proxy.port}`)
  await proxy.close()
  await node.close()
})

test('connect --proxy failures: a proxy that refuses says so in Bitcoin Core\'s words, one not listening is named; exit 1', async () => {
  const proxy = await socks5Server()
  const unreachable = await runCli(['connect', 'nowhere.onion', '--proxy', `127.0.0.1:${proxy.port}`])
  expect(unreachable).toEqual({ code: 1, stdout: '', stderr: `bip324 connect: SOCKS5 proxy 127.0.0.1:${proxy.port}: could not connect to nowhere.onion:8333: host unreachable (ERR_BIP324_SOCKS)\n` })
  await proxy.close()
  const port = await closedPort('127.0.0.1')
  const refused = await runCli(['connect', 'examplexyz.onion', '--proxy', `127.0.0.1:${port}`])
  expect(refused).toEqual({ code: 1, stdout: '', stderr: `bip324 connect: the proxy 127.0.0.1:${port} refused the connection: is Tor (or another SOCKS5 proxy) listening there? (ECONNREFUSED)\n` })
})

test('connect --proxy with a bad address is a usage error: exit 2', async () => {
  const run = await runCli(['connect', 'examplexyz.onion', '--proxy', '127.0.0.1:99999'])
  expect(run.code).toBe(2)
  expect(run.stderr).toMatch(/^bip324 connect: --proxy "127\.0\.0\.1:99999": /)
})

// Core's PushNodeVersion names the peer's address only when it is routable and not reached through
// a proxy: loopback is neither, so both probes here send zeros, the proxied one never the proxy's.
test('probe names no peer address in its version through a proxy or to loopback, as Bitcoin Core', async () => {
  const received: Uint8Array[] = []
  const server = createServer({ mode: 'messages' }, (c) => {
    c.once('data', (m: { type: string, payload: Uint8Array }) => {
      received.push(decodePayload('version', m.payload).receiver.ip)
      c.destroy()
    })
  })
  const { port } = await server.listenAsync(0, '127.0.0.1')
  const proxy = await socks5Server({ names: { 'examplexyz.onion': port } })
  await probe({ host: 'examplexyz.onion', port, socks: { host: '127.0.0.1', port: proxy.port }, timeout: 5000 }).catch(() => {})
  await probe({ host: '127.0.0.1', port, timeout: 5000 }).catch(() => {})
  expect(received.map((ip) => Buffer.from(ip).toString('hex'))).toEqual(['00'.repeat(16), '00'.repeat(16)])
  await proxy.close()
  await server[Symbol.asyncDispose]()
})

test('a port that is not Bitcoin: what answered is named from its first bytes (HTTP as Core\'s RPC port, TLS, SSH), not "another network"; exit 1', async () => {
  // Core's RPC server (libevent) on a request it cannot parse: a 400 longer than a key (64 bytes),
  // so our handshake took it for a key and garbage without a terminator.
  const rpc = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/html; charset=ISO-8859-1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')))
  // Node's own HTTP server: a 400 shorter than a key, then a close.
  const web = http.createServer(() => {})
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
  // An SSH server sends its banner first, then gives up on our bytes.
  const ssh = await rawServer((s) => { s.write('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n'); s.once('data', () => s.end('Invalid SSH identification string.\r\n')) })
  // A TLS server answers bytes that are not a ClientHello with an alert record.
  const tls = await rawServer((s) => s.once('data', () => s.end(Buffer.from('150303000202' + '32', 'hex'))))
  const cases = [
    [rpc.port, 'an HTTP server ("HTTP/1.1 400 Bad Request")', 'ERR_BIP324_NO_TERMINATOR'],
    [(web.address() as net.AddressInfo).port, 'an HTTP server ("HTTP/1.1 400 Bad Request")', 'ERR_BIP324_PEER_CLOSED'],
    [ssh.port, 'an SSH server ("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13")', undefined],
    [tls.port, 'a TLS server (it sent an alert record)', 'ERR_BIP324_PEER_CLOSED']
  ] as const
  try {
    for (const [port, service, code] of cases) {
      for (const command of [['connect'], ['headers'], ['block', '00'.repeat(32)]]) {
        const run = await runCli([command[0]!, `127.0.0.1:${port}`, ...command.slice(1), '--json'])
        const { error } = JSON.parse(run.stdout)
        expect({ command: command[0], code: run.code, message: error.message }).toEqual({ command: command[0], code: 1, message: `127.0.0.1:${port} is not a Bitcoin node: ${service} answered (the P2P port of mainnet is 8333)` })
        if (code !== undefined) expect(error.code).toBe(code)
      }
    }
  } finally {
    await Promise.all([rpc.close(), ssh.close(), tls.close(), new Promise((resolve) => web.close(resolve))])
  }
})
