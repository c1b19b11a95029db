/** Wall time for pacing, injectable so tests can drive a replay's clock by hand. */
export interface Clock {
  /** Monotonic ms. */
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * The longest timer Node keeps: setTimeout takes a 32-bit signed ms count and turns anything longer into 1 ms
 * (with a TimeoutOverflowWarning). Longer waits are slept in pieces of at most this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Lets timers, I/O and sockets run before going on (a macrotask, unlike `await` on a resolved promise). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
