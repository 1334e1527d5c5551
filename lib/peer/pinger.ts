/**
 * A Peer's pings, as Bitcoin Core's MaybeSendPing and its pong handler do them: one ping every
 * `interval` once the last is answered (the first as soon as it starts), a timeout once one has
 * waited `timeout` for its pong, and pongs read as Core reads them: the nonce of the ping
 * outstanding finishes it with a round trip; a zero nonce or a payload shorter than 8 bytes
 * cancels it; any other nonce (an earlier ping's) is ignored. One timer: the pong deadline while a
 * ping is outstanding, else the next ping.
 */

import { performance } from 'node:perf_hooks'

import { Bip324Error } from '../errors'
import { randomNonce } from './version'

/** As http2's session.ping: the round-trip time in milliseconds, or why there is none. */
export type PingCallback = (err: Error | null, duration?: number) => void

/** @internal What a Pinger needs of its Peer. */
export interface PingerOwner {
  /** Sends a ping with `nonce`. */
  send: (nonce: bigint) => void
  /** A ping waited `timeout` for its pong. */
  timedOut: (err: Bip324Error) => void
}

interface Outstanding {
  nonce: bigint
  start: number
  callbacks: PingCallback[]
}

/** @internal */
export class Pinger {
  private readonly interval: number
  private readonly timeout: number
  private readonly owner: PingerOwner
  private timer: NodeJS.Timeout | undefined
  private outstanding: Outstanding | undefined
  private lastStart = 0
  private stopped = false
  /** Milliseconds of the last round trip, and the shortest so far (getpeerinfo's pingtime, minping). */
  last: number | undefined
  best: number | undefined

  /** `interval` 0: no automatic pings; `timeout` 0: no deadline. */
  constructor (interval: number, timeout: number, owner: PingerOwner) {
    this.interval = interval
    this.timeout = timeout
    this.owner = owner
  }

  /** Sends the first ping, unless automatic pings are off. */
  start (): void {
    if (this.interval > 0) this.ping()
  }

  /** Pings now; a ping outstanding is replaced (its pong no longer counts, its callbacks wait for this one). */
  ping (callback?: PingCallback): void {
    const callbacks = this.outstanding?.callbacks ?? []
    if (callback !== undefined) callbacks.push(callback)
    let nonce: bigint
    // Zero would read as "cancel this ping" in the peer's pong.
    do nonce = randomNonce(); while (nonce === 0n)
    const start = performance.now()
    this.outstanding = { nonce, start, callbacks }
    this.lastStart = start
    this.owner.send(nonce)
    this.schedule()
  }

  /** The peer's pong. */
  pong (payload: Uint8Array): void {
    const o = this.outstanding
    if (o === undefined) return
    if (payload.length < 8) {
      this.finish(new Bip324Error('ERR_BIP324_BAD_PAYLOAD', `a ${payload.length}-byte pong cancelled the ping`))
      return
    }
    const nonce = new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0, true)
    if (nonce === o.nonce) this.finish(null, performance.now() - o.start)
    else if (nonce === 0n) this.finish(new Bip324Error('ERR_BIP324_BAD_PAYLOAD', 'a pong with nonce 0 cancelled the ping'))
  }

  /** No more pings; a ping outstanding still counts its pong until close(). */
  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** The Peer closed: every ping waiting fails with `err`. */
  close (err: Error): void {
    this.stop()
    const callbacks = this.outstanding?.callbacks ?? []
    this.outstanding = undefined
    for (const cb of callbacks) cb(err)
  }

  private finish (err: Error | null, duration?: number): void {
    const callbacks = this.outstanding?.callbacks ?? []
    this.outstanding = undefined
    if (duration !== undefined) {
      this.last = duration
      this.best = Math.min(this.best ?? duration, duration)
    }
    this.schedule()
    for (const cb of callbacks) cb(err, duration)
  }

  private schedule (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.stopped) return
    const now = performance.now()
    const o = this.outstanding
    if (o !== undefined) {
      if (this.timeout > 0) {
        this.timer = setTimeout(() => {
          this.owner.timedOut(new Bip324Error('ERR_BIP324_PING_TIMEOUT', `no pong within ${this.timeout} ms`))
        }, Math.max(0, o.start + this.timeout - now)).unref()
      }
    } else if (this.interval > 0) {
      this.timer = setTimeout(() => this.ping(), Math.max(0, this.lastStart + this.interval - now)).unref()
    }
  }
}
