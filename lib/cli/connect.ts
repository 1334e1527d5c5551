/** `bip324 connect`: probes a Bitcoin node over BIP-324 and prints who it is. */

import { Bip324Error } from '../errors'
import { probe, type ProbeOptions, type ProbeResult } from '../peer/probe'
import { serviceNames } from '../network'
import type { Values } from './args'
import { NODE_OPTIONS_USAGE, nodeFailure, nodeTargetOf, onePositional, PROXY_USAGE } from './node-target'
import type { Output } from './output'
import { isOperational } from './report'
import { sanitizeString } from './sanitize'

export const usage = `bip324 connect <host[:port]> ${NODE_OPTIONS_USAGE}

Connects to a Bitcoin node over BIP-324, exchanges version and verack, and prints the node's user
agent, services, start height and the session id (compare it with the node's getpeerinfo to rule
out a man in the middle). With --v1-fallback, a node that closes on our key without sending a byte
(as a v1-only node does) is retried over v1, as Bitcoin Core does. The port defaults to the
network's; an IPv6 address goes in brackets ([2001:db8::1]:8333). --timeout (default 10000) bounds
the whole probe.

${PROXY_USAGE}

Exit codes: 0 probed (over v1 too, with --v1-fallback); 1 refused, unreachable, timed out or
failed (the message says which); 2 usage error; 3 the node speaks only v1 (retry with
--v1-fallback).`

// Closing on our key is what a v1-only node does, but not only it: exit code 3 (and its message)
// only once the peer has answered a v1 version message on a second connection.
async function speaksV1 (options: Omit<ProbeOptions, 'v1Fallback'>): Promise<boolean> {
  try {
    return (await probe({ ...options, v1Fallback: true })).transport === 'v1'
  } catch {
    return false
  }
}

// Text and JSON alike, as getpeerinfo's "services" shows them: 16 hex digits.
const servicesHex = (services: bigint): string => services.toString(16).padStart(16, '0')

export async function connectCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  const target = nodeTargetOf(values, onePositional(positionals, '<host[:port]>'), 10_000)
  const { host, port, network, timeout, backend, fallback, socks, where, proxy } = target
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
    throw nodeFailure(failure, target)
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
      services: servicesHex(v.services),
      serviceNames: serviceNames(v.services),
      startHeight: v.startHeight,
      relay: v.relay
    }, null, 2) + '\n')
    return 0
  }
  out.say(`${where} (${network}) over ${result.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}${proxy !== undefined ? `, through the SOCKS5 proxy ${proxy}` : ''}`)
  if (result.sessionId !== undefined) out.say(`  session id   ${result.sessionId}`)
  // As getpeerinfo's subver shows it (and with no escape sequence to rewrite the lines above).
  out.say(`  user agent   ${sanitizeString(v.userAgent)}`)
  out.say(`  version      ${v.version}`)
  out.say(`  services     ${servicesHex(v.services)} ${serviceNames(v.services).join(' ')}`)
  out.say(`  start height ${v.startHeight}`)
  return 0
}
