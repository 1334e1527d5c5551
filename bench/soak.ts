/**
 * `npm run soak`: many concurrent BIP-324 connections over 127.0.0.1 in one process (createServer
 * + connect, so 2 sockets per connection), each side sending messages of mixed sizes for a bounded
 * time, then closing. Checks that nothing is lost or changed (per connection and direction: every
 * message compared byte for byte with what the sender sent at that position, counts, bytes and a
 * CRC-32 over the stream) and that memory and file descriptors come back; reports handshakes per
 * second during the ramp-up, throughput, event-loop delay, RSS and descriptors. Prints a markdown
 * table, writes bench/results/soak.json.
 *
 * Usage: node --expose-gc .bench/bench/soak.js [--connections N] [--seconds S] [--backend native|wasm|js]
 *          [--rate R] [--concurrency C] [--sampled-crc] [--out file]
 *   --rate R         messages per second per direction and connection (default 4: at 1,000
 *                    connections about 8,000 messages and 75 MB/s in all, under what one shared
 *                    core sustains; 0: as fast as backpressure allows, a flood that measures the
 *                    ceiling and a saturated event loop rather than a soak)
 *   --sampled-crc    CRC-32 over each message's length and first and last 32 bytes instead of all
 *                    of it (the byte-for-byte comparison still covers every byte)
 */

import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { crc32 } from 'node:zlib'

import { type Bip324Socket, connectAsync, createServer } from '../lib'
import { monitorLoopDelay } from './loop-delay'
import { machine } from './machine'

interface Options {
  connections: number
  seconds: number
  backend: 'native' | 'wasm' | 'js'
  /** Handshakes in flight during the ramp-up. */
  concurrency: number
  rate: number
  sampledCrc: boolean
  out: string
}

function parse (argv: string[]): Options {
  const o: Options = { connections: 1000, seconds: 30, backend: 'native', concurrency: 100, rate: 4, sampledCrc: false, out: '' }
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ''] = [argv[i], argv[i + 1]]
    if (flag === '--sampled-crc') { o.sampledCrc = true; i--; continue }
    switch (flag) {
      case '--rate': o.rate = Number(value); break
      case '--connections': o.connections = Number(value); break
      case '--seconds': o.seconds = Number(value); break
      case '--backend': o.backend = value === 'js' || value === 'wasm' ? value : 'native'; break
      case '--concurrency': o.concurrency = Number(value); break
      case '--out': o.out = value; break
      default: throw new Error(`soak: unknown argument ${String(flag)}`)
    }
  }
  if (!(o.connections > 0 && o.seconds > 0 && o.concurrency > 0 && o.rate >= 0)) throw new Error('soak: --connections, --seconds and --concurrency take positive numbers')
  o.out ||= path.join(__dirname, '..', '..', 'bench', 'results', 'soak.json')
  return o
}

const SIZES = { small: [32, 1024], medium: 64 << 10, large: 1 << 20 }
// Messages are views of one pool at an offset that moves with their sequence number: no copy to
// send, and the receiver knows what the n-th message must hold without being told.
const POOL = new Uint8Array(Buffer.from(Array.from({ length: (1 << 20) + (64 << 10) }, (_, i) => (i * 2654435761) >>> 24)))
const TICK_MS = 10

interface Direction { messages: number, bytes: number, crc: number }
interface Endpoint {
  /** Sizes drawn by a per-endpoint xorshift: reproducible, and nothing shared between endpoints. */
  sizes: { x: number }
  /** Where in its period this endpoint sends, so that 2,000 endpoints do not send in lockstep. */
  phase: number
  /** write() said wait: no more until 'drain'. */
  waiting: boolean
  ended: boolean
  /** Received messages that are not the bytes sent at that position. */
  mismatches: number
  conn: Bip324Socket
  /** Kept from the start: a closed socket no longer knows its ports. */
  localPort: number
  remotePort: number
  sent: Direction
  received: Direction
  error: string | null
  closed: Promise<unknown>
}

const fresh = (): Direction => ({ messages: 0, bytes: 0, crc: 0 })

