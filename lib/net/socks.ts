/**
 * Outbound connections through a SOCKS5 proxy (RFC 1928), such as Tor's: the destination's name
 * goes to the proxy unresolved (ATYP domain name), so `.onion` addresses work and no DNS query
 * leaves this host; an IP address goes as one. The SOCKS exchange itself is the `socks` package's
 * (SocksClient, over a TCP socket of ours, so noDelay, allowHalfOpen and our listeners stay as
 * they are). What this file adds is Bitcoin Core's: its option checks, its stream isolation
 * (-proxyrandomize: fresh RFC 1929 credentials per connection, which Tor's IsolateSOCKSAuth puts
 * on a circuit of their own), and its words for each way the proxy can say no.
 * @see https://github.com/bitcoin/bitcoin/blob/master/src/netbase.cpp (Socks5, Socks5ErrorString)
 */

import { randomBytes } from 'node:crypto'
import { isIP, type Socket } from 'node:net'
import { inspect } from 'node:util'

import { SocksClient } from 'socks'

import { Bip324Error } from '../errors'
import { invalid } from '../checks'
import { formatHostPort } from './ip'

/** A SOCKS5 proxy for connect(): `{ host: '127.0.0.1', port: 9050 }` is Tor's (Tor Browser: 9150). */
export interface SocksProxy {
  host: string
  port: number
  /** RFC 1929 credentials, 1 to 255 bytes each; give both or neither. */
  username?: string
  password?: string
  /** Fresh random credentials for each connection, so that Tor puts each on a circuit of its own
   *  (Bitcoin Core's -proxyrandomize). Default: true unless username and password are given; a
   *  proxy without authentication simply picks "no authentication". */
  isolate?: boolean
}

/** A connection's destination: what the proxy is asked to CONNECT to. */
export interface Destination {
  host: string
  port: number
}

// RFC 1928's reply codes and Tor's onion-service codes, in Bitcoin Core's words
// (netbase.cpp, Socks5ErrorString; Tor's: https://spec.torproject.org/socks-extensions.html).
const REPLIES: Readonly<Record<number, string>> = {
  0x01: 'general failure',
  0x02: 'connection not allowed',
  0x03: 'network unreachable',
  0x04: 'host unreachable',
  0x05: 'connection refused',
  0x06: 'TTL expired',
  0x07: 'protocol error',
  0x08: 'address type not supported',
  0xf0: 'onion service descriptor can not be found',
  0xf1: 'onion service descriptor is invalid',
  0xf2: 'onion service introduction failed',
  0xf3: 'onion service rendezvous failed',
  0xf4: 'onion service missing client authorization',
  0xf5: 'onion service wrong client authorization',
  0xf6: 'onion service invalid address',
  0xf7: 'onion service introduction timed out'
}

