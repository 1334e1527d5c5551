/**
 * BIP-324's sizes and the vocabulary shared with the Rust `bip324` crate.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#overall-packet-encryption-and-decryption-pseudocode
 */

export const NUM_ELLIGATOR_SWIFT_BYTES = 64
export const NUM_LENGTH_BYTES = 3
export const NUM_HEADER_BYTES = 1
export const NUM_TAG_BYTES = 16
/** Bytes a packet adds to its contents. */
export const NUM_PACKET_OVERHEAD_BYTES = NUM_LENGTH_BYTES + NUM_HEADER_BYTES + NUM_TAG_BYTES
/** The header byte of a decoy: its ignore bit. Other header bits are reserved and ignored. */
export const DECOY_BYTE = 0x80
export const MAX_GARBAGE_LEN = 4095
export const NUM_GARBAGE_TERMINATOR_BYTES = 16
/** Bitcoin Core's limit on message contents: 1-byte message type, 12-byte long form, 4,000,000 bytes of payload. */
export const DEFAULT_MAX_CONTENTS = 4_000_013
/** Packets (and length-field chunks) per key: both ciphers of a direction rekey this often. */
export const REKEY_INTERVAL = 224
/** What 3 length bytes can announce. */
export const MAX_CONTENTS_LIMIT = 0xffffff

export type Role = 'initiator' | 'responder'

export type PacketType = 'genuine' | 'decoy'
