/**
 * A simulated feed fast-forwarded through its last `warmMs` of event time, then played in real time: the
 * server starts with minutes of bars, so the dashboard's chart has history to draw from the first second.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Feed, Tick } from '../../feeds/tick.js';

/** While fast-forwarding, yield to the event loop this often so the server stays responsive. */
const TICKS_PER_TURN = 8_192;

export interface WarmFeed extends Feed {
  /** Settles when the fast-forward has reached the present (after the server started pulling ticks). */
  readonly caughtUp: Promise<void>;
}

export function warmSimulator(warmMs: number, options: { seed?: number; ticksPerSecond?: number } = {}): WarmFeed {
  const simulator = createSimulator({ ...options, startTime: Date.now() - warmMs });
  let reachedPresent = (): void => {};
  const caughtUp = new Promise<void>((resolve) => (reachedPresent = resolve));
  return {
    info: { ...simulator.info, description: `${simulator.info.description}, fast-forwarded ${Math.round(warmMs / 1000)} s` },
    instruments: simulator.instruments,
    caughtUp,
    [Symbol.asyncIterator]: () => play(simulator.ticks(), reachedPresent),
  };
}

async function* play(ticks: Iterable<Tick>, reachedPresent: () => void): AsyncGenerator<Tick, void, undefined> {
  let sinceTurn = 0;
  for (const tick of ticks) {
    const aheadMs = tick.ts - Date.now();
    if (aheadMs > 0) {
      reachedPresent();
      await sleep(aheadMs);
      sinceTurn = 0;
    } else if (++sinceTurn === TICKS_PER_TURN) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sinceTurn = 0;
    }
    yield tick;
  }
}
