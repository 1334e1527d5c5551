/** `bip324 connect`: probes a Bitcoin node over BIP-324 and prints who it is. */

import { Bip324Error } from '../errors'
import { probe, type ProbeOptions, type ProbeResult } from '../peer/probe'
import { NETWORKS, serviceNames } from '../network'
import { formatAddress, parseAddress } from './address'
import { backendOf, networkOf, type Values } from './args'
import { Failure, UsageError } from './errors'
import type { Output } from './output'
import { isOperational } from './report'

export const usage = `bip324 connect <host[:port]> [--network ${Object.keys(NETWORKS).join('|')}]
                [--v1-fallback] [--proxy host[:port]] [--timeout ms]
                [--backend native|js|auto] [--json]

Connects to a Bitcoin node over BIP-324, exchanges version and verack, and prints the node's user
agent, services, start height and the session id (compare it with the node's getpeerinfo to rule
out a man in the middle). With --v1-fallback, a node that closes on our key without sending a byte
(as a v1-only node does) is retried over v1, as Bitcoin Core does. The port defaults to the
network's; an IPv6 address goes in brackets ([2001:db8::1]:8333). --timeout (default 10000) bounds
the whole probe.

--proxy connects through a SOCKS5 proxy, as Bitcoin Core's -proxy: Tor's is 127.0.0.1:9050 (the
default port). The host is sent to the proxy unresolved, so an .onion address works, and each
connection gets fresh credentials, which Tor puts on a circuit of its own (Core's -proxyrandomize).

Exit codes: 0 probed (over v1 too, with --v1-fallback); 1 refused, unreachable, timed out or
failed (the message says which); 2 usage error; 3 the node speaks only v1 (retry with
--v1-fallback).`

// Tor's SOCKS port, for a --proxy without one (Bitcoin Core's -proxy documents it: 127.0.0.1:9050).
const TOR_SOCKS_PORT = 9050

// setTimeout's longest delay, which the library's timeouts cannot exceed.
const MAX_TIMEOUT = 2 ** 31 - 1

// The failures people hit, in words that say what to do. Only a handshake that went wrong on
// arrival (no terminator of this network, another network's magic) hints at --network: a refusal
// or a silence says nothing of the network.
function explain (err: Error & { code: string }, where: string, network: string, fallback: boolean, proxy: string | undefined): string {
  // Through a proxy, a system error is about the proxy: the peer is the proxy's to reach.
  if (proxy !== undefined && !err.code.startsWith('ERR_BIP324_')) return explainProxy(err, proxy)
  switch (err.code) {
    case 'ERR_BIP324_SOCKS': return err.message
    case 'ECONNREFUSED': return `${where} refused the connection: is a node listening there?`
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot resolve the host of ${where}`
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${where} is unreachable`
    case 'ETIMEDOUT': return `${where} did not accept the connection (the system gave up waiting)`
    case 'ECONNRESET': return `${where} reset the connection`
    case 'ERR_BIP324_NO_TERMINATOR': return `${where} is on another network: its handshake is not ${network}'s (try --network)`
    case 'ERR_BIP324_BAD_MAGIC': return `${where} answered over v1 with another network's magic, not ${network}'s (try --network)`
    case 'ERR_BIP324_V1_PEER': return `${where} speaks only v1: it answered a v1 version message (retry with --v1-fallback)`
    case 'ERR_BIP324_PEER_CLOSED': return `${where}: ${err.message}${fallback ? '' : ' (nor did it answer over v1)'}`
    default: return `${where}: ${err.message}`
  }
}

function explainProxy (err: Error & { code: string }, proxy: string): string {
  switch (err.code) {
    case 'ECONNREFUSED': return `the proxy ${proxy} refused the connection: is Tor (or another SOCKS5 proxy) listening there?`
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot resolve the host of the proxy ${proxy}`
    default: return `the proxy ${proxy}: ${err.message}`
  }
}

// Closing on our key is what a v1-only node does, but not only it: exit code 3 (and its message)
// only once the peer has answered a v1 version message on a second connection.
async function speaksV1 (options: Omit<ProbeOptions, 'v1Fallback'>): Promise<boolean> {
  try {
    return (await probe({ ...options, v1Fallback: true })).transport === 'v1'
  } catch {
    return false
  }
}

export async function connectCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'expected a <host[:port]>' : `expected one <host[:port]>, got ${positionals.length}`)
  const network = networkOf(values)
  const { host, port } = parseAddress(positionals[0]!, 'address', NETWORKS[network].port)
  const text = typeof values.timeout === 'string' ? values.timeout : '10000'
  const timeout = Number(text)
  if (!/^\d+$/.test(text) || timeout < 1 || timeout > MAX_TIMEOUT) throw new UsageError(`--timeout takes milliseconds from 1 to ${MAX_TIMEOUT}, not "${text}"`)
  const backend = backendOf(values)
  const fallback = values['v1-fallback'] === true
  const socks = typeof values.proxy === 'string' ? parseAddress(values.proxy, '--proxy', TOR_SOCKS_PORT) : undefined
  const proxy = socks === undefined ? undefined : formatAddress(socks.host, socks.port)
  const where = formatAddress(host, port)
  const options = { host, port, network, timeout, backend, ...(socks !== undefined && { socks }) }
  let result: ProbeResult
  try {
    result = await probe({ ...options, v1Fallback: fallback })
  } catch (err) {
    // A bug, or a value the library refused (a usage error): report.ts tells which.
    if (!isOperational(err) || err.code === 'ERR_BIP324_INVALID_ARG') throw err
    const failure = !fallback && err.code === 'ERR_BIP324_PEER_CLOSED' && await speaksV1(options)
      ? new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks only v1')
      : err
    throw new Failure(explain(failure, where, network, fallback, proxy), failure.code, failure.code === 'ERR_BIP324_V1_PEER' ? 3 : 1)
  }
  const v = result.version
  if (out.json) {
    process.stdout.write(JSON.stringify({
      ok: true,
      peer: where,
      ...(proxy !== undefined && { proxy }),
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
  out.say(`${where} (${network}) over ${result.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}${proxy !== undefined ? `, through the SOCKS5 proxy ${proxy}` : ''}`)
  if (result.sessionId !== undefined) out.say(`  session id   ${result.sessionId}`)
  out.say(`  user agent   ${v.userAgent}`)
  out.say(`  version      ${v.version}`)
  out.say(`  services     0x${v.services.toString(16)} ${serviceNames(v.services).join(' ')}`)
  out.say(`  start height ${v.startHeight}`)
  return 0
}
