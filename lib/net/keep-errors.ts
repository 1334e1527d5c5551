/**
 * The one rule for a socket handed over to the application (a v1 peer's, the server's 'v1' event or
 * connect()'s v1 retry): no error the peer causes may be thrown before the application could listen.
 */

import type { Socket } from 'node:net'

function ignore (): void {}

/** @internal For a socket handed over to the application (a v1 peer's): no error the peer causes
 *  (a reset) may be thrown before the application could have listened, which may be ticks later;
 *  so an error listener of ours stays on it, that does nothing: the application's own listeners
 *  still get every error, and the socket still closes (node:net destroys it on error). */
export function keepErrors (socket: Socket): void {
  socket.on('error', ignore)
}
