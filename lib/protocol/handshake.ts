/**
 * The BIP-324 handshake as a chain of states. Each step is a method of the state that can take it
 * and returns the next state, so a wrong order does not compile:
 *
 *   Initialized --sendKey--> SentKey --receiveKey--> ReceivedKey --sendVersion--> SentVersion
 *     --receiveGarbage--> ReceivedGarbage --receiveVersion--> Session
 *
 * The receiving steps take the peer's bytes in any chunking: a state holds what it needs (at most
 * the peer's key, or its garbage and terminator, or one packet) and says how much of each chunk it
 * used once it moves on. Protocol drives exactly this chain.
 *
 * A state that has moved on is spent: using it again throws ERR_BIP324_STATE_SPENT (TypeScript
 * cannot move values). Outcomes that are not failures are tagged unions; failures throw Bip324Error
 * after wiping every key.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-handshake
 */

import type { Backend, SessionKeys } from '../crypto/backend'
import { type BackendChoice, selectBackend } from '../crypto/choice'
import { Bip324Error } from '../errors'
import { equal, indexOf } from '../bytes'
import { InboundCipher, OutboundCipher, type SessionKeyMaterial } from './ciphers'
import { MAX_CONTENTS_LIMIT, NUM_PACKET_OVERHEAD_BYTES } from '../crypto/packet-format'
import { DEFAULT_MAX_CONTENTS, MAX_GARBAGE_LEN, NUM_ELLIGATOR_SWIFT_BYTES, NUM_GARBAGE_TERMINATOR_BYTES, type Role } from './constants'
import { magicOf, type Network } from '../network'
import { PacketReader } from './packet-reader'
import { Session } from './session'
import { V1_PREFIX_BYTES, wrongMessageStart } from './v1'
import { checkBytes, checkInteger, invalid } from '../checks'

/** The bytes after a peer's key within which its terminator must end (4,095 of garbage, then 16),
 *  here as in Bitcoin Core (V2Transport::ProcessReceivedGarbageBytes), which disconnects when they
 *  hold none of its network. */
const GARBAGE_WINDOW = MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES

/**
 * The shortest garbage whose bytes, with our terminator and the `following` bytes of packets we send
 * right after it (decoys and the version packet, at least 20), fill a peer's garbage window. A peer
 * of another network finds no terminator in them, so it fails at once (Bitcoin Core disconnects)
 * instead of waiting for bytes that never come: what we then see, its error or its close before our
 * terminator, says "another network" whatever garbage length either side drew.
 */
export function windowFillingGarbage (following: number): number {
  return Math.max(0, GARBAGE_WINDOW - NUM_GARBAGE_TERMINATOR_BYTES - following)
}

/** Fills a new array with random bytes. */
export type Rng = (n: number) => Uint8Array

export interface HandshakeOptions {
  role: Role
  /** Default: mainnet. */
  network?: Network
  /** Default: 'auto'. */
  backend?: BackendChoice
  /** Randomness for the key (when one is derived from it), encoding and garbage. When given, the
   *  whole handshake is deterministic: for tests, vectors and benchmarks. Default: the backend's
   *  CSPRNG. */
  rng?: Rng
  /** Our 32-byte secret key, instead of a fresh one. */
  secretKey?: Uint8Array
  /** With secretKey: the ElligatorSwift encoding to send for it (checked to encode that key),
   *  instead of a fresh one; to reproduce a recorded handshake, such as BIP-324's vectors. */
  ellswift?: Uint8Array
  /** Length of the garbage we send after our key, 0..4095. Default: random, from the shortest length
   *  that fills a peer's garbage window (windowFillingGarbage) to 4095. */
  garbageLength?: number
  /** Largest packet contents accepted from the peer. Default: 4,000,013 (Bitcoin Core). */
  maxContents?: number
  /** Where the native backend takes ChaCha20/Poly1305 from (`openssl`, `libsodium`). */
  provider?: string
}

/** The options every handshake takes, checked, with their defaults. */
export interface ResolvedHandshakeOptions {
  role: Role
  magic: Uint8Array
  backend: Backend
  rng: Rng
  garbageLength: number | undefined
  maxContents: number
  provider: string | undefined
}

interface Context extends ResolvedHandshakeOptions {
  /** Null until sendKey when the key comes from the CSPRNG: a responder that only ever sees a v1
   *  peer, or nothing at all, never spends an ECDH key generation. */
  secretKey: Uint8Array | null
  ourKey: Uint8Array | null
}

