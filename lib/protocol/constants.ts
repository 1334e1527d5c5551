/**
 * BIP-324's handshake sizes and the vocabulary shared with the Rust `bip324` crate. The packet
 * format's sizes are in crypto/packet-format (the protocol's index exports both).
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-handshake
 */

export const NUM_ELLIGATOR_SWIFT_BYTES = 64
export const MAX_GARBAGE_LEN = 4095
export const NUM_GARBAGE_TERMINATOR_BYTES = 16
/** Bitcoin Core's limit on message contents: 1-byte message type, 12-byte long form, 4,000,000 bytes of payload. */
export const DEFAULT_MAX_CONTENTS = 4_000_013

export type Role = 'initiator' | 'responder'

export type PacketType = 'genuine' | 'decoy'
