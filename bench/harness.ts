/**
 * Timing by interleaved trials: every loop compared in a table row is calibrated once (to take
 * about `trialMs / rounds`) and warmed up, then the loops run round-robin, A B C A B C ..., `rounds`
 * times per trial and `trials` trials; a trial counts each loop's fastest round.
 * A ratio is taken per trial, between loops that ran moments apart, and its median reported: a
 * burst of other work on the machine slows one trial of each, not one implementation's every
 * sample. Absolute times on shared machines are noise; the ratios are what to read.
 */

/** A median and how far the trials behind it disagree: spread = (max - min) / median, so 0.1
 *  is printed ±10% and means the slowest and the fastest trial lie 10% of the median apart. */
export interface Stat {
  median: number
  spread: number
}

/** A two-process stream of one message size (bench/stream.ts): bytes per second over bip324, over
 *  plain TCP and through the pipeline limit, and the ratios bip324 / tcp and bip324 / limit. */
export interface StreamRow {
  size: number
  bip324: Stat
  tcp: Stat
  limit: Stat
  /** Both halves of the limit at once, bare cipher API still (see bench/stream.ts). */
  raw: Stat
  ratio: Stat
  ofLimit: Stat
  ofRaw: Stat
}

export interface Timing extends Stat {
  /** Nanoseconds per operation in each trial, in the order run (the median is of these). */
  trials: number[]
  iterations: number
}

export interface HarnessOptions {
  trials: number
  trialMs: number
  /** Each trial is this many interleaved runs of trialMs / rounds, and counts its fastest. */
  rounds: number
}

/** `run(n)` performs n operations and returns the nanoseconds they took. */
export type Loop = (iterations: number) => number

export function stat (xs: number[]): Stat {
  const sorted = [...xs].sort((a, b) => a - b)
  const n = sorted.length
  const median = n % 2 === 1 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2
  return { median, spread: n > 0 ? (sorted[n - 1]! - sorted[0]!) / median : NaN }
}

/** The per-trial ratios a / b of two series run interleaved (trial i of one beside trial i of the
 *  other), as a median and spread; NaN when either is missing. */
export function ratio (a: number[] | undefined, b: number[] | undefined): Stat {
  if (a === undefined || b === undefined || a.length !== b.length || a.length === 0) return { median: NaN, spread: NaN }
  return stat(a.map((x, i) => x / b[i]!))
}

// Grows n until one loop takes a tenth of a trial, then scales to a whole trial.
function calibrate (run: Loop, trialMs: number, maxIterations: number): number {
  for (let n = 1; ; n *= 4) {
    const ns = run(n)
    if (ns > trialMs * 1e5 || n >= maxIterations) return Math.max(1, Math.min(maxIterations, Math.round(n * (trialMs * 1e6) / Math.max(ns, 1))))
  }
}

/** Times every loop of `loops` in interleaved trials; `maxIterations` caps a loop's n (loops that
 *  prepare their input ahead). */
export function compare (loops: Record<string, Loop>, options: HarnessOptions, maxIterations = Number.MAX_SAFE_INTEGER): Record<string, Timing> {
  const entries = Object.entries(loops).map(([name, run]) => {
    const iterations = calibrate(run, options.trialMs / options.rounds, maxIterations)
    run(iterations) // warm-up at full size
    return { name, run, iterations, trials: [] as number[] }
  })
  // Noise on a shared machine (another tenant, an interrupt, preemption) only ever adds time, so a
  // trial counts the fastest of its rounds: the median of such trials moves far less between runs
  // than the median of single runs (the README's Benchmarks section has the figures).
  for (let t = 0; t < options.trials; t++) {
    const fastest = entries.map(() => Infinity)
    for (let r = 0; r < options.rounds; r++) {
      entries.forEach((e, i) => { fastest[i] = Math.min(fastest[i]!, e.run(e.iterations) / e.iterations) })
    }
    entries.forEach((e, i) => e.trials.push(fastest[i]!))
  }
  return Object.fromEntries(entries.map((e) => [e.name, { ...stat(e.trials), trials: e.trials, iterations: e.iterations }]))
}

/** `trials` rounds of every async trial in turn, for the loopback and multi-process tables: each
 *  name's results, in the order run. */
export async function interleave<K extends string, T> (trials: number, run: Record<K, () => Promise<T>>): Promise<Record<K, T[]>> {
  const out = Object.fromEntries(Object.keys(run).map((k) => [k, [] as T[]])) as Record<K, T[]>
  for (let t = 0; t < trials; t++) {
    for (const k of Object.keys(run) as K[]) out[k].push(await run[k]())
  }
  return out
}

export function elapsed (fn: () => void): number {
  const start = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - start)
}

export function formatTime (ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} us`
  return `${ns.toFixed(0)} ns`
}

/** "±4%": a Stat's spread, for beside its median. */
export function formatSpread (s: Stat): string {
  return !Number.isFinite(s.spread) ? '' : `±${(s.spread * 100).toFixed(s.spread < 0.1 ? 1 : 0)}%`
}

export const formatRatio = (s: Stat, digits = 2): string => Number.isNaN(s.median) ? 'not measured' : `${s.median.toFixed(digits)}x ${formatSpread(s)}`

/** A table cell: a Timing's time per operation and its spread. */
export const formatTiming = (t: Timing | undefined): string => t === undefined ? '-' : `${formatTime(t.median)} ${formatSpread(t)}`
