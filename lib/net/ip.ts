/**
 * Addresses as the P2P messages carry them: 16 bytes, IPv4 mapped into ::ffff:0:0/96.
 * @see https://developer.bitcoin.org/reference/p2p_networking.html#addr
 */

import * as net from 'node:net'

import { Bip324Error } from '../errors'
import { invalid } from '../checks'

/** '1.2.3.4', '::1' or '::ffff:1.2.3.4' as 16 bytes. */
export function ipToBytes (ip: string): Uint8Array {
  const out = new Uint8Array(16)
  if (net.isIPv4(ip)) {
    out[10] = 0xff
    out[11] = 0xff
    out.set(ip.split('.').map(Number), 12)
    return out
  }
  if (!net.isIPv6(ip)) throw invalid(`not an IP address: "${ip}"`)
  // A dotted tail spells the last 32 bits, whatever the prefix (::ffff:1.2.3.4, 64:ff9b::1.2.3.4).
  if (ip.includes('.')) {
    const at = ip.lastIndexOf(':') + 1
    const [a, b, c, d] = ip.slice(at).split('.').map(Number) as [number, number, number, number]
    return ipToBytes(`${ip.slice(0, at)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`)
  }
  const [head = '', tail = ''] = ip.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : []
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  groups.forEach((g, i) => { out[2 * i] = parseInt(g, 16) >> 8; out[2 * i + 1] = parseInt(g, 16) & 0xff })
  return out
}

/** The inverse: dotted IPv4 for mapped addresses, else IPv6 in full hex groups. */
export function bytesToIp (bytes: Uint8Array): string {
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  if (mapped) return Array.from(bytes.subarray(12)).join('.')
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16))
  return groups.join(':')
}

/** `host` and `port` as "host:port", an IPv6 address in brackets: what parseHostPort reads back. */
export function formatHostPort (host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** "host:port", "[v6]:port" or "host" (then `defaultPort`). Port 0 (any free port) only to listen.
 *  A bad address is ERR_BIP324_INVALID_ARG whose message says what is wrong with it. */
export function parseHostPort (text: string, defaultPort: number, options: { listen?: boolean } = {}): { host: string, port: number } {
  const bad = (why: string): Bip324Error => invalid(why)
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
  if (port !== undefined && !/^\d+$/.test(port)) throw bad(`the port "${port}" is not a number`)
  const n = port === undefined ? defaultPort : Number(port)
  const min = options.listen === true ? 0 : 1
  if (n < min || n > 65535) throw bad(`port ${n} is out of range: ${min} to 65535${min === 0 ? ' (0: any free port)' : ''}`)
  return { host, port: n }
}