// Mostly 32 B to 1 KiB, 5.5 % 64 KiB, 0.5 % 1 MiB (by count; by bytes the big ones dominate).
function nextSize (state: { x: number }): number {
  state.x ^= state.x << 13
  state.x ^= state.x >>> 17
  state.x ^= state.x << 5
  const r = (state.x >>> 0) / 2 ** 32
  if (r < 0.005) return SIZES.large
  if (r < 0.06) return SIZES.medium
  return SIZES.small[0]! + Math.floor((r - 0.06) / 0.94 * (SIZES.small[1]! - SIZES.small[0]! + 1))
}

function message (seq: number, size: number): Uint8Array {
  const from = (seq * 7919) % (POOL.length - size + 1)
  return POOL.subarray(from, from + size)
}

let sampledCrc = false

function checksum (m: Uint8Array, crc: number): number {
  if (!sampledCrc || m.length <= 64) return crc32(m, crc)
  return crc32(m.subarray(m.length - 32), crc32(m.subarray(0, 32), crc32(String(m.length), crc)))
}

function endpoint (conn: Bip324Socket, seed: number): Endpoint {
  const e: Endpoint = {
    conn,
    localPort: conn.socket.localPort ?? -1,
    remotePort: conn.socket.remotePort ?? -1,
    sizes: { x: seed | 1 },
    phase: ((seed >>> 0) % 1000) / 1000,
    waiting: false,
    ended: false,
    mismatches: 0,
    sent: fresh(),
    received: fresh(),
    error: null,
    closed: once(conn, 'close')
  }
  conn.on('error', (err: Error & { code?: string }) => { e.error ??= `${err.code ?? ''} ${err.message}` })
  conn.on('data', (m: Uint8Array) => {
    if (m.length > POOL.length || Buffer.compare(m, message(e.received.messages, m.length)) !== 0) e.mismatches++
    e.received.messages++
    e.received.bytes += m.length
    e.received.crc = checksum(m, e.received.crc)
  })
  return e
}

/** Sends what is due by `now` (everything backpressure allows at rate 0), until write() says wait. */
function topUp (e: Endpoint, now: number, traffic: { start: number, deadline: number, rate: number }): void {
  if (e.waiting || e.ended || now >= traffic.deadline) return
  const due = traffic.rate > 0 ? Math.floor(traffic.rate * (now - traffic.start) / 1000 + e.phase) : Infinity
  while (e.sent.messages < due) {
    const m = message(e.sent.messages, nextSize(e.sizes))
    e.sent.messages++
    e.sent.bytes += m.length
    e.sent.crc = checksum(m, e.sent.crc)
    if (!e.conn.write(m)) {
      e.waiting = true
      return
    }
  }
}

/**
 * Runs the traffic phase: one ticker for every endpoint; 'drain' resumes an endpoint on the next
 * turn of the loop. Not at once: 'drain' comes from process.nextTick, and while the kernel takes
 * writes synchronously, writing from it would chain ticks and starve every read.
 */
function traffic (everyone: Endpoint[], seconds: number, rate: number): Promise<void> {
  const t = { start: performance.now(), deadline: performance.now() + seconds * 1000, rate }
  for (const e of everyone) {
    e.conn.on('drain', () => {
      e.waiting = false
      setImmediate(() => topUp(e, performance.now(), t))
    })
  }
  return new Promise((resolve) => {
    const ticker = setInterval(() => {
      const now = performance.now()
      if (now < t.deadline) {
        for (const e of everyone) topUp(e, now, t)
        return
      }
      clearInterval(ticker)
      for (const e of everyone) {
        e.ended = true
        e.conn.end()
      }
      resolve()
    }, TICK_MS)
  })
}

const fdCount = (): number => fs.readdirSync('/proc/self/fd').length

/** What each open descriptor is (socket:[inode], anon_inode:[eventpoll], a path). */
function fdTargets (): Map<string, string> {
  const out = new Map<string, string>()
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try { out.set(fd, fs.readlinkSync(`/proc/self/fd/${fd}`)) } catch { /* the directory's own, gone already */ }
  }
  return out
}

