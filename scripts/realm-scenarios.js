'use strict'
// What the two bare-realm checks run inside their realm, as source text: test/protocol-portable
// (the bundled core in a vm realm without Node) and scripts/browser-test.js (the core and the wasm
// backend in headless Chromium). Plain JavaScript for any realm: bytes as hex, no Node API. The
// including script defines hex(), toHex() and Initialized before these functions run.

const REALM_SCENARIOS = String.raw`
// One row of BIP-324's packet_encoding_test_vectors.csv through the handshake states, as
// test/protocol-vectors does: whether our hello, terminator, packet and session id are the row's.
function packetVector (r, options) {
  const start = Initialized.create({ ...options, role: r.in_initiating === '1' ? 'initiator' : 'responder', secretKey: hex(r.in_priv_ours), ellswift: hex(r.in_ellswift_ours) })
  const { state, bytes: hello } = start.sendKey(hex(r.in_aad))
  const key = state.receiveKey(hex(r.in_ellswift_theirs))
  const unit = hex(r.in_contents)
  const contents = new Uint8Array(unit.length * Number(r.in_multiply))
  for (let at = 0; at < contents.length; at += unit.length) contents.set(unit, at)
  let packet
  let sent
  if (r.in_idx === '0') {
    sent = key.state.sendVersion({ version: contents })
    packet = sent.bytes.subarray(16)
  } else {
    sent = key.state.sendVersion()
    for (let i = 1; i < Number(r.in_idx); i++) sent.state.outbound.encrypt(new Uint8Array(0))
    packet = sent.state.outbound.encrypt(contents, r.in_ignore === '1' ? 'decoy' : 'genuine')
  }
  return {
    hello: toHex(hello) === r.in_ellswift_ours + r.in_aad,
    terminator: toHex(sent.bytes.subarray(0, 16)) === r.mid_send_garbage_terminator,
    packet: r.out_ciphertext !== '' ? toHex(packet) === r.out_ciphertext : toHex(packet.subarray(packet.length - 128)) === r.out_ciphertext_endswith,
    sessionId: toHex(sent.state.sessionId) === r.out_session_id
  }
}

// Initiator a and responder b, their bytes carried both ways for four rounds; after the second,
// late() gives the messages a sends b and b sends a. What each received (as show() writes it)
// and the events, in order.
function exchange (a, b, show, late) {
  b.start()
  const toB = [a.start()]
  const toA = []
  const got = { a: [], b: [], events: [] }
  for (let round = 0; round < 4; round++) {
    for (const chunk of toB.splice(0)) {
      const r = b.receive(chunk)
      toA.push(...r.send); got.b.push(...r.messages.map(show)); got.events.push(...r.events.map((e) => 'b:' + e.type))
      if (r.error) throw r.error
    }
    for (const chunk of toA.splice(0)) {
      const r = a.receive(chunk)
      toB.push(...r.send); got.a.push(...r.messages.map(show)); got.events.push(...r.events.map((e) => 'a:' + e.type))
      if (r.error) throw r.error
    }
    if (round === 1) {
      const [forB, forA] = late()
      for (const m of forB) toB.push(a.send(m))
      for (const m of forA) toA.push(b.send(m))
    }
  }
  return got
}
`

module.exports = { REALM_SCENARIOS }
