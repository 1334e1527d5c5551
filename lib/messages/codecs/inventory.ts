/**
 * inv, getdata and notfound: lists of (type, hash). The type stays the raw uint32, so types we do not
 * know (and witness-flagged ones) pass through unchanged; the constants name the known ones.
 * @see https://developer.bitcoin.org/reference/p2p_networking.html#inv
 */

import { MAX_INV_SZ } from '../limits'
import type { Codec } from './codec'

/** Bitcoin Core's GetDataMsg, by Core's names. */
export const MSG_WITNESS_FLAG = 1 << 30
export const INVENTORY_TYPE = Object.freeze({
  MSG_TX: 1,
  MSG_BLOCK: 2,
  MSG_FILTERED_BLOCK: 3,
  MSG_CMPCT_BLOCK: 4,
  MSG_WTX: 5,
  MSG_WITNESS_BLOCK: 2 | MSG_WITNESS_FLAG,
  MSG_WITNESS_TX: 1 | MSG_WITNESS_FLAG,
  MSG_FILTERED_WITNESS_BLOCK: 3 | MSG_WITNESS_FLAG
})

export interface InventoryItem {
  invType: number
  /** 32 bytes, internal byte order. */
  hash: Uint8Array
}

export type InventoryCommand = 'inv' | 'getdata' | 'notfound'

export type InventoryMessage<T extends InventoryCommand = InventoryCommand> =
  T extends InventoryCommand ? { type: T, inventory: InventoryItem[] } : never

export const inventoryCodec: Codec<InventoryMessage> = {
  encode: (w, msg) => {
    w.count(msg.inventory, MAX_INV_SZ, msg.type)
    for (const item of msg.inventory) {
      w.u32(item.invType)
      w.hash(item.hash)
    }
  },
  decode: (r) => {
    const n = r.count(MAX_INV_SZ, 36, 'inventory')
    const inventory: InventoryItem[] = []
    for (let i = 0; i < n; i++) inventory.push({ invType: r.u32(), hash: r.hash() })
    return { inventory }
  }
}
