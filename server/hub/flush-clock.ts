/**
 * The hub's flush clock. Flushes are at least `intervalMs` apart by the wall clock that stamps the frames
 * (`Date.now()`), never less: a timer may fire a millisecond early, and setInterval measures its period on
 * another clock, so a round of maxRate updates `k` flushes after the previous one could otherwise be
 * stamped slightly less than `k × intervalMs` later, and a client counting updates per second by the
 * frames' `time` would see one too many (docs/protocol.md#subscribe).
 *
 * A late flush does not make the next one come sooner (no catch-up bursts): spacing is measured from the
 * previous flush as it happened.
 */
export interface FlushClock {
  stop(): void;
}

export function startFlushClock(intervalMs: number, flush: (now: number) => void, now: () => number = Date.now): FlushClock {
  let last = now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    const at = now();
    const early = last + intervalMs - at;
    if (early > 0) {
      timer = setTimeout(tick, early);
      return;
    }
    last = at;
    try {
      flush(at);
    } finally {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    }
  };
  timer = setTimeout(tick, intervalMs);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
