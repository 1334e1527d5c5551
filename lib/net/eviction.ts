/**
 * Which inbound connection to close when a full server gets a new one: Bitcoin Core's
 * SelectNodeToEvict (src/node/eviction.cpp), as a pure function of what each layer knows of its
 * connections. Each rule protects a few connections that an attacker cannot cheaply imitate (a
 * network group it cannot choose, a low ping it cannot fake, useful blocks and transactions, the
 * longest uptime, which an attack that starts later cannot have); of those left, the youngest of the
 * network group with the most connections goes.
 *
 * One deviation: a rule protects only candidates that have its input (a ping measured, a block or
 * transaction received). Core's defaults then tie, and its tie-breakers fall back to uptime, which
 * the uptime rule protects anyway; here a layer that cannot know pings (a raw Bip324Server) does not
 * spend 8 protections on arbitrary connections, which would leave a small server nobody to evict.
 */

/** What eviction weighs of one inbound connection, in Core's words (NodeEvictionCandidate). */
export interface EvictionCandidate<T = unknown> {
  /** The connection itself, returned when it is the one to close. */
  id: T
  /** When it connected (ms, Date.now()). */
  connected: number
  /** Its network group (netGroup()) keyed by a secret of the server: an attacker cannot tell which
   *  groups the first rule protects. */
  keyedNetGroup: number
  /** Loopback: where a local Tor daemon's inbound connections come from. */
  isLocal: boolean
  /** 'ipv4', 'ipv6', or a network a layer above knows of: 'onion', 'i2p', 'cjdns'. */
  network: string
  /** The lowest ping measured (ms); undefined before any. */
  minPingTime?: number
  /** When it last sent a novel block (ms); 0 or undefined for never. */
  lastBlockTime?: number
  /** When it last sent a novel transaction (ms); 0 or undefined for never. */
  lastTxTime?: number
  /** It has the services Core wants of a full peer (NODE_NETWORK and NODE_WITNESS). */
  relevantServices?: boolean
  /** It asked for transactions (version's relay). */
  relayTxs?: boolean
  /** It loaded a BIP-37 bloom filter. */
  bloomFilter?: boolean
  /** Misbehaved or otherwise unwanted: if any remaining candidate is, only those are considered. */
  preferEvict?: boolean
  /** Never evicted (Core's noban permission). */
  noban?: boolean
}

type Candidate<T> = EvictionCandidate<T>
type Less<T> = (a: Candidate<T>, b: Candidate<T>) => boolean

const newerFirst = <T>(a: Candidate<T>, b: Candidate<T>): boolean => a.connected > b.connected

// Core's comparators: what sorts last is protected first.
// Core leaves the order within a group unspecified; here the older sorts last, as Core's other
// rules break their ties, so that being young never protects.
const compareNetGroupKeyed = <T>(a: Candidate<T>, b: Candidate<T>): boolean =>
  a.keyedNetGroup !== b.keyedNetGroup ? a.keyedNetGroup < b.keyedNetGroup : newerFirst(a, b)
const reverseCompareNodeMinPingTime = <T>(a: Candidate<T>, b: Candidate<T>): boolean =>
  (a.minPingTime ?? Infinity) > (b.minPingTime ?? Infinity)

function compareNodeTxTime<T> (a: Candidate<T>, b: Candidate<T>): boolean {
  if ((a.lastTxTime ?? 0) !== (b.lastTxTime ?? 0)) return (a.lastTxTime ?? 0) < (b.lastTxTime ?? 0)
  if ((a.relayTxs === true) !== (b.relayTxs === true)) return b.relayTxs === true
  if ((a.bloomFilter === true) !== (b.bloomFilter === true)) return a.bloomFilter === true
  return newerFirst(a, b)
}

function compareNodeBlockTime<T> (a: Candidate<T>, b: Candidate<T>): boolean {
  if ((a.lastBlockTime ?? 0) !== (b.lastBlockTime ?? 0)) return (a.lastBlockTime ?? 0) < (b.lastBlockTime ?? 0)
  if ((a.relevantServices === true) !== (b.relevantServices === true)) return b.relevantServices === true
  return newerFirst(a, b)
}

