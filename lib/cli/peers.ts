/** `bip324 peers`: a small census of the network, run on a Pool (lib/pool). */

import type { ConnectionError } from '../net/socket'
import { NETWORKS, serviceNames } from '../network'
import type { Peer } from '../peer'
import { createPool } from '../pool/pool'
import { DNS_SEEDS, resolveSeed, type SeedResolver } from '../pool/seeds'
import { formatAddress, parseAddress } from './address'
import { backendOf, integerOption, networkOf, type Values } from './args'
import { Failure, UsageError } from './errors'
import { NODE_OPTIONS, PROXY_USAGE, TOR_SOCKS_PORT } from './node-target'
import { type Output, servicesHex } from './output'
import { sanitizeString } from './sanitize'

const DEFAULT_SECONDS = 30
const DEFAULT_MAX = 100
// Peers connected at once, and attempts a second: a census asks more of the network than a node's
// 8 outbound peers at 2 attempts a second, so it runs a little wider, and no wider.
const CONCURRENT = 16
const ATTEMPTS_PER_SECOND = 8
// How long a reached peer is kept: long enough for the answer to the pool's getaddr, whose
// addresses the census follows.
const KEEP_MS = 3_000

export const usage = `bip324 peers [host:port ...] [--network ${Object.keys(NETWORKS).join('|')}] [--seconds N] [--max N]
             [--proxy host[:port]] [--backend native|js|auto] [--json]

A small census: runs a pool of peers (as Bitcoin Core's connection manager) for --seconds (default
${DEFAULT_SECONDS}) from the addresses given or, without, from the network's DNS seeds, and follows the
addresses the peers give (getaddr). Each address is tried over v2 first, then v1. Prints each peer
reached, up to --max (default ${DEFAULT_MAX}): address, transport (v2, v1, or failed), user agent,
services and start height; then how many were reached and the v2 share. With --json, one line per
peer, then { "ok": true, "reached", "v2", "v1", "failed", "v2Share" }.

${PROXY_USAGE}
Without addresses, --proxy is refused: the DNS seeds' lookup would not go through it.

Exit codes: 0 at least one peer was reached; 1 none was; 2 usage error.`

/** The command-line options besides --json, --help and --backend. */
export const PEERS_OPTIONS = { network: NODE_OPTIONS.network, proxy: NODE_OPTIONS.proxy, seconds: { type: 'string' }, max: { type: 'string' } } as const

interface Reached {
  peer: string
  transport: 'v2' | 'v1'
  userAgent: string
  services: string
  startHeight: number
}

interface Failed {
  peer: string
  transport: 'failed'
  error: { code: string, message: string }
}

/** What tests inject: the DNS resolver, and the pool's network groups (for addresses on 127.0.0.x,
 *  which the pool otherwise takes from the application only, never from gossip). */
export interface PeersInjected {
  resolver?: SeedResolver
  netGroup?: (host: string) => string | undefined
}

export async function peersCommand (out: Output, values: Values, positionals: string[], injected: PeersInjected = {}): Promise<number> {
  const { resolver = resolveSeed, netGroup } = injected
  const network = networkOf(values)
  const seconds = integerOption(values, 'seconds', DEFAULT_SECONDS, 24 * 3600)
  const max = integerOption(values, 'max', DEFAULT_MAX, 100_000)
  const socks = typeof values.proxy === 'string' ? parseAddress(values.proxy, '--proxy', TOR_SOCKS_PORT) : undefined
  const given = positionals.map((a) => parseAddress(a, 'address', NETWORKS[network].port))
  if (given.length === 0 && socks !== undefined) throw new UsageError('without addresses, peers come from the DNS seeds, whose lookup would not go through --proxy: give addresses (.onion ones work)')
  if (given.length === 0 && DNS_SEEDS[network].length === 0) throw new UsageError(`${network} has no DNS seeds: give addresses`)

  const reached: Reached[] = []
  const failed: Failed[] = []
  const pool = createPool({
    network,
    backend: backendOf(values),
    addresses: given.map((a) => formatAddress(a.host, a.port)),
    dnsSeeds: given.length === 0,
    resolver,
    outbound: CONCURRENT,
    blockRelayOnly: 0,
    requiredServices: 0n,
    maxAttemptsPerSecond: ATTEMPTS_PER_SECOND,
    relay: false,
    ...(socks !== undefined && { proxy: socks }),
    ...(netGroup !== undefined && { netGroup })
  })
  let done = false
  let finish = (): void => {}
  const finished = new Promise<void>((resolve) => { finish = resolve })
  const stop = (): void => {
    if (done) return
    done = true
    finish()
  }
  // Each address once: the pool comes back to an address it knows (a reached peer after its close,
  // a failed one when the book has nothing else), which a census does not count again.
  const seen = new Set<string>()
  // One line a peer: the JSON object, or `text` (what a peer sent, sanitized).
  const report = (line: Reached | Failed, text: string): void => {
    if (out.json) process.stdout.write(JSON.stringify(line) + '\n')
    else out.say(text)
    if (reached.length + failed.length >= max) stop()
  }
  pool.on('peer', (peer: Peer, { address }) => {
    setTimeout(() => { peer.close() }, KEEP_MS).unref()
    if (done || seen.has(address)) return
    seen.add(address)
    const services = peer.services ?? 0n
    const line: Reached = {
      peer: address,
      transport: peer.transport === 'v1' ? 'v1' : 'v2',
      // The exact string in JSON; the text sanitizes it.
      userAgent: peer.userAgent ?? '',
      services: servicesHex(services),
      startHeight: peer.startHeight ?? 0
    }
    reached.push(line)
    report(line, `${line.peer}  ${line.transport}  ${sanitizeString(line.userAgent)}  ${line.services} ${serviceNames(services).join(' ')}  height ${line.startHeight}`)
  })
  pool.on('attemptFailed', ({ address }, err: ConnectionError | undefined) => {
    if (done || seen.has(address)) return
    seen.add(address)
    const line: Failed = { peer: address, transport: 'failed', error: { code: err?.code ?? 'ERR_BIP324_PEER_CLOSED', message: err?.message ?? 'the connection closed' } }
    failed.push(line)
    report(line, `${line.peer}  failed  ${sanitizeString(line.error.message)} (${line.error.code})`)
  })
  const timer = setTimeout(stop, seconds * 1000)
  pool.start()
  await finished
  clearTimeout(timer)
  await new Promise<void>((resolve) => { pool.close(() => { resolve() }) })

  const v2 = reached.filter((r) => r.transport === 'v2').length
  const summary = { reached: reached.length, v2, v1: reached.length - v2, failed: failed.length, v2Share: reached.length === 0 ? null : Number((v2 / reached.length).toFixed(3)) }
  if (reached.length === 0) {
    const why = failed.length === 0 ? 'no address to try' : `${failed.length} tried`
    if (out.json) {
      process.stdout.write(JSON.stringify({ ok: false, error: { code: 'ERR_BIP324_PEER_CLOSED', message: `no peer reached in ${seconds} s (${why})`, command: 'peers' }, ...summary }) + '\n')
      return 1
    }
    throw new Failure(`no peer reached in ${seconds} s (${why})`, 'ERR_BIP324_PEER_CLOSED')
  }
  if (out.json) process.stdout.write(JSON.stringify({ ok: true, ...summary }) + '\n')
  else out.say(`reached ${reached.length} peers in ${seconds} s: ${v2} over v2 (${(100 * v2 / reached.length).toFixed(1)}%), ${summary.v1} over v1; ${failed.length} failed`)
  return 0
}
