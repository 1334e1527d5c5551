/** `bip324 block`: downloads one block with its witnesses from a node and checks it. */

import { BLOCK_HEADER_BYTES, blockHash, decodeBlock, encodeBlockHeader, hashFromHex, hashToHex, INVENTORY_TYPE } from '../messages'
import { PROTOCOL_VERSION } from '../peer'
import { equal } from '../protocol/bytes'
import type { Values } from './args'
import { Failure, UsageError } from './errors'
import { ask, askIfKnown, connectNode } from './node-session'
import { FAILURE_USAGE, NODE_OPTIONS_USAGE, nodeTargetOf, PROXY_USAGE } from './node-target'
import type { Output } from './output'

export const usage = `bip324 block <host[:port]> <hash> ${NODE_OPTIONS_USAGE}

Downloads the block of <hash> (hex, as explorers and bitcoin-cli show it) with its witness data
(getdata MSG_WITNESS_BLOCK), checks that it is that block (its header's hash), its proof of work
within the network's limit, its merkle root and witness commitment and Core's other context-free
block checks, and prints its header and each transaction's txid and wtxid in block order. It asks
for the block's header first (getheaders with no locator, which Core answers only for a block in its
index): a node that does not have it ends the command at once (ERR_NOT_FOUND), where a getdata would
get nothing (Core answers notfound only for transactions). --timeout (default 60000) bounds the
connection, the version handshake, and each answer. With --json the last line is { "ok": true,
"hash", "header", "transactions": [{ "txid", "wtxid" }], ... }.

${FAILURE_USAGE}

${PROXY_USAGE}

Exit codes: 0 done; 1 refused, unreachable, timed out, the node does not have the block, or the
block failed its checks (the message says which, with Bitcoin Core's reason); 2 usage error; 3 the node speaks only v1 (retry with
--v1-fallback).`

/** The code of a block the node does not have: ours, as report.ts's ERR_USAGE (the library has
 *  none for it). */
const NOT_FOUND_CODE = 'ERR_NOT_FOUND'

export async function blockCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  if (positionals.length !== 2) throw new UsageError(`expected <host[:port]> <hash>, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`)
  const [address, hashHex] = positionals as [string, string]
  if (!/^[0-9a-fA-F]{64}$/.test(hashHex)) throw new UsageError(`<hash> "${hashHex}": expected 64 hex digits`)
  const target = nodeTargetOf(values, address, 60_000)
  const { network, where, proxy } = target
  const hash = hashFromHex(hashHex.toLowerCase())
  const peer = await connectNode(target)
  let raw: Uint8Array
  try {
    // Its header first: Core answers a getheaders with no locator with the header of its stop
    // hash, if it has that block in its index, and else with nothing, where a getdata for a block
    // it lacks would wait out --timeout.
    const header = await askIfKnown(peer, target, { type: 'getheaders', version: PROTOCOL_VERSION, locator: [], stopHash: hash },
      (m) => m.type === 'headers' && 'headers' in m && m.headers.length === 1 && equal(blockHash(encodeBlockHeader(m.headers[0]!)), hash) ? m.headers[0] : undefined, `the header of block ${hashHex}`)
    if (header === undefined) throw new Failure(`${where} does not have block ${hashHex.toLowerCase()} (it answered no header for it: not in its block index)`, NOT_FOUND_CODE)
    raw = await ask(peer, target, { type: 'getdata', inventory: [{ invType: INVENTORY_TYPE.MSG_WITNESS_BLOCK, hash }] },
      // Another block (an announcement) is not ours: ours is the one whose header hashes to `hash`.
      (m, r) => m.type === 'block' && r.payload.length >= BLOCK_HEADER_BYTES && equal(blockHash(r.payload.subarray(0, BLOCK_HEADER_BYTES)), hash) ? r.payload : undefined, `block ${hashHex}`)
  } finally {
    peer.destroy()
  }
  // Throws ERR_BIP324_BAD_PAYLOAD with Core's reason (report.ts prints it) for a block that fails.
  const block = decodeBlock(raw, { network })
  const { header } = block
  const transactions = block.transactions.map((tx) => ({ txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid) }))
  const shown = {
    version: header.version,
    prevBlock: hashToHex(header.prevBlock),
    merkleRoot: hashToHex(header.merkleRoot),
    time: header.time,
    bits: header.bits.toString(16).padStart(8, '0'),
    nonce: header.nonce
  }
  if (out.json) {
    process.stdout.write(JSON.stringify({ ok: true, peer: where, ...(proxy !== undefined && { proxy }), network, transport: peer.transport, hash: hashToHex(block.hash), size: raw.length, header: shown, transactions }) + '\n')
    return 0
  }
  out.say(`block ${hashToHex(block.hash)} from ${where} (${network}) over ${peer.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}`)
  out.say(`  version     0x${(header.version >>> 0).toString(16)}`)
  out.say(`  previous    ${shown.prevBlock}`)
  out.say(`  merkle root ${shown.merkleRoot} (checked)`)
  out.say(`  time        ${new Date(header.time * 1000).toISOString()}`)
  out.say(`  bits        0x${shown.bits} (proof of work checked)  nonce ${header.nonce}`)
  out.say(`  size        ${raw.length.toLocaleString('en-US')} bytes, ${transactions.length.toLocaleString('en-US')} transactions`)
  out.say('  txid                                                             wtxid')
  for (const t of transactions) out.say(`  ${t.txid} ${t.wtxid}`)
  return 0
}
