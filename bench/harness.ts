/**
 * Timing: a warm-up, then several samples of a loop whose size is calibrated to take about
 * `sampleMs`, reporting the median and spread per operation. Ratios between rows measured in the
 * same run are what to read: absolute times on shared machines are noise.
 */

export interface Timing {
  /** Median nanoseconds per operation. */
  median: number
  min: number
  max: number
  samples: number
  iterations: number
}

export interface HarnessOptions {
  samples: number
  sampleMs: number
}

/** `run(n)` performs n operations and returns the nanoseconds they took. */
export type Loop = (iterations: number) => number

export function time (run: Loop, options: HarnessOptions, maxIterations = Number.MAX_SAFE_INTEGER): Timing {
  let iterations = 1
  // Calibrate: grow until one loop takes a tenth of a sample, then scale.
  for (;;) {
    const ns = run(iterations)
    if (ns > options.sampleMs * 1e5 || iterations >= maxIterations) {
      iterations = Math.max(1, Math.min(maxIterations, Math.round(iterations * (options.sampleMs * 1e6) / Math.max(ns, 1))))
      break
    }
    iterations *= 4
  }
  run(iterations) // warm-up at full size
  const perOp = Array.from({ length: options.samples }, () => run(iterations) / iterations).sort((a, b) => a - b)
  return { median: perOp[perOp.length >> 1]!, min: perOp[0]!, max: perOp[perOp.length - 1]!, samples: perOp.length, iterations }
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
