/**
 * addr (26-byte addresses with a time) and addrv2 (BIP-155: a network id and an address of that
 * network's size, services as a CompactSize). Tor v2 (id 3) is obsolete and, as in Bitcoin Core,
 * handled like an id from the future: any size up to the cap, bytes kept as they came.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0155.mediawiki
 */

import { Bip324Error } from '../../errors'
import type { ByteReader } from '../byte-reader'
import { invalid } from '../byte-writer'
import { MAX_ADDR_TO_SEND, MAX_ADDRV2_SIZE } from '../limits'
import type { Codec } from './codec'
import { NET_ADDRESS_BYTES, type NetAddress, readNetAddress, writeNetAddress } from './net-address'

export interface TimedNetAddress extends NetAddress {
  /** When the address was last seen, seconds since the epoch. */
  time: number
}

export interface AddrMessage {
  type: 'addr'
  addresses: TimedNetAddress[]
}

export const BIP155_NETWORK = Object.freeze({ IPV4: 1, IPV6: 2, TORV2: 3, TORV3: 4, I2P: 5, CJDNS: 6 })

/** Address sizes of the networks we check; others (Tor v2 included) are opaque. */
const ADDRESS_BYTES: ReadonlyMap<number, number> = new Map([[1, 4], [2, 16], [4, 32], [5, 32], [6, 16]])

export interface AddrV2Entry {
  time: number
  services: bigint
  networkId: number
  /** Raw address bytes of the network's size (4 for IPv4, 16 for IPv6, 32 for Tor v3, ...). */
  addr: Uint8Array
  port: number
}

export interface AddrV2Message {
  type: 'addrv2'
  addresses: AddrV2Entry[]
}

export const addrCodec: Codec<AddrMessage> = {
  encode: (w, msg) => {
    w.count(msg.addresses, MAX_ADDR_TO_SEND, 'addr')
    for (const a of msg.addresses) {
      w.u32(a.time)
      writeNetAddress(w, a)
    }
  },
  decode: (r) => {
    const n = r.count(MAX_ADDR_TO_SEND, 4 + NET_ADDRESS_BYTES, 'addr')
    const addresses: TimedNetAddress[] = []
    for (let i = 0; i < n; i++) {
      const time = r.u32()
      addresses.push({ time, ...readNetAddress(r) })
    }
    return { addresses }
  }
}

// time, services, network id, address length, port: the least an entry can take.
const MIN_ADDRV2_ENTRY = 4 + 1 + 1 + 1 + 2

export const addrV2Codec: Codec<AddrV2Message> = {
  encode: (w, msg) => {
    w.count(msg.addresses, MAX_ADDR_TO_SEND, 'addrv2')
    for (const a of msg.addresses) {
      w.u32(a.time)
      w.compactSize(a.services)
      w.u8(a.networkId)
      const size = ADDRESS_BYTES.get(a.networkId)
      if (size !== undefined && a.addr?.length !== size) throw invalid(`addrv2 network ${a.networkId} takes ${size}-byte addresses, got ${String(a.addr?.length)}`)
      w.varBytes(a.addr, MAX_ADDRV2_SIZE, 'addrv2 address')
      w.u16be(a.port)
    }
  },
  decode: (r) => {
    const n = r.count(MAX_ADDR_TO_SEND, MIN_ADDRV2_ENTRY, 'addrv2')
    const addresses: AddrV2Entry[] = []
    for (let i = 0; i < n; i++) addresses.push(readAddrV2Entry(r))
    return { addresses }
  }
}

function readAddrV2Entry (r: ByteReader): AddrV2Entry {
  const time = r.u32()
  const services = r.compactSize()
  const networkId = r.u8()
  const addr = r.varBytes(MAX_ADDRV2_SIZE, 'addrv2 address')
  const size = ADDRESS_BYTES.get(networkId)
  if (size !== undefined && addr.length !== size) {
    throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `addrv2 network ${networkId} takes ${size}-byte addresses, got ${addr.length}`)
  }
  return { time, services, networkId, addr, port: r.u16be() }
}
