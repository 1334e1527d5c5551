/** `bip324 proxy`: v1 clients in, BIP-324 out. Runs until interrupted. */

import net from 'node:net'

import { createProxy, DEFAULT_MAX_SESSIONS } from '../net/proxy'
import { NETWORKS } from '../network'
import { bracketed, formatAddress, parseAddress } from './address'
import { backendOf, networkOf, type Values } from './args'
import { Failure, UsageError } from './errors'
import type { Output } from './output'
import { isOperational } from './report'
import { printable } from './sanitize'

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

// A port in an --allow entry (127.0.0.1:0, [::1]:x) is judged here, in the words every command
// uses for ports; the rest of the entry is createProxy's to judge.
function checkAllowPort (entry: string): void {
  if (!entry.includes('/') && net.isIP(entry) === 0 && /:[^:\]]*$/.test(entry)) parseAddress(entry, '--allow', 0)
}

// createProxy names an --allow by its index in the list it was given: allow[1]: ...
function allowError (err: unknown, allow: readonly string[]): unknown {
  const m = isOperational(err) && err.code === 'ERR_BIP324_INVALID_ARG' ? /^allow\[(\d+)\]: (.*)$/s.exec(err.message) : null
  return m === null ? err : new UsageError(`--allow "${allow[Number(m[1])]}": ${m[2]}`)
}

// Why the proxy cannot listen, for the errors listen() gives most.
function listenFailure (err: unknown, where: string): unknown {
  if (!isOperational(err)) return err
  const why: Record<string, string> = {
    EADDRINUSE: 'the address is in use',
    EACCES: 'permission denied (ports below 1024 need privileges)',
    EADDRNOTAVAIL: 'no such address on this machine',
    ENOTFOUND: 'cannot resolve the host',
    EAI_AGAIN: 'cannot resolve the host'
  }
  return new Failure(`cannot listen on ${where}: ${why[err.code] ?? err.message}`, err.code)
}

export async function proxyCommand (out: Output, values: Values): Promise<number> {
  if (typeof values.listen !== 'string') throw new UsageError('--listen <host:port> is required')
  const network = networkOf(values)
  const backend = backendOf(values)
  const listen = parseAddress(values.listen, '--listen', 0, { listen: true })
  const target = typeof values.target === 'string' ? parseAddress(values.target, '--target', NETWORKS[network].port) : undefined
  const allow = values.allow as string[] | undefined
  if (target !== undefined && allow !== undefined) throw new UsageError('--allow has nothing to decide with --target, which sends every client to one peer')
  allow?.forEach(checkAllowPort)
  const sessions = values['max-sessions'] as string | undefined
  if (sessions !== undefined && !(/^\d+$/.test(sessions) && Number(sessions) >= 1)) throw new UsageError(`--max-sessions takes a positive integer, not "${sessions}"`)
  let proxy
  try {
    proxy = createProxy({
      network,
      backend,
      ...(target && { target }),
      ...(allow && { allow }),
      ...(sessions !== undefined && { maxSessions: Number(sessions) })
    })
  } catch (err) {
    throw allowError(err, allow ?? [])
  }
  const maxSessions = proxy.server.maxConnections
  proxy.on('session', (s) => {
    const client = bracketed(s.client)
    const peer = bracketed(s.peer)
    event(out, { event: 'session', ...s, client, peer }, `${client} -> ${peer} over BIP-324, session id ${s.sessionId}`)
  })
  proxy.on('sessionError', (err: Error & { code?: string }, name) => {
    const client = bracketed(name)
    event(out, { event: 'sessionError', client, code: err.code, message: err.message }, `${client}: ${printable(err.message)}${err.code ? ` (${err.code})` : ''}`)
  })
  proxy.on('drop', (d) => {
    const client = d?.remoteAddress === undefined ? 'a client' : formatAddress(d.remoteAddress, d.remotePort ?? '?')
    event(out, { event: 'drop', client, maxSessions }, `${client}: closed, ${maxSessions} clients already served (--max-sessions)`)
  })
  // A signal stops the proxy; so does a server error once listening (EMFILE on accept...), which
  // ends the command with exit code 1, not the process with a stack trace.
  const stopped = new Promise<Error | undefined>((resolve) => {
    proxy.on('error', resolve)
    process.once('SIGINT', () => resolve(undefined))
    process.once('SIGTERM', () => resolve(undefined))
  })
  let address
  try {
    address = await proxy.listenAsync(listen.port, listen.host)
  } catch (err) {
    throw listenFailure(err, formatAddress(listen.host, listen.port))
  }
  const to = target ? formatAddress(target.host, target.port) : `the peer each client names (${allow ? `special-purpose addresses only if --allow ${allow.join(' ')} matches` : 'no special-purpose addresses'})`
  event(out, { event: 'listening', address: address.address, port: address.port, network, target: target ?? null, allow: allow ?? [], maxSessions },
    `listening on ${formatAddress(address.address, address.port)} for v1 clients (${network}), at most ${maxSessions} at once, forwarding over BIP-324 to ${to}`)
  const err = await stopped
  await proxy[Symbol.asyncDispose]()
  if (err === undefined) return 0
  throw isOperational(err) ? new Failure(`the proxy stopped: ${err.message}`, err.code) : err
}
