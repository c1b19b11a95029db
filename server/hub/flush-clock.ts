/**
 * The hub's flush clock: one design for two requirements.
 *
 * 1. maxRate holds by the frames' own times. A flush is stamped with the wall clock (`now()`, Date.now by
 *    default) when it starts, and no flush starts less than `intervalMs` after the previous one by that
 *    clock: a timer that fires early is re-armed for the rest. So a round of maxRate updates `k` flushes
 *    after the previous one is stamped at least `k × intervalMs` later, and a client counting updates per
 *    second by `time` never sees one too many (docs/protocol.md#subscribe).
 * 2. The cadence does not stretch with the work. The next flush is due `intervalMs` after the previous one
 *    STARTED, not after it ended, so under light load the period stays the interval (plus the timer's own
 *    lateness, about a millisecond) instead of drifting to interval + flush duration. Only when a round
 *    takes more than `maxBusyPercent` of the interval (thousands of connections, one write each) is the
 *    next pushed back, to `duration × 100 / maxBusyPercent` after its start, so that the feed, requests and
 *    socket I/O keep the rest of the time (server/config.ts MAX_FLUSH_BUSY_PERCENT): under overload updates
 *    come less often and conflate more, and nothing falls behind without bound.
 *
 * A late flush never makes the next one come sooner (no catch-up bursts after a stall or a long garbage
 * collection): spacing is measured from the previous flush as it happened.
 */
export interface FlushClock {
  stop(): void;
}

export interface FlushClockOptions {
  readonly intervalMs: number;
  /** Most of the time flushing may take before the interval stretches, in percent (1..100). */
  readonly maxBusyPercent: number;
  /** The clock that stamps frames, in ms; Date.now unless a test drives it. */
  readonly now?: () => number;
  /**
   * The spacing wanted before the next flush, read after each one (default: intervalMs): the hub's rolling
   * flush ticks `slices` times an interval while it rolls (hub.ts).
   */
  readonly periodMs?: () => number;
}

/**
 * When the flush after one that started at `startedAt` and took `busyMs` is due: one interval after its
 * start, or later when the round took more than `maxBusyPercent` of that.
 */
export function nextFlushAt(startedAt: number, busyMs: number, intervalMs: number, maxBusyPercent: number): number {
  return startedAt + Math.max(intervalMs, (busyMs * 100) / maxBusyPercent);
}

export function startFlushClock(options: FlushClockOptions, flush: (now: number) => void): FlushClock {
  const { intervalMs, maxBusyPercent, now = Date.now } = options;
  const period = options.periodMs ?? ((): number => intervalMs);
  let dueAt = now() + period();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    const startedAt = now();
    if (startedAt < dueAt) {
      timer = setTimeout(tick, dueAt - startedAt);
      return;
    }
    try {
      flush(startedAt);
    } finally {
      if (!stopped) {
        const endedAt = now();
        dueAt = nextFlushAt(startedAt, endedAt - startedAt, period(), maxBusyPercent);
        timer = setTimeout(tick, Math.max(0, dueAt - endedAt));
      }
    }
  };
  timer = setTimeout(tick, period());
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
