// No crash paths: a process written as the README shows survives hostile peers and a busy port.
// Each runs in a process of its own, since what is checked is that the process stays up.

import net from 'node:net'

import { connectAsync } from '../lib'
import { child } from './helpers/child'
import { runCli } from './helpers/cli'
import { flipTagsOnTheWire, nextEvent, rawServer, read } from './helpers/net'
import { MAGIC } from './helpers/v1-client'
import { encodeV1Message } from '../lib/messages'

// Sends one packet whose last tag bit is flipped on its way to the socket.
async function sendBadTag (port: number): Promise<{ destroy: () => void }> {
  const client = await connectAsync({ port })
  client.on('error', () => {})
  flipTagsOnTheWire(client)
  client.write(Buffer.from('tampered'))
  return client
}

test('a server with no error listener on its connections survives a bad tag, reports it as clientError, and serves the next client', async () => {
  const server = child(`
    const server = bip324.createServer({}, (peer) => { peer.on('data', (m) => peer.write(m)) })
    server.on('clientError', (err) => report({ clientError: err.code }))
    server.listenAsync(0).then(({ port }) => report({ port }))
  `)
  try {
    const { port } = await server.next<{ port: number }>()
    const tampering = await sendBadTag(port)
    expect(await server.next()).toEqual({ clientError: 'ERR_BIP324_BAD_MAC' })
    tampering.destroy()
    const client = await connectAsync({ port })
    const echoed = read(client, 1)
    client.write(Buffer.from('next'))
    expect(Buffer.from((await echoed)[0]!).toString()).toBe('next')
    client.destroy()
  } finally {
    server.kill()
  }
})

test('without a clientError listener either, the connection closes and the process stays up', async () => {
  const server = child(`
    const server = bip324.createServer({}, (peer) => { peer.on('close', () => report({ closed: true })) })
    server.listenAsync(0).then(({ port }) => report({ port }))
  `)
  try {
    const { port } = await server.next<{ port: number }>()
    const tampering = await sendBadTag(port)
    expect(await server.next()).toEqual({ closed: true })
    tampering.destroy()
    const client = await connectAsync({ port })
    client.destroy()
  } finally {
    server.kill()
  }
})

test('a v1 peer that resets between the handoff and the application\'s listeners costs nothing: the process stays up and the socket closes', async () => {
  // The application attaches its listeners a while after 'v1', as one that awaits something first.
  const server = child(`
    const server = bip324.createServer({ v1: 'fallback' })
    server.on('v1', (handoff) => {
      report({ v1: true })
      setTimeout(() => {
        handoff.socket.on('error', () => {}).on('close', () => {})
        report({ alive: true, destroyed: handoff.socket.destroyed })
      }, 500)
    })
    server.listenAsync(0).then(({ port }) => report({ port }))
  `)
  try {
    const { port } = await server.next<{ port: number }>()
    const client = net.connect({ port, host: '127.0.0.1' })
    await nextEvent(client, 'connect')
    client.write(encodeV1Message(MAGIC, 'version', new Uint8Array(100)))
    expect(await server.next()).toEqual({ v1: true })
    client.resetAndDestroy()
    expect(await server.next()).toEqual({ alive: true, destroyed: true })
  } finally {
    server.kill()
  }
})

test('connect()\'s v1 retry: a peer that resets the plain connection before the application listens costs nothing', async () => {
  // The first connection ends as a v1 node's does on reading our key; the retry is reset once the
  // client has it (the reset waits a little so that it comes after the handoff).
  let attempts = 0
  const peer = await rawServer((s) => {
    if (++attempts === 1) s.once('data', () => s.end())
    else setTimeout(() => s.resetAndDestroy(), 100)
  })
  const client = child(`
    bip324.connectAsync({ host: '127.0.0.1', port: ${peer.port}, v1Fallback: true }).then((v1) => {
      report({ transport: v1.transport })
      setTimeout(() => report({ alive: true, destroyed: v1.socket.destroyed }), 500)
    })
  `)
  try {
    expect(await client.next()).toEqual({ transport: 'v1' })
    expect(await client.next()).toEqual({ alive: true, destroyed: true })
  } finally {
    client.kill()
    await peer.close()
  }
})

test('await server.listenAsync(busyPort) in try/catch rejects with EADDRINUSE and nothing else is thrown', async () => {
  const busy = net.createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  const port = (busy.address() as net.AddressInfo).port
  const proc = child(`
    ;(async () => {
      for (const make of [() => bip324.createServer(), () => bip324.createProxy({ target: { host: '127.0.0.1', port: 1 } })]) {
        try { await make().listenAsync(${port}, '127.0.0.1') } catch (err) { report({ caught: err.code }) }
      }
      setTimeout(() => report({ alive: true }), 100)
    })()
  `)
  try {
    expect(await proc.next()).toEqual({ caught: 'EADDRINUSE' })
    expect(await proc.next()).toEqual({ caught: 'EADDRINUSE' })
    expect(await proc.next()).toEqual({ alive: true })
    expect(proc.stderr()).toBe('')
  } finally {
    proc.kill()
    busy.close()
  }
})

test('bip324 proxy --listen on a busy port says so in one line: no stack trace', async () => {
  const busy = net.createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  const port = (busy.address() as net.AddressInfo).port
  try {
    const run = await runCli(['proxy', '--listen', `127.0.0.1:${port}`, '--target', '127.0.0.1:1'], { timeoutMs: 20_000 })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('EADDRINUSE')
    expect(run.stderr).not.toMatch(/\n\s+at /)
  } finally {
    busy.close()
  }
})
