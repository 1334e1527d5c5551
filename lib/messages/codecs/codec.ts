/** The shape shared by every message codec: its fields to and from a payload (the type travels outside it). */

import type { ByteReader } from '../byte-reader'
import type { ByteWriter } from '../byte-writer'

export interface Codec<M extends { type: string }> {
  encode: (w: ByteWriter, msg: M) => void
  decode: (r: ByteReader) => Omit<M, 'type'>
}
