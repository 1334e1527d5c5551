/**
 * The two ways a command ends badly on purpose; report.ts prints them. Anything else thrown is a
 * library error report.ts explains, or a bug.
 */

/** A command line the command cannot run: exit code 2 with the usage. The message names what is
 *  wrong (an option, an argument) but not the command, which the report adds. */
export class UsageError extends Error {}

/** An operation that failed for a reason outside the program (the peer, the network, the system),
 *  already put in our words: one line, `code` the library's or the system's, and the exit code. */
export class Failure extends Error {
  constructor (message: string, readonly code: string, readonly exitCode: 1 | 3 = 1) {
    super(message)
  }
}
