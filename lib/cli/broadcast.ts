/** `bip324 broadcast`: sends a transaction as Bitcoin Core's -privatebroadcast does (lib/pool/broadcast.ts). */


import { Bip324Error } from '../errors'
import { decodeTransaction } from '../messages'
import { NETWORKS, type NetworkName } from '../network'
import { broadcastTransaction, type BroadcastPeerResult, NUM_PRIVATE_BROADCAST_PER_TX, PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME } from '../pool/broadcast'
import { DNS_SEEDS, resolveSeed, type SeedResolver } from '../pool/seeds'
import { formatAddress, parseAddress } from './address'
import { backendOf, integerOption, networkOf, type Values } from './args'
import { Failure, UsageError } from './errors'
import { MAX_TIMEOUT, NODE_OPTIONS, PROXY_USAGE, TOR_SOCKS_PORT } from './node-target'
import type { Output } from './output'

export const usage = `bip324 broadcast <tx-hex> [host:port ...] [--network ${Object.keys(NETWORKS).join('|')}]
                [--proxy host[:port]] [--peers N] [--v1-fallback] [--timeout ms]
                [--backend native|js|auto] [--json]

Sends a transaction (hex, as bitcoin-cli's signrawtransactionwithwallet gives it) the way Bitcoin
Core v31's -privatebroadcast does: a new short-lived connection to each peer, v2 first, with a
version message that says nothing of us (no address, no services, relay off, Core's fixed user
agent); an inv of the transaction, the transaction when the peer asks for it, a ping, and the
connection closes once the pong says the peer has processed it. With addresses, it goes to each of
them; without, to --peers of the addresses the network's DNS seeds give (default ${NUM_PRIVATE_BROADCAST_PER_TX}, as Core),
each one that does not take it replaced by another. --timeout (default ${PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME}, Core's) bounds each
connection. A malformed transaction is a usage error: nothing is sent.
With --json, one line: { "ok": true, "txid", "wtxid", "peers": [ { "peer", "transport", "sent" } ] }
(a peer not sent to has "error": { "code", "message" }).

${PROXY_USAGE}
Without --proxy, each peer sees this host's IP address (Core's -privatebroadcast goes only over Tor
or I2P). Without addresses, --proxy is refused: the DNS seeds' lookup would not go through it.

Exit codes: 0 at least one peer took the transaction; 1 none did (each peer's reason is printed);
2 usage error.`

/** The command-line options besides --json, --help and --backend. */
export const BROADCAST_OPTIONS = { ...NODE_OPTIONS, peers: { type: 'string' } } as const

// Addresses drawn from the seeds per peer asked for: the spares replace peers that do not take it.
const CANDIDATES_PER_PEER = 4

/** Addresses from every DNS seed of `network`, at its port, in random order, at most
 *  CANDIDATES_PER_PEER for each of the `peers` wanted. */
export async function seedAddresses (network: NetworkName, peers: number, resolve: SeedResolver = resolveSeed): Promise<Array<{ host: string, port: number }>> {
  const answers = await Promise.allSettled(DNS_SEEDS[network].map((name) => resolve(name)))
  const hosts = [...new Set(answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : [])))]
  // Fisher-Yates with Math.random: which peers is not a secret, only that they vary.
  for (let i = hosts.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [hosts[i], hosts[j]] = [hosts[j]!, hosts[i]!]
  }
  return hosts.slice(0, peers * CANDIDATES_PER_PEER).map((host) => ({ host, port: NETWORKS[network].port }))
}

function transactionOf (text: string | undefined): Uint8Array {
  if (text === undefined) throw new UsageError('expected a <tx-hex>')
  if (!/^([0-9a-fA-F]{2})+$/.test(text)) throw new UsageError('<tx-hex> must be hex digits, two per byte')
  const bytes = Uint8Array.from(Buffer.from(text, 'hex'))
  try {
    decodeTransaction(bytes)
  } catch (err) {
    if (err instanceof Bip324Error) throw new UsageError(`<tx-hex>: ${err.message}`)
    throw err
  }
  return bytes
}

const errorOf = (r: BroadcastPeerResult): { code: string, message: string } => ({ code: r.error?.code ?? 'ERR_BIP324_BAD_STATE', message: r.error?.message ?? '' })

export async function broadcastCommand (out: Output, values: Values, positionals: string[], resolve: SeedResolver = resolveSeed): Promise<number> {
  const [txHex, ...addresses] = positionals
  const tx = transactionOf(txHex)
  const network = networkOf(values)
  const timeout = integerOption(values, 'timeout', PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME, MAX_TIMEOUT)
  const socks = typeof values.proxy === 'string' ? parseAddress(values.proxy, '--proxy', TOR_SOCKS_PORT) : undefined
  const given = addresses.map((a) => parseAddress(a, 'address', NETWORKS[network].port))
  if (given.length > 0 && values.peers !== undefined) throw new UsageError('--peers counts addresses drawn from the DNS seeds: with addresses given, each of them is sent to')
  if (given.length === 0 && socks !== undefined) throw new UsageError('without addresses, peers come from the DNS seeds, whose lookup would not go through --proxy: give addresses (.onion ones work)')
  if (given.length === 0 && DNS_SEEDS[network].length === 0) throw new UsageError(`${network} has no DNS seeds: give addresses`)
  const count = given.length > 0 ? given.length : integerOption(values, 'peers', NUM_PRIVATE_BROADCAST_PER_TX, 1000)
  const peers = given.length > 0 ? given : await seedAddresses(network, count, resolve)
  if (peers.length === 0) throw new Failure(`no DNS seed of ${network} answered with an address`, 'ENOTFOUND')
  const result = await broadcastTransaction(tx, {
    peers,
    count,
    network,
    timeout,
    backend: backendOf(values),
    v1Fallback: values['v1-fallback'] === true,
    ...(socks !== undefined && { socks })
  })
  const sent = result.peers.filter((r) => r.sent).length
  const failed = result.peers.find((r) => !r.sent)
  if (out.json) {
    process.stdout.write(JSON.stringify({
      ok: sent > 0,
      ...(sent === 0 && failed !== undefined && { error: { ...errorOf(failed), command: 'broadcast' } }),
      txid: result.txid,
      wtxid: result.wtxid,
      peers: result.peers.map((r) => ({ peer: r.peer, transport: r.transport ?? null, sent: r.sent, ...(!r.sent && { error: errorOf(r) }) }))
    }) + '\n')
    return sent > 0 ? 0 : 1
  }
  out.say(`txid  ${result.txid}`)
  out.say(`wtxid ${result.wtxid}`)
  const width = Math.max(...result.peers.map((r) => r.peer.length))
  for (const r of result.peers) {
    const { code, message } = errorOf(r)
    out.say(`  ${r.peer.padEnd(width)}  ${r.transport ?? '--'}  ${r.sent ? 'sent' : `not sent: ${message} (${code})`}`)
  }
  const where = socks === undefined ? '' : `, through the SOCKS5 proxy ${formatAddress(socks.host, socks.port)}`
  if (sent === 0) throw new Failure(`no peer took the transaction (of ${result.peers.length} tried${where})`, errorOf(failed!).code)
  out.say(`sent to ${sent} of ${result.peers.length} peers${where}`)
  return 0
}
