/**
 * Addresses on the command line: "host:port", "[v6]:port", "host" or "[v6]" in, and host:port out
 * with IPv6 in brackets, as every command prints it. The CLI parses its addresses itself, not with
 * net/ip's parseHostPort, so that a bad one is refused in words that say what is wrong with it.
 */

import net from 'node:net'

import { UsageError } from './errors'

/** `host` and `port` as a person writes them: [::1]:8333, 127.0.0.1:8333, seed.example.org:8333. */
export function formatAddress (host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

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
  const bad = (why: string): UsageError => new UsageError(`${what} "${text}": ${why}`)
  let host: string
  let port: string | undefined
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(text)
  if (v6 !== null) {
    host = v6[1]!
    port = v6[2]
    if (!net.isIPv6(host)) throw bad('only an IPv6 address goes in brackets')
  } else if (net.isIPv6(text)) {
    throw bad(`an IPv6 address goes in brackets: [${text}] or [${text}]:port`)
  } else {
    const at = text.lastIndexOf(':')
    host = at < 0 ? text : text.slice(0, at)
    port = at < 0 ? undefined : text.slice(at + 1)
    if (host.includes(':')) throw bad('expected host:port, [IPv6]:port or host')
  }
  if (host === '') throw bad('no host')
  if (port === undefined) return { host, port: defaultPort }
  const min = options.listen === true ? 0 : 1
  if (!/^\d+$/.test(port)) throw bad(`the port "${port}" is not a number`)
  const n = Number(port)
  if (n < min || n > 65535) throw bad(`port ${port} is out of range: ${min} to 65535${min === 0 ? ' (0: any free port)' : ''}`)
  return { host, port: n }
}
