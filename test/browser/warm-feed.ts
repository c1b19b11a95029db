/**
 * A simulated feed fast-forwarded through its last `warmMs` of event time, then played in real time: the
 * server starts with minutes of bars, so the dashboard's chart has history to draw from the first second.
 */
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Feed, Tick } from '../../feeds/tick.js';

export interface WarmFeed extends Feed {
  /** Settles when the fast-forward has reached the present (after the server started pulling ticks). */
  readonly caughtUp: Promise<void>;
}

/** The simulator's own warm start, plus a promise that tells the test when it has caught up. */
export function warmSimulator(warmMs: number, options: { seed?: number; ticksPerSecond?: number } = {}): WarmFeed {
  const simulator = createSimulator({ ...options, warmupMs: warmMs });
  let reachedPresent = (): void => {};
  const caughtUp = new Promise<void>((resolve) => (reachedPresent = resolve));
  return {
    info: simulator.info,
    instruments: simulator.instruments,
    caughtUp,
    [Symbol.asyncIterator]: () => announcePresent(simulator, reachedPresent),
  };
}

async function* announcePresent(ticks: AsyncIterable<Tick>, reachedPresent: () => void): AsyncGenerator<Tick, void, undefined> {
  for await (const tick of ticks) {
    if (tick.ts >= Date.now() - 50) reachedPresent();
    yield tick;
  }
}
