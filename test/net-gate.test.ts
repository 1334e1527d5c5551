// The handshake gate under floods, measured while the flood runs: a client that completes its
// handshake in milliseconds keeps getting in while one process, on its own address, opens
// connections that will never complete one (64 random bytes each, no cryptography on its side),
// or completes key exchanges as fast as it can.

import crypto from 'node:crypto'
import net from 'node:net'

import { connectAsync } from '../lib'
import { child } from './helpers/child'

// A server in a process of its own, echoing, that reports its counters and the CPU it used.
function gateServer (): ReturnType<typeof child> {
  return child(`
    const server = bip324.createServer({}, (c) => { c.on('data', (m) => c.write(m)); c.on('error', () => {}) })
    let cpu = process.cpuUsage()
    let since = Date.now()
    server.listenAsync(0, '127.0.0.1').then(({ port }) => report({ port }))
    requests.on('line', () => {
      const used = process.cpuUsage(cpu)
      report({ counters: server.counters, cpu: (used.user + used.system) / 1000 / (Date.now() - since) })
      cpu = process.cpuUsage()
      since = Date.now()
    })
  `)
}

// `count` sequential handshakes; how many completed.
async function legitimate (port: number, count: number): Promise<number> {
  let ok = 0
  for (let i = 0; i < count; i++) {
    try {
      const c = await connectAsync({ port, host: '127.0.0.1', handshakeTimeout: 3000 })
      ok++
      c.destroy()
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return ok
}

// Opens `perTick` connections every `tickMs`, each sending 64 random bytes once and kept open
// until the server closes it. Returns a stop function and the count opened.
function silentFlood (port: number, perTick: number, tickMs: number): { stop: () => void, opened: () => number } {
  const sockets = new Set<net.Socket>()
  let opened = 0
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const s = net.connect({ port, host: '127.0.0.1' }, () => { opened++; s.write(crypto.randomBytes(64)) })
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => sockets.delete(s))
      s.resume()
    }
  }, tickMs)
  return { stop: () => { clearInterval(timer); for (const s of sockets) s.destroy() }, opened: () => opened }
}

test('a flood of ~330 connections a second from the same address, 64 random bytes each, lets at least 90% of 50 legitimate handshakes through', async () => {
  const server = gateServer()
  const flood = { stop: () => {}, opened: () => 0 }
  try {
    const { port } = await server.next<{ port: number }>()
    Object.assign(flood, silentFlood(port, 10, 30))
    // Every handshake slot is taken before the first legitimate client comes.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    server.send('report')
    await server.next()
    const started = Date.now()
    const ok = await legitimate(port, 50)
    const seconds = (Date.now() - started) / 1000
    server.send('report')
    const { counters, cpu } = await server.next<{ counters: { accepted: number, established: number, dropped: Record<string, number> }, cpu: number }>()
    const rate = flood.opened() / (seconds + 1)
    console.log(`silent flood: ${ok}/50 legitimate handshakes; attacker ~${Math.round(rate)} connections/s; server CPU ${Math.round(cpu * 100)}%; ${JSON.stringify(counters)}`)
    // The flood really ran at about the audit's rate while the clients tried.
    expect(rate).toBeGreaterThan(200)
    expect(ok).toBeGreaterThanOrEqual(45)
  } finally {
    flood.stop()
    server.kill()
  }
}, 60_000)

test('a flood of completed key exchanges from the same address lets at least 90% of 50 legitimate handshakes through', async () => {
  const server = gateServer()
  let running = true
  let exchanges = 0
  const loops: Array<Promise<void>> = []
  try {
    const { port } = await server.next<{ port: number }>()
    // Each loop forces one key exchange after another (real keys, handshake completed, closed).
    for (let i = 0; i < 16; i++) {
      loops.push((async () => {
        while (running) {
          try {
            const c = await connectAsync({ port, host: '127.0.0.1' })
            exchanges++
            c.destroy()
          } catch {}
        }
      })())
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
    server.send('report')
    await server.next()
    const before = exchanges
    const started = Date.now()
    const ok = await legitimate(port, 50)
    const rate = (exchanges - before) / ((Date.now() - started) / 1000)
    server.send('report')
    const { cpu } = await server.next<{ cpu: number }>()
    console.log(`key-exchange flood: ${ok}/50 legitimate handshakes; attacker ~${Math.round(rate)} key exchanges/s; server CPU ${Math.round(cpu * 100)}%`)
    expect(rate).toBeGreaterThan(200)
    expect(ok).toBeGreaterThanOrEqual(45)
  } finally {
    running = false
    await Promise.all(loops)
    server.kill()
  }
}, 60_000)

test('a server full of established connections that send one decoy a while, from the clients\' own address, admits at least half of 16 new clients, as Core does: it closes the youngest unprotected connection', async () => {
  const server = child(`
    const server = bip324.createServer({ maxConnections: 20 }, (c) => { c.on('data', (m) => c.write(m)); c.on('error', () => {}) })
    server.listenAsync(0, '127.0.0.1').then(({ port }) => report({ port }))
    requests.on('line', () => report({ counters: server.counters }))
  `)
  const attackers: Array<Awaited<ReturnType<typeof connectAsync>>> = []
  const clients: Array<Awaited<ReturnType<typeof connectAsync>>> = []
  let decoys: NodeJS.Timeout | undefined
  try {
    const { port } = await server.next<{ port: number }>()
    for (let i = 0; i < 20; i++) {
      const a = await connectAsync({ port, host: '127.0.0.1' })
      a.on('error', () => {})
      a.resume()
      attackers.push(a)
    }
    decoys = setInterval(() => { for (const a of attackers) if (!a.destroyed) a.sendDecoy(1) }, 100)
    let working = 0
    for (let i = 0; i < 16; i++) {
      try {
        const c = await connectAsync({ port, host: '127.0.0.1', handshakeTimeout: 3000 })
        c.on('error', () => {})
        clients.push(c)
        const echoed = new Promise<boolean>((resolve) => {
          c.once('data', () => resolve(true))
          c.once('close', () => resolve(false))
          setTimeout(resolve, 2000, false)
        })
        c.write(Buffer.from('hello'))
        if (await echoed) working++
      } catch {}
    }
    const held = attackers.filter((a) => !a.destroyed).length
    server.send('report')
    const { counters } = await server.next<{ counters: unknown }>()
    console.log(`full server: ${working}/16 new clients got a working connection; the attacker still holds ${held}/20; ${JSON.stringify(counters)}`)
    expect(working).toBeGreaterThanOrEqual(8)
    // Core protects the longest connected: the attacker's older connections stay.
    expect(held).toBeGreaterThanOrEqual(10)
  } finally {
    clearInterval(decoys)
    for (const c of [...attackers, ...clients]) c.destroy()
    server.kill()
  }
}, 60_000)
