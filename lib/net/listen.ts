/** net.Server.listen as a promise of the bound address, failing on the error listen emits. */

import type net from 'node:net'

export function listen (server: net.Server, port: number, host: string): Promise<net.AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server.address() as net.AddressInfo)
    })
  })
}
