/**
 * The node a command talks to, as connect, headers and block take it: <host[:port]>, --network,
 * --v1-fallback, --proxy, --timeout and --backend, checked into one value; and the failures of
 * reaching it, in words that say what to do.
 */

import type { BackendChoice } from '../crypto'
import { Bip324Error } from '../errors'
import { NETWORKS, type NetworkName } from '../network'
import type { SocksProxy } from '../net'
import { probe } from '../peer/probe'
import { formatAddress, parseAddress } from './address'
import { backendOf, networkOf, type Options, type Values } from './args'
import { Failure, UsageError } from './errors'
import { firstBytes, serviceOf } from './first-bytes'
import { isOperational } from './report'

/** The command-line options of a command that talks to a node. */
export const NODE_OPTIONS = {
  network: { type: 'string' },
  'v1-fallback': { type: 'boolean' },
  proxy: { type: 'string' },
  timeout: { type: 'string' }
} as const satisfies Options

/** The usage text of NODE_OPTIONS, for each command's usage to include. */
export const NODE_OPTIONS_USAGE = `[--network ${Object.keys(NETWORKS).join('|')}]
                [--v1-fallback] [--proxy host[:port]] [--timeout ms]
                [--backend native|js|auto] [--json]`

/** What --proxy says, for each command's usage. */
export const PROXY_USAGE = `--proxy connects through a SOCKS5 proxy, as Bitcoin Core's -proxy: Tor's is 127.0.0.1:9050 (the
default port). The host is sent to the proxy unresolved, so an .onion address works, and each
connection gets fresh credentials, which Tor puts on a circuit of its own (Core's -proxyrandomize).`

/** How a command finds out why it did not reach the node (reachFailure), for each command's usage. */
export const FAILURE_USAGE = `Without --v1-fallback, a node that closes on our key is asked again over v1: if it answers, it
speaks only v1 (exit code 3). A port whose handshake fails on what it sends is read once more over
plain TCP to name what answered (an HTTP, TLS or SSH server), within --timeout.`

export interface NodeTarget {
  host: string
  port: number
  network: NetworkName
  /** Milliseconds, from --timeout or the command's default. */
  timeout: number
  backend: BackendChoice
  fallback: boolean
  socks?: SocksProxy
  /** host:port as printed. */
  where: string
  /** The proxy's host:port as printed, with --proxy. */
  proxy?: string
}

/** Tor's SOCKS port, for a --proxy without one (Bitcoin Core's -proxy documents it: 127.0.0.1:9050). */
export const TOR_SOCKS_PORT = 9050

/** setTimeout's longest delay, which the library's timeouts cannot exceed. */
export const MAX_TIMEOUT = 2 ** 31 - 1

/** The node of `address` (the command's <host[:port]>) and the options. Throws UsageError. */
export function nodeTargetOf (values: Values, address: string, defaultTimeout: number): NodeTarget {
  const network = networkOf(values)
  const { host, port } = parseAddress(address, 'address', NETWORKS[network].port)
  const text = typeof values.timeout === 'string' ? values.timeout : String(defaultTimeout)
  const timeout = Number(text)
  if (!/^\d+$/.test(text) || timeout < 1 || timeout > MAX_TIMEOUT) throw new UsageError(`--timeout takes milliseconds from 1 to ${MAX_TIMEOUT}, not "${text}"`)
  const socks = typeof values.proxy === 'string' ? parseAddress(values.proxy, '--proxy', TOR_SOCKS_PORT) : undefined
  return {
    host,
    port,
    network,
    timeout,
    backend: backendOf(values),
    fallback: values['v1-fallback'] === true,
    where: formatAddress(host, port),
    ...(socks !== undefined && { socks, proxy: formatAddress(socks.host, socks.port) })
  }
}

/** The one positional argument a command takes, or the UsageError naming it. */
export function onePositional (positionals: string[], name: string): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? `expected a ${name}` : `expected one ${name}, got ${positionals.length}`)
  return positionals[0]!
}

/**
 * A failure reaching or talking to `target` as the Failure the command ends with (exit code 3 for
 * a node that speaks only v1). Only a handshake that went wrong on arrival (no terminator of this
 * network, another network's magic, a close on our v1 version) hints at --network: a refusal or a
 * silence says nothing of the network.
 */
export function nodeFailure (err: Error & { code: string }, target: NodeTarget, askedV1 = target.fallback): Failure {
  return new Failure(explain(err, target, askedV1), err.code, err.code === 'ERR_BIP324_V1_PEER' ? 3 : 1)
}

/** Why we did not reach `target` (a failure of the connection or the handshakes), found out as
 *  every command does it, then in nodeFailure's words:
 *  - a peer that closed on our key without --v1-fallback is asked over v1 (as connect()'s
 *    v1Fallback would): if it answers, it speaks only v1 (ERR_BIP324_V1_PEER, exit code 3);
 *  - a handshake that failed on what arrived (no terminator, a close, a reset), not through a
 *    proxy, is followed by a plain connection that reads what the server says (first-bytes.ts): an
 *    HTTP, TLS or SSH server is named as such, not taken for a node of another network.
 *  Both within what is left of --timeout, counted from `started` (Date.now() at the first try). */
export async function reachFailure (err: Error & { code: string }, target: NodeTarget, started: number): Promise<Failure> {
  const left = (): number => started + target.timeout - Date.now()
  let failure = err
  let askedV1 = target.fallback
  if (!target.fallback && err.code === 'ERR_BIP324_PEER_CLOSED' && left() > 0) {
    const second = await overV1(target, left())
    // Completed over v2 on a second try: the close was not a v1 node's, and stands as it was.
    askedV1 = second !== undefined
    failure = second ?? err
  }
  if (failure.code === 'ERR_BIP324_V1_PEER' || target.proxy !== undefined) return nodeFailure(failure, target, askedV1)
  if (['ERR_BIP324_NO_TERMINATOR', 'ERR_BIP324_PEER_CLOSED', 'ECONNRESET'].includes(failure.code) && left() > 0) {
    const service = serviceOf(await firstBytes(target.host, target.port, left()))
    if (service !== undefined) {
      return new Failure(`${target.where} is not a Bitcoin node: ${service} answered (the P2P port of ${target.network} is ${NETWORKS[target.network].port})`, failure.code)
    }
  }
  return nodeFailure(failure, target, askedV1)
}

// The peer asked again, with connect()'s v1 fallback: ERR_BIP324_V1_PEER if it answered over v1,
// undefined if over v2, else the second attempt's error.
async function overV1 ({ host, port, network, backend, socks }: NodeTarget, timeout: number): Promise<(Error & { code: string }) | undefined> {
  try {
    const { transport } = await probe({ host, port, network, backend, timeout, v1Fallback: true, ...(socks !== undefined && { socks }) })
    return transport === 'v1' ? new Bip324Error('ERR_BIP324_V1_PEER', 'the peer speaks only v1') : undefined
  } catch (err) {
    if (!isOperational(err)) throw err
    return err
  }
}

function explain (err: Error & { code: string }, { where, network, proxy }: NodeTarget, askedV1: boolean): string {
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
    case 'ERR_BIP324_PEER_CLOSED':
      if (!askedV1) return `${where}: ${err.message}`
      // A node of another network drops our v1 version for its magic (Core: "Header error: Wrong MessageStart").
      if ((err as Bip324Error).stage === 'version') return `${where}: ${err.message} over v1: a node of another network closes on ${network}'s magic (try --network)`
      return `${where}: ${err.message} (nor did it answer over v1)`
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
