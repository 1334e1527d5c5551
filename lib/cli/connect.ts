/** `bip324 connect`: probes a Bitcoin node over BIP-324 and prints who it is. */

import { parseHostPort } from '../net/ip'
import { probe, type ProbeResult } from '../net/probe'
import { isNetworkName, NETWORKS, serviceNames } from '../network'
import type { BackendChoice } from '../crypto'
import { UsageError } from './errors'
import type { Values } from './index'
import type { Output } from './output'

export const usage = `bip324 connect <host[:port]> [--network ${Object.keys(NETWORKS).join('|')}]
                [--v1-fallback] [--timeout ms] [--backend native|js|auto] [--json]

Connects to a Bitcoin node over BIP-324, exchanges version and verack, and prints the node's user
agent, services, start height and the session id (compare it with the node's getpeerinfo to rule
out a man in the middle). With --v1-fallback, a node that closes during the handshake is retried
over v1, as Bitcoin Core does. The port defaults to the network's.

Exit codes: 0 probed; 1 refused, unreachable, timed out or failed (the message says which);
2 usage error; 3 the node only speaks v1 (retry with --v1-fallback).`

// Messages for the failures people hit, with the hint that resolves them.
function explain (err: Error & { code?: string }, where: string, fallback: boolean): string {
  switch (err.code) {
    case 'ECONNREFUSED': return `${where} refused the connection: is a node listening there?`
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot resolve the host of ${where}`
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${where} is unreachable`
    case 'ERR_BIP324_HANDSHAKE_TIMEOUT': return `${err.message}: the node did not answer (wrong network? try --network)`
    case 'ERR_BIP324_NO_TERMINATOR': return `${where} sent no garbage terminator: it is on another network (try --network)`
    case 'ERR_BIP324_BAD_MAGIC': return `${where} answered with another network's magic (try --network)`
    case 'ERR_BIP324_PEER_CLOSED': return fallback ? `${where} closed the connection` : `${where} closed the connection during the handshake: it may only speak v1 (try --v1-fallback)`
    default: return err.message
  }
}

export async function connectCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('expected one <host[:port]>')
  const network = values.network ?? 'mainnet'
  if (!isNetworkName(network)) throw new UsageError(`unknown network "${String(network)}"`)
  const { host, port } = parseHostPort(positionals[0]!, NETWORKS[network].port)
  const timeout = values.timeout === undefined ? 10_000 : Number(values.timeout)
  if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError('--timeout takes a positive number of milliseconds')
  const fallback = values['v1-fallback'] === true
  const where = `${host}:${port}`
  let result: ProbeResult
  try {
    result = await probe({ host, port, network, v1Fallback: fallback, timeout, backend: (values.backend ?? 'auto') as BackendChoice })
  } catch (err) {
    const e = err as Error & { code?: string }
    // An option the probe refuses (--backend toString) is a usage error: main exits 2 with the usage.
    if (e.code === 'ERR_BIP324_INVALID_ARG') throw err
    const v1Only = e.code === 'ERR_BIP324_PEER_CLOSED' && !fallback
    const message = explain(e, where, fallback)
    if (out.json) process.stdout.write(JSON.stringify({ ok: false, error: { code: e.code, message } }) + '\n')
    else process.stderr.write(`bip324 connect: ${message}${e.code === undefined ? '' : ` (${e.code})`}\n`)
    return v1Only ? 3 : 1
  }
  const v = result.version
  if (out.json) {
    process.stdout.write(JSON.stringify({
      ok: true,
      peer: where,
      network,
      transport: result.transport,
      fellBackToV1: result.transport === 'v1',
      sessionId: result.sessionId,
      userAgent: v.userAgent,
      version: v.version,
      services: v.services.toString(),
      serviceNames: serviceNames(v.services),
      startHeight: v.startHeight,
      relay: v.relay
    }, null, 2) + '\n')
    return 0
  }
  out.say(`${where} (${network}) over ${result.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}`)
  if (result.sessionId !== undefined) out.say(`  session id   ${result.sessionId}`)
  out.say(`  user agent   ${v.userAgent}`)
  out.say(`  version      ${v.version}`)
  out.say(`  services     0x${v.services.toString(16)} ${serviceNames(v.services).join(' ')}`)
  out.say(`  start height ${v.startHeight}`)
  return 0
}
