/** `bip324 proxy`: v1 clients in, BIP-324 out. Runs until interrupted. */

import type { BackendChoice } from '../crypto'
import { parseHostPort } from '../net/ip'
import { createProxy } from '../net/proxy'
import type { NetworkName } from '../protocol/network'
import { DEFAULT_PORTS } from './connect'
import { UsageError } from './errors'
import type { Output } from './output'

export const usage = `bip324 proxy --listen <host:port> [--target <host[:port]>]
              [--network mainnet|testnet4|testnet3|signet|regtest] [--backend native|js|auto] [--json]

Accepts v1 (unencrypted) Bitcoin P2P clients and carries their traffic to the peer over BIP-324.
The peer is the address in the client's version message, or --target for every client. Each
session prints one line (one JSON object per line with --json). Stops on SIGINT or SIGTERM.`

function event (out: Output, fields: Record<string, unknown>, line: string): void {
  if (out.json) process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + '\n')
  else out.say(line)
}

export async function proxyCommand (out: Output, values: Record<string, string | boolean | undefined>, positionals: string[], stop?: Promise<unknown>): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  if (typeof values.listen !== 'string') throw new UsageError('--listen <host:port> is required')
  const network = (values.network ?? 'mainnet') as NetworkName
  if (!(network in DEFAULT_PORTS)) throw new UsageError(`unknown network "${network}"`)
  const listen = parseHostPort(values.listen, 0, { listen: true })
  const target = typeof values.target === 'string' ? parseHostPort(values.target, DEFAULT_PORTS[network]) : undefined
  const proxy = createProxy({ network, backend: (values.backend ?? 'auto') as BackendChoice, ...(target && { target }) })
  proxy.on('session', (s) => event(out, { event: 'session', ...s }, `${s.client} -> ${s.peer} over BIP-324, session id ${s.sessionId}`))
  proxy.on('sessionError', (err: Error & { code?: string }, client) => event(out, { event: 'sessionError', client, code: err.code, message: err.message }, `${client}: ${err.message}${err.code ? ` (${err.code})` : ''}`))
  const address = await proxy.listen(listen.port, listen.host)
  event(out, { event: 'listening', address: address.address, port: address.port, network, target: target ?? null },
    `listening on ${address.address}:${address.port} for v1 clients (${network}), forwarding over BIP-324 to ${target ? `${target.host}:${target.port}` : 'the peer each client names'}`)
  await (stop ?? new Promise((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve) }))
  await proxy.close()
  return 0
}
