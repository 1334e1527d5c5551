/** net.Server.listen as a promise of the bound address, and the events a wrapping server re-emits. */

import type { EventEmitter } from 'node:events'
import type net from 'node:net'

// Servers with a listen() in progress: their error belongs to that promise alone.
const listening = new WeakSet<net.Server>()

/** Re-emits `inner`'s 'listening', 'close' and 'error' on `outer`, except an error that a pending
 *  listen() rejects with: a caller who awaits listen() in try/catch must not also get an 'error'
 *  event that nobody listens to, which would throw. */
export function relay (inner: net.Server, outer: EventEmitter): void {
  inner.on('listening', () => outer.emit('listening'))
  inner.on('close', () => outer.emit('close'))
  inner.on('error', (err) => { if (!listening.has(inner)) outer.emit('error', err) })
}

export function listen (server: net.Server, port: number, host: string): Promise<net.AddressInfo> {
  return new Promise((resolve, reject) => {
    listening.add(server)
    const onError = (err: Error): void => {
      listening.delete(server)
      reject(err)
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      listening.delete(server)
      server.off('error', onError)
      resolve(server.address() as net.AddressInfo)
    })
  })
}
