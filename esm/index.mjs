// The ESM entry re-exports the CommonJS build rather than being a second build: one module
// instance, so an app mixing import and require shares one addon, one state and one Bip324Error
// class (instanceof keeps working). dist/index.js is loaded with require() (createRequire), not
// imported: every runtime then reads it as CommonJS, whatever package.json says about .js files.
// Deno reads a .js file outside node_modules as ESM unless a package.json beside it says
// "type": "commonjs", so 'export * from "../dist/index.js"' saw no exports there (a direct
// import of this file, from a checkout or an unpacked tarball). In Node, require() and an import
// of the CommonJS file share Module._cache, so the default export is require('bip324') as before.
// The names are listed because an ES module's exports are static; test/esm-entry.test.ts checks
// that they are exactly the CommonJS build's (add a name to both when lib/index.ts exports one).
import { createRequire } from 'node:module'

const bip324 = createRequire(import.meta.url)('../dist/index.js')

export default bip324
export const {
  BIP155_NETWORK, Bip324Error, Bip324Proxy, Bip324Server, Bip324Socket, BLOCK_HEADER_BYTES,
  blockHash, blockMerkleRoot, blockProof, blockWitnessMerkleRoot, bytesToIp, checkBlock, commandOf,
  checkHeaders, checkProofOfWork, computeMerkleRoot, connect, connectAsync, connectPeer,
  connectPeerAsync, createPeerServer, createProxy, createServer, decodeBlock, decodeBlockHeader,
  decodeCompact, decodeCompactSize, decodeContents, decodePayload, decodeTransaction,
  DEFAULT_MAX_CONTENTS, DEFAULT_MAX_SESSIONS, DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT,
  DEFAULT_USER_AGENT, DEFAULT_VERSION_TIMEOUT, defaultPortOf, deriveTarget, detectV1, doubleSha256,
  encodeBlockHeader, encodeCompactSize, encodeContents, encodePayload, encodeV1Message,
  hashFromHex, hashToHex, hasSimd128, IGNORE_BIT, InboundCipher, inCidr, Initialized, INVENTORY_TYPE,
  ipToBytes, isCoinbase, isKnownMessage, isNetworkName, jsBackend, loadWasmBackend, magicOf, MAX_ADDR_TO_SEND,
  MAX_ADDRV2_SIZE, MAX_BLOCK_WEIGHT, MAX_BLOOM_FILTER_SIZE, MAX_CFHEADERS_SIZE, MAX_CONTENTS_LIMIT,
  MAX_GARBAGE_LEN, MAX_HASH_FUNCS, MAX_HEADERS_RESULTS, MAX_INV_SZ, MAX_LOCATOR_SZ,
  MAX_PROTOCOL_MESSAGE_LENGTH, MAX_SCRIPT_ELEMENT_SIZE, MAX_SUBVERSION_LENGTH, MAX_VERSION_PAYLOAD,
  MIN_PEER_PROTO_VERSION, MSG_WITNESS_FLAG, nativeBackend, nativeInfo, NETWORK_MAGIC, NETWORKS,
  NUM_ELLIGATOR_SWIFT_BYTES, NUM_GARBAGE_TERMINATOR_BYTES, NUM_HEADER_BYTES, NUM_LENGTH_BYTES,
  NUM_PACKET_OVERHEAD_BYTES, NUM_TAG_BYTES, OutboundCipher, PacketReader, parseCidr, parseHostPort,
  Peer, PeerServer, powLimitOf, probe, Protocol, PROTOCOL_VERSION, ReceivedGarbage, ReceivedKey,
  REKEY_INTERVAL, selectBackend, SentKey, SentVersion, SERVICE_FLAGS, serviceNames, Session,
  SHORT_MESSAGE_IDS, specialRange, TcpServer, txid, V1_HEADER_BYTES, V1_PREFIX_BYTES, V1Check,
  V1MessageReader, v1Prefix, wasmBackend, wasmBackendSync, windowFillingGarbage, witnessCommitmentIndex, wrap, wtxid
} = bip324
// What Node's own import of the CommonJS file exposed too (tsc's marker), kept so the namespace
// has the same names as before.
export const __esModule = bip324.__esModule
