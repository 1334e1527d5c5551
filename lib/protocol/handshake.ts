/**
 * The BIP-324 handshake as a chain of states. Each step is a method of the state that can take it
 * and returns the next state, so a wrong order does not compile:
 *
 *   Initialized --sendKey--> SentKey --receiveKey--> ReceivedKey --sendVersion--> SentVersion
 *     --receiveGarbage--> ReceivedGarbage --receiveVersion--> complete (a CipherSession)
 *
 * A state that has moved on is spent: using it again throws ERR_BIP324_STATE_SPENT (TypeScript
 * cannot move values). Outcomes that are not failures are tagged unions; failures throw Bip324Error
 * after wiping every key.
 * @see https://github.com/bitcoin/bips/blob/master/bip-0324.mediawiki#v2-handshake
 */

import crypto from 'node:crypto'

import type { Backend, SessionKeys } from '../crypto/backend'
import { type BackendChoice, selectBackend } from '../crypto'
import { Bip324Error } from '../errors'
import { type CipherSession, InboundCipher, OutboundCipher, type Packet, type SessionKeyMaterial } from './cipher-session'
import {
  DEFAULT_MAX_CONTENTS, MAX_CONTENTS_LIMIT, MAX_GARBAGE_LEN, NUM_ELLIGATOR_SWIFT_BYTES, NUM_GARBAGE_TERMINATOR_BYTES,
  NUM_LENGTH_BYTES, NUM_HEADER_BYTES, NUM_TAG_BYTES, type Role
} from './constants'
import { magicOf, type Network } from '../network'

/** Fills a new array with random bytes; the default draws from node:crypto's CSPRNG. */
export type Rng = (n: number) => Uint8Array

export const defaultRng: Rng = (n) => crypto.randomFillSync(new Uint8Array(n))

export interface HandshakeOptions {
  role: Role
  /** Default: mainnet. */
  network?: Network
  /** Default: 'auto'. */
  backend?: BackendChoice
  /** Randomness for the key (when one is derived from it), encoding and garbage. When given, the
   *  whole handshake is deterministic: for tests, vectors and benchmarks. */
  rng?: Rng
  /** Our 32-byte secret key, instead of a fresh one. */
  secretKey?: Uint8Array
  /** With secretKey: the ElligatorSwift encoding to send for it (checked to encode that key),
   *  instead of a fresh one; to reproduce a recorded handshake, such as BIP-324's vectors. */
  ellswift?: Uint8Array
  /** Largest packet contents accepted from the peer. Default: 4,000,013 (Bitcoin Core). */
  maxContents?: number
  /** Where the native backend takes ChaCha20/Poly1305 from (`openssl`, `libsodium`). */
  provider?: string
}

interface Context {
  role: Role
  magic: Uint8Array
  backend: Backend
  rng: Rng
  maxContents: number
  provider: string | undefined
  /** Null until sendKey when the key comes from the CSPRNG: a responder that only ever sees a v1
   *  peer, or nothing at all, never spends an ECDH key generation. */
  secretKey: Uint8Array | null
  ourKey: Uint8Array | null
  ourGarbage?: Uint8Array
  session?: CipherSession
  keys?: SessionKeys
}

function fail (ctx: Context, error: Bip324Error): never {
  wipe(ctx)
  throw error
}

function wipe (ctx: Context): void {
  ctx.secretKey?.fill(0)
  ctx.session?.outbound.destroy()
  ctx.session?.inbound.destroy()
}

function bytes (value: unknown, name: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array) || (length !== undefined && value.length !== length)) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `${name} must be a Uint8Array${length !== undefined ? ` of ${length} bytes` : ''}`)
  }
  return value
}

/** From SentKey on, our key pair exists. */
interface KeyedContext extends Context {
  secretKey: Uint8Array
  ourKey: Uint8Array
}

/** Checks the options every handshake takes and resolves their defaults: a wrong one throws
 *  ERR_BIP324_INVALID_ARG here, before any key exists. */
