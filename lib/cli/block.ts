/** `bip324 block`: downloads one block with its witnesses from a node and checks it. */

import { bip34Height, type Block, decodeCheckedBlock, hashFromHex, hashToHex, isCoinbase, MAX_HEADERS_RESULTS } from '../messages'
import { NETWORKS, type NetworkName } from '../network'
import type { Peer } from '../peer'
import type { Values } from './args'
import { Failure, UsageError } from './errors'
import { answerOf, connectNode } from './node-session'
import { FAILURE_USAGE, NODE_OPTIONS_USAGE, type NodeTarget, nodeTargetOf, PROXY_USAGE } from './node-target'
import type { Output } from './output'

export const usage = `bip324 block <host[:port]> <hash|height> ${NODE_OPTIONS_USAGE}

Downloads the block of <hash> (hex, as explorers and bitcoin-cli show it), or at <height> of the
node's best chain, with its witness data (getdata MSG_WITNESS_BLOCK), checks that it is that block
(its header's hash), its proof of work within the network's limit, its merkle root and witness
commitment and Core's other context-free block checks, and prints its height, its header and each
transaction's txid and wtxid in block order. A height is found by downloading the headers from
genesis to it (rounds of 2,000, each checked, as headers does); a hash's height is the one its
coinbase carries (BIP 34), where that rule holds. It asks for the block's header first (getheaders
with no locator, which Core answers only for a block in its index): a node that does not have it
ends the command at once (ERR_BIP324_NOT_FOUND), where a getdata would get nothing (Core answers notfound
only for transactions). --timeout (default 60000) bounds the connection, the version handshake,
and each answer. With --json the last line is { "ok": true, "hash", "height", "header",
"transactions": [{ "txid", "wtxid" }], ... } (height null when unknown).

${FAILURE_USAGE}

${PROXY_USAGE}

Exit codes: 0 done; 1 refused, unreachable, timed out, the node does not have the block, or the
block failed its checks (the message says which, with Bitcoin Core's reason); 2 usage error; 3 the
node speaks only v1 (retry with --v1-fallback).`

// The height from which each network's coinbases start with their block's height (Core's
// consensus.BIP34Height, checked by ContextualCheckBlock as "bad-cb-height").
const BIP34_HEIGHT: Record<NetworkName, number> = { mainnet: 227_931, testnet3: 21_111, testnet4: 1, signet: 1, regtest: 1 }

/** The height a block's coinbase carries (BIP 34: the first push of its scriptSig, as Core's
 *  `CScript() << nHeight` writes it), when the block is one BIP 34 binds: version 2 or more, and a
 *  height from the network's BIP34Height on, up to the tip the node announced (a coinbase of an
 *  older block starts with anything). Else undefined. */
function coinbaseHeight (block: Block, network: NetworkName, tip: number): number | undefined {
  const coinbase = block.transactions[0]
  if (block.header.version < 2 || coinbase === undefined || !isCoinbase(coinbase)) return undefined
  const height = bip34Height(block)
  return height !== undefined && height >= BIP34_HEIGHT[network] && height <= tip ? height : undefined
}

/** The hash at `height` of the node's best chain: its headers from genesis, each checked as the
 *  headers command checks them; ERR_BIP324_NOT_FOUND at once if its chain ends below. */
async function hashAtHeight (peer: Peer, target: NodeTarget, height: number, out: Output): Promise<Uint8Array> {
  if (height === 0) return hashFromHex(NETWORKS[target.network].genesis)
  const progress = out.progress(`headers to height ${height.toLocaleString('en-US')}`, Math.max(height, 1), { lines: true })
  let reached = 0
  try {
    const rounds = peer.syncHeaders({ timeout: target.timeout, maxHeight: MAX_HEIGHT })
    for (;;) {
      // Throws ERR_BIP324_BAD_PAYLOAD with Core's reason for a header that does not build on ours.
      const round = await answerOf(peer, target, 'headers', rounds.next())
      if (round.done === true) break
      const { fork, tip, hashes } = round.value
      if (tip.height >= height) {
        await rounds.return()
        return hashes[height - fork.height - 1]!
      }
      reached = tip.height
      progress.update(reached)
    }
  } finally {
    progress.stop()
  }
  throw new Failure(`${target.where}'s best chain ends at height ${reached.toLocaleString('en-US')}, below ${height.toLocaleString('en-US')}`, NOT_FOUND_CODE)
}

/** The code of a block the node does not have: the library's, as Peer.getBlock gives it. */
const NOT_FOUND_CODE = 'ERR_BIP324_NOT_FOUND'

// A height the command takes: Core's int heights, far above any chain's.
const MAX_HEIGHT = 2 ** 31 - 1

export async function blockCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  if (positionals.length !== 2) throw new UsageError(`expected <host[:port]> <hash|height>, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`)
  const [address, which] = positionals as [string, string]
  const asked = /^\d{1,10}$/.test(which) ? Number(which) : undefined
  if (asked === undefined ? !/^[0-9a-fA-F]{64}$/.test(which) : asked > MAX_HEIGHT) throw new UsageError(`<hash|height> "${which}": expected 64 hex digits or a height from 0 to ${MAX_HEIGHT}`)
  const target = nodeTargetOf(values, address, 60_000)
  const { network, where, proxy } = target
  const peer = await connectNode(target)
  let raw: Uint8Array
  let hash: Uint8Array
  try {
    hash = asked === undefined ? hashFromHex(which.toLowerCase()) : await hashAtHeight(peer, target, asked, out)
    const hashHex = hashToHex(hash)
    // Its header first: Core answers a getheaders with no locator with the header of its stop
    // hash, if it has that block in its index, and else with nothing, where a getdata for a block
    // it lacks would wait out --timeout.
    const headers = await answerOf(peer, target, `the header of block ${hashHex}`, peer.getHeaders([], { stop: hash, timeout: target.timeout }))
    if (headers.length === 0) throw new Failure(`${where} does not have block ${hashHex} (it answered no header for it: not in its block index)`, NOT_FOUND_CODE)
    // With its witnesses (MSG_WITNESS_BLOCK). A node that knows the header but not the block (a
    // pruned one) answers the ping after the getdata first: ERR_BIP324_NOT_FOUND.
    raw = await answerOf(peer, target, `block ${hashHex}`, peer.getBlock(hash, { timeout: target.timeout }))
  } finally {
    peer.close()
  }
  // Throws ERR_BIP324_BAD_PAYLOAD with Core's reason (report.ts prints it) for a block that fails.
  const block = decodeCheckedBlock(raw, { network })
  const { header } = block
  const genesis = hashToHex(block.hash) === NETWORKS[network].genesis ? 0 : undefined
  const height = asked ?? genesis ?? coinbaseHeight(block, network, Math.max(peer.startHeight ?? 0, 0) + MAX_HEADERS_RESULTS) ?? null
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
    process.stdout.write(JSON.stringify({ ok: true, peer: where, ...(proxy !== undefined && { proxy }), network, transport: peer.transport, hash: hashToHex(block.hash), height, size: raw.length, header: shown, transactions }) + '\n')
    return 0
  }
  out.say(`block ${hashToHex(block.hash)} from ${where} (${network}) over ${peer.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}`)
  out.say(`  height      ${height === null ? 'unknown (its coinbase carries no BIP 34 height)' : height.toLocaleString('en-US')}`)
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
