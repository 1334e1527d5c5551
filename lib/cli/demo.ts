/**
 * `bip324 demo`: a responder and an initiator of ours on 127.0.0.1 in one process. Shows the
 * handshake (both session ids), echoes messages of several sizes and checks them byte for byte,
 * then measures throughput next to plain TCP. Nothing leaves the machine.
 */

import crypto from 'node:crypto'
import { once } from 'node:events'
import { performance } from 'node:perf_hooks'

import { selectBackend, type BackendChoice } from '../crypto'
import { native } from '../native/binding'
import { DEFAULT_MAX_CONTENTS } from '../protocol/constants'
import type { Bip324Socket } from '../net/socket'
import { loopbackPair, measureTcp, measureV2, type Throughput } from './loopback'
import { formatBytes, formatSize, hex, type Output } from './output'

export const usage = `bip324 demo [--backend native|js|auto] [--json]

Starts a BIP-324 responder and initiator on 127.0.0.1, shows the handshake, echoes messages of
several sizes (checked byte for byte), and measures throughput next to plain TCP sockets.`

const ECHO_SIZES = [0, 1, 32, 1024, 65536, 1 << 20, DEFAULT_MAX_CONTENTS]

async function echo (client: Bip324Socket, peer: Bip324Socket, message: Uint8Array): Promise<boolean> {
  const back = once(client, 'data') as Promise<[Uint8Array]>
  const arrived = once(peer, 'data') as Promise<[Uint8Array]>
  client.write(message)
  peer.write((await arrived)[0])
  return Buffer.from((await back)[0]).equals(message)
}

export async function demo (out: Output, options: { backend?: BackendChoice }): Promise<number> {
  const backend = options.backend ?? 'auto'
  const chosen = selectBackend(backend)
  out.say(`bip324 demo: responder and initiator on 127.0.0.1, ${chosen.name} backend`)
  if (chosen.name === 'native') {
    const info = native().nativeInfo()
    out.say(`  libsecp256k1 ${info.secp256k1}, libsodium ${info.sodium}; packet primitives from ${info.provider}`)
  }

  const start = performance.now()
  const pair = await loopbackPair({ backend, garbageLength: 100 })
  // Measured: to the tenth of a millisecond, as the text prints it and JSON gives it.
  const handshakeMs = Math.round((performance.now() - start) * 10) / 10
  const { client, peer } = pair
  const sessionId = { initiator: hex(client.sessionId ?? new Uint8Array(0)), responder: hex(peer.sessionId ?? new Uint8Array(0)) }
  const same = sessionId.initiator === sessionId.responder
  out.say(`\nhandshake    ${handshakeMs.toFixed(1)} ms (TCP connect included), ${client.counters.bytesSent} bytes out, ${client.counters.bytesReceived} bytes in`)
  out.say(`  initiator session id ${sessionId.initiator}`)
  out.say(`  responder session id ${sessionId.responder}  ${same ? '(match)' : '(MISMATCH)'}`)

  const echoes: Array<{ size: number, ok: boolean }> = []
  for (const size of ECHO_SIZES) echoes.push({ size, ok: await echo(client, peer, crypto.randomBytes(size)) })
  out.say(`\necho         ${echoes.map((e) => `${formatSize(e.size)} ${e.ok ? 'ok' : 'FAILED'}`).join(', ')}`)

  const runs: Array<{ v2: Throughput, tcp: Throughput }> = []
  out.say('\nthroughput   client -> responder, same process, next to plain TCP')
  for (const [size, count] of [[1 << 20, 128], [64, 100_000]] as const) {
    const progress = out.progress(`${formatSize(size)} messages`, count)
    const v2 = await measureV2(pair, size, count, progress.update).finally(progress.stop)
    const tcp = await measureTcp(size, count)
    runs.push({ v2, tcp })
    out.say(`  ${formatSize(size).padEnd(7)} x ${count.toLocaleString('en-US').padEnd(7)} ${formatBytes(v2.bytesPerSecond)}/s, ` +
      `${Math.round(v2.messagesPerSecond).toLocaleString('en-US')} msg/s; plain TCP ${formatBytes(tcp.bytesPerSecond)}/s ` +
      `(${(v2.bytesPerSecond / tcp.bytesPerSecond).toFixed(2)}x)`)
  }
  const counters = client.counters
  out.say(`\ncounters     ${counters.packetsSent.toLocaleString('en-US')} packets sent, ${counters.rekeysSent} rekeys, ${formatBytes(counters.bytesSent)} on the wire`)
  await pair.close()

  const ok = same && echoes.every((e) => e.ok)
  if (out.json) {
    process.stdout.write(JSON.stringify({
      ok,
      backend: chosen.name,
      handshakeMs,
      sessionId,
      echo: echoes,
      throughput: runs,
      counters
    }, null, 2) + '\n')
  }
  return ok ? 0 : 1
}
