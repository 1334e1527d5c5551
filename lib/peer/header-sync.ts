/**
 * A peer's best chain of headers, in rounds of getheaders as Bitcoin Core syncs headers: each
 * round's headers checked (checkHeaders: each builds on the one before and meets its own target),
 * until a round of fewer than MAX_HEADERS_RESULTS says the peer's tip is reached. Each getheaders
 * names the last LOCATOR_RECENT headers reached, then the start, so a reorganisation of the
 * peer's chain that deep during the sync is followed from where the chains meet.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net_processing.cpp (ProcessHeadersMessage)
 */

import { Bip324Error } from '../errors'
import { invalid } from '../checks'
import { type BlockHeader, blockProof, checkHeaders, hashFromHex, MAX_HEADERS_RESULTS, type PowNetwork } from '../messages'
import { isNetworkName, NETWORKS, type Network, type NetworkName } from '../network'
import { equal } from '../bytes'
import type { RequestOptions } from './requests'

/** A header a sync has reached: its hash (internal byte order), its height, and the chain's work
 *  up to it (Core's chainwork, when the sync starts at genesis). */
export interface HeaderTip {
  hash: Uint8Array
  height: number
  work: bigint
}

/** A round of a sync: the headers the peer sent, checked. */
export interface HeadersRound {
  headers: BlockHeader[]
  /** Each header's hash, internal byte order. */
  hashes: Uint8Array[]
  /** The header the round builds on: the last round's tip, or one below it when the peer's chain
   *  reorganised. The round's first header is at `fork.height + 1`. */
  fork: HeaderTip
  /** The round's last header: the chain's tip so far. */
  tip: HeaderTip
}

/** syncHeaders()'s options; `timeout` and `signal` are each round's getheaders'. */
export interface SyncHeadersOptions extends RequestOptions {
  /** Where the sync starts: a header the peer's chain holds. Default: the network's genesis. */
  from?: HeaderTip
  /** The network whose proof-of-work limit bounds each header's target. Default: the Peer's
   *  (a custom network has to name one: `{ powLimit }`). */
  network?: PowNetwork
  /** A height the peer's headers may not go past: ERR_BIP324_LIMIT. Default: a round
   *  (MAX_HEADERS_RESULTS) beyond the height the peer announced in its version: its chain cannot
   *  grow that much during a sync, and a peer feeding headers without end is cut off. */
  maxHeight?: number
}

// How many of the last headers the locator names (then the start), as the dense start of Core's
// own locators (CChain::GetLocator).
const LOCATOR_RECENT = 10

// Each network's genesis header's bits (Core's CreateGenesisBlock in kernel/chainparams.cpp): its
// work starts the chainwork, as Core's getblockheader counts it.
const GENESIS_BITS: Record<NetworkName, number> = {
  mainnet: 0x1d00ffff,
  testnet3: 0x1d00ffff,
  testnet4: 0x1d00ffff,
  signet: 0x1e0377ae,
  regtest: 0x207fffff
}

/** @internal The genesis block of a named network as a HeaderTip: height 0, its own work. */
export function genesisTip (network: NetworkName): HeaderTip {
  return { hash: hashFromHex(NETWORKS[network].genesis), height: 0, work: blockProof(GENESIS_BITS[network]) }
}

/** @internal What a sync needs of its Peer. */
export interface HeaderSource {
  network: Network
  startHeight: number | undefined
  getHeaders: (locator: Uint8Array[], options: RequestOptions) => Promise<BlockHeader[]>
}

/** @internal See the file's comment and Peer.syncHeaders. */
export async function * syncHeaders (peer: HeaderSource, options: SyncHeadersOptions): AsyncGenerator<HeadersRound, void, undefined> {
  const { from: _from, network: _network, maxHeight: _maxHeight, ...request } = options
  const named = isNetworkName(peer.network) ? peer.network : undefined
  const network = options.network ?? named
  const start = options.from ?? (named === undefined ? undefined : genesisTip(named))
  if (network === undefined || start === undefined) {
    throw invalid('syncHeaders() on a custom network needs its network ({ powLimit }) and a header to start from (from)')
  }
  const announced = Math.max(peer.startHeight ?? 0, 0)
  const most = options.maxHeight ?? announced + MAX_HEADERS_RESULTS
  // The last LOCATOR_RECENT headers reached, oldest first.
  let recent: HeaderTip[] = []
  const tipOf = (): HeaderTip => recent[recent.length - 1] ?? start
  for (;;) {
    const locator = [...recent].reverse().map((r) => r.hash).concat([start.hash])
    const headers = await peer.getHeaders(locator, request)
    if (headers.length === 0) return
    // Where the peer's chain meets ours: a header of the locator, the start only while it is one
    // of the last few (else every round could start over from it, and the sync never end).
    const candidates = recent.length === tipOf().height - start.height ? [start, ...recent] : recent
    const fork = candidates.find((r) => equal(r.hash, headers[0]!.prevBlock)) ?? tipOf()
    // ERR_BIP324_BAD_PAYLOAD with Core's reason for a header that does not build on the one
    // before or lacks its work: the peer is not on this chain, or is lying.
    const chain = checkHeaders(headers, { network, prevBlock: fork.hash })
    if (fork.height + headers.length > most) {
      throw new Bip324Error('ERR_BIP324_LIMIT', `the peer sent headers past height ${most.toLocaleString('en-US')}, a round beyond the height it announced (${announced.toLocaleString('en-US')})`)
    }
    // The round's last few headers join the locator, each with the work up to it: the tip's
    // (checkHeaders' sum on the fork's), less the proof of each header after it.
    const last: HeaderTip[] = []
    let work = fork.work + chain.work
    for (let i = headers.length - 1; i >= Math.max(0, headers.length - LOCATOR_RECENT); i--) {
      last.unshift({ hash: chain.hashes[i]!, height: fork.height + i + 1, work })
      work -= blockProof(headers[i]!.bits)
    }
    recent = [...recent.filter((r) => r.height <= fork.height), ...last].slice(-LOCATOR_RECENT)
    yield { headers, hashes: chain.hashes, fork, tip: tipOf() }
    // Core sends fewer than MAX_HEADERS_RESULTS only at its tip.
    if (headers.length < MAX_HEADERS_RESULTS) return
  }
}
