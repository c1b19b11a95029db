/**
 * The read behind a rewind: every tick from the start of the files up to a target time, unpaced, into a
 * sink (the server's market being rebuilt), letting the event loop run every MAX_UNPACED_SLICE_MS so the
 * server keeps serving meanwhile.
 */
import type { Tick } from '../tick.js';
import { yieldToEventLoop, type Clock } from './clock.js';
import type { TickCursor } from './merge.js';

/** Unpaced work (a `max` replay, a fast-forward, a rebuild) lets the event loop run after this much wall time. */
export const MAX_UNPACED_SLICE_MS = 10;
/** Ticks between looks at the wall clock during unpaced work. */
export const TICKS_PER_CLOCK_CHECK = 256;

export interface Rebuilt {
  /** Event time of the newest tick given to the sink; NaN when none was. */
  readonly newest: number;
  /** Why the read stopped before the target (a bad line), if it did. */
  readonly error: Error | undefined;
}

/** Takes every tick with event time ≤ `target` from `cursor` (in merged order, up to the first later one). */
export async function rebuildUpTo(cursor: TickCursor, target: number, sink: ((tick: Tick) => void) | undefined, clock: Clock, stopped: () => boolean): Promise<Rebuilt> {
  let newest = Number.NaN;
  let ticks = 0;
  let sliceStart = clock.now();
  try {
    for (;;) {
      const head = cursor.headTime();
      if (Number.isNaN(head)) {
        await cursor.fill();
        continue;
      }
      if (head > target || stopped()) break;
      const tick = cursor.take();
      if (!(tick.ts <= newest)) newest = tick.ts;
      sink?.(tick);
      if (++ticks % TICKS_PER_CLOCK_CHECK === 0 && clock.now() - sliceStart > MAX_UNPACED_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = clock.now();
      }
    }
  } catch (failure) {
    return { newest, error: failure instanceof Error ? failure : new Error(String(failure)) };
  }
  return { newest, error: undefined };
}
