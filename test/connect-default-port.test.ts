// connect(), connectPeer() and probe() without a port go to the network's default port (issue 28
// item 14), as the CLI already does: NETWORKS' port of the named network, mainnet's when none is
// named; a custom { magic } network names no port, so it needs one. net.connect is watched, not
// replaced: the connection really goes to 127.0.0.1 at that port, and whatever answers (most
// likely nobody) does not matter.

import net from 'node:net'

import { connect, connectAsync, connectPeer, defaultPortOf, NETWORKS, type NetworkName, probe } from '../lib'

const ports: number[] = []
let spy: jest.SpyInstance
beforeEach(() => {
  ports.length = 0
  // net.connect() is new Socket().connect(options): the prototype is where every caller meets it.
  const real = net.Socket.prototype.connect as (this: net.Socket, ...a: unknown[]) => net.Socket
  spy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0]
    ports.push((first as { port: number }).port)
    return real.apply(this, args)
  } as typeof net.Socket.prototype.connect)
})
afterEach(() => spy.mockRestore())

test('defaultPortOf: each named network\'s port, mainnet\'s for none, none for a custom magic', () => {
  for (const name of Object.keys(NETWORKS) as NetworkName[]) expect(defaultPortOf(name)).toBe(NETWORKS[name].port)
  expect(defaultPortOf(undefined)).toBe(8333)
  expect(defaultPortOf({ magic: Uint8Array.of(1, 2, 3, 4) })).toBeUndefined()
})

test.each(['regtest', 'signet', undefined] as const)('connect() and connectPeer() with no port, network %s: the network\'s default port', async (network) => {
  const options = { host: '127.0.0.1', ...(network !== undefined && { network }) }
  const conn = connect(options)
  conn.on('error', () => {})
  const peer = connectPeer(options)
  peer.on('error', () => {})
  const expected = network === undefined ? 8333 : NETWORKS[network].port
  expect(ports).toEqual([expected, expected])
  conn.destroy()
  peer.destroy()
  await expect(probe({ ...options, timeout: 2_000 })).rejects.toBeDefined()
  expect(ports).toEqual([expected, expected, expected])
})

test('a custom network without a port is ERR_BIP324_INVALID_ARG, and nothing is connected', async () => {
  const custom = { host: '127.0.0.1', network: { magic: Uint8Array.of(1, 2, 3, 4) } }
  expect(() => connect(custom)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG', message: expect.stringMatching(/port/) }))
  expect(() => connectPeer(custom)).toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
  await expect(connectAsync(custom)).rejects.toMatchObject({ code: 'ERR_BIP324_INVALID_ARG' })
  expect(ports).toEqual([])
})
