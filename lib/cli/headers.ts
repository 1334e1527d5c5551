/** `bip324 headers`: downloads a node's block headers from genesis and checks them. */

import { checkHeaders, hashFromHex, hashToHex, MAX_HEADERS_RESULTS } from '../messages'
import { NETWORKS } from '../network'
import { PROTOCOL_VERSION } from '../peer'
import type { Values } from './args'
import { ask, connectNode } from './node-session'
import { NODE_OPTIONS_USAGE, nodeTargetOf, onePositional, PROXY_USAGE } from './node-target'
import type { Output } from './output'

export const usage = `bip324 headers <host[:port]> ${NODE_OPTIONS_USAGE}

Downloads every block header of a node's best chain from the network's genesis block, in rounds of
2,000 (getheaders, as Bitcoin Core syncs headers), checks that each builds on the one before and
meets the proof-of-work target its own bits claim (within the network's limit), and prints the
height and hash of the last one and the work the headers prove. It does not check that the bits
are the difficulty the chain requires (a full node's check, over whole retarget periods), nor keep
the headers: memory stays flat. A progress bar on a terminal, else a progress line on stderr every
5 seconds. --timeout (default 60000) bounds the connection, the version handshake, and each round.
With --json the last line is { "ok": true, "height", "tip", "work", ... }.

${PROXY_USAGE}

Exit codes: 0 done; 1 refused, unreachable, timed out, or a header failed its checks (the message
says which); 2 usage error; 3 the node speaks only v1 (retry with --v1-fallback).`

export async function headersCommand (out: Output, values: Values, positionals: string[]): Promise<number> {
  const target = nodeTargetOf(values, onePositional(positionals, '<host[:port]>'), 60_000)
  const { network, where, proxy } = target
  const genesis = hashFromHex(NETWORKS[network].genesis)
  const peer = await connectNode(target)
  const started = Date.now()
  let tip = genesis
  let height = 0
  let work = 0n
  const progress = out.progress('headers', Math.max(peer.startHeight ?? 0, 1), { lines: true })
  try {
    for (;;) {
      const headers = await ask(peer, target, { type: 'getheaders', version: PROTOCOL_VERSION, locator: [tip], stopHash: new Uint8Array(32) },
        (m) => m.type === 'headers' && 'headers' in m ? m.headers : undefined, 'headers')
      // A header that does not build on our tip, or lacks its work, ends the download: the node
      // is not on this chain, or is lying (ERR_BIP324_BAD_PAYLOAD with Core's reason).
      const chain = checkHeaders(headers, { network, prevBlock: tip })
      if (headers.length > 0) tip = chain.hashes[chain.hashes.length - 1]!
      height += headers.length
      work += chain.work
      progress.update(height)
      // Core sends fewer than MAX_HEADERS_RESULTS only at its tip.
      if (headers.length < MAX_HEADERS_RESULTS) break
    }
  } finally {
    progress.stop()
    peer.destroy()
  }
  const seconds = (Date.now() - started) / 1000
  // The work of the downloaded headers: Core's chainwork less the genesis block's own.
  const result = { ok: true, peer: where, ...(proxy !== undefined && { proxy }), network, transport: peer.transport, height, tip: hashToHex(tip), work: work.toString(16), seconds }
  if (out.json) {
    process.stdout.write(JSON.stringify(result) + '\n')
    return 0
  }
  out.say(`${where} (${network}) over ${peer.transport === 'v2' ? 'BIP-324 v2, encrypted' : 'v1, NOT encrypted (fell back)'}`)
  out.say(`  height     ${height.toLocaleString('en-US')}`)
  out.say(`  tip        ${result.tip}`)
  out.say(`  work       0x${result.work} (the headers after genesis)`)
  out.say(`  checked    each header builds on the one before and meets its own target, ${seconds.toFixed(1)} s`)
  return 0
}