const byte = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`
// host:port as messages write it, an IPv6 address in brackets.

/** What a SOCKS5 reply code means, as Bitcoin Core says it. */
export function socks5ErrorString (reply: number): string {
  return REPLIES[reply] ?? `unknown (${byte(reply)})`
}

// RFC 1928's method numbers, and RFC 1929's limit on each credential.
const NO_AUTH = 0x00
const USER_PASS = 0x02
const NO_ACCEPTABLE = 0xff
const MAX_CREDENTIAL = 255


function checkCredential (value: unknown, name: string): void {
  if (typeof value !== 'string' || Buffer.byteLength(value) < 1 || Buffer.byteLength(value) > MAX_CREDENTIAL) {
    throw invalid(`socks.${name} must be a string of 1 to ${MAX_CREDENTIAL} bytes (RFC 1929), got ${inspect(value)}`)
  }
}

/** Throws ERR_BIP324_INVALID_ARG unless `socks` is a proxy connect() can use to reach `host`. */
export function checkSocksOptions (socks: unknown, host: string): void {
  if (socks === null || typeof socks !== 'object') throw invalid(`socks must be { host, port[, username, password][, isolate] }, got ${inspect(socks)}`)
  const { host: proxyHost, port, username, password, isolate } = socks as Partial<SocksProxy>
  if (typeof proxyHost !== 'string' || proxyHost === '') throw invalid(`socks.host must be a non-empty string, got ${inspect(proxyHost)}`)
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) throw invalid(`socks.port must be an integer from 1 to 65535, got ${inspect(port)}`)
  if (isolate !== undefined && typeof isolate !== 'boolean') throw invalid(`socks.isolate must be a boolean, got ${inspect(isolate)}`)
  if ((username === undefined) !== (password === undefined)) throw invalid('socks.username and socks.password go together')
  if (username !== undefined) {
    checkCredential(username, 'username')
    checkCredential(password, 'password')
    if (isolate === true) throw invalid('socks.isolate draws credentials of its own: it cannot be combined with socks.username and socks.password')
  }
  // The request carries the name as a length byte and its bytes (RFC 1928 section 5); the socks
  // package writes its length in characters, so only ASCII is exact.
  if (isIP(host) === 0 && (host.length > 255 || !/^[\x21-\x7e]+$/.test(host))) {
    throw invalid(`through a SOCKS5 proxy, host must be an IP address or a name of 1 to 255 printable ASCII characters (punycode for others), got ${inspect(host)}`)
  }
}

// The credentials one connection offers: the caller's, fresh random ones (isolation), or none.
function credentials (socks: SocksProxy): { userId: string, password: string } | undefined {
  const { username, password, isolate = username === undefined } = socks
  if (username !== undefined && password !== undefined) return { userId: username, password }
  if (!isolate) return undefined
  // Bitcoin Core uses one counter value for both; random values cannot collide across processes.
  const token = randomBytes(16).toString('hex')
  return { userId: token, password: token }
}

// The proxy's answers, as far as they tell what went wrong: the method it chose (2 bytes), the
// authentication status when it chose username/password (2), then the CONNECT reply's version and
// code (2 of its 10 or more).
const ANSWER_BYTES = 6

// Bitcoin Core's verdict on the proxy's first answers (netbase.cpp, Socks5): what it refused, or
// where it stopped answering (`silent`); undefined when they were all as expected and the failure
// came later (a reply cut short or malformed).
function verdict (answer: Uint8Array, to: string, offered: boolean): { message: string, silent?: true, reply?: number } | undefined {
  if (answer.length < 2) return { message: 'no answer to our greeting', silent: true }
  if (answer[0] !== 5) return { message: `not a SOCKS5 proxy: its answer starts with ${byte(answer[0]!)} (proxy failed to initialize)` }
  const method = answer[1]!
  if (method === NO_ACCEPTABLE) return { message: `accepts none of our authentication methods (we offered none${offered ? ' and username/password' : ''})` }
  if (method !== NO_AUTH && !(method === USER_PASS && offered)) return { message: `proxy requested wrong authentication method ${byte(method)}` }
  let at = 2
  if (method === USER_PASS) {
    if (answer.length < 4) return { message: 'no answer to our credentials', silent: true }
    if (answer[3] !== 0) return { message: 'proxy authentication unsuccessful' }
    at = 4
  }
  if (answer.length < at + 2) return { message: `no answer to our request for ${to}`, silent: true }
  if (answer[at] !== 5) return { message: 'its reply is not SOCKS5 (proxy failed to accept request)' }
  const reply = answer[at + 1]!
  if (reply !== 0) return { message: `could not connect to ${to}: ${socks5ErrorString(reply)}`, reply }
  return undefined
}

/**
 * Asks the proxy, over `socket` (connected to it), to CONNECT to `to`; resolves once the tunnel is
 * up, when the socket's next bytes are the destination's. A refusal of any kind rejects with
 * ERR_BIP324_SOCKS (`socksReply`: the reply code when the proxy sent one); an error of the socket
 * itself (ECONNRESET...) rejects with that error, unchanged. Either way the socket is destroyed.
 * The SOCKS client's own deadline is `timeout` ms (the caller's, normally shorter, decides first).
 */
export function negotiate (socket: Socket, socks: SocksProxy, to: Destination, timeout: number): Promise<void> {
  const where = formatHostPort(to.host, to.port)
  const auth = credentials(socks)
  return new Promise((resolve, reject) => {
    let answer = Buffer.alloc(0)
    let settled = false
    const finish = (err?: Error): void => {
      if (settled) return
      settled = true
      socket.off('data', tap)
      socket.off('error', finish)
      socket.off('end', onEnd)
      if (err === undefined) { resolve(); return }
      socket.destroy()
      reject(err)
    }
    // Ours come first: they see what SocksClient is about to read.
    const tap = (chunk: Buffer): void => {
      if (answer.length < ANSWER_BYTES) answer = Buffer.concat([answer, chunk.subarray(0, ANSWER_BYTES - answer.length)])
    }
    // SocksClient waits for 'close', which a half-open socket does not emit at the proxy's end.
    const onEnd = (): void => { finish(refusal(new Error('the proxy closed the connection'))) }
    const refusal = (cause: Error): Bip324Error => {
      const v = verdict(answer, where, auth !== undefined) ?? { message: 'its reply was cut short or malformed', silent: true }
      const message = `SOCKS5 proxy ${formatHostPort(socks.host, socks.port)}: ${v.message}${v.silent === true ? ` (${cause.message})` : ''}`
      return new Bip324Error('ERR_BIP324_SOCKS', message, { cause, ...(v.reply !== undefined && { socksReply: v.reply }) })
    }
    socket.on('data', tap)
    socket.once('error', finish)
    socket.once('end', onEnd)
    SocksClient.createConnection({
      command: 'connect',
      destination: to,
      proxy: { host: socks.host, port: socks.port, type: 5, ...auth },
      existing_socket: socket,
      timeout
    }).then(() => { finish() }, (err: Error) => { finish(refusal(err)) })
  })
}
