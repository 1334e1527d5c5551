/**
 * Bitcoin Core's limits on what a peer may send, under Core's own names. Decoders check them
 * before allocating; encoders refuse to build what a Core peer would punish.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net_processing.cpp
 */

/** Largest payload of any message (net.h). */
export const MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000
/** Entries in inv, getdata and notfound (net_processing.cpp). */
export const MAX_INV_SZ = 50_000
/** Entries in addr and addrv2 (net_processing.cpp). */
export const MAX_ADDR_TO_SEND = 1000
/** Headers in a headers message (net_processing.h). */
export const MAX_HEADERS_RESULTS = 2000
/** Hashes in a block locator (net_processing.cpp). */
export const MAX_LOCATOR_SZ = 101
/** Bytes of the user agent in version (net.h). */
export const MAX_SUBVERSION_LENGTH = 256
/** Bytes of an addrv2 address, for any network id (netaddress.h). */
export const MAX_ADDRV2_SIZE = 512
/** Bytes of a BIP-37 bloom filter (common/bloom.h). */
export const MAX_BLOOM_FILTER_SIZE = 36_000
/** Hash functions of a BIP-37 bloom filter (common/bloom.h). */
export const MAX_HASH_FUNCS = 50
/** Bytes of a filteradd element: the largest script push (script/script.h). */
export const MAX_SCRIPT_ELEMENT_SIZE = 520
/** Filter hashes in a BIP-157 cfheaders message (net_processing.cpp MAX_GETCFHEADERS_SIZE). */
export const MAX_CFHEADERS_SIZE = 2000
/** Bytes of a BIP-434 feature id, at least (net_processing.cpp) ... */
export const MIN_FEATUREID_LENGTH = 4
/** ... and at most (protocol.h). */
export const MAX_FEATUREID_LENGTH = 80
/** Bytes of a BIP-434 feature's data (protocol.h). */
export const MAX_FEATUREDATA_LENGTH = 512
