// The stand-in node answers getheaders as Bitcoin Core's ProcessMessage (NetMsgType::GETHEADERS)
// does, so that an example or a command that asks the wrong question gets Core's answer, not a
// kinder one: an empty locator means "the header of hashStop alone" (pindex =
// LookupBlockIndex(hashStop); nothing if it is unknown, as a zero hashStop is); otherwise the
// headers after the first locator entry on the chain (genesis when none is), up to hashStop.

import { blockHash, encodeBlockHeader, hashFromHex, type Message } from '../lib/messages'
import { NETWORKS } from '../lib/network'
import { answer, type Chain } from './helpers/chain-responder'
import { mineRegtestHeaders, REGTEST_GENESIS } from './helpers/regtest-chain'

const headers = [REGTEST_GENESIS, ...mineRegtestHeaders(5)]
const chain: Chain = { headers }
const hashOf = (i: number): Uint8Array => blockHash(encodeBlockHeader(headers[i]!))
const getheaders = (locator: Uint8Array[], stopHash: Uint8Array = new Uint8Array(32)): Message => ({ type: 'getheaders', version: 70016, locator, stopHash })

test('an empty locator with a zero stop hash: nothing at all (the README once asked this)', () => {
  expect(answer(chain, getheaders([]))).toEqual([])
})

test('an empty locator with a known stop hash: that header alone; an unknown one: nothing', () => {
  expect(answer(chain, getheaders([], hashOf(3)))).toEqual([{ type: 'headers', headers: [headers[3]] }])
  expect(answer(chain, getheaders([], new Uint8Array(32).fill(7)))).toEqual([])
})

test('genesis as the locator: every header after it; up to a stop hash when one is given', () => {
  const genesis = hashFromHex(NETWORKS.regtest.genesis)
  expect(answer(chain, getheaders([genesis]))).toEqual([{ type: 'headers', headers: headers.slice(1) }])
  expect(answer(chain, getheaders([genesis], hashOf(2)))).toEqual([{ type: 'headers', headers: headers.slice(1, 3) }])
  // A locator none of whose entries is known: Core starts after genesis too.
  expect(answer(chain, getheaders([new Uint8Array(32).fill(9)]))).toEqual([{ type: 'headers', headers: headers.slice(1) }])
})