function compareNodeBlockRelayOnlyTime<T> (a: Candidate<T>, b: Candidate<T>): boolean {
  if ((a.relayTxs === true) !== (b.relayTxs === true)) return a.relayTxs === true
  return compareNodeBlockTime(a, b)
}

function sortBy<T> (list: Array<Candidate<T>>, less: Less<T>): void {
  list.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0))
}

// Core's EraseLastKElements: sorts, then removes those of the last k that `protect` holds for.
function eraseLastK<T> (list: Array<Candidate<T>>, less: Less<T>, k: number, protect: (c: Candidate<T>) => boolean = () => true): void {
  sortBy(list, less)
  const tail = list.splice(Math.max(0, list.length - k))
  list.push(...tail.filter((c) => !protect(c)))
}

// Networks whose peers tend to lose on ping and uptime, given up to a quarter of the protections:
// in Core's order (equal counts: the earlier recovers unused places first).
const DISADVANTAGED = ['cjdns', 'i2p', 'local', 'onion']
const inNetwork = <T>(net: string) => (c: Candidate<T>): boolean => (net === 'local' ? c.isLocal : c.network === net)

/** Core's ProtectEvictionCandidatesByRatio: half of the candidates are protected by uptime, up to
 *  half of those places going to disadvantaged networks' longest connected. */
export function protectEvictionCandidatesByRatio<T> (candidates: Array<Candidate<T>>): void {
  const totalProtectSize = Math.floor(candidates.length / 2)
  const networks = DISADVANTAGED.map((id) => ({ id, count: candidates.filter(inNetwork(id)).length }))
  networks.sort((a, b) => a.count - b.count)
  const maxProtectByNetwork = Math.floor(totalProtectSize / 2)
  let protectedCount = 0
  while (protectedCount < maxProtectByNetwork) {
    const withPeers = networks.filter((n) => n.count > 0).length
    if (withPeers === 0) break
    const perNetwork = Math.max(Math.floor((maxProtectByNetwork - protectedCount) / withPeers), 1)
    let protectedOne = false
    for (const n of networks) {
      if (n.count === 0) continue
      const member = inNetwork<T>(n.id)
      const before = candidates.length
      // This network's members last, by uptime.
      eraseLastK(candidates, (a, b) => (member(a) !== member(b) ? member(b) : newerFirst(a, b)), perNetwork, member)
      const delta = before - candidates.length
      if (delta > 0) {
        protectedOne = true
        protectedCount += delta
        if (protectedCount >= maxProtectByNetwork) break
        n.count -= delta
      }
    }
    if (!protectedOne) break
  }
  eraseLastK(candidates, newerFirst, totalProtectSize - protectedCount)
}

/** Core's SelectNodeToEvict: the connection to close, or undefined when every one is protected. */
export function selectNodeToEvict<T> (input: ReadonlyArray<Candidate<T>>): T | undefined {
  let candidates = input.filter((c) => c.noban !== true)
  eraseLastK(candidates, compareNetGroupKeyed, 4)
  eraseLastK(candidates, reverseCompareNodeMinPingTime, 8, (c) => c.minPingTime !== undefined)
  eraseLastK(candidates, compareNodeTxTime, 4, (c) => (c.lastTxTime ?? 0) > 0)
  eraseLastK(candidates, compareNodeBlockRelayOnlyTime, 8, (c) => c.relayTxs !== true && c.relevantServices === true && (c.lastBlockTime ?? 0) > 0)
  eraseLastK(candidates, compareNodeBlockTime, 4, (c) => (c.lastBlockTime ?? 0) > 0)
  protectEvictionCandidatesByRatio(candidates)
  if (candidates.length === 0) return undefined
  if (candidates.some((c) => c.preferEvict === true)) candidates = candidates.filter((c) => c.preferEvict === true)
  // The group with the most connections, on a tie the one whose youngest is youngest; its youngest goes.
  sortBy(candidates, newerFirst)
  const groups = new Map<number, Array<Candidate<T>>>()
  let most: Array<Candidate<T>> = []
  for (const c of candidates) {
    const group = groups.get(c.keyedNetGroup) ?? []
    if (group.length === 0) groups.set(c.keyedNetGroup, group)
    group.push(c)
    if (group.length > most.length || (group.length === most.length && group[0]!.connected > most[0]!.connected)) most = group
  }
  return most[0]!.id
}
