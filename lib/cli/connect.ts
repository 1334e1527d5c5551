/** `bip324 connect`: probes a Bitcoin node over BIP-324 and prints who it is. */

import { probe, type ProbeResult } from '../peer/probe'
import { serviceNames } from '../network'
import type { Values } from './args'
import { FAILURE_USAGE, NODE_OPTIONS_USAGE, nodeTargetOf, onePositional, PROXY_USAGE, reachFailure } from './node-target'
import { type Output, servicesHex } from './output'
import { isOperational } from './report'
import { sanitizeString } from './sanitize'

export const usage = `bip324 connect <host[:port]> ${NODE_OPTIONS_USAGE}

Connects to a Bitcoin node over BIP-324, exchanges version and verack, and prints the node's user
agent, services, start height and the session id (compare it with the node's getpeerinfo to rule
out a man in the middle). With --v1-fallback, a node that closes on our key without sending a byte
(as a v1-only node does) is retried over v1, as Bitcoin Core does. The port defaults to the
network's; an IPv6 address goes in brackets ([2001:db8::1]:8333). --timeout (default 10000) bounds
the whole probe.

${FAILURE_USAGE}

${PROXY_USAGE}

Exit codes: 0 probed (over v1 too, with --v1-fallback); 1 refused, unreachable, timed out or
failed (the message says which); 2 usage error; 3 the node speaks only v1 (retry with
--v1-fallback).`

export async function connectCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  const target = nodeTargetOf(values, onePositional(positionals, '<host[:port]>'), 10_000)
  const { host, port, network, timeout, backend, fallback, socks, where, proxy } = target
  let result: ProbeResult
  const started = Date.now()
  try {
    result = await probe({ host, port, network, timeout, backend, v1Fallback: fallback, ...(socks !== undefined && { socks }) })
  } catch (err) {
    // A bug, or a value the library refused (a usage error): report.ts tells which.
    if (!isOperational(err) || err.code === 'ERR_BIP324_INVALID_ARG') throw err
    throw await reachFailure(err, target, started)
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
      sessionId: result.sessionIdHex,
      userAgent: v.userAgent,
      version: v.version,
      services: servicesHex(v.services),
      serviceNames: serviceNames(v.services),
      startHeight: v.startHeight,
      relay: v.relay
    }, null, 2) + '\n')
    return 0
  }
  out.say(`${where} (${network}) over ${result.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}${proxy !== undefined ? `, through the SOCKS5 proxy ${proxy}` : ''}`)
  if (result.sessionIdHex !== undefined) out.say(`  session id   ${result.sessionIdHex}`)
  // As getpeerinfo's subver shows it (and with no escape sequence to rewrite the lines above).
  out.say(`  user agent   ${sanitizeString(v.userAgent)}`)
  out.say(`  version      ${v.version}`)
  out.say(`  services     ${servicesHex(v.services)} ${serviceNames(v.services).join(' ')}`)
  out.say(`  start height ${v.startHeight}`)
  return 0
}
