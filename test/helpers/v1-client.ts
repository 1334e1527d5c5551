/** A v1 (plaintext) client for the proxy tests: sends frames, collects the frames it gets back
 *  (checksums verified by the reader), and writes the version message that names its peer. */

import net from 'node:net'

import { magicOf } from '../../lib'
import { encodePayload, encodeV1Message, V1MessageReader } from '../../lib/messages'
import { ipToBytes } from '../../lib/net/ip'
import { nextEvent } from './net'

export const MAGIC = magicOf('mainnet')

export interface V1Client {
  socket: net.Socket
  send: (type: string, payload: Uint8Array) => void
  next: (n: number) => Promise<Array<{ type: string, payload: Uint8Array }>>
}

export async function v1Client (port: number): Promise<V1Client> {
  const socket = net.connect({ port, host: '127.0.0.1' })
  await nextEvent(socket, 'connect')
  const reader = new V1MessageReader(MAGIC)
  const got: Array<{ type: string, payload: Uint8Array }> = []
  let wake = (): void => {}
  socket.on('data', (chunk: Buffer) => {
    const r = reader.push(chunk)
    if (r.error !== undefined) throw r.error
    got.push(...r.messages)
    wake()
  })
  return {
    socket,
    send: (type, payload) => { socket.write(encodeV1Message(MAGIC, type, payload)) },
    next: async (n) => {
      while (got.length < n) await new Promise<void>((resolve) => { wake = resolve })
      return got.splice(0, n)
    }
  }
}

/** A version payload whose receiver (the peer the client believes it talks to) is ip:port. */
export function versionTo (ip: string, port: number, userAgent = '/v1-only-wallet:1.0/'): Uint8Array {
  const none = { services: 0n, ip: new Uint8Array(16), port: 0 }
  return encodePayload({
    type: 'version', version: 70016, services: 0n, timestamp: 1_700_000_000n,
    receiver: { services: 0n, ip: ipToBytes(ip), port },
    sender: none, nonce: 7n, userAgent, startHeight: 0, relay: false
  })
}
