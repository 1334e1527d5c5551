/**
 * RFC 4648 base32, lowercase, as Bitcoin Core's EncodeBase32 and DecodeBase32 (util/strencodings)
 * write and read the names of Tor v3 and I2P addresses: decoding takes either case, drops the
 * padding of a string whose length is a multiple of 8, and refuses left-over bits that are not zero.
 * Written here because lib/messages and lib/net load without ES modules on every supported Node,
 * which @scure/base (ES modules only) would not.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const VALUES: ReadonlyMap<string, number> = new Map([...ALPHABET].flatMap((c, i) => [[c, i], [c.toUpperCase(), i]]))

/** `bytes` in base32, padded with '=' to a multiple of 8 characters unless `pad` is false. */
export function encodeBase32 (bytes: Uint8Array, pad = true): string {
  let out = ''
  let acc = 0
  let bits = 0
  for (const byte of bytes) {
    acc = (acc << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(acc >> bits) & 31]
    }
    acc &= (1 << bits) - 1
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31]
  if (pad) while (out.length % 8 !== 0) out += '='
  return out
}

/** The bytes `text` spells, or undefined where Core's DecodeBase32 fails. */
export function decodeBase32 (text: string): Uint8Array | undefined {
  let end = text.length
  // Core drops up to six '=' of a string whose length is a multiple of 8, and no others.
  if (end % 8 === 0) for (let i = 0; i < 6 && end > 0 && text[end - 1] === '='; i++) end--
  const out = new Uint8Array(Math.floor((end * 5) / 8))
  let acc = 0
  let bits = 0
  let n = 0
  for (let i = 0; i < end; i++) {
    const value = VALUES.get(text[i]!)
    if (value === undefined) return undefined
    acc = ((acc << 5) | value) & 0xfff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = (acc >> bits) & 0xff
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return undefined
  return out
}
