// The v1-to-v2 proxy end to end: a v1 client (helpers/v1-client), the proxy, a v2 stand-in node.
// The client's reader verifies every checksum; the node sees an encrypted session.

import crypto from 'node:crypto'
import { spawn } from 'node:child_process'
import net from 'node:net'

import { decodePayload, encodeV1Message } from '../lib/messages'
import { createProxy } from '../lib/net/proxy'
import { CLI, runCli } from './helpers/cli'
import { NODE_USER_AGENT, v2Node } from './helpers/fake-node'
import { closed, nextEvent, rawServer } from './helpers/net'
import { MAGIC, v1Client, versionTo } from './helpers/v1-client'

const version = (port: number): Uint8Array => versionTo('127.0.0.1', port)

test('a v1 client reaches a v2 node through the proxy: version, verack, ping/pong and 1 MB both ways intact', async () => {
  const node = await v2Node()
  const proxy = createProxy({ allow: ['127.0.0.1'] })
  const sessions: Array<{ sessionId: string }> = []
  proxy.on('session', (s) => sessions.push(s))
  const { port } = await proxy.listenAsync(0, '127.0.0.1')
  const client = await v1Client(port)

  client.send('version', version(node.port))
  const [theirVersion, verack] = await client.next(2)
  expect(theirVersion!.type).toBe('version')
  expect(decodePayload('version', theirVersion!.payload).userAgent).toBe(NODE_USER_AGENT)
  expect(verack!.type).toBe('verack')
  client.send('verack', new Uint8Array(0))

  const nonce = crypto.randomBytes(8)
  client.send('ping', nonce)
  const [pong] = await client.next(1)
  expect(pong!.type).toBe('pong')
  expect(Buffer.from(pong!.payload).equals(nonce)).toBe(true)

  // A long-form type with no short id, and a 1 MB short-id message: echoed back by the node.
  const big = crypto.randomBytes(1_000_000)
  client.send('sendheaders', new Uint8Array(0))
  client.send('tx', big)
  const [sendheaders, tx] = await client.next(2)
  expect(sendheaders!.type).toBe('sendheaders')
  expect(tx!.type).toBe('tx')
  expect(Buffer.from(tx!.payload).equals(big)).toBe(true)

  expect(sessions.map((s) => s.sessionId)).toEqual(node.sessions)
  expect(node.v1Connections).toBe(0)
  client.socket.destroy()
  await proxy[Symbol.asyncDispose]()
  await node.close()
})

test('a client frame with a bad checksum ends its session with ERR_BIP324_BAD_CHECKSUM', async () => {
  const node = await v2Node()
  const proxy = createProxy({ target: { host: '127.0.0.1', port: node.port } })
  const { port } = await proxy.listenAsync(0, '127.0.0.1')
  const failed = nextEvent<[Error, string]>(proxy, 'sessionError')
  const client = await v1Client(port)
  client.send('version', version(0))
  await client.next(2)
  const frame = encodeV1Message(MAGIC, 'ping', crypto.randomBytes(8))
  frame[20]! ^= 1
  client.socket.write(frame)
  const [err] = await failed
  expect(err).toMatchObject({ code: 'ERR_BIP324_BAD_CHECKSUM' })
  await nextEvent(client.socket, 'close')
  await proxy[Symbol.asyncDispose]()
  await node.close()
})

test('a client that names no peer and no --target: ERR_BIP324_INVALID_ARG, closed', async () => {
  const proxy = createProxy()
  const { port } = await proxy.listenAsync(0, '127.0.0.1')
  const failed = nextEvent<[Error]>(proxy, 'sessionError')
  const client = await v1Client(port)
  client.send('version', version(0))
  expect((await failed)[0]).toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
  await nextEvent(client.socket, 'close')
  await proxy[Symbol.asyncDispose]()
})

