/** Loopback ports for programs the tests start: one nobody listens on, and whether one is listened on now. */

import fs from 'node:fs'
import net from 'node:net'

/** A port the kernel just handed out and released: free unless someone takes it in between. */
export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

// TCP_LISTEN in the kernel's tcp_states.h, as /proc/net/tcp writes it.
const LISTEN = '0A'

/**
 * Whether a socket of this machine listens on `port`, read from /proc/net/tcp{,6} (Linux): a
 * connection would be a client of the program under test, and a bind of our own could take the
 * port from it.
 */
export function isListening (port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((file) => fs.readFileSync(file, 'utf8').split('\n').slice(1).some((line) => {
    const [, local, , state] = line.trim().split(/\s+/)
    return state === LISTEN && local?.endsWith(`:${hex}`) === true
  }))
}