export function resolveHandshakeOptions (options: HandshakeOptions): Pick<Context, 'role' | 'magic' | 'backend' | 'maxContents' | 'provider'> {
  const { role } = options
  if (role !== 'initiator' && role !== 'responder') {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'role must be "initiator" or "responder"')
  }
  const maxContents = options.maxContents ?? DEFAULT_MAX_CONTENTS
  if (!Number.isInteger(maxContents) || maxContents < 0 || maxContents > MAX_CONTENTS_LIMIT) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `maxContents must be an integer from 0 to ${MAX_CONTENTS_LIMIT}`)
  }
  const backend = selectBackend(options.backend)
  const { provider } = options
  if (provider !== undefined && !backend.providers.includes(provider)) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `provider must be one of ${backend.providers.join(', ')} with the ${backend.name} backend in this process, got ${String(provider)}`)
  }
  return { role, magic: magicOf(options.network ?? 'mainnet'), backend, maxContents, provider }
}

/** Checks what sendVersion sends; a wrong option throws ERR_BIP324_INVALID_ARG. */
export function checkSendVersionOptions (options: SendVersionOptions): void {
  if (options.version !== undefined) bytes(options.version, 'version')
  const { decoys = [] } = options
  if (!Array.isArray(decoys) || !decoys.every((length) => Number.isInteger(length) && length >= 0 && length <= MAX_CONTENTS_LIMIT)) {
    throw new Bip324Error('ERR_BIP324_INVALID_ARG', `decoys must be an array of integer lengths from 0 to ${MAX_CONTENTS_LIMIT}`)
  }
}

abstract class State<C extends Context = KeyedContext> {
  #ctx: C | null

  /** @internal States are made by the transitions, starting at Initialized.create(). */
  constructor (ctx: C) {
    this.#ctx = ctx
  }

  /** The context, for the one transition this state may take. */
  protected take (): C {
    const ctx = this.#ctx
    if (ctx === null) throw new Bip324Error('ERR_BIP324_STATE_SPENT', `this ${this.constructor.name} state was already used`)
    this.#ctx = null
    return ctx
  }

  /** Wipes every secret this handshake holds (key, ciphers, key schedule) and spends the state.
   *  A state that has already moved on holds nothing: the next state has it. */
  destroy (): void {
    const ctx = this.#ctx
    this.#ctx = null
    if (ctx !== null) wipe(ctx)
  }

  /** The context, for a look that does not move on (needMoreData). */
  protected peek (): C {
    if (this.#ctx === null) throw new Bip324Error('ERR_BIP324_STATE_SPENT', `this ${this.constructor.name} state was already used`)
    return this.#ctx
  }
}

export class Initialized extends State<Context> {
  /** Starts a handshake. A fresh key pair is drawn when the key is sent; a given secretKey or rng
   *  is used (and checked) now. */
  static create (options: HandshakeOptions): Initialized {
    const { role, magic, backend, maxContents, provider } = resolveHandshakeOptions(options)
    const rng = options.rng ?? defaultRng
    let secretKey: Uint8Array | null = null
    let ourKey: Uint8Array | null = null
    if (options.secretKey !== undefined) {
      secretKey = Uint8Array.from(bytes(options.secretKey, 'secretKey', 32))
      ourKey = backend.ellswiftCreate(secretKey, rng(32))
      if (ourKey === null) throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'secretKey is not a valid secp256k1 scalar')
      if (options.ellswift !== undefined) {
        const given = bytes(options.ellswift, 'ellswift', NUM_ELLIGATOR_SWIFT_BYTES)
        if (!Buffer.from(backend.ellswiftDecode(given)).equals(backend.ellswiftDecode(ourKey))) {
          throw new Bip324Error('ERR_BIP324_INVALID_ARG', 'ellswift does not encode the public key of secretKey')
        }
        ourKey = Uint8Array.from(given)
      }
    } else if (options.rng !== undefined) {
      do {
        secretKey = rng(32)
        ourKey = backend.ellswiftCreate(secretKey, rng(32))
      } while (ourKey === null)
    }
    return new Initialized({
      role,
      magic,
      backend,
      rng,
      maxContents,
      provider,
      secretKey,
      ourKey
    })
  }