function fdLimit (): { soft: string, hard: string } {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files')) ?? ''
  const [soft = '?', hard = '?'] = line.replace('Max open files', '').trim().split(/\s+/)
  return { soft, hard }
}

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p / 100))] ?? NaN
const mib = (b: number): number => Math.round(b / 2 ** 20 * 10) / 10
const gc = (): void => { (globalThis as { gc?: () => void }).gc?.() }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether `p` settled within `ms`; the timer does not outlive it. */
async function within (p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  const settled = await Promise.race([p.then(() => true), late])
  clearTimeout(timer)
  return settled
}

async function main (): Promise<void> {
  const o = parse(process.argv.slice(2))
  sampledCrc = o.sampledCrc
  const limit = fdLimit()
  if (Number(limit.soft) < 2 * o.connections + 64) {
    throw new Error(`soak: ${2 * o.connections} sockets need more than the open-file limit (soft ${limit.soft}, hard ${limit.hard}): raise it with ulimit -n before starting node`)
  }
  console.log(`soak: ${o.connections} connections (${2 * o.connections} sockets), ${o.seconds} s of traffic, ${o.backend} backend; open-file limit soft ${limit.soft}, hard ${limit.hard}`)
  const loadStart = os.loadavg()[0]!
  gc()
  const base = { fds: fdCount(), rss: process.memoryUsage.rss(), js: process.memoryUsage() }
  const baseTargets = fdTargets()
  const peak = { fds: base.fds, rss: base.rss }
  const sampler = setInterval(() => {
    peak.fds = Math.max(peak.fds, fdCount())
    peak.rss = Math.max(peak.rss, process.memoryUsage.rss())
  }, 250)
  const loop = monitorLoopDelay(10)

  const connectionOptions = { backend: o.backend, allowHalfOpen: true, handshakeTimeout: 300_000 }
  // Every soak connection is ours: the public-port limits would refuse most of them.
  const server = createServer({ ...connectionOptions, maxConnections: o.connections, maxHandshakes: o.connections })
  const accepted = new Map<number, Endpoint>()
  const failures: string[] = []
  server.on('handshakeError', (err: Error) => failures.push(`server handshake: ${err.message}`))
  let allAccepted: () => void = () => {}
  const everyoneAccepted = new Promise<void>((resolve) => { allAccepted = resolve })
  server.on('connection', (peer) => {
    const e = endpoint(peer, 0x85ebca6b ^ (accepted.size * 2654435761))
    accepted.set(e.remotePort, e)
    if (accepted.size === o.connections) allAccepted()
  })
  const { port } = await server.listenAsync(0, '127.0.0.1')

  // Ramp-up: every connection's TCP connect and handshake, `concurrency` at a time, no traffic yet.
  const clients: Endpoint[] = []
  const latencies: number[] = []
  const rampStart = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.connections) }, async () => {
    while (next < o.connections) {
      next++
      const t0 = performance.now()
      clients.push(endpoint(await connectAsync({ ...connectionOptions, port }), 0x9e3779b9 ^ (clients.length * 2654435761)))
      latencies.push(performance.now() - t0)
    }
  }))
  await everyoneAccepted
  const rampSeconds = (performance.now() - rampStart) / 1000
  const rampLoop = loop.read()
  const open = { fds: fdCount(), rss: process.memoryUsage.rss() }
  console.log(`ramp-up: ${o.connections} handshakes in ${rampSeconds.toFixed(2)} s (${(o.connections / rampSeconds).toFixed(0)}/s); ${open.fds} fds, RSS ${mib(open.rss)} MiB`)

  // Traffic: every endpoint sends until the deadline, then ends its side; done when all closed.
  loop.reset()
  const cpuStart = process.cpuUsage()
  const trafficStart = performance.now()
  const everyone = [...clients, ...accepted.values()]
  await traffic(everyone, o.seconds, o.rate)
  const trafficLoop = loop.read()
  if (!await within(Promise.all(everyone.map((e) => e.closed)), 60_000)) {
    failures.push(`${everyone.filter((e) => !e.conn.closed).length} endpoints still open 60 s after the end of traffic`)
  }
  const trafficSeconds = (performance.now() - trafficStart) / 1000
  const cpu = process.cpuUsage(cpuStart)
  loop.stop()

  // Pairs by port: what one side sent is what the other received, message for message.
  let lost = 0
  let corrupted = 0
  let mismatches = 0
  let wireMismatches = 0
  const perConnection: number[] = []
  const totals = { messages: 0, bytes: 0, received: 0, wireBytes: 0, packets: 0, rekeys: 0 }
  for (const c of clients) {
    const peer = accepted.get(c.localPort)
    if (peer === undefined) { failures.push('a client without its server side'); continue }
    for (const [from, to] of [[c, peer], [peer, c]] as const) {
      lost += from.sent.messages - to.received.messages
      if (from.sent.bytes !== to.received.bytes || from.sent.crc !== to.received.crc) corrupted++
      mismatches += to.mismatches
      const [a, b] = [from.conn.counters, to.conn.counters]
      if (a.bytesSent !== b.bytesReceived || a.packetsSent !== b.packetsReceived) wireMismatches++
      totals.messages += from.sent.messages
      totals.bytes += from.sent.bytes
      totals.received += to.received.messages
      totals.wireBytes += a.bytesSent
      totals.packets += a.packetsSent
      totals.rekeys += a.rekeysSent
      if (from.error !== null) failures.push(from.error)
    }
    perConnection.push(c.sent.messages + peer.sent.messages)
  }

  // Close everything, then give the loop time to run the close callbacks before counting.
  for (const e of everyone) e.conn.destroy()
  await server[Symbol.asyncDispose]()
  clients.length = 0
  accepted.clear()
  everyone.length = 0
  let after = fdCount()
  for (let i = 0; i < 50 && after !== base.fds; i++) {
    await sleep(100)
    after = fdCount()
  }
  gc()
  await sleep(500)
  gc()
  clearInterval(sampler)
  const end = { fds: fdCount(), rss: process.memoryUsage.rss(), js: process.memoryUsage() }
  const leftover = [...fdTargets()].filter(([fd, target]) => baseTargets.get(fd) !== target).map(([fd, target]) => `${fd} -> ${target}`)

  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    options: { ...o, out: undefined, sizes: '94% 32 B-1 KiB, 5.5% 64 KiB, 0.5% 1 MiB (by count)' },
    openFileLimit: limit,
    // Other work on a shared machine skews every figure here: the load says how much.
    loadAverage: { start: loadStart, end: os.loadavg()[0] },
    rampUp: { seconds: rampSeconds, handshakesPerSecond: o.connections / rampSeconds, latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) }, eventLoopDelayMs: rampLoop },
    traffic: {
      seconds: trafficSeconds,
      messagesSent: totals.messages,
      messagesReceived: totals.received,
      payloadBytes: totals.bytes,
      wireBytes: totals.wireBytes,
      packets: totals.packets,
      rekeys: totals.rekeys,
      payloadMBps: totals.bytes / trafficSeconds / 1e6,
      messagesPerSecond: totals.received / trafficSeconds,
      messagesPerConnection: { min: Math.min(...perConnection), median: percentile(perConnection, 50), max: Math.max(...perConnection) },
      eventLoopDelayMs: trafficLoop,
      cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6, cores: (cpu.user + cpu.system) / 1e6 / trafficSeconds }
    },
    integrity: { lost, corruptedDirections: corrupted, messagesNotAsSent: mismatches, wireCounterMismatches: wireMismatches, errors: failures.slice(0, 20), errorCount: failures.length },
    rssMiB: { baseline: mib(base.rss), allOpen: mib(open.rss), peak: mib(peak.rss), afterClose: mib(end.rss), perConnectionKiB: Math.round((peak.rss - base.rss) / o.connections / 1024), idlePerConnectionKiB: Math.round((open.rss - base.rss) / o.connections / 1024),
      // RSS that stays after close while these are back near baseline is the allocator keeping freed pages, not a leak.
      heapUsed: { baseline: mib(base.js.heapUsed), afterClose: mib(end.js.heapUsed) },
      arrayBuffers: { baseline: mib(base.js.arrayBuffers), afterClose: mib(end.js.arrayBuffers) } },
    fds: { baseline: base.fds, allOpen: open.fds, peak: peak.fds, afterClose: end.fds, backToBaseline: end.fds === base.fds, newSinceBaseline: leftover }
  }
  const ok = lost === 0 && corrupted === 0 && mismatches === 0 && wireMismatches === 0 && failures.length === 0 && results.fds.backToBaseline

  const row = (k: string, v: string): void => console.log(`| ${k} | ${v} |`)
  console.log(`\n### Soak: ${o.connections} connections, ${o.backend} backend, ${o.seconds} s\n`)
  console.log('| measure | value |\n| --- | --- |')
  row('open-file limit (soft / hard)', `${limit.soft} / ${limit.hard}`)
  row('machine', `${results.machine.cpu}, ${results.machine.cores} cores; 1-min load average ${loadStart.toFixed(2)} at start, ${results.loadAverage.end!.toFixed(2)} at end`)
  row('ramp-up', `${rampSeconds.toFixed(2)} s, **${results.rampUp.handshakesPerSecond.toFixed(0)} handshakes/s** (${o.concurrency} in flight; connect latency p50 ${results.rampUp.latencyMs.p50.toFixed(1)} ms, p99 ${results.rampUp.latencyMs.p99.toFixed(1)} ms)`)
  row('traffic', `${o.rate > 0 ? `${o.rate} messages/s per direction and connection (offered ${(o.rate * o.seconds * 2 * o.connections).toLocaleString('en-US')})` : 'as fast as backpressure allows'}; default send and receive buffers; CRC-32 over ${o.sampledCrc ? 'length + first/last 32 B' : 'every byte'}`)
  row('messages sent / received', `${totals.messages.toLocaleString('en-US')} / ${totals.received.toLocaleString('en-US')} (lost ${lost}, directions with count/bytes/CRC mismatch ${corrupted}, messages not byte-identical ${mismatches}, wire counter mismatches ${wireMismatches}, errors ${failures.length})`)
  row('messages per connection (both directions)', `min ${results.traffic.messagesPerConnection.min}, median ${results.traffic.messagesPerConnection.median}, max ${results.traffic.messagesPerConnection.max}`)
  row('throughput (payload, both directions)', `${results.traffic.payloadMBps.toFixed(0)} MB/s, ${results.traffic.messagesPerSecond.toFixed(0)} messages/s over ${trafficSeconds.toFixed(1)} s (${(totals.wireBytes / 1e9).toFixed(2)} GB on the wire, ${totals.packets.toLocaleString('en-US')} packets, ${totals.rekeys.toLocaleString('en-US')} rekeys)`)
  row('CPU used by this process during traffic', `${results.traffic.cpuSeconds.user.toFixed(1)} s user + ${results.traffic.cpuSeconds.system.toFixed(1)} s system = ${results.traffic.cpuSeconds.cores.toFixed(2)} cores`)
  row('event-loop delay beyond the 10 ms sampling interval, traffic (p50 / p99 / max)', `${trafficLoop.p50} / ${trafficLoop.p99} / ${trafficLoop.max} ms`)
  row('event-loop delay, ramp-up (p50 / p99 / max)', `${rampLoop.p50} / ${rampLoop.p99} / ${rampLoop.max} ms`)
  row('RSS baseline / all open / peak / after close', `${results.rssMiB.baseline} / ${results.rssMiB.allOpen} / ${results.rssMiB.peak} / ${results.rssMiB.afterClose} MiB`)
  row('after close: V8 heap used / ArrayBuffers (baseline)', `${results.rssMiB.heapUsed.afterClose} / ${results.rssMiB.arrayBuffers.afterClose} MiB (${results.rssMiB.heapUsed.baseline} / ${results.rssMiB.arrayBuffers.baseline} MiB)`)
  row('RSS per connection (idle / peak under traffic)', `${results.rssMiB.idlePerConnectionKiB} KiB / ${results.rssMiB.perConnectionKiB} KiB`)
  row('file descriptors baseline / all open / peak / after close', `${base.fds} / ${open.fds} / ${peak.fds} / ${end.fds} (${results.fds.backToBaseline ? 'back to baseline' : `NOT back to baseline: ${leftover.join(', ')}`})`)
  row('verdict', ok ? 'pass' : `**FAIL** ${failures.slice(0, 3).join('; ')}`)
  fs.mkdirSync(path.dirname(o.out), { recursive: true })
  fs.writeFileSync(o.out, JSON.stringify(results, null, 1) + '\n')
  console.log(`\nwrote ${path.relative(process.cwd(), o.out)}`)
  process.exitCode = ok ? 0 : 1
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
