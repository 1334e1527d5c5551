/**
 * The 12-byte command field, NUL-padded ASCII, shared by the v1 header and the v2 long form.
 * Checked as Bitcoin Core's `CMessageHeader::IsMessageTypeValid` does (0x20..0x7e, only NULs after
 * the first NUL) for both: Core's `V2Transport::GetMessageType` also lets 0x7f through, but no
 * message type uses it. One stricter rule: an empty command names no message, so it is refused.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-bitcoin-p2p-message-structure
 */

import { Bip324Error } from '../errors'
import { invalid } from '../checks'

export const COMMAND_BYTES = 12

const printable = (c: number): boolean => c >= 0x20 && c <= 0x7e

/** Writes `type` NUL-padded into out[offset .. offset + 12]; a command we could not send is a programmer error. */
export function writeCommand (out: Uint8Array, offset: number, type: string): void {
  if (typeof type !== 'string' || type.length === 0 || type.length > COMMAND_BYTES) {
    throw invalid(`expected a message type of 1 to ${COMMAND_BYTES} characters, got ${JSON.stringify(type)}`)
  }
  for (let i = 0; i < type.length; i++) {
    const c = type.charCodeAt(i)
    if (!printable(c)) throw invalid(`message type ${JSON.stringify(type)} has a character outside printable ASCII`)
    out[offset + i] = c
  }
  out.fill(0, offset + type.length, offset + COMMAND_BYTES)
}

/** Reads a 12-byte command field as the peer sent it. */
export function readCommand (field: Uint8Array): string {
  let end = 0
  while (end < COMMAND_BYTES && field[end] !== 0) {
    if (!printable(field[end]!)) throw badType(`byte 0x${field[end]!.toString(16)} at ${end} is not printable ASCII`)
    end++
  }
  if (end === 0) throw badType('the command is empty')
  for (let i = end; i < COMMAND_BYTES; i++) {
    if (field[i] !== 0) throw badType(`byte ${i} follows a NUL but is not NUL`)
  }
  return String.fromCharCode(...field.subarray(0, end))
}

export function badType (why: string): Bip324Error {
  return new Bip324Error('ERR_BIP324_BAD_MESSAGE_TYPE', `malformed message type: ${why}`)
}