  /** Our 64-byte ElligatorSwift public key followed by `garbage` (default: 0..4095 random bytes). */
  sendKey (garbage?: Uint8Array): { state: SentKey, bytes: Uint8Array } {
    const ctx = this.take()
    const { secretKey, ellswift: ourKey } = ctx.secretKey !== null && ctx.ourKey !== null
      ? { secretKey: ctx.secretKey, ellswift: ctx.ourKey }
      : ctx.backend.keygen()
    const keyed: KeyedContext = Object.assign(ctx, { secretKey, ourKey })
    const ourGarbage = garbage === undefined
      ? ctx.rng(Math.floor(ctx.rng(2).reduce((n, b) => n * 256 + b, 0) / 65536 * (MAX_GARBAGE_LEN + 1)))
      : Uint8Array.from(bytes(garbage, 'garbage'))
    if (ourGarbage.length > MAX_GARBAGE_LEN) fail(ctx, new Bip324Error('ERR_BIP324_INVALID_ARG', `garbage must be at most ${MAX_GARBAGE_LEN} bytes`))
    ctx.ourGarbage = ourGarbage
    const out = new Uint8Array(NUM_ELLIGATOR_SWIFT_BYTES + ourGarbage.length)
    out.set(ourKey, 0)
    out.set(ourGarbage, NUM_ELLIGATOR_SWIFT_BYTES)
    return { state: new SentKey(keyed), bytes: out }
  }
}

export class SentKey extends State {
  /** Takes the peer's 64-byte key: ECDH and the key schedule give both directions' ciphers. */
  receiveKey (theirKey: Uint8Array): ReceivedKey {
    const ctx = this.take()
    bytes(theirKey, 'theirKey', NUM_ELLIGATOR_SWIFT_BYTES)
    const initiator = ctx.role === 'initiator'
    const secret = ctx.backend.ecdh(ctx.ourKey, theirKey, ctx.secretKey, initiator)
    ctx.secretKey.fill(0)
    if (secret === null) fail(ctx, new Bip324Error('ERR_BIP324_INVALID_ARG', 'our secret key is not a valid scalar'))
    const keys = ctx.backend.keySchedule(secret, ctx.magic)
    secret.fill(0)
    const [sendL, sendP, recvL, recvP] = initiator
      ? [keys.initiatorL, keys.initiatorP, keys.responderL, keys.responderP]
      : [keys.responderL, keys.responderP, keys.initiatorL, keys.initiatorP]
    ctx.session = {
      outbound: new OutboundCipher(ctx.backend.createCipher(sendL, sendP, ctx.provider)),
      inbound: new InboundCipher(ctx.backend.createCipher(recvL, recvP, ctx.provider), ctx.maxContents),
      sessionId: keys.sessionId
    }
    for (const k of [sendL, sendP, recvL, recvP]) k.fill(0)
    ctx.keys = keys
    return new ReceivedKey(ctx)
  }
}

export interface SendVersionOptions {
  /** Contents lengths of decoy packets to send before the version packet. */
  decoys?: readonly number[]
  /** Version packet contents. Default: empty, as BIP-324 and Bitcoin Core send. */
  version?: Uint8Array
}

export class ReceivedKey extends State {
  /** Our garbage terminator, decoys, then the version packet. The first of these packets carries our
   *  garbage as AAD, which authenticates it. */
  sendVersion (options: SendVersionOptions = {}): { state: SentVersion, bytes: Uint8Array } {
    const ctx = this.take()
    const { outbound } = ctx.session!
    try {
      checkSendVersionOptions(options)
    } catch (err) {
      fail(ctx, err as Bip324Error)
    }
    const { version = new Uint8Array(0), decoys = [] } = options
    let aad = ctx.ourGarbage!
    const parts: Uint8Array[] = [ourTerminator(ctx)]
    for (const length of decoys) {
      parts.push(outbound.encrypt(new Uint8Array(length), 'decoy', aad))
      aad = new Uint8Array(0)
    }
    parts.push(outbound.encrypt(version, 'genuine', aad))
    return { state: new SentVersion(ctx), bytes: Buffer.concat(parts) }
  }
}

function ourTerminator (ctx: Context): Uint8Array {
  return ctx.role === 'initiator' ? ctx.keys!.initiatorGarbageTerminator : ctx.keys!.responderGarbageTerminator
}

function theirTerminator (ctx: Context): Uint8Array {
  return ctx.role === 'initiator' ? ctx.keys!.responderGarbageTerminator : ctx.keys!.initiatorGarbageTerminator
}

