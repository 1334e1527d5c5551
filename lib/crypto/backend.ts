/**
 * The one interface every crypto backend implements (`native` over the C engine, `wasm` over the
 * same engine compiled to WebAssembly, `js` over @noble/@scure), so the protocol layer above never
 * knows which one runs. Packet sizes are in ./packet-format.
 *
 * Ciphertexts and plaintexts go into buffers the caller owns, as in the C engine. Peer-caused
 * failures (a bad tag, an oversized length) are return values; misuse throws.
 *
 * No output may overlap an input or another output in any byte (views of one ArrayBuffer at
 * different offsets included): such a call throws ERR_BIP324_INVALID_ARG before any state moves.
 * The exception is decrypting in place, see {@link PacketCipher.decrypt}. The native backend
 * compares addresses; the js backend compares ArrayBuffer objects, so it cannot see two
 * SharedArrayBuffer objects over the same memory.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki
 */

/** The key schedule's outputs, each 32 bytes (the terminators 16 + 16). */
export interface SessionKeys {
  initiatorL: Uint8Array
  initiatorP: Uint8Array
  responderL: Uint8Array
  responderP: Uint8Array
  /** What the initiator sends after its garbage. */
  initiatorGarbageTerminator: Uint8Array
  /** What the responder sends after its garbage. */
  responderGarbageTerminator: Uint8Array
  sessionId: Uint8Array
}

export interface KeyPair {
  /** 32-byte secret scalar: wipe it (`fill(0)`) once the shared secret is computed. */
  secretKey: Uint8Array
  /** 64-byte ElligatorSwift encoding of the public key, as sent to the peer. */
  ellswift: Uint8Array
}

/** Why decryptBatch stopped: `more` (input ran out: the rest is a partial packet, or nothing),
 *  `bad-mac` (the next packet failed authentication), `oversized` (the next packet's length is over
 *  maxContents), `full` (`plain` has no room for the next packet's contents, or the call's packet
 *  limit was reached: call again). */
export type BatchStatus = 'more' | 'bad-mac' | 'oversized' | 'full'

/** One packet decryptBatch authenticated: its header byte and its contents, a view into `plain`. */
export interface BatchPacket {
  header: number
  contents: Uint8Array
}

/** What one decryptBatch call did. */
export interface BatchResult {
  status: BatchStatus
  /** The packets decrypted, in order. */
  packets: BatchPacket[]
  /** Input bytes used: whole packets, plus the 3 length bytes of a pending packet. */
  consumed: number
  /** Contents length of the next packet when its length is decrypted but its body has not
   *  arrived (or was refused: bad-mac, oversized, full); else null. */
  pending: number | null
}

/** One direction of a session: the FSChaCha20 length cipher and the FSChaCha20Poly1305 AEAD. */
export interface PacketCipher {
  /** Where ChaCha20/Poly1305 come from (`openssl` or `libsodium` natively). */
  readonly provider: string
  /** Encrypts one packet into `out`, exactly `contents.length + NUM_PACKET_OVERHEAD_BYTES` bytes. */
  encrypt (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): void
  /** As encrypt(), off the JavaScript thread where the backend can (native: the libuv thread pool;
   *  js: at once), so that a big packet is encrypted while the caller does other work, such as
   *  writing the packet before it. Until the promise settles, every other call on this cipher
   *  throws ERR_BIP324_BAD_STATE (destroy() is carried out when it settles). `contents` and `aad`
   *  are read (natively: copied) by the call, so what happens to them afterwards does not change
   *  the packet. `out` holds it once the promise resolves; natively it is written then, and if it
   *  was detached or resized meanwhile the promise rejects with ERR_BIP324_INVALID_ARG instead: the
   *  packet is lost and the cipher has moved past it, so the session cannot go on. */
  encryptAsync (out: Uint8Array, contents: Uint8Array, aad: Uint8Array, header: number): Promise<void>
  /** As encryptAsync(), into a new packet the promise resolves to, where the backend can save a
   *  copy so (native: the thread pool writes the packet straight into it, which it cannot do into an
   *  `out` of the caller's, whose memory the caller could free meanwhile). */
  encryptNewAsync?(contents: Uint8Array, aad: Uint8Array, header: number): Promise<Uint8Array>
  /** Decrypts the 3 length bytes that start a packet; the length is then pending. */
  decryptLength (len3: Uint8Array): number
  /** Authenticates and decrypts the pending packet (`input` = header, contents, tag) into `contents`,
   *  which may be `input.subarray(1, 1 + pending)` to decrypt in place (and saves a copy of a big
   *  packet); any other overlap with `input`, or one with `aad`, is refused. Needs a pending length
   *  (decryptLength first). Returns the header byte, or -1 when authentication failed (nothing
   *  written, the length stays pending). */
  decrypt (contents: Uint8Array, input: Uint8Array, aad: Uint8Array): number
  /** Encrypts genuine packets (no AAD) back to back into `out`, exactly the sum of their sizes.
   *  `items` is read once, into a copy, before the cipher's state is checked. */
  encryptBatch (out: Uint8Array, items: readonly Uint8Array[]): void
  /** Decrypts the complete packets at the start of `input` (no AAD) into `plain`, back to back,
   *  stopping at a length over `maxContents`; `plain` and `input` must not overlap (there is no
   *  in-place batch). A pending length (from decryptLength, or a batch that ran out of input) is
   *  the first packet's. */
  decryptBatch (plain: Uint8Array, input: Uint8Array, maxContents: number): BatchResult
  /** Wipes the keys; any later call throws ERR_BIP324_BAD_STATE. */
  destroy (): void
}

export interface Backend {
  readonly name: 'native' | 'wasm' | 'js'
  /** What createCipher's `provider` may name in this process (the native engine's available ones). */
  readonly providers: readonly string[]
  /** `n` bytes from a cryptographically secure generator: the handshake's default randomness. */
  randomBytes (n: number): Uint8Array
  /** Decodes a 64-byte ElligatorSwift encoding to its 32-byte X coordinate. */
  ellswiftDecode (ell64: Uint8Array): Uint8Array
  /** The encoding of `secretKey`'s public key, or null if it is not a valid scalar. */
  ellswiftCreate (secretKey: Uint8Array, auxRandom: Uint8Array): Uint8Array | null
  /** A fresh key pair from the CSPRNG. */
  keygen (): KeyPair
  /** BIP-324's x-only ECDH shared secret, or null if `secretKey` is not a valid scalar. */
  ecdh (ellOurs: Uint8Array, ellTheirs: Uint8Array, secretKey: Uint8Array, initiator: boolean): Uint8Array | null
  /** HKDF-SHA256 over the shared secret, salted with the network magic. */
  keySchedule (sharedSecret: Uint8Array, magic: Uint8Array): SessionKeys
  /** A cipher for one direction; `provider` picks the native primitives (default: the fastest). */
  createCipher (lengthKey: Uint8Array, aeadKey: Uint8Array, provider?: string): PacketCipher
}
