/** The sans-IO BIP-324 core: handshake states, ciphers, framing, v1 detection. */

export * from './constants'
export * from '../crypto/packet-format'
export { NETWORK_MAGIC, magicOf, type Network, type NetworkName } from '../network'
export { v1Prefix, detectV1, V1_PREFIX_BYTES, V1Check, type V1CheckResult } from './v1'
export { InboundCipher, OutboundCipher, type Packet, type SessionKeyMaterial } from './cipher-session'
export {
  Initialized, SentKey, ReceivedKey, SentVersion, ReceivedGarbage, windowFillingGarbage,
  type HandshakeOptions, type SendVersionOptions, type KeyResult, type GarbageResult, type VersionResult, type Rng
} from './handshake'
export { Session } from './session'
export { PacketReader, type ReadResult } from './packet-reader'
export { type CloseCause, type CloseVerdict, Protocol, type ProtocolOptions, type ProtocolEvent, type ProtocolState, type ReceiveResult } from './protocol'
