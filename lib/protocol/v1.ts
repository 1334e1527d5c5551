/**
 * Telling a v1 peer from a v2 one, as a responder (Bitcoin Core's V2Transport does the same): a v1
 * initiator starts with a `version` message, whose first 16 bytes are the network magic and the
 * NUL-padded command "version". A v2 key matches them with probability 2^-128.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-handshake
 */

export const V1_PREFIX_BYTES = 16

/** magic || "version" padded with NULs to 12 bytes. */
export function v1Prefix (magic: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(V1_PREFIX_BYTES)
  prefix.set(magic, 0)
  prefix.set(Buffer.from('version', 'ascii'), 4)
  return prefix
}

/** 'v1' once all 16 bytes match, 'v2' at the first byte that does not, 'undecided' before. */
export function detectV1 (prefix: Uint8Array, received: Uint8Array): 'v1' | 'v2' | 'undecided' {
  const n = Math.min(received.length, V1_PREFIX_BYTES)
  for (let i = 0; i < n; i++) if (received[i] !== prefix[i]) return 'v2'
  return n === V1_PREFIX_BYTES ? 'v1' : 'undecided'
}
