/** Catalogue rows for the v1 clients of the proxy: what one may make it hold, and where it may not send it. */

import { createProxy, encodeV1Message, MAX_VERSION_PAYLOAD, type ProxyOptions, V1_HEADER_BYTES } from '../../lib'
import { closed, nextEvent, rawServer } from '../helpers/net'
import { MAGIC, v1Client, versionTo } from '../helpers/v1-client'
import type { Case, Outcome } from './case'

/** A proxy on 127.0.0.1 that one client sends `bytes`: its sessionError's code, or 'still waiting'
 *  2 s later (a proxy that awaits a body it should have refused from the header). */
async function proxyClient (options: ProxyOptions, bytes: Uint8Array): Promise<Outcome> {
  const proxy = createProxy(options)
  const { port } = await proxy.listenAsync(0, '127.0.0.1')
  const failed = nextEvent<[Error & { code: string }]>(proxy, 'sessionError').then(([err]) => err.code)
  const client = await v1Client(port)
  client.socket.on('error', () => {})
  client.socket.write(bytes)
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([failed, new Promise<string>((resolve) => { timer = setTimeout(() => resolve('still waiting'), 2000) })])
  clearTimeout(timer)
  if (code !== 'still waiting') await closed(client.socket)
  client.socket.destroy()
  await proxy[Symbol.asyncDispose]()
  return { code }
}

const NOWHERE = { target: { host: '127.0.0.1', port: 1 } }

export const proxyCases: Case[] = [
  {
    id: 'proxy-first-message-not-version',
    input: 'a v1 client whose first message is a 4,000,000-byte tx (the header and 1 MB of it sent)',
    expected: 'ERR_BIP324_BAD_MESSAGE_TYPE',
    closed: 'the client, from the header: the body is never awaited',
    memory: 'the 24-byte header',
    run: () => proxyClient(NOWHERE, encodeV1Message(MAGIC, 'tx', new Uint8Array(4_000_000)).subarray(0, V1_HEADER_BYTES + 1_000_000))
  },
  {
    id: 'proxy-version-oversized',
    input: `a version header announcing ${MAX_VERSION_PAYLOAD + 1} bytes (one more than the longest version without bytes past relay: what the proxy holds)`,
    expected: 'ERR_BIP324_OVERSIZED',
    closed: 'the client, from the header',
    memory: 'the 24-byte header',
    run: () => proxyClient(NOWHERE, encodeV1Message(MAGIC, 'version', new Uint8Array(MAX_VERSION_PAYLOAD + 1)).subarray(0, V1_HEADER_BYTES))
  },
  {
    id: 'proxy-names-loopback',
    input: 'a version naming 127.0.0.1 (the same for private, link-local, CGNAT and other special-purpose addresses), no allow',
    expected: 'ERR_BIP324_TARGET_REFUSED',
    closed: 'the client; nothing is connected to, nothing sent',
    memory: `one version message (${V1_HEADER_BYTES} + at most ${MAX_VERSION_PAYLOAD} bytes)`,
    run: async () => {
      let reached = 0
      const service = await rawServer((s) => { reached++; s.destroy() })
      const outcome = await proxyClient({}, encodeV1Message(MAGIC, 'version', versionTo('127.0.0.1', service.port)))
      await service.close()
      return reached === 0 ? outcome : { code: `connected ${reached} times` }
    }
  }
]
