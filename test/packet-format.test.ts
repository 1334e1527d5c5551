// The packet format is defined once, in lib/crypto/packet-format.ts; the C engine has its own
// #defines (native/bip324_engine.h), exported by the addon. They must agree, and both must be
// BIP-324's figures.

import * as format from '../lib/crypto/packet-format'
import { native } from '../lib/native/binding'

test('the engine\'s constants are the TypeScript definitions', () => {
  const { constants } = native()
  expect({
    LENGTH_BYTES: constants.LENGTH_BYTES,
    HEADER_BYTES: constants.HEADER_BYTES,
    TAG_BYTES: constants.TAG_BYTES,
    EXPANSION: constants.EXPANSION,
    IGNORE_BIT: constants.IGNORE_BIT,
    REKEY_INTERVAL: constants.REKEY_INTERVAL,
    MAX_CONTENTS: constants.MAX_CONTENTS
  }).toEqual({
    LENGTH_BYTES: format.NUM_LENGTH_BYTES,
    HEADER_BYTES: format.NUM_HEADER_BYTES,
    TAG_BYTES: format.NUM_TAG_BYTES,
    EXPANSION: format.NUM_PACKET_OVERHEAD_BYTES,
    IGNORE_BIT: format.IGNORE_BIT,
    REKEY_INTERVAL: format.REKEY_INTERVAL,
    MAX_CONTENTS: format.MAX_CONTENTS_LIMIT
  })
  // The key schedule's output: six 32-byte HKDF outputs (the terminators share one).
  expect(constants.KEYS_BYTES).toBe(6 * 32)
})

test('the definitions are BIP-324\'s: 3-byte length, 1-byte header, 16-byte tag, ignore bit 7, rekey every 224', () => {
  // From the BIP's "Overall packet encryption and decryption pseudocode" and "Cipher suites".
  expect(format.NUM_LENGTH_BYTES).toBe(3)
  expect(format.NUM_HEADER_BYTES).toBe(1)
  expect(format.NUM_TAG_BYTES).toBe(16)
  expect(format.NUM_PACKET_OVERHEAD_BYTES).toBe(3 + 1 + 16)
  expect(format.IGNORE_BIT).toBe(1 << 7)
  expect(format.REKEY_INTERVAL).toBe(224)
  expect(format.MAX_CONTENTS_LIMIT).toBe(2 ** 24 - 1)
})
