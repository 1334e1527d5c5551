/**
 * One error class for everything this library reports, with stable `code` strings.
 * Match on `err.code`, not on `instanceof` (which fails across realms and duplicate installs).
 */

export type Bip324ErrorCode =
  /** A function was called with a wrong type, size or value (a programmer error). */
  | 'ERR_BIP324_INVALID_ARG'
  /** A call came in a state that cannot take it: after close, after a fatal error, out of order. */
  | 'ERR_BIP324_BAD_STATE'
  /** A handshake state object was used after it had already moved on. */
  | 'ERR_BIP324_STATE_SPENT'
  /** The native addon could not be loaded. */
  | 'ERR_BIP324_NATIVE_UNAVAILABLE'
  /** The WebAssembly engine (wasm/bip324.wasm) could not be read or instantiated. */
  | 'ERR_BIP324_WASM_UNAVAILABLE'
  /** A part built on the @noble/@scure ES modules (the pure-JS backend, transaction and block decoding)
   *  cannot load in this Node.js: it needs require() of ES modules (>= 20.19 or >= 22.12). */
  | 'ERR_BIP324_JS_UNAVAILABLE'
  /** A packet failed authentication: tampering, corruption, or a peer with other keys. */
  | 'ERR_BIP324_BAD_MAC'
  /** The peer's garbage terminator was not within 4095 bytes of garbage (or another network's keys). */
  | 'ERR_BIP324_NO_TERMINATOR'
  /** A packet announced contents over the limit; refused before any allocation. */
  | 'ERR_BIP324_OVERSIZED'
  /** The peer speaks the v1 (unencrypted) protocol. */
  | 'ERR_BIP324_V1_PEER'
  /** The peer closed the connection before the handshake completed. */
  | 'ERR_BIP324_PEER_CLOSED'
  /** The peer closed the connection in the middle of a packet. */
  | 'ERR_BIP324_TRUNCATED'
  /** The handshake did not complete in time. */
  | 'ERR_BIP324_HANDSHAKE_TIMEOUT'
  /** Nothing arrived from the peer for the idle timeout. */
  | 'ERR_BIP324_IDLE_TIMEOUT'
  /** A message type was malformed: empty, non-printable, not NUL-padded, or a long form cut short. */
  | 'ERR_BIP324_BAD_MESSAGE_TYPE'
  /** A v1 message header did not start with this network's magic; or, to a responder, the first
   *  16 bytes were another network's v1 `version` header (Bitcoin Core: "V1 peer with wrong
   *  MessageStart"). */
  | 'ERR_BIP324_BAD_MAGIC'
  /** A v1 message's payload did not match the checksum in its header. */
  | 'ERR_BIP324_BAD_CHECKSUM'
  /** A message payload was malformed: truncated, trailing bytes, a non-canonical CompactSize, a bad field. */
  | 'ERR_BIP324_BAD_PAYLOAD'
  /** A message announced more entries (or bytes in a field) than Bitcoin Core accepts; refused before allocating. */
  | 'ERR_BIP324_LIMIT'
  /** A SOCKS5 proxy (connect()'s `socks`) said no: a reply code (`socksReply`: RFC 1928's, or Tor's
   *  onion-service codes), refused credentials, no acceptable method, or an answer cut short or not
   *  SOCKS5. A TCP error reaching the proxy is node:net's own error, unchanged. */
  | 'ERR_BIP324_SOCKS'
  /** The proxy would not go where a client's version message asked: a special-purpose block (loopback,
   *  private, link-local...) the operator did not allow, or a no from its allowTarget. Nothing was sent. */
  | 'ERR_BIP324_TARGET_REFUSED'
  /** The peer broke a rule of the message exchange (a feature message after verack, a malformed or
   *  oversized payload...) and the Peer's misbehaviour policy closed the connection; the message
   *  starts with the reason. */
  | 'ERR_BIP324_MISBEHAVIOR'
  /** The version handshake (version and verack both ways) did not complete in time. */
  | 'ERR_BIP324_VERSION_TIMEOUT'
  /** A ping went unanswered for the ping timeout. */
  | 'ERR_BIP324_PING_TIMEOUT'
  /** The peer's protocol version is below the oldest one Bitcoin Core talks to (MIN_PEER_PROTO_VERSION). */
  | 'ERR_BIP324_OBSOLETE_VERSION'
  /** The peer's version carried a nonce of ours: the connection goes back to ourselves. */
  | 'ERR_BIP324_SELF_CONNECTION'
  /** A request of a Peer (getBlock, getTransaction, ...) found the peer without what it asked for:
   *  a notfound, or (for a block) the pong to the ping sent after the request came first. */
  | 'ERR_BIP324_NOT_FOUND'
  /** A request of a Peer got no answer within its timeout; in private broadcast, a peer did not ask
   *  for the transaction, or did not answer the ping after it, within the connection's lifetime. */
  | 'ERR_BIP324_TIMEOUT'
  /** An address book file (AddrMan's) that cannot be read back: not the book's format, another
   *  network's, or a field out of range. The book starts empty instead. */
  | 'ERR_BIP324_CORRUPT_ADDRMAN'

export class Bip324Error extends Error {
  readonly code: Bip324ErrorCode
  /** ERR_BIP324_SOCKS: the reply code the proxy sent (5: connection refused, 4: host unreachable,
   *  0xf0..0xf7: Tor's onion-service failures), when it sent one. */
  readonly socksReply?: number
  /** Bitcoin Core's reject reason, when the error is one of Core's consensus checks (`'bad-txnmrklroot'`,
   *  `'high-hash'`, ...): the string Core logs and a `BlockValidationState` carries. */
  declare readonly reason?: string
  /** ERR_BIP324_PEER_CLOSED: the handshake the close interrupted, `'transport'` (BIP-324's) or
   *  `'version'` (Bitcoin's version and verack), when it interrupted one. */
  declare readonly stage?: 'transport' | 'version'

  constructor (code: Bip324ErrorCode, message: string, options?: { cause?: unknown, socksReply?: number, reason?: string, stage?: 'transport' | 'version' }) {
    super(message, options)
    this.name = 'Bip324Error'
    this.code = code
    if (options?.socksReply !== undefined) this.socksReply = options.socksReply
    if (options?.reason !== undefined) this.reason = options.reason
    if (options?.stage !== undefined) this.stage = options.stage
  }
}
