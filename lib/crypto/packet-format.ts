/**
 * BIP-324's packet format, defined once: every backend frames packets with these sizes, the
 * protocol reads them, and a test checks that the native engine's own constants agree.
 * Names follow the Rust `bip324` crate.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#overall-packet-encryption-and-decryption-pseudocode
 */

/** The encrypted contents length that starts a packet (FSChaCha20). */
export const NUM_LENGTH_BYTES = 3
/** The encrypted header byte before the contents. */
export const NUM_HEADER_BYTES = 1
/** The Poly1305 tag that ends a packet. */
export const NUM_TAG_BYTES = 16
/** Bytes a packet adds to its contents: length, header and tag. */
export const NUM_PACKET_OVERHEAD_BYTES = NUM_LENGTH_BYTES + NUM_HEADER_BYTES + NUM_TAG_BYTES
/** The header bit that marks a decoy (BIP-324's ignore bit). Other header bits are reserved and ignored. */
export const IGNORE_BIT = 0x80
/** The header byte we send on a decoy (the ignore bit alone); the Rust crate's name for it. */
export const DECOY_BYTE = IGNORE_BIT
/** The header byte of a genuine packet we send. */
export const GENUINE_BYTE = 0
/** Packets (and length-field chunks) per key: both ciphers of a direction rekey this often. */
export const REKEY_INTERVAL = 224
/** What 3 length bytes can announce: 2^24 - 1. */
export const MAX_CONTENTS_LIMIT = 0xffffff
