/**
 * One error class for everything this library reports, with stable `code` strings.
 * Match on `err.code`, not on `instanceof` (which fails across realms and duplicate installs).
 */

export type Bip324ErrorCode =
  | 'ERR_BIP324_INVALID_ARG'
  | 'ERR_BIP324_BAD_STATE'
  | 'ERR_BIP324_NATIVE_UNAVAILABLE'

export class Bip324Error extends Error {
  readonly code: Bip324ErrorCode

  constructor (code: Bip324ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'Bip324Error'
    this.code = code
  }
}
