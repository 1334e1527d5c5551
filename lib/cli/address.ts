/**
 * Addresses on the command line: "host:port", "[v6]:port", "host" or "[v6]" in, and host:port out
 * with IPv6 in brackets, as every command prints it. Parsed by net/ip's parseHostPort, whose
 * refusal, prefixed with the option and the text, is the usage error.
 */

import { Bip324Error } from '../errors'
import { formatHostPort, parseHostPort } from '../net/ip'
import { UsageError } from './errors'

/** `host` and `port` as a person writes them: [::1]:8333, 127.0.0.1:8333, seed.example.org:8333. */
export const formatAddress = formatHostPort

/** A "host:port" the library joined without brackets (::1:8333): the port is after the last colon. */
export function bracketed (joined: string): string {
  const at = joined.lastIndexOf(':')
  return at < 0 ? joined : formatAddress(joined.slice(0, at), joined.slice(at + 1))
}

/**
 * Parses `text`, given as `what` (an option such as --listen, or the argument's name). Without a
 * port it is `defaultPort`. Port 0 (any free port) only with `listen`. Throws UsageError.
 */
export function parseAddress (text: string, what: string, defaultPort: number, options: { listen?: boolean } = {}): { host: string, port: number } {
  try {
    return parseHostPort(text, defaultPort, options)
  } catch (err) {
    throw err instanceof Bip324Error ? new UsageError(`${what} "${text}": ${err.message}`) : err
  }
}
