/**
 * What a Peer hands the application for a payload: the typed message. The one place where a
 * payload becomes a value, so that a new decoder is plugged in here and every Peer has it.
 */

import { decodePayload, type Message } from '../messages'

/** The typed message of `type`; a Bip324Error if the payload does not decode. tx and block (and
 *  the other raw types) come back as `{ type, raw }`, for the application to pass to
 *  decodeTransaction or decodeBlock: a block of 4 MB takes a few hundred milliseconds to decode
 *  and hash, which a Peer must not spend on this thread for every block a node announces. */
export function decodeMessage (type: string, payload: Uint8Array): Message {
  return decodePayload(type, payload)
}
