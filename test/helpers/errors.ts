/** What tests expect of the library's typed errors (lib/errors.ts), as jest matchers. */

type Expectation = ReturnType<typeof expect.objectContaining>

/** A Bip324Error with this code. */
export const bip324Error = (code: string): Expectation => expect.objectContaining({ name: 'Bip324Error', code })

/** A payload refused with Bitcoin Core's reject reason. */
export const rejected = (reason: string): Expectation =>
  expect.objectContaining({ name: 'Bip324Error', code: 'ERR_BIP324_BAD_PAYLOAD', reason })

/** A payload refused with a message that says why. */
export const badPayload = (message: RegExp): Expectation =>
  expect.objectContaining({ name: 'Bip324Error', code: 'ERR_BIP324_BAD_PAYLOAD', message: expect.stringMatching(message) })
