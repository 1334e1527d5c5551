// What a peer sends right behind its version packet arrives in the same read as the end of the
// handshake when the server is slow to read. The handshake is still done: the server emits
// 'connection', the connection gets every message before a bad packet, and the bad packet is the
// connection's error, reported as 'clientError' (a flaky net-crash run was a handshake error here).

import { createServer, Protocol } from '../lib'
import { nextEvent, rawClient } from './helpers/net'

test('the end of the handshake, a good message and a bad packet in one read: connection, the message, then ERR_BIP324_BAD_MAC', async () => {
  const server = createServer({}, (connection) => {
    connection.on('data', (m: Uint8Array) => seen.push(`data ${Buffer.from(m).toString()}`))
    connection.on('error', (err: Error & { code?: string }) => seen.push(`error ${err.code} ${connection.sessionId !== null}`))
  })
  const seen: string[] = []
  const handshakeErrors: string[] = []
  server.on('handshakeError', (err: Error & { code?: string }) => handshakeErrors.push(String(err.code)))
  const { port } = await server.listenAsync(0, '127.0.0.1')
  const socket = await rawClient(port)
  const p = new Protocol({ role: 'initiator' })
  const held: Uint8Array[] = []
  socket.on('data', (chunk: Buffer) => {
    const r = p.receive(chunk)
    held.push(...r.send)
    if (p.state !== 'ready') return
    // Our terminator and version packet, a message and a tampered packet: one write, one read.
    const good = p.send(Buffer.from('good'))
    const bad = Uint8Array.from(p.send(Buffer.from('bad')))
    bad[bad.length - 1]! ^= 1
    socket.write(Buffer.concat([...held.splice(0), good, bad]))
  })
  socket.write(p.start())
  // The raw client is half-open: the server's end is the sign it closed the connection.
  await nextEvent(socket, 'end')
  socket.destroy()
  await server.close()
  expect(handshakeErrors).toEqual([])
  expect(seen).toEqual(['data good', 'error ERR_BIP324_BAD_MAC true'])
})
