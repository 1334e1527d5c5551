/** The error an AbortSignal ends an operation with, as node:net makes it (name AbortError, code
 *  ABORT_ERR, the signal's reason as cause), so code written for node:net recognises it. */
export function abortError (signal: AbortSignal): Error {
  const err = new Error('the operation was aborted', { cause: signal.reason }) as Error & { code: string }
  err.name = 'AbortError'
  err.code = 'ABORT_ERR'
  return err
}
