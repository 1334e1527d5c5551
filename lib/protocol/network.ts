/**
 * Networks by their 4-byte magic, which salts the key schedule: peers on different networks derive
 * different keys and never find each other's garbage terminator.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#shared-secret-computation
 */

import { Bip324Error } from '../errors'

export const NETWORK_MAGIC = {
  mainnet: 'f9beb4d9',
  testnet3: '0b110907',
  testnet4: '1c163f28',
  signet: '0a03cf40',
  regtest: 'fabfb5da'
} as const

export type NetworkName = keyof typeof NETWORK_MAGIC

/** A named network, or a custom one by its magic (a custom signet, say). */
export type Network = NetworkName | { magic: Uint8Array }

export function magicOf (network: Network): Uint8Array {
  if (typeof network === 'string') {
    const hex = Object.hasOwn(NETWORK_MAGIC, network) ? NETWORK_MAGIC[network] : undefined
    if (hex === undefined) {
      throw new Bip324Error('ERR_BIP324_INVALID_ARG', `unknown network "${network}": expected one of ${Object.keys(NETWORK_MAGIC).join(', ')} or { magic }`)
    }
    return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16))
  }
  if (!(network?.magic instanceof Uint8Array) || network.magic.length !== 4) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'a custom network needs a 4-byte Uint8Array magic')
  }
  return Uint8Array.from(network.magic)
}
