// Every option is checked when the entry point is called, with ERR_BIP324_INVALID_ARG, and the
// options that would make every handshake alike are refused at the network entry points.

import net from 'node:net'

import { connect, connectAsync, createProxy, createServer, wrap } from '../lib'

const INVALID = expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' })

// Options no connection may take, each with what is wrong with it.
const bad: Array<[string, Record<string, unknown>]> = [
  ['a network name in the wrong case', { network: 'Mainnet' }],
  ['a network named after an Object method', { network: 'toString' }],
  ['a custom magic of 3 bytes', { network: { magic: new Uint8Array(3) } }],
  ['mode "message"', { mode: 'message' }],
  ['a negative handshakeTimeout', { handshakeTimeout: -1 }],
  ['a fractional idleTimeout', { idleTimeout: 1.5 }],
  ['a negative idleTimeout', { idleTimeout: -5 }],
  ['a timeout past setTimeout\'s range', { handshakeTimeout: 2 ** 31 }],
  ['maxReceiveBuffer 0', { maxReceiveBuffer: 0 }],
  ['maxSendBuffer as a string', { maxSendBuffer: '1000' }],
  ['allowHalfOpen as a string', { allowHalfOpen: 'yes' }],
  ['a signal that is not an AbortSignal', { signal: {} }],
  ['maxContents over 2^24 - 1', { maxContents: 2 ** 24 }],
  ['garbageLength 4096', { garbageLength: 4096 }],
  ['a negative decoy length', { decoys: [-1] }],
  ['a version that is not bytes', { version: 'v' }],
  ['an unknown backend', { backend: 'rust' }],
  ['a provider the backend does not have', { backend: 'native', provider: 'boringssl' }],
  ['rng (one random stream for every connection)', { rng: () => new Uint8Array(32) }],
  ['secretKey (one key for every connection)', { secretKey: new Uint8Array(32).fill(1) }],
  ['ellswift', { ellswift: new Uint8Array(64) }]
]

describe('createServer', () => {
  test.each(bad)('refuses %s', (_what, options) => {
    expect(() => createServer(options)).toThrow(INVALID)
  })

  test.each([
    ['v1 "accept"', { v1: 'accept' }],
    ['maxConnections 0', { maxConnections: 0 }],
    ['maxHandshakes 1.5', { maxHandshakes: 1.5 }]
  ])('refuses %s', (_what, options) => {
    expect(() => createServer(options as never)).toThrow(INVALID)
  })

  test('takes every option at its edge', () => {
    const server = createServer({ network: 'regtest', mode: 'messages', handshakeTimeout: 0, idleTimeout: 0, maxReceiveBuffer: 1, maxSendBuffer: 1, maxContents: 0, garbageLength: 4095, decoys: [0], v1: 'fallback', maxConnections: 1, maxHandshakes: 1 })
    expect(server.address()).toBeNull()
  })
})

describe('connect', () => {
  // As net.connect does with a bad argument: connect() throws at once, connectAsync() rejects.
  test.each(bad)('refuses %s before opening a socket', async (_what, options) => {
    const spy = jest.spyOn(net, 'connect')
    expect(() => connect({ port: 8333, ...options } as never)).toThrow(INVALID)
    await expect(connectAsync({ port: 8333, ...options } as never)).rejects.toEqual(INVALID)
    expect(spy).not.toHaveBeenCalled()
    spy.mockRestore()
  })

  test.each([
    ['no port with a custom network (no default port)', { network: { magic: Uint8Array.of(1, 2, 3, 4) } }],
    ['port 0', { port: 0 }],
    ['port 65536', { port: 65536 }],
    ['an empty host', { port: 8333, host: '' }],
    ['v1Fallback as a string', { port: 8333, v1Fallback: 'true' }],
    ['socks as a string', { port: 8333, socks: '127.0.0.1:9050' }],
    ['socks without a port', { port: 8333, socks: { host: '127.0.0.1' } }],
    ['socks with port 0', { port: 8333, socks: { host: '127.0.0.1', port: 0 } }],
    ['socks with an empty host', { port: 8333, socks: { host: '', port: 9050 } }],
    ['a socks username without a password', { port: 8333, socks: { host: '127.0.0.1', port: 9050, username: 'a' } }],
    ['an empty socks password', { port: 8333, socks: { host: '127.0.0.1', port: 9050, username: 'a', password: '' } }],
    ['a socks username of 256 bytes (RFC 1929: 255)', { port: 8333, socks: { host: '127.0.0.1', port: 9050, username: 'a'.repeat(256), password: 'b' } }],
    ['socks isolate with credentials of its own', { port: 8333, socks: { host: '127.0.0.1', port: 9050, username: 'a', password: 'b', isolate: true } }],
    ['socks isolate as a string', { port: 8333, socks: { host: '127.0.0.1', port: 9050, isolate: 'yes' } }],
    ['a host name of 256 bytes through socks', { port: 8333, host: 'a'.repeat(252) + '.onion', socks: { host: '127.0.0.1', port: 9050 } }],
    ['a non-ASCII host name through socks', { port: 8333, host: 'bücher.example', socks: { host: '127.0.0.1', port: 9050 } }]
  ])('refuses %s', async (_what, options) => {
    expect(() => connect(options as never)).toThrow(INVALID)
    await expect(connectAsync(options as never)).rejects.toEqual(INVALID)
  })
})

describe('wrap', () => {
  test.each(bad)('refuses %s', async (_what, options) => {
    await expect(wrap(new net.Socket(), { role: 'initiator', ...options } as never)).rejects.toEqual(INVALID)
  })
})

describe('createProxy', () => {
  test.each(bad.filter(([, o]) => !('mode' in o)))('refuses %s', (_what, options) => {
    expect(() => createProxy({ target: { host: '127.0.0.1', port: 8333 }, ...options } as never)).toThrow(INVALID)
  })
})
