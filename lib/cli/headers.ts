/** `bip324 headers`: downloads a node's block headers from genesis and checks them. */

import { blockProof, checkHeaders, hashFromHex, hashToHex, MAX_HEADERS_RESULTS } from '../messages'
import { equal } from '../bytes'
import { NETWORKS, type NetworkName } from '../network'
import { PROTOCOL_VERSION } from '../peer'
import type { Values } from './args'
import { Failure } from './errors'
import { ask, connectNode } from './node-session'
import { FAILURE_USAGE, NODE_OPTIONS_USAGE, nodeTargetOf, onePositional, PROXY_USAGE } from './node-target'
import type { Output } from './output'

export const usage = `bip324 headers <host[:port]> ${NODE_OPTIONS_USAGE}

Downloads every block header of a node's best chain from the network's genesis block, in rounds of
2,000 (getheaders, as Bitcoin Core syncs headers), checks that each builds on the one before and
meets the proof-of-work target its own bits claim (within the network's limit), and prints the
height and hash of the last one and the work the chain proves (Core's chainwork, genesis included).
It does not check that the bits are the difficulty the chain requires (a full node's check, over
whole retarget periods), nor keep the headers: memory stays flat. Each getheaders names the last 10
headers and genesis, so a reorganisation of the node's chain up to 10 deep during the download is
followed. A node that sends headers past a round (2,000) beyond the height it announced is cut off.
A progress bar on a terminal, else a progress line on stderr every 5 seconds. --timeout (default
60000) bounds the connection, the version handshake, and each round.
With --json the last line is { "ok": true, "height", "tip", "work", ... }.

${FAILURE_USAGE}

${PROXY_USAGE}

Exit codes: 0 done; 1 refused, unreachable, timed out, or a header failed its checks (the message
says which); 2 usage error; 3 the node speaks only v1 (retry with --v1-fallback).`

// How many of the last headers the locator names (then genesis), as the dense start of Core's own
// locators (CChain::GetLocator): a reorganisation of the node's chain up to this deep while we
// download is followed from where the chains meet instead of failing.
const LOCATOR_RECENT = 10

// Each network's genesis header's bits (Core's CreateGenesisBlock in kernel/chainparams.cpp): its
// work starts the chainwork, as Core's getblockheader counts it.
const GENESIS_BITS: Record<NetworkName, number> = {
  mainnet: 0x1d00ffff,
  testnet3: 0x1d00ffff,
  testnet4: 0x1d00ffff,
  signet: 0x1e0377ae,
  regtest: 0x207fffff
}

/** A header the download has reached: its hash, height, and the work from genesis to it. */
interface Reached { hash: Uint8Array, height: number, work: bigint }

export async function headersCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  const target = nodeTargetOf(values, onePositional(positionals, '<host[:port]>'), 60_000)
  const { network, where, proxy } = target
  const genesis: Reached = { hash: hashFromHex(NETWORKS[network].genesis), height: 0, work: blockProof(GENESIS_BITS[network]) }
  const peer = await connectNode(target)
  const started = Date.now()
  // The last LOCATOR_RECENT headers reached, oldest first.
  let recent: Reached[] = []
  const tipOf = (): Reached => recent[recent.length - 1] ?? genesis
  // A node answers getheaders from the chain it has (Core: its active chain), whose height it
  // announced in its version; while we download it may find a few more blocks, never a round's
  // worth. Past that it is a node feeding headers without end (each costs only its own target).
  const announced = Math.max(peer.startHeight ?? 0, 0)
  const most = announced + MAX_HEADERS_RESULTS
  const progress = out.progress('headers', Math.max(announced, 1), { lines: true })
  try {
    for (;;) {
      const locator = [...recent].reverse().map((r) => r.hash).concat([genesis.hash])
      const headers = await ask(peer, target, { type: 'getheaders', version: PROTOCOL_VERSION, locator, stopHash: new Uint8Array(32) },
        (m) => m.type === 'headers' && 'headers' in m ? m.headers : undefined, 'headers')
      if (headers.length === 0) break
      // Where the node's chain meets ours: a header of the locator, genesis only while it is one of
      // the last few (else every round could start over from it, and the download never end).
      const candidates = recent.length === tipOf().height ? [genesis, ...recent] : recent
      const fork = candidates.find((r) => equal(r.hash, headers[0]!.prevBlock)) ?? tipOf()
      // A header that does not build on the one before, or lacks its work, ends the download: the
      // node is not on this chain, or is lying (ERR_BIP324_BAD_PAYLOAD with Core's reason).
      const chain = checkHeaders(headers, { network, prevBlock: fork.hash })
      if (fork.height + headers.length > most) {
        throw new Failure(`${where} sent headers past height ${most.toLocaleString('en-US')}, a round beyond the height it announced (${announced.toLocaleString('en-US')})`, 'ERR_BIP324_LIMIT')
      }
      // The round's last few headers join the locator, each with the work up to it: the tip's
      // (checkHeaders' sum on the fork's), less the proof of each header after it.
      const last: Reached[] = []
      let work = fork.work + chain.work
      for (let i = headers.length - 1; i >= Math.max(0, headers.length - LOCATOR_RECENT); i--) {
        last.unshift({ hash: chain.hashes[i]!, height: fork.height + i + 1, work })
        work -= blockProof(headers[i]!.bits)
      }
      recent = [...recent.filter((r) => r.height <= fork.height), ...last].slice(-LOCATOR_RECENT)
      progress.update(tipOf().height)
      // Core sends fewer than MAX_HEADERS_RESULTS only at its tip.
      if (headers.length < MAX_HEADERS_RESULTS) break
    }
  } finally {
    progress.stop()
    peer.close()
  }
  const { hash: tip, height, work } = tipOf()
  // Measured: to the tenth of a second, in text and JSON alike.
  const seconds = Math.round((Date.now() - started) / 100) / 10
  // Core's chainwork of the tip (getblockheader), genesis included, in its 64 hex digits.
  const result = { ok: true, peer: where, ...(proxy !== undefined && { proxy }), network, transport: peer.transport, height, tip: hashToHex(tip), work: work.toString(16).padStart(64, '0'), seconds }
  if (out.json) {
    process.stdout.write(JSON.stringify(result) + '\n')
    return 0
  }
  out.say(`${where} (${network}) over ${peer.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}`)
  out.say(`  height     ${height.toLocaleString('en-US')}`)
  out.say(`  tip        ${result.tip}`)
  out.say(`  work       ${result.work} (chainwork, genesis included, as getblockheader shows it)`)
  out.say(`  checked    each header builds on the one before and meets its own target, ${seconds.toFixed(1)} s`)
  return 0
}
