/** BIP-324 over TCP: encrypted node:stream connections, a server with v1 fallback. */

export { Bip324Socket, type ConnectionOptions, type Counters, type InboundMessage, type Mode, type OutboundMessage, type SocketEvents, type V1Connection, type V1Handoff, type WriteCallback } from './socket'
export { wrap, type WrapOptions } from './wrap'
export { connect, connectAsync, type ConnectOptions } from './connect'
export type { SocksProxy } from './socks'
export { createServer, Bip324Server, type DropInfo, type ServerCounters, type ServerEvents, type ServerOptions } from './server'
export { createProxy, Bip324Proxy, DEFAULT_MAX_SESSIONS, type AllowTarget, type ProxyOptions, type ProxySession } from './proxy'
export { ipToBytes, bytesToIp, parseHostPort } from './ip'
export { addressToString, addrV2FromString, addrFromString, type AddrAddress, type AddrV2Address, type AddrV2FromStringOptions } from './address'
