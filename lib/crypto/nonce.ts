/** The 12-byte ChaCha20 nonce both BIP-324 ciphers build: LE32(first) || LE64(epoch). */
export function nonce (first: number, epoch: number): Uint8Array {
  const n = new Uint8Array(12)
  const view = new DataView(n.buffer)
  view.setUint32(0, first, true)
  view.setBigUint64(4, BigInt(epoch), true)
  return n
}
