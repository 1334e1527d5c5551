/** `bip324 headers`: downloads a node's block headers from genesis and checks them. */

import { hashToHex, MAX_HEADERS_RESULTS } from '../messages'
import { genesisTip } from '../peer/header-sync'
import type { Values } from './args'
import { Failure } from './errors'
import { answerOf, connectNode } from './node-session'
import { FAILURE_USAGE, NODE_OPTIONS_USAGE, nodeTargetOf, onePositional, PROXY_USAGE } from './node-target'
import type { Output } from './output'
import { isOperational } from './report'

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

export async function headersCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  const target = nodeTargetOf(values, onePositional(positionals, '<host[:port]>'), 60_000)
  const { network, where, proxy } = target
  const peer = await connectNode(target)
  const started = Date.now()
  let reached = genesisTip(network)
  // A node answers getheaders from the chain it has (Core: its active chain), whose height it
  // announced in its version; the sync refuses headers a round past it (ERR_BIP324_LIMIT).
  const announced = Math.max(peer.startHeight ?? 0, 0)
  const progress = out.progress('headers', Math.max(announced, 1), { lines: true })
  try {
    const rounds = peer.syncHeaders({ timeout: target.timeout })
    for (;;) {
      // A header that does not build on the one before, or lacks its work, ends the download with
      // ERR_BIP324_BAD_PAYLOAD and Core's reason: the node is not on this chain, or is lying.
      const round = await answerOf(peer, target, 'headers', rounds.next())
      if (round.done === true) break
      reached = round.value.tip
      progress.update(reached.height)
    }
  } catch (err) {
    if (!(err instanceof Failure) && isOperational(err) && err.code === 'ERR_BIP324_LIMIT') {
      throw new Failure(`${where} sent headers past height ${(announced + MAX_HEADERS_RESULTS).toLocaleString('en-US')}, a round beyond the height it announced (${announced.toLocaleString('en-US')})`, 'ERR_BIP324_LIMIT')
    }
    throw err
  } finally {
    progress.stop()
    peer.close()
  }
  const { hash: tip, height, work } = reached
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
