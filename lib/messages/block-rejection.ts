/**
 * How a block or header that Bitcoin Core would reject is reported: ERR_BIP324_BAD_PAYLOAD, with
 * Core's reject reason (the `BlockValidationState` string its logs and `submitblock` show) as the
 * error's `reason` and in its message, followed by Core's debug message.
 */

import { Bip324Error } from '../errors'
import { hashToHex } from './hashes'

export function blockRejected (hash: Uint8Array, reason: string, debug: string): Bip324Error {
  return new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `block ${hashToHex(hash)}: ${reason} (${debug})`, { reason })
}
