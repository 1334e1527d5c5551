/** The sans-IO BIP-324 core: handshake states, ciphers, framing, v1 detection. */

export * from './constants'
export { NETWORK_MAGIC, magicOf, type Network, type NetworkName } from '../network'
export { v1Prefix, detectV1, V1_PREFIX_BYTES } from './v1'
export { type CipherSession, InboundCipher, OutboundCipher, type Packet, type SessionKeyMaterial } from './cipher-session'
export {
  Initialized, SentKey, ReceivedKey, SentVersion, ReceivedGarbage, defaultRng,
  type HandshakeOptions, type SendVersionOptions, type GarbageResult, type VersionResult, type Rng
} from './handshake'
export { PacketReader, type ReadResult } from './packet-reader'
export { Protocol, type ProtocolOptions, type ProtocolEvent, type ProtocolState, type ReceiveResult } from './protocol'
