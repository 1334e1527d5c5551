/**
 * What answers on a port that is not a Bitcoin node: a short plain TCP connection of our own reads
 * the first bytes the server sends, or answers to what looks like our key, and names the common
 * services from them (HTTP, TLS, SSH, a text banner). The transport's errors say only that the
 * handshake failed (no terminator, a close), not what arrived: this is how a command can say "an
 * HTTP server answered" where it would say "another network".
 */

import crypto from 'node:crypto'
import net from 'node:net'

// Enough for a status line or a banner; a server that sends more is cut off there.
const ENOUGH = 512
// 64 bytes as our key is (random), then a blank line: a line-based server (HTTP) answers a
// request it cannot parse at once, where our key alone may hold no line end for it to act on.
const NUDGE_LINE = '\r\n\r\n'

/** The bytes `host:port` sends within `ms` (at most 512) of a connection on which we send 64
 *  random bytes and a blank line; empty when it sends nothing or cannot be reached. */
export function firstBytes (host: string, port: number, ms: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let length = 0
    const socket = net.connect({ host, port })
    const done = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(new Uint8Array(Buffer.concat(chunks).subarray(0, ENOUGH)))
    }
    const timer = setTimeout(done, ms)
    socket.on('connect', () => { socket.end(Buffer.concat([crypto.randomBytes(64), Buffer.from(NUDGE_LINE)])) })
    socket.on('data', (b: Buffer) => {
      chunks.push(b)
      length += b.length
      if (length >= ENOUGH) done()
    })
    // A reset after an answer (ours unread at its close) ends the reading like a close.
    socket.on('error', done)
    socket.on('close', done)
  })
}

// The first line of `bytes` if it is printable ASCII text (a status line, a banner), cut at 80.
function firstLine (bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('latin1')
  const line = /^[\x20-\x7e]{3,}(?=\r?\n|$)/.exec(text)?.[0]
  return line === undefined ? undefined : line.length > 80 ? `${line.slice(0, 80)}...` : line
}

/** Who sent `bytes` (firstBytes), in words: "an HTTP server (\"HTTP/1.1 400 Bad Request\")"; or
 *  undefined when they name nothing we know. */
export function serviceOf (bytes: Uint8Array): string | undefined {
  // A TLS record: a handshake (0x16) or an alert (0x15), protocol version 3.x.
  if (bytes.length >= 3 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03 && bytes[2]! <= 0x04) {
    return `a TLS server (it sent ${bytes[0] === 0x15 ? 'an alert' : 'a handshake'} record)`
  }
  const line = firstLine(bytes)
  if (line === undefined) return undefined
  if (line.startsWith('HTTP/')) return `an HTTP server ("${line}")`
  if (line.startsWith('SSH-')) return `an SSH server ("${line}")`
  // SMTP, FTP, POP3, IMAP, Redis... a server that speaks in lines of text.
  return `a server that speaks text ("${line}")`
}
