/** Bitcoin peers over BIP-324 (or v1 after a fallback): the version handshake, message-order
 *  rules, pings and typed messages, outbound and inbound, and requests matched to their answers. */

export {
  Peer, type PeerConnection, type PeerConstructorOptions, type PeerEvents, type PeerFeatures, type PingCallback, type RawPeerMessage,
  type GetHeadersOptions, type GetBlockOptions, type GetBlocksOptions, type GetTransactionOptions
} from './peer'
export { MAX_BLOCKS_IN_TRANSIT_PER_PEER, MAX_PEER_TX_REQUEST_IN_FLIGHT, type RequestOptions } from './requests'
export { type HeadersRound, type HeaderTip, type SyncHeadersOptions } from './header-sync'
export { connectPeer, connectPeerAsync, type ConnectPeerOptions } from './connect'
export { createPeerServer, PeerServer, type PeerServerEvents, type PeerServerOptions } from './server'
export { type PeerOptions, type SendCmpct } from './options'
export { type Misbehavior, type MisbehaviorAction, type MisbehaviorReason } from './rules'
export {
  PROTOCOL_VERSION, FEATURE_VERSION, MIN_PEER_PROTO_VERSION, DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT, DEFAULT_VERSION_TIMEOUT
} from './constants'
export { DEFAULT_USER_AGENT } from './version'
export { probe, type ProbeOptions, type ProbeResult } from './probe'
