/**
 * feature (BIP-434): a feature id, 4 to 80 bytes, and the feature's data, at most 512 bytes, each
 * behind a CompactSize. Sent only between version and verack, and only when both sides announce
 * protocol version 70017 or more. The id is a byte string the BIP asks to be printable ASCII;
 * Bitcoin Core takes any bytes, so it is read here as latin1, one character per byte, and written
 * back byte for byte.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0434.md
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/net_processing.cpp (NetMsgType::FEATURE)
 */

import { Bip324Error } from '../../errors'
import { invalid } from '../byte-writer'
import { MAX_FEATUREDATA_LENGTH, MAX_FEATUREID_LENGTH, MIN_FEATUREID_LENGTH } from '../limits'
import type { Codec } from './codec'

/** One feature, as a feature message carries it. */
export interface Feature {
  /** A globally unique id: a BIP's ("BIP434"), or a URL for an experiment. 4 to 80 bytes. */
  featureId: string
  /** The feature's own data, at most 512 bytes; empty when it needs none. */
  featureData: Uint8Array
}

export interface FeatureMessage extends Feature {
  type: 'feature'
}

/** The feature id's bytes; throws ERR_BIP324_INVALID_ARG for an id no peer would take. */
export function featureIdBytes (featureId: string): Uint8Array {
  if (typeof featureId !== 'string') throw invalid(`featureId must be a string, got ${typeof featureId}`)
  if (featureId.length < MIN_FEATUREID_LENGTH || featureId.length > MAX_FEATUREID_LENGTH) {
    throw invalid(`featureId must be ${MIN_FEATUREID_LENGTH} to ${MAX_FEATUREID_LENGTH} bytes, got ${featureId.length}`)
  }
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\xff]/.test(featureId)) throw invalid('featureId must be one byte per character (latin1; the BIP asks for printable ASCII)')
  return Uint8Array.from(Buffer.from(featureId, 'latin1'))
}

export const featureCodec: Codec<FeatureMessage> = {
  encode: (w, msg) => {
    w.varBytes(featureIdBytes(msg.featureId), MAX_FEATUREID_LENGTH, 'featureId')
    w.varBytes(msg.featureData, MAX_FEATUREDATA_LENGTH, 'featureData')
  },
  decode: (r) => {
    const id = r.varBytes(MAX_FEATUREID_LENGTH, 'feature id')
    // Core reads the id and the data before it looks at the id's length: a short id with a bad
    // data field fails on the data, as there.
    const featureData = r.varBytes(MAX_FEATUREDATA_LENGTH, 'feature data')
    if (id.length < MIN_FEATUREID_LENGTH) {
      throw new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `feature id of ${id.length} bytes, the least is ${MIN_FEATUREID_LENGTH}`)
    }
    return { featureId: Buffer.from(id).toString('latin1'), featureData }
  }
}
