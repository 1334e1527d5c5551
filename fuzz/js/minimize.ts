/**
 * Shrinks a failing input while it still fails the same way: fewer cuts, then byte ranges removed
 * from halves down to single bytes. Small enough to read beats minimal.
 */

import { type Case, Finding, type Target } from './case'

function without (c: Case, at: number, size: number): Case {
  const bytes = new Uint8Array(c.bytes.length - size)
  bytes.set(c.bytes.subarray(0, at))
  bytes.set(c.bytes.subarray(at + size), at)
  const cuts = c.cuts.map((x) => (x <= at ? x : Math.max(at, x - size)))
  return { ...c, bytes, cuts }
}

export function minimize (target: Target, c: Case, kind: string, budget = 4000): { minimal: Case, runs: number } {
  let runs = 0
  const fails = (x: Case): boolean => {
    runs++
    try {
      target.run(x)
      return false
    } catch (err) {
      return err instanceof Finding && err.kind === kind
    }
  }
  let best = c
  for (let i = best.cuts.length - 1; i >= 0 && runs < budget; i--) {
    const fewer = { ...best, cuts: best.cuts.filter((_, j) => j !== i) }
    if (fails(fewer)) best = fewer
  }
  for (let size = 2 ** Math.floor(Math.log2(Math.max(1, best.bytes.length))); size >= 1; size = Math.floor(size / 2)) {
    for (let at = 0; at + size <= best.bytes.length && runs < budget;) {
      const smaller = without(best, at, size)
      if (fails(smaller)) best = smaller
      else at += size
    }
  }
  return { minimal: best, runs }
}
