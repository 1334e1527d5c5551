/**
 * The addresses of peers that misbehaved, as Core's BanMan discouragement (src/banman.h): no
 * outbound connection to them, and their inbound connections are the first evicted. By host, as
 * Core's (a peer's ports are all one peer). Bounded as Core's rolling filter of 50,000 entries:
 * the oldest discouragement goes first, and nothing is saved (Core's is lost on restart too).
 */

import { canonicalHost } from './address'

/** Core's discouragement filter size. */
export const MAX_DISCOURAGED = 50_000

export class Discouraged {
  private readonly hosts = new Set<string>()

  constructor (private readonly max = MAX_DISCOURAGED) {}

  get size (): number { return this.hosts.size }

  add (host: string): void {
    const key = canonicalHost(host) ?? host
    // Re-added: it becomes the newest.
    this.hosts.delete(key)
    this.hosts.add(key)
    if (this.hosts.size > this.max) this.hosts.delete(this.hosts.values().next().value as string)
  }

  has (host: string): boolean {
    return this.hosts.has(canonicalHost(host) ?? host)
  }
}
