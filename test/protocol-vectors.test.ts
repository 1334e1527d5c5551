// BIP-324's packet vectors through the handshake states, on every backend and provider: our key and
// garbage on the wire, the terminator we send and the one we find, the session id, and the vector's
// packet as the (in_idx + 1)th packet we send.

import crypto from 'node:crypto'

import { Initialized } from '../lib'
import { variants } from './helpers/backends'
import { hex, toHex } from './helpers/bytes'
import { readCsv } from './helpers/vectors'

const rows = readCsv('packet_encoding_test_vectors.csv').map((r, i) => ({ ...r, row: i + 1 })) as
  Array<Record<string, string> & { row: number }>

function contentsOf (r: Record<string, string>): Uint8Array {
  return Buffer.from(r.in_contents!.repeat(Number(r.in_multiply)), 'hex')
}

describe.each(variants)('$name', ({ backend, provider }) => {
  test.each(rows)('row $row', (r) => {
    const role = r.in_initiating === '1' ? 'initiator' : 'responder'
    const start = Initialized.create({ role, backend, provider, secretKey: hex(r.in_priv_ours!), ellswift: hex(r.in_ellswift_ours!) })
    // The first packet's AAD is our garbage: only row 3 (in_idx 0) has any.
    const garbage = hex(r.in_aad!)
    expect(garbage.length === 0 || r.in_idx === '0').toBe(true)
    const { state: sentKey, bytes: hello } = start.sendKey(garbage)
    expect(toHex(hello)).toBe(r.in_ellswift_ours! + r.in_aad!)

    const contents = contentsOf(r)
    const ignore = r.in_ignore === '1'
    const key = sentKey.receiveKey(hex(r.in_ellswift_theirs!))
    if (key.kind !== 'keyReceived') throw new Error('a 64-byte key did not complete the key')
    expect(key.consumed).toBe(64)
    const receivedKey = key.state
    let packet: Uint8Array
    let sentVersion
    if (r.in_idx === '0') {
      const sent = receivedKey.sendVersion({ version: contents })
      sentVersion = sent.state
      expect(toHex(sent.bytes.subarray(0, 16))).toBe(r.mid_send_garbage_terminator)
      packet = sent.bytes.subarray(16)
    } else {
      // Our (empty) version packet is packet 0; then empty packets up to in_idx.
      const sent = receivedKey.sendVersion()
      sentVersion = sent.state
      expect(toHex(sent.bytes.subarray(0, 16))).toBe(r.mid_send_garbage_terminator)
      expect(sent.bytes.length).toBe(16 + 20)
      for (let i = 1; i < Number(r.in_idx); i++) sentVersion.outbound.encrypt(new Uint8Array(0))
      packet = sentVersion.outbound.encrypt(contents, ignore ? 'decoy' : 'genuine')
    }
    if (r.out_ciphertext !== '') expect(toHex(packet)).toBe(r.out_ciphertext)
    else expect(toHex(packet.subarray(packet.length - 128))).toBe(r.out_ciphertext_endswith)
    expect(toHex(sentVersion.sessionId)).toBe(r.out_session_id)

    const theirGarbage = crypto.randomBytes(r.row * 100)
    const found = sentVersion.receiveGarbage(Buffer.concat([theirGarbage, hex(r.mid_recv_garbage_terminator!), crypto.randomBytes(5)]))
    expect(found.kind).toBe('garbageFound')
    expect(found.kind === 'garbageFound' && found.consumed).toBe(theirGarbage.length + 16)
    expect(found.kind === 'garbageFound' && toHex(found.state.peerGarbage)).toBe(theirGarbage.toString('hex'))
  })
})

test('an ellswift encoding of another key is refused', () => {
  const [r] = rows
  expect(() => Initialized.create({ role: 'initiator', secretKey: hex(r!.in_priv_ours!), ellswift: hex(r!.in_ellswift_theirs!) }))
    .toThrow(expect.objectContaining({ code: 'ERR_BIP324_INVALID_ARG' }))
})

test('a spent state refuses a second use', () => {
  const start = Initialized.create({ role: 'initiator' })
  start.sendKey()
  expect(() => start.sendKey()).toThrow(expect.objectContaining({ code: 'ERR_BIP324_STATE_SPENT' }))
})