/** From SentKey on, our key pair exists and we have sent our garbage. */
interface KeyedContext extends Context {
  secretKey: Uint8Array
  ourKey: Uint8Array
  ourGarbage: Uint8Array
}

/** From ReceivedKey on, both directions' ciphers exist. */
interface SessionContext extends KeyedContext {
  outbound: OutboundCipher
  inbound: InboundCipher
  keys: SessionKeys
}

function wipe (ctx: Context): void {
  ctx.secretKey?.fill(0)
  if ('outbound' in ctx) {
    const { outbound, inbound } = ctx as SessionContext
    outbound.destroy()
    inbound.destroy()
  }
}

function fail (ctx: Context, error: Bip324Error): never {
  wipe(ctx)
  throw error
}


/** Options must be an object: destructuring anything else would throw a TypeError instead. */
export function checkOptionsObject (options: unknown): void {
  if (options === null || typeof options !== 'object') {
    throw invalid(`options must be an object, got ${String(options)}`)
  }
}


/** Checks the options every handshake takes and resolves their defaults: a wrong one throws
 *  ERR_BIP324_INVALID_ARG here, before any key exists. */
export function resolveHandshakeOptions (options: HandshakeOptions): ResolvedHandshakeOptions {
  checkOptionsObject(options)
  const { role, garbageLength, provider } = options
  if (role !== 'initiator' && role !== 'responder') {
    throw invalid('role must be "initiator" or "responder"')
  }
  checkInteger(garbageLength, 'garbageLength', 0, MAX_GARBAGE_LEN)
  checkInteger(options.maxContents, 'maxContents', 0, MAX_CONTENTS_LIMIT)
  const maxContents = options.maxContents ?? DEFAULT_MAX_CONTENTS
  if (options.rng !== undefined && typeof options.rng !== 'function') {
    throw invalid('rng must be a function (n) => Uint8Array')
  }
  const backend = selectBackend(options.backend)
  if (provider !== undefined && !backend.providers.includes(provider)) {
    throw invalid(`provider must be one of ${backend.providers.join(', ')} with the ${backend.name} backend in this process, got ${String(provider)}`)
  }
  const rng = options.rng ?? ((n: number) => backend.randomBytes(n))
  return { role, magic: magicOf(options.network ?? 'mainnet'), backend, rng, garbageLength, maxContents, provider }
}

export interface SendVersionOptions {
  /** Contents lengths of decoy packets to send before the version packet. */
  decoys?: readonly number[]
  /** Version packet contents. Default: empty, as BIP-324 and Bitcoin Core send. */
  version?: Uint8Array
}

/** Checks what sendVersion sends; a wrong option throws ERR_BIP324_INVALID_ARG. */
export function checkSendVersionOptions (options: SendVersionOptions): void {
  checkOptionsObject(options)
  if (options.version !== undefined) checkBytes(options.version, 'version')
  const { decoys = [] } = options
  if (!Array.isArray(decoys)) throw invalid('decoys must be an array of lengths')
  decoys.forEach((length, i) => checkDecoyLength(length, `decoys[${i}]`))
}

/** A decoy's contents length: an integer from 0 to what 3 length bytes can say. */
export function checkDecoyLength (length: number, name = 'length'): void {
  if (length === undefined) throw invalid(`${name} must be an integer`)
  checkInteger(length, name, 0, MAX_CONTENTS_LIMIT)
}

abstract class State<C extends Context = SessionContext> {
  #ctx: C | null

  /** @internal States are made by the transitions, starting at Initialized.create(). */
  constructor (ctx: C) {
    this.#ctx = ctx
  }

  /** The context, for the one transition this state may take. */
  protected take (): C {
    const ctx = this.peek()
    this.#ctx = null
    return ctx
  }

