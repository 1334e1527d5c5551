/**
 * What a Peer hands the application for a payload: the typed message. The one place where a
 * payload becomes a value, so that a new decoder is plugged in here and every Peer has it.
 */

import { decodePayload, type Message } from '../messages'

/** The typed message of `type`; a Bip324Error if the payload does not decode. tx and block (and
 *  the other raw types) come back as `{ type, raw }`: decodeTransaction and decodeBlock go here,
 *  before decodePayload, once lib/messages has them. */
export function decodeMessage (type: string, payload: Uint8Array): Message {
  return decodePayload(type, payload)
}
