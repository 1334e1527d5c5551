/** Runs the BIP-324 handshake over a socket the caller already has. */

import type { Socket } from 'node:net'

import type { Role } from '../protocol/constants'
import { checkConnectionOptions, settingsOf } from './options'
import { Bip324Socket, type ConnectionOptions, type Mode, settled } from './socket'

export interface WrapOptions<M extends Mode = Mode> extends ConnectionOptions<M> {
  role: Role
}

/** Runs the handshake over a socket you already have (connected or connecting); resolves once it
 *  is complete, rejects with the connection's error. A v1 peer (as responder) is
 *  ERR_BIP324_V1_PEER: use createServer({ v1: 'fallback' }) to serve both. */
export async function wrap<M extends Mode = 'raw'> (socket: Socket, options: WrapOptions<M>): Promise<Bip324Socket<M>> {
  checkConnectionOptions(options)
  const { role, ...rest } = options
  const connection = new Bip324Socket<M>(socket, settingsOf(rest, role))
  // No v1 fallback here: the connection either completes its handshake or fails.
  await settled(connection)
  return connection
}
