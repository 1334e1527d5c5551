/**
 * The facts about each Bitcoin network that a peer needs: its 4-byte magic, its default P2P port,
 * its genesis block and proof-of-work limit, and the service flags a version message advertises. Pure data and functions, no Node APIs,
 * so that it runs in a browser too.
 *
 * The magic salts BIP-324's key schedule: peers on different networks derive different keys and
 * never find each other's garbage terminator.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#shared-secret-computation
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/kernel/chainparams.cpp (pchMessageStart, nDefaultPort,
 *   consensus.hashGenesisBlock, consensus.powLimit)
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/protocol.h (ServiceFlags)
 */

import { invalid } from './checks'

/**
 * Each named network's magic (hex, as sent on the wire), default P2P port, genesis block hash and
 * proof-of-work limit (the largest target a header may claim, Core's `consensus.powLimit`), both
 * hex in the order Core and explorers display hashes (`hashFromHex` gives a hash's internal order).
 */
export const NETWORKS = Object.freeze({
  mainnet: Object.freeze({
    magic: 'f9beb4d9',
    port: 8333,
    genesis: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    powLimit: '00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
  }),
  testnet3: Object.freeze({
    magic: '0b110907',
    port: 18333,
    genesis: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
    powLimit: '00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
  }),
  testnet4: Object.freeze({
    magic: '1c163f28',
    port: 48333,
    genesis: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
    powLimit: '00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
  }),
  signet: Object.freeze({
    magic: '0a03cf40',
    port: 38333,
    genesis: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
    powLimit: '00000377ae000000000000000000000000000000000000000000000000000000'
  }),
  regtest: Object.freeze({
    magic: 'fabfb5da',
    port: 18444,
    genesis: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
    powLimit: '7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
  })
} as const)

export type NetworkName = keyof typeof NETWORKS

/** A named network, or a custom one by its magic (a custom signet, say). */
export type Network = NetworkName | { magic: Uint8Array }

/** Each named network's magic, hex: NETWORKS' magic alone. */
export const NETWORK_MAGIC = Object.freeze(Object.fromEntries(
  Object.entries(NETWORKS).map(([name, { magic }]) => [name, magic])
)) as { readonly [N in NetworkName]: (typeof NETWORKS)[N]['magic'] }

/** Whether `name` names one of NETWORKS: own keys only, so 'toString' or '__proto__' do not. */
export function isNetworkName (name: unknown): name is NetworkName {
  return typeof name === 'string' && Object.hasOwn(NETWORKS, name)
}

/** The port a connection to `network` goes to when none is given: the named network's default
 *  port (Core's nDefaultPort), mainnet's when no network is given (a connection's default network,
 *  as Protocol's); none for a custom magic, which names no port. */
export function defaultPortOf (network: Network | undefined): number | undefined {
  if (network === undefined) return NETWORKS.mainnet.port
  return isNetworkName(network) ? NETWORKS[network].port : undefined
}

/** The magic of a network, as a new array. Throws ERR_BIP324_INVALID_ARG for an unknown name or a
 *  custom magic that is not 4 bytes. */
export function magicOf (network: Network): Uint8Array {
  if (typeof network === 'string') {
    if (!isNetworkName(network)) {
      throw invalid(`unknown network "${network}": expected one of ${Object.keys(NETWORKS).join(', ')} or { magic }`)
    }
    const hex = NETWORKS[network].magic
    return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16))
  }
  if (!(network?.magic instanceof Uint8Array) || network.magic.length !== 4) {
    throw invalid('a custom network needs a 4-byte Uint8Array magic')
  }
  return Uint8Array.from(network.magic)
}

/** The service flags of a version message's `services` that Bitcoin Core names (src/protocol.h). */
export const SERVICE_FLAGS = Object.freeze({
  /** Serves the complete block chain. */
  NODE_NETWORK: 1n << 0n,
  /** Serves bloom-filtered connections (BIP-111). */
  NODE_BLOOM: 1n << 2n,
  /** Serves blocks and transactions with witness data (BIP-144). */
  NODE_WITNESS: 1n << 3n,
  /** Serves basic block filters (BIP-157, BIP-158). */
  NODE_COMPACT_FILTERS: 1n << 6n,
  /** As NODE_NETWORK, for the last 288 blocks only (BIP-159). */
  NODE_NETWORK_LIMITED: 1n << 10n,
  /** Speaks the v2 transport (BIP-324). */
  NODE_P2P_V2: 1n << 11n
} as const)

export type ServiceFlag = keyof typeof SERVICE_FLAGS

/** The flags set in `services`, lowest bit first, named as Bitcoin Core's getpeerinfo names them
 *  (servicesnames): without the NODE_ prefix, and UNKNOWN[2^bit] for a bit it has no name for. */
export function serviceNames (services: bigint): string[] {
  const names: string[] = []
  for (let bit = 0n; bit < 64n; bit++) {
    const flag = 1n << bit
    if ((services & flag) === 0n) continue
    const name = (Object.keys(SERVICE_FLAGS) as ServiceFlag[]).find((n) => SERVICE_FLAGS[n] === flag)
    names.push(name === undefined ? `UNKNOWN[2^${bit}]` : name.slice('NODE_'.length))
  }
  return names
}