  /** The context, for a step that does not move on (needMoreData). */
  protected peek (): C {
    if (this.#ctx === null) throw new Bip324Error('ERR_BIP324_STATE_SPENT', `this ${this.constructor.name} state was already used`)
    return this.#ctx
  }

  /** Wipes every secret this handshake holds (key, ciphers, key schedule) and spends the state.
   *  A state that has already moved on holds nothing: the next state has it. */
  destroy (): void {
    const ctx = this.#ctx
    this.#ctx = null
    if (ctx !== null) wipe(ctx)
  }
}

export class Initialized extends State<Context> {
  /** Starts a handshake. A fresh key pair is drawn when the key is sent; a given secretKey or rng
   *  is used (and checked) now. */
  static create (options: HandshakeOptions): Initialized {
    const resolved = resolveHandshakeOptions(options)
    const { backend, rng } = resolved
    let secretKey: Uint8Array | null = null
    let ourKey: Uint8Array | null = null
    if (options.secretKey !== undefined) {
      secretKey = Uint8Array.from(checkBytes(options.secretKey, 'secretKey', 32))
      ourKey = backend.ellswiftCreate(secretKey, rng(32))
      if (ourKey === null) throw invalid('secretKey is not a valid secp256k1 scalar')
      if (options.ellswift !== undefined) {
        const given = checkBytes(options.ellswift, 'ellswift', NUM_ELLIGATOR_SWIFT_BYTES)
        if (!equal(backend.ellswiftDecode(given), backend.ellswiftDecode(ourKey))) {
          throw invalid('ellswift does not encode the public key of secretKey')
        }
        ourKey = Uint8Array.from(given)
      }
    } else if (options.rng !== undefined) {
      do {
        secretKey = rng(32)
        ourKey = backend.ellswiftCreate(secretKey, rng(32))
      } while (ourKey === null)
    }
    return new Initialized({ ...resolved, secretKey, ourKey })
  }

  /** The network magic this handshake is for (a responder's v1 check compares against it). */
  get magic (): Uint8Array {
    return this.peek().magic
  }

  /** Our 64-byte ElligatorSwift public key followed by `garbage` (default: `garbageLength` random
   *  bytes, or windowFillingGarbage(following)..4095 of them). `following`: the bytes of the packets
   *  sendVersion will send (default: an empty version packet, 20). */
  sendKey (garbage?: Uint8Array, following: number = NUM_PACKET_OVERHEAD_BYTES): { state: SentKey, bytes: Uint8Array } {
    if (garbage !== undefined) checkBytes(garbage, 'garbage')
    if (garbage !== undefined && garbage.length > MAX_GARBAGE_LEN) {
      throw invalid(`garbage must be at most ${MAX_GARBAGE_LEN} bytes`)
    }
    if (!Number.isInteger(following) || following < 0) {
      throw invalid(`following must be an integer >= 0, got ${String(following)}`)
    }
    const ctx = this.take()
    const shortest = windowFillingGarbage(following)
    const drawn = garbage ?? ctx.rng(ctx.garbageLength ?? shortest + Math.floor(ctx.rng(2).reduce((n, b) => n * 256 + b, 0) / 65536 * (MAX_GARBAGE_LEN + 1 - shortest)))
    const { secretKey, ellswift: ourKey } = ctx.secretKey !== null && ctx.ourKey !== null
      ? { secretKey: ctx.secretKey, ellswift: ctx.ourKey }
      : ctx.backend.keygen()
    const out = new Uint8Array(NUM_ELLIGATOR_SWIFT_BYTES + drawn.length)
    out.set(ourKey, 0)
    out.set(drawn, NUM_ELLIGATOR_SWIFT_BYTES)
    // The garbage is kept (the AAD of our first packet) as a view of what we send, not a copy of
    // its own: every handshake's few kilobytes less to allocate, on a server that makes thousands.
    const ourGarbage = out.subarray(NUM_ELLIGATOR_SWIFT_BYTES)
    return { state: new SentKey({ ...ctx, secretKey, ourKey, ourGarbage }), bytes: out }
  }
}

export type KeyResult =
  | { kind: 'needMoreData' }
  | { kind: 'keyReceived', state: ReceivedKey, consumed: number }

export class SentKey extends State<KeyedContext> {
  readonly #theirKey = new Uint8Array(NUM_ELLIGATOR_SWIFT_BYTES)
  #fill = 0

  /** Bytes of the peer's key held so far. */
  get buffered (): number {
    return this.#fill
  }

