/**
 * The argument checks every layer makes, one definition each (as @noble's abytes): each throws
 * ERR_BIP324_INVALID_ARG naming the argument, so a caller's mistake is refused where it is made.
 * No Node API: the sans-IO core uses them too.
 */

import { Bip324Error } from './errors'

/** The error of an argument the library refuses. */
export function invalid (message: string): Bip324Error {
  return new Bip324Error('ERR_BIP324_INVALID_ARG', message)
}

/** Throws unless `value` is undefined or an integer from min to max. */
export function checkInteger (value: unknown, name: string, min: number, max: number): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= min && (value as number) <= max)) {
    throw invalid(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`)
  }
}

/** Throws unless `value` is undefined or a boolean. */
export function checkBoolean (value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(`${name} must be a boolean, got ${String(value)}`)
}

/** `value` if it is a Uint8Array (of `length` bytes, when given); throws otherwise. */
export function checkBytes (value: unknown, name: string, length?: number): Uint8Array {
  // The native binding's words, so that every backend refuses alike.
  if (!(value instanceof Uint8Array)) throw invalid(`${name} must be a Uint8Array`)
  if (length !== undefined && value.length !== length) throw invalid(`${name} must be ${length} bytes, got ${value.length}`)
  return value
}
