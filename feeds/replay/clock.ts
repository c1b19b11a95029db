/** Wall time for pacing, injectable so tests can drive a replay's clock by hand. */
export interface Clock {
  /** Monotonic ms. */
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Lets timers, I/O and sockets run before going on (a macrotask, unlike `await` on a resolved promise). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
