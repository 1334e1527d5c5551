/** The sans-IO BIP-324 core: handshake states, ciphers, framing, v1 detection. This is the
 *  `bip324/protocol` entry: it loads no Node API and no addon (its 'auto' backend is js unless the
 *  Node entry `bip324` is loaded too, which provides the native engine). */

export { Bip324Error, type Bip324ErrorCode } from '../errors'
export type { Backend, PacketCipher, SessionKeys, KeyPair, BatchPacket, BatchResult, BatchStatus } from '../crypto/backend'
export { jsBackend, selectBackend, provideBackend, type BackendChoice, type BackendName } from '../crypto/choice'

export * from './constants'
export * from '../crypto/packet-format'
export { NETWORK_MAGIC, magicOf, type Network, type NetworkName } from '../network'
export { v1Prefix, detectV1, V1_PREFIX_BYTES, V1Check, type V1CheckResult } from './v1'
export { InboundCipher, OutboundCipher, type Packet, type SessionKeyMaterial } from './ciphers'
export {
  Initialized, SentKey, ReceivedKey, SentVersion, ReceivedGarbage, windowFillingGarbage,
  type HandshakeOptions, type SendVersionOptions, type KeyResult, type GarbageResult, type VersionResult, type Rng
} from './handshake'
export { Session } from './session'
export { PacketReader, type ReadResult } from './packet-reader'
export { type CloseCause, type CloseVerdict, Protocol, type ProtocolOptions, type ProtocolEvent, type ProtocolState, type ReceiveResult } from './protocol'
