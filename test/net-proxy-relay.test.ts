// The proxy is not an open relay: what a v1 client may make it hold, where it may send it, and how
// many clients it serves at once. Every connection here is to 127.0.0.1.


import { encodeV1Message, MAX_VERSION_PAYLOAD, V1_HEADER_BYTES } from '../lib/messages'
import { createProxy, type ProxyOptions } from '../lib/net/proxy'
import { NODE_USER_AGENT, v2Node } from './helpers/fake-node'
import { closed, nextEvent } from './helpers/net'
import { MAGIC, v1Client, versionTo } from './helpers/v1-client'

type Failure = [Error & { code?: string }, string]

/** Resolves with what `promise` gives, or rejects after `ms` naming what did not happen. */
function within<T> (ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms) })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** A proxy on 127.0.0.1 with `options`; `stop` closes it. */
async function proxyWith (options: ProxyOptions): Promise<{ proxy: ReturnType<typeof createProxy>, port: number }> {
  const proxy = createProxy(options)
  const { port } = await proxy.listen(0, '127.0.0.1')
  return { proxy, port }
}

describe('a client waiting for its session holds at most one version message', () => {
  test('a first message other than version is refused from its header: 1 MB of a 4 MB tx is not awaited', async () => {
    const node = await v2Node()
    const { proxy, port } = await proxyWith({ target: { host: '127.0.0.1', port: node.port } })
    const failed = nextEvent<Failure>(proxy, 'sessionError')
    const client = await v1Client(port)
    client.socket.on('error', () => {})
    const tx = encodeV1Message(MAGIC, 'tx', new Uint8Array(4_000_000))
    client.socket.write(tx.subarray(0, V1_HEADER_BYTES + 1_000_000))
    const [err] = await within(2000, 'sessionError', failed)
    expect(err).toMatchObject({ code: 'ERR_BIP324_BAD_MESSAGE_TYPE' })
    await closed(client.socket)
    expect(node.sessions).toHaveLength(0)
    await proxy.close()
    await node.close()
  })

  test('a version header announcing one byte more than the longest version is refused before its body', async () => {
    const { proxy, port } = await proxyWith({ target: { host: '127.0.0.1', port: 1 } })
    const failed = nextEvent<Failure>(proxy, 'sessionError')
    const client = await v1Client(port)
    client.socket.write(encodeV1Message(MAGIC, 'version', new Uint8Array(MAX_VERSION_PAYLOAD + 1)).subarray(0, V1_HEADER_BYTES))
    const [err] = await within(2000, 'sessionError', failed)
    expect(err).toMatchObject({ code: 'ERR_BIP324_OVERSIZED' })
    await closed(client.socket)
    await proxy.close()
  })

  test('the longest version (a 256-byte user agent and the relay byte) still opens a session', async () => {
    const node = await v2Node()
    const { proxy, port } = await proxyWith({ target: { host: '127.0.0.1', port: node.port } })
    const longest = versionTo('127.0.0.1', node.port, 'u'.repeat(256))
    expect(longest).toHaveLength(MAX_VERSION_PAYLOAD)
    const client = await v1Client(port)
    client.send('version', longest)
    const [version] = await client.next(2)
    expect(Buffer.from(version!.payload).includes(NODE_USER_AGENT)).toBe(true)
    client.socket.destroy()
    await proxy.close()
    await node.close()
  })
})
