/**
 * The DNS seeds of each network, Bitcoin Core's (src/kernel/chainparams.cpp, vSeeds), and their
 * lookup. A seed answers a name lookup with addresses of nodes it has found up; they enter the book
 * with the services Core assumes of them (NODE_NETWORK and NODE_WITNESS) and the network's
 * default port. The resolver is the application's to replace (tests give their own; a proxy-only
 * pool gives one that goes through Tor, or none).
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/kernel/chainparams.cpp
 */

import { promises as dns } from 'node:dns'

import type { NetworkName } from '../network'

/** Core's vSeeds, per network; regtest has none. */
export const DNS_SEEDS: { readonly [N in NetworkName]: readonly string[] } = Object.freeze({
  mainnet: Object.freeze([
    'seed.bitcoin.sipa.be', 'dnsseed.bluematt.me', 'seed.bitcoin.jonasschnelli.ch', 'seed.btc.petertodd.net',
    'seed.bitcoin.sprovoost.nl', 'dnsseed.emzy.de', 'seed.bitcoin.wiz.biz', 'seed.mainnet.achownodes.xyz'
  ]),
  testnet3: Object.freeze([
    'testnet-seed.bitcoin.jonasschnelli.ch', 'seed.tbtc.petertodd.net', 'seed.testnet.bitcoin.sprovoost.nl',
    'testnet-seed.bluematt.me', 'seed.testnet.achownodes.xyz'
  ]),
  testnet4: Object.freeze(['seed.testnet4.bitcoin.sprovoost.nl', 'seed.testnet4.wiz.biz']),
  signet: Object.freeze(['seed.signet.bitcoin.sprovoost.nl', 'seed.signet.achownodes.xyz']),
  regtest: Object.freeze([])
})

/** Resolves a seed's name to IP addresses (IPv4 and IPv6, as strings). */
export type SeedResolver = (name: string) => Promise<string[]>

/** node:dns's resolve4 and resolve6 together; a name with neither gives none. */
export const resolveSeed: SeedResolver = async (name) => {
  const answers = await Promise.allSettled([dns.resolve4(name), dns.resolve6(name)])
  return answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []))
}