/** `bip324 proxy --json` as a child process: `line` waits for its first line of an event. */
function proxyCommand (args: string[], listen = '127.0.0.1:0'): { line: (event: string) => Promise<Record<string, unknown>>, stop: () => Promise<number> } {
  const child = spawn(process.execPath, [CLI, 'proxy', '--listen', listen, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: Array<Record<string, unknown>> = []
  let wake = (): void => {}
  let buffered = ''
  child.stdout.on('data', (b: Buffer) => {
    buffered += b.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop()!
    lines.push(...parts.map((l) => JSON.parse(l)))
    wake()
  })
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
  child.on('exit', () => wake())
  return {
    line: async (event) => {
      for (;;) {
        const found = lines.find((l) => l.event === event)
        if (found) return found
        if (child.exitCode !== null) throw new Error(`the proxy exited with ${child.exitCode}: ${stderr}`)
        await new Promise<void>((resolve) => { wake = resolve })
      }
    },
    stop: async () => {
      const exited = nextEvent<[number]>(child, 'exit')
      child.kill('SIGTERM')
      return (await exited)[0]
    }
  }
}

test('bip324 proxy as a command: JSON events, a session through it, exit 0 on SIGTERM', async () => {
  const node = await v2Node()
  const proxy = proxyCommand(['--target', `127.0.0.1:${node.port}`])
  const listening = await proxy.line('listening')
  const client = await v1Client(listening.port as number)
  client.send('version', version(0))
  const [v] = await client.next(2)
  expect(decodePayload('version', v!.payload).userAgent).toBe(NODE_USER_AGENT)
  expect((await proxy.line('session')).sessionId).toBe(node.sessions[0])
  client.socket.destroy()
  expect(await proxy.stop()).toBe(0)
  await node.close()
})

test('bip324 proxy refuses the loopback address a client names, without connecting to it', async () => {
  let reached = 0
  const service = await rawServer((s) => { reached++; s.destroy() })
  const proxy = proxyCommand([])
  const listening = await proxy.line('listening')
  expect(listening).toMatchObject({ allow: [], maxSessions: 32 })
  const client = await v1Client(listening.port as number)
  client.send('version', version(service.port))
  expect(await proxy.line('sessionError')).toMatchObject({ code: 'ERR_BIP324_TARGET_REFUSED' })
  await closed(client.socket)
  expect(reached).toBe(0)
  expect(await proxy.stop()).toBe(0)
  await service.close()
})

test('bip324 proxy --allow 127.0.0.1 --max-sessions 1: a session to the address named, a second client dropped', async () => {
  const node = await v2Node()
  const proxy = proxyCommand(['--allow', '10.0.0.0/8', '--allow', '127.0.0.1', '--max-sessions', '1'])
  const listening = await proxy.line('listening')
  expect(listening).toMatchObject({ allow: ['10.0.0.0/8', '127.0.0.1'], maxSessions: 1 })
  const client = await v1Client(listening.port as number)
  client.send('version', version(node.port))
  await client.next(2)
  expect((await proxy.line('session')).sessionId).toBe(node.sessions[0])
  const over = await v1Client(listening.port as number)
  over.socket.on('error', () => {})
  expect(await proxy.line('drop')).toMatchObject({ client: `127.0.0.1:${over.socket.localPort}`, maxSessions: 1 })
  await closed(over.socket)
  client.socket.destroy()
  expect(await proxy.stop()).toBe(0)
  await node.close()
})

test('bip324 proxy --help tells of --allow and --max-sessions; bad values of them are usage errors', async () => {
  const help = await runCli(['proxy', '--help'])
  expect(help.code).toBe(0)
  expect(help.stdout).toMatch(/--allow <ip\|cidr\|ip:port>/)
  expect(help.stdout).toMatch(/--max-sessions n/)
  expect(help.stdout).toMatch(/refuses loopback, private/)
  for (const args of [['--allow', 'localhost'], ['--allow', '10.0.0.1/8'], ['--max-sessions', '0'], ['--max-sessions', 'many'], ['--target', '127.0.0.1:1', '--allow', '::1']]) {
    const run = await runCli(['proxy', '--listen', '127.0.0.1:0', ...args])
    expect({ args, code: run.code }).toEqual({ args, code: 2 })
    expect(run.stderr).toMatch(/bip324 proxy: .*\n\nbip324 proxy --listen/)
  }
})

test('bip324 proxy on a port in use: exit 1, one line in our words (one JSON object with --json), no stack trace', async () => {
  const taken = await rawServer(() => {})
  const human = await runCli(['proxy', '--listen', `127.0.0.1:${taken.port}`])
  expect(human).toEqual({ code: 1, stdout: '', stderr: `bip324 proxy: cannot listen on 127.0.0.1:${taken.port}: the address is in use (EADDRINUSE)\n` })
  const json = await runCli(['proxy', '--listen', `127.0.0.1:${taken.port}`, '--json'])
  expect(json).toMatchObject({ code: 1, stderr: '' })
  expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { code: 'EADDRINUSE', message: `cannot listen on 127.0.0.1:${taken.port}: the address is in use`, command: 'proxy' } })
  await taken.close()
})

test('bip324 proxy on [::1] prints its address and its clients\' in brackets', async () => {
  const child = spawn(process.execPath, [CLI, 'proxy', '--listen', '[::1]:0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const [first] = await nextEvent<[Buffer]>(child.stdout, 'data')
  expect(first.toString()).toMatch(/^listening on \[::1\]:\d+ for v1 clients/)
  const exited = nextEvent<[number]>(child, 'exit')
  child.kill('SIGTERM')
  expect((await exited)[0]).toBe(0)

  const proxy = proxyCommand([], '[::1]:0')
  const listening = await proxy.line('listening')
  expect(listening).toMatchObject({ address: '::1' })
  // Not a v1 message: the session fails at once, naming the client.
  const client = net.connect({ host: '::1', port: listening.port as number })
  client.on('error', () => {})
  await nextEvent(client, 'connect')
  const { localPort } = client
  client.write(Buffer.alloc(24, 0xee))
  expect(await proxy.line('sessionError')).toMatchObject({ client: `[::1]:${localPort}`, code: 'ERR_BIP324_BAD_MAGIC' })
  client.destroy()
  expect(await proxy.stop()).toBe(0)
})
