/** A pool of peers with an address book, as Bitcoin Core's CConnman and AddrMan: outbound
 *  connections kept up from the application's addresses, DNS seeds and gossip, inbound peers,
 *  transaction announcements, Tor through SOCKS5. */

export {
  createPool, Pool, DEFAULT_BLOCK_RELAY_ONLY, DEFAULT_MAX_ATTEMPTS_PER_SECOND, DEFAULT_MAX_INBOUND, DEFAULT_OUTBOUND_FULL_RELAY,
  DEFAULT_REQUIRED_SERVICES, type PoolConnectionType, type PoolEvents, type PoolOptions, type PoolPeerInfo, type PoolStats
} from './pool'
export {
  AddrMan, ADDRMAN_BUCKET_SIZE, ADDRMAN_NEW_BUCKET_COUNT, ADDRMAN_TRIED_BUCKET_COUNT, type AddrInfo, type AddrManOptions, type AddSource
} from './addrman'
export { loadAddrMan, saveAddrMan } from './book-file'
export { DNS_SEEDS, type SeedResolver } from './seeds'
export type { PeerAddress, Reachable } from './address'
export {
  broadcastTransaction, NUM_PRIVATE_BROADCAST_PER_TX, PRIVATE_BROADCAST_MAX_CONNECTION_LIFETIME, PRIVATE_BROADCAST_USER_AGENT,
  type BroadcastOptions, type BroadcastPeerResult, type BroadcastResult, type BroadcastTarget
} from './broadcast'