export type GarbageResult =
  | { kind: 'needMoreData' }
  | { kind: 'garbageFound', state: ReceivedGarbage, consumed: number }

export class SentVersion extends State {
  /** Our direction, usable now: packets may follow our version packet before the peer's arrives. */
  get outbound (): OutboundCipher {
    return this.peek().session!.outbound
  }

  /** The session id both sides derive. */
  get sessionId (): Uint8Array {
    return this.peek().session!.sessionId
  }

  /** Looks for the peer's garbage terminator in `input`, which holds everything received after the
   *  peer's key. Call again with more input on needMoreData; after 4095 bytes of garbage without a
   *  terminator the handshake fails with ERR_BIP324_NO_TERMINATOR. */
  receiveGarbage (input: Uint8Array): GarbageResult {
    const ctx = this.peek()
    const terminator = theirTerminator(ctx)
    const window = input.subarray(0, MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES)
    const at = Buffer.from(window.buffer, window.byteOffset, window.length).indexOf(terminator)
    if (at >= 0) {
      this.take()
      // A copy (Buffer's slice would be a view): the caller may reuse its buffer before the first
      // packet, which the garbage authenticates, arrives.
      return { kind: 'garbageFound', state: new ReceivedGarbage(ctx, Uint8Array.prototype.slice.call(input, 0, at)), consumed: at + NUM_GARBAGE_TERMINATOR_BYTES }
    }
    if (input.length >= MAX_GARBAGE_LEN + NUM_GARBAGE_TERMINATOR_BYTES) {
      this.take()
      fail(ctx, new Bip324Error('ERR_BIP324_NO_TERMINATOR',
        `no garbage terminator within ${MAX_GARBAGE_LEN} bytes of garbage: not a BIP-324 peer of this network`))
    }
    return { kind: 'needMoreData' }
  }
}

export type VersionResult =
  | { kind: 'needMoreData' }
  | { kind: 'decoy', state: ReceivedGarbage, consumed: number }
  | { kind: 'complete', session: CipherSession, keyMaterial: SessionKeyMaterial, version: Uint8Array, consumed: number }

export class ReceivedGarbage extends State {
  #length: number | null = null

  /** @internal States are made by the transitions, starting at Initialized.create(). */
  constructor (ctx: KeyedContext, private readonly garbage: Uint8Array) {
    super(ctx)
  }

  /** The peer's garbage: the AAD of the first packet it sends. */
  get peerGarbage (): Uint8Array {
    return this.garbage
  }

  /** Reads one packet from the start of `input`: decoys are skipped (call again on the returned
   *  state), the first genuine packet is the version packet and completes the handshake. */
  receiveVersion (input: Uint8Array): VersionResult {
    const ctx = this.peek()
    const { inbound } = ctx.session!
    if (this.#length === null) {
      if (input.length < NUM_LENGTH_BYTES) return { kind: 'needMoreData' }
      try {
        this.#length = inbound.decryptLength(input.subarray(0, NUM_LENGTH_BYTES))
      } catch (err) {
        this.take()
        return fail(ctx, err as Bip324Error)
      }
    }
    const end = NUM_LENGTH_BYTES + NUM_HEADER_BYTES + this.#length + NUM_TAG_BYTES
    if (input.length < end) return { kind: 'needMoreData' }
    this.take()
    let packet: Packet
    try {
      packet = inbound.decrypt(input.subarray(NUM_LENGTH_BYTES, end), this.garbage)
    } catch (err) {
      return fail(ctx, err as Bip324Error)
    }
    if (packet.type === 'decoy') return { kind: 'decoy', state: new ReceivedGarbage(ctx, new Uint8Array(0)), consumed: end }
    const { sessionId, initiatorGarbageTerminator, responderGarbageTerminator } = ctx.keys!
    const keyMaterial = { sessionId, initiatorGarbageTerminator, responderGarbageTerminator }
    return { kind: 'complete', session: ctx.session!, keyMaterial, version: packet.contents, consumed: end }
  }

  /** Hands over the session before the version packet, for callers that frame packets themselves
   *  (as Protocol does): the first inbound packet must then be decrypted with `peerGarbage` as AAD. */
  intoSession (): CipherSession {
    const ctx = this.take()
    return ctx.session!
  }
}
