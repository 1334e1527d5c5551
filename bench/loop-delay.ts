/**
 * Event-loop delay as perf_hooks.monitorEventLoopDelay measures it, in milliseconds beyond the
 * sampling interval: Node records the time between its sampling timer's runs, the interval
 * included (an idle loop shows 10 ms at resolution 10), so the delay is what exceeds it.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks'

export interface LoopDelay { p50: number, p99: number, max: number }

export interface LoopDelayMonitor {
  /** The delays since the start or the last reset. */
  read: () => LoopDelay
  reset: () => void
  stop: () => void
}

export function monitorLoopDelay (resolutionMs: number): LoopDelayMonitor {
  const h = monitorEventLoopDelay({ resolution: resolutionMs })
  h.enable()
  const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - resolutionMs) * 100) / 100)
  return {
    read: () => ({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) }),
    reset: () => h.reset(),
    stop: () => h.disable()
  }
}
