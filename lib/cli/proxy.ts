/** `bip324 proxy`: v1 clients in, BIP-324 out. Runs until interrupted. */

import type { BackendChoice } from '../crypto'
import { parseHostPort } from '../net/ip'
import { createProxy, DEFAULT_MAX_SESSIONS } from '../net/proxy'
import { isNetworkName, NETWORKS } from '../network'
import { UsageError } from './errors'
import type { Values } from './index'
import type { Output } from './output'

export const usage = `bip324 proxy --listen <host:port> [--target <host[:port]>] [--allow <ip|cidr|ip:port>]...
              [--max-sessions n] [--network ${Object.keys(NETWORKS).join('|')}]
              [--backend native|js|auto] [--json]

Accepts v1 (unencrypted) Bitcoin P2P clients and carries their traffic to the peer over BIP-324.
The peer is the address in the client's version message, or --target for every client.

Whoever can reach the proxy names that address, so it refuses loopback, private (10/8, 172.16/12,
192.168/16, fc00::/7), link-local, CGNAT, multicast and other special-purpose addresses, without
connecting, unless an --allow matches. --allow is repeatable and takes an address (127.0.0.1, ::1:
any port), a CIDR block (10.0.0.0/8: any port) or an address and port (127.0.0.1:18444,
[::1]:18444); it has nothing to decide with --target. At most --max-sessions clients (default
${DEFAULT_MAX_SESSIONS}), counted from accept, are served at once; one more is closed at once.

Each session, failed session and dropped client prints one line (one JSON object per line with
--json). Stops on SIGINT or SIGTERM.`

function event (out: Output, fields: Record<string, unknown>, line: string): void {
  if (out.json) process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + '\n')
  else out.say(line)
}

export async function proxyCommand (out: Output, values: Values, positionals: string[], stop?: Promise<unknown>): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  if (typeof values.listen !== 'string') throw new UsageError('--listen <host:port> is required')
  const network = values.network ?? 'mainnet'
  if (!isNetworkName(network)) throw new UsageError(`unknown network "${String(network)}"`)
  const listen = parseHostPort(values.listen, 0, { listen: true })
  const target = typeof values.target === 'string' ? parseHostPort(values.target, NETWORKS[network].port) : undefined
  const allow = values.allow as string[] | undefined
  const sessions = values['max-sessions'] as string | undefined
  if (sessions !== undefined && !/^\d+$/.test(sessions)) throw new UsageError('--max-sessions takes a positive integer')
  // createProxy checks each --allow and the range of --max-sessions (exit 2 with this usage).
  const proxy = createProxy({
    network,
    backend: (values.backend ?? 'auto') as BackendChoice,
    ...(target && { target }),
    ...(allow && { allow }),
    ...(sessions !== undefined && { maxSessions: Number(sessions) })
  })
  const maxSessions = proxy.server.maxConnections
  proxy.on('session', (s) => event(out, { event: 'session', ...s }, `${s.client} -> ${s.peer} over BIP-324, session id ${s.sessionId}`))
  proxy.on('sessionError', (err: Error & { code?: string }, client) => event(out, { event: 'sessionError', client, code: err.code, message: err.message }, `${client}: ${err.message}${err.code ? ` (${err.code})` : ''}`))
  proxy.on('drop', (d) => {
    const client = `${d?.remoteAddress}:${d?.remotePort}`
    event(out, { event: 'drop', client, maxSessions }, `${client}: closed, ${maxSessions} clients already served (--max-sessions)`)
  })
  const address = await proxy.listenAsync(listen.port, listen.host)
  const to = target ? `${target.host}:${target.port}` : `the peer each client names (${allow ? `special-purpose addresses only if --allow ${allow.join(' ')} matches` : 'no special-purpose addresses'})`
  event(out, { event: 'listening', address: address.address, port: address.port, network, target: target ?? null, allow: allow ?? [], maxSessions },
    `listening on ${address.address}:${address.port} for v1 clients (${network}), at most ${maxSessions} at once, forwarding over BIP-324 to ${to}`)
  await (stop ?? new Promise((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve) }))
  await proxy[Symbol.asyncDispose]()
  return 0
}
