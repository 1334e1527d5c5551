/** Bitcoin P2P messages: v2 message types, v1 framing, typed payload codecs, transactions and blocks
 *  with their ids and checks, proof of work. This is the `bip324/messages` entry: it loads no addon. */

export { Bip324Error, type Bip324ErrorCode } from '../errors'

export { SHORT_MESSAGE_IDS, encodeContents, decodeContents, type RawMessage } from './message-type'
export {
  encodeV1Message, V1MessageReader, V1_HEADER_BYTES,
  type V1Message, type V1ReadResult, type V1MessageReaderOptions
} from './v1-framing'
export {
  encodePayload, decodePayload, isKnownMessage, commandOf,
  type Message, type KnownMessage, type TypedMessage, type KnownCommand, type UnknownMessage, type RawPayloadMessage, type RawCommand
} from './payload'
export { MAX_VERSION_PAYLOAD, type VersionMessage } from './codecs/version'
export { type NetAddress } from './codecs/net-address'
export { BIP155_NETWORK, type AddrMessage, type AddrV2Message, type AddrV2Entry, type TimedNetAddress } from './codecs/addr'
export { type EmptyMessage, type EmptyCommand } from './codecs/empty'
export { type PingMessage, type PingCommand } from './codecs/ping'
export { type FeeFilterMessage } from './codecs/fee-filter'
export { type Feature, type FeatureMessage } from './codecs/feature'
export { INVENTORY_TYPE, MSG_WITNESS_FLAG, type InventoryItem, type InventoryMessage, type InventoryCommand } from './codecs/inventory'
export {
  encodeBlockHeader, decodeBlockHeader, BLOCK_HEADER_BYTES,
  type BlockHeader, type HeadersMessage, type LocatorMessage, type LocatorCommand
} from './codecs/headers'
export { type FilterLoadMessage, type FilterAddMessage } from './codecs/bloom'
export { type SendCmpctMessage, type GetBlockTxnMessage } from './codecs/compact-blocks'
export {
  type FilterRangeMessage, type FilterRangeCommand, type CFilterMessage, type CFHeadersMessage,
  type GetCFCheckptMessage, type CFCheckptMessage
} from './codecs/compact-filters'
export { blockHash, hashToHex, hashFromHex, doubleSha256 } from './hashes'
export {
  decodeTransaction, isCoinbase, txid, wtxid,
  type Transaction, type TxInput, type TxOutput, type OutPoint
} from './codecs/transaction'
export { decodeBlock, type Block } from './codecs/block'
export { decodeCheckedBlock } from './checked-block'
export { bip34Height } from './bip34-height'
export { checkBlock, witnessCommitmentIndex, MAX_BLOCK_WEIGHT, type CheckBlockOptions } from './check-block'
export { computeMerkleRoot, blockMerkleRoot, blockWitnessMerkleRoot, type MerkleRoot } from './merkle'
export {
  decodeCompact, deriveTarget, checkProofOfWork, blockProof, powLimitOf, type CompactTarget, type PowNetwork
} from './proof-of-work'
export { checkHeaders, type CheckHeadersOptions, type HeaderChain } from './header-chain'
export { encodeCompactSize, decodeCompactSize } from './compact-size'
export * from './limits'
