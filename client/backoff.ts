/**
 * Reconnect delays with "full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): attempt n waits a uniformly random time in [0, min(max, base * 2^n)], so clients dropped
 * together do not come back together.
 */
export interface BackoffOptions {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** 250 ms, doubling per attempt up to 10 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { minDelayMs: 250, maxDelayMs: 10_000 };

/** The delay before reconnect attempt `attempt` (0 = first): uniform in [0, min(max, min × 2^attempt)]. */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
