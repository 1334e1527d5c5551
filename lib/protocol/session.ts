/**
 * An established BIP-324 session: the handshake's last state. Packets go out through the
 * OutboundCipher; everything the peer sends goes through the PacketReader that has read its
 * packets since its garbage terminator.
 */

import type { OutboundCipher, SessionKeyMaterial } from './ciphers'
import type { PacketReader, ReadResult } from './packet-reader'

export class Session {
  /** @internal Made by ReceivedGarbage.receiveVersion. */
  constructor (
    /** Our direction. */
    readonly outbound: OutboundCipher,
    private readonly reader: PacketReader,
    /** The key schedule's public outputs: the session id and both garbage terminators. */
    readonly keyMaterial: SessionKeyMaterial,
    /** The contents of the peer's version packet (empty from Bitcoin Core). */
    readonly peerVersion: Uint8Array
  ) {}

  /** 32 bytes both sides derive: compare it out of band to detect a man in the middle. */
  get sessionId (): Uint8Array {
    return this.keyMaterial.sessionId
  }

  /** Packets sent and received so far, the handshake's decoys and version packets included. */
  get packets (): { sent: number, received: number } {
    return { sent: this.outbound.packets, received: this.reader.packets }
  }

  /** Bytes held for a packet not complete yet: at most one packet. */
  get buffered (): number {
    return this.reader.buffered
  }

  /** The peer's packets in `chunk` (any chunking). After an error the session is broken: destroy it. */
  receive (chunk: Uint8Array): ReadResult {
    return this.reader.feed(chunk)
  }

  /** Wipes both directions' keys; the session refuses further use. */
  destroy (): void {
    this.outbound.destroy()
    this.reader.destroy()
  }
}