  /** Takes the peer's bytes until its 64-byte key is complete; then ECDH and the key schedule give
   *  both directions' ciphers. A responder refuses, once 16 bytes are in, a key that is another
   *  network's v1 `version` header (ERR_BIP324_BAD_MAGIC, as Bitcoin Core: wrongMessageStart). */
  receiveKey (input: Uint8Array): KeyResult {
    checkBytes(input, 'input')
    const take = Math.min(NUM_ELLIGATOR_SWIFT_BYTES - this.#fill, input.length)
    const before = this.#fill
    const { role, magic } = this.peek()
    this.#theirKey.set(input.subarray(0, take), this.#fill)
    this.#fill += take
    if (role === 'responder' && before < V1_PREFIX_BYTES && this.#fill >= V1_PREFIX_BYTES) {
      const wrong = wrongMessageStart(this.#theirKey.subarray(0, V1_PREFIX_BYTES), magic)
      if (wrong !== undefined) fail(this.take(), wrong)
    }
    if (this.#fill < NUM_ELLIGATOR_SWIFT_BYTES) return { kind: 'needMoreData' }
    const ctx = this.take()
    const initiator = ctx.role === 'initiator'
    const secret = ctx.backend.ecdh(ctx.ourKey, this.#theirKey, ctx.secretKey, initiator)
    ctx.secretKey.fill(0)
    if (secret === null) fail(ctx, invalid('our secret key is not a valid scalar'))
    const keys = ctx.backend.keySchedule(secret, ctx.magic)
    secret.fill(0)
    const [sendL, sendP, recvL, recvP] = initiator
      ? [keys.initiatorL, keys.initiatorP, keys.responderL, keys.responderP]
      : [keys.responderL, keys.responderP, keys.initiatorL, keys.initiatorP]
    const outbound = new OutboundCipher(ctx.backend.createCipher(sendL, sendP, ctx.provider))
    const inbound = new InboundCipher(ctx.backend.createCipher(recvL, recvP, ctx.provider), ctx.maxContents)
    for (const k of [sendL, sendP, recvL, recvP]) k.fill(0)
    return { kind: 'keyReceived', state: new ReceivedKey({ ...ctx, outbound, inbound, keys }), consumed: take }
  }
}

function ourTerminator (ctx: SessionContext): Uint8Array {
  return ctx.role === 'initiator' ? ctx.keys.initiatorGarbageTerminator : ctx.keys.responderGarbageTerminator
}

function theirTerminator (ctx: SessionContext): Uint8Array {
  return ctx.role === 'initiator' ? ctx.keys.responderGarbageTerminator : ctx.keys.initiatorGarbageTerminator
}

function keyMaterial ({ keys }: SessionContext): SessionKeyMaterial {
  const { sessionId, initiatorGarbageTerminator, responderGarbageTerminator } = keys
  return { sessionId, initiatorGarbageTerminator, responderGarbageTerminator }
}

export class ReceivedKey extends State {
  /** Our garbage terminator, decoys, then the version packet. The first of these packets carries our
   *  garbage as AAD, which authenticates it. */
  sendVersion (options: SendVersionOptions = {}): { state: SentVersion, bytes: Uint8Array } {
    const ctx = this.take()
    try {
      checkSendVersionOptions(options)
    } catch (err) {
      fail(ctx, err as Bip324Error)
    }
    const { version = new Uint8Array(0), decoys = [] } = options
    const terminator = ourTerminator(ctx)
    let aad = ctx.ourGarbage
    const packets: Uint8Array[] = []
    for (const length of decoys) {
      packets.push(ctx.outbound.encrypt(new Uint8Array(length), 'decoy', aad))
      aad = new Uint8Array(0)
    }
    packets.push(ctx.outbound.encrypt(version, 'genuine', aad))
    const out = new Uint8Array(packets.reduce((n, p) => n + p.length, terminator.length))
    out.set(terminator)
    let at = terminator.length
    for (const p of packets) {
      out.set(p, at)
      at += p.length
    }
    return { state: new SentVersion(ctx), bytes: out }
  }
}

export type GarbageResult =
  | { kind: 'needMoreData' }
  | { kind: 'garbageFound', state: ReceivedGarbage, consumed: number }

export class SentVersion extends State {
  /** Our direction, usable now: packets may follow our version packet before the peer's arrives. */
  readonly outbound: OutboundCipher
  /** The session id both sides derive. */
  readonly sessionId: Uint8Array
  #window: Uint8Array | null = null
  #fill = 0

  /** @internal */
  constructor (ctx: SessionContext) {
    super(ctx)
    this.outbound = ctx.outbound
    this.sessionId = ctx.keys.sessionId
  }

  /** Bytes of the peer's garbage held so far. */
  get buffered (): number {
    return this.#fill
  }

  /** Packets sent so far (our decoys and version packet); none received yet. */
  get packets (): { sent: number, received: number } {
    return { sent: this.outbound.packets, received: 0 }
  }

  /** Looks for the peer's garbage terminator in what the peer sends after its key, in any
   *  chunking. After 4095 bytes of garbage without a terminator the handshake fails with
   *  ERR_BIP324_NO_TERMINATOR; so no more than 4,111 bytes are ever held. */
  receiveGarbage (input: Uint8Array): GarbageResult {
    checkBytes(input, 'input')
    const ctx = this.peek()
    const terminator = theirTerminator(ctx)
    // Usually the peer's garbage and terminator come in one chunk: found there, no window is made.
    // The garbage is copied (new Uint8Array, not slice: a Buffer's slice is a view of the caller's
    // chunk, which the caller may reuse).
    if (this.#fill === 0) {
      const at = indexOf(input.subarray(0, GARBAGE_WINDOW), terminator)
      if (at >= 0) {
        this.take()
        return { kind: 'garbageFound', state: new ReceivedGarbage(ctx, new Uint8Array(input.subarray(0, at))), consumed: at + NUM_GARBAGE_TERMINATOR_BYTES }
      }
    }
    const window = (this.#window ??= new Uint8Array(GARBAGE_WINDOW))
    const before = this.#fill
    const piece = input.subarray(0, GARBAGE_WINDOW - before)
    window.set(piece, before)
    this.#fill += piece.length
    const held = window.subarray(0, this.#fill)
    const at = indexOf(held, terminator, before - (NUM_GARBAGE_TERMINATOR_BYTES - 1))
    if (at >= 0) {
      this.take()
      this.#window = null
      return { kind: 'garbageFound', state: new ReceivedGarbage(ctx, held.slice(0, at)), consumed: at + NUM_GARBAGE_TERMINATOR_BYTES - before }
    }
    if (this.#fill === GARBAGE_WINDOW) {
      this.take()
      this.#window = null
      fail(ctx, new Bip324Error('ERR_BIP324_NO_TERMINATOR',
        `no garbage terminator of this network within ${MAX_GARBAGE_LEN} bytes of garbage and ${NUM_GARBAGE_TERMINATOR_BYTES} more: another network?`))
    }
    return { kind: 'needMoreData' }
  }

  override destroy (): void {
    super.destroy()
    this.#window = null
  }
}

export type VersionResult =
  /** Every input byte is taken (held if part of a packet). */
  | { kind: 'needMoreData' }
  /** A decoy arrived (`length`: its contents length) and was dropped: call again with the rest of
   *  the input, from `consumed` on. */
  | { kind: 'decoy', length: number, consumed: number }
  /** The version packet arrived: the handshake is done. `consumed` input bytes reached its end. */
  | { kind: 'complete', session: Session, consumed: number }

export class ReceivedGarbage extends State {
  /** Our direction, usable now. */
  readonly outbound: OutboundCipher
  /** The session id both sides derive. */
  readonly sessionId: Uint8Array
  /** The peer's garbage: the AAD of the first packet it sends. */
  readonly peerGarbage: Uint8Array
  /** The one reader of the peer's packets, from its first to the session's last. */
  readonly #reader: PacketReader

  /** @internal */
  constructor (ctx: SessionContext, garbage: Uint8Array) {
    super(ctx)
    this.outbound = ctx.outbound
    this.sessionId = ctx.keys.sessionId
    this.peerGarbage = garbage
    this.#reader = new PacketReader(ctx.inbound, garbage)
  }

  /** Bytes of a packet not complete yet. */
  get buffered (): number {
    return this.#reader.buffered
  }

  /** Packets sent so far, and received: the decoys before the version packet. */
  get packets (): { sent: number, received: number } {
    return { sent: this.outbound.packets, received: this.#reader.packets }
  }

  /** Reads the peer's next packet, in any chunking: a decoy is dropped (and reported, one per call),
   *  the first genuine packet is the version packet and completes the handshake. */
  receiveVersion (input: Uint8Array): VersionResult {
    checkBytes(input, 'input')
    const ctx = this.peek()
    const { packets: [packet], consumed, error } = this.#reader.feed(input, true)
    if (error !== undefined) {
      this.take()
      fail(ctx, error)
    }
    if (packet === undefined) return { kind: 'needMoreData' }
    if (packet.type === 'decoy') return { kind: 'decoy', length: packet.contents.length, consumed }
    this.take()
    return { kind: 'complete', session: new Session(ctx.outbound, this.#reader, keyMaterial(ctx), packet.contents), consumed }
  }
}
