/**
 * Several files' ticks as one stream in event-time order: a k-way merge of each file's current batch, so
 * two exchanges' captures replay side by side. Each step takes the earliest head (ties: the file named
 * first). Files are only read ahead by one batch each, so memory does not depend on their sizes.
 *
 * Synchronous where it can be: `headTime()` and `take()` run on batches in hand, and only `fill()`, needed
 * when a file's batch runs out, waits for I/O. That keeps the per-tick cost of a replay at `--speed max` to
 * a comparison or two.
 */
import type { Tick } from '../tick.js';
import type { FileTicks } from './file-ticks.js';

interface Lane {
  readonly source: FileTicks;
  batch: Tick[];
  index: number;
  done: boolean;
}

/** headTime() when a file must read its next batch first: call fill(). */
export const NEEDS_FILL = Number.NaN;

export class TickCursor {
  private readonly lanes: Lane[];
  /** Lane holding the earliest head, found by headTime() for take(). */
  private earliest: Lane | undefined;

  constructor(readonly sources: readonly FileTicks[]) {
    this.lanes = sources.map((source) => ({ source, batch: [], index: 0, done: false }));
  }

  /** Event time of the next tick; NaN (NEEDS_FILL) when fill() must run first; Infinity at the end. */
  headTime(): number {
    let best: Lane | undefined;
    let bestTime = Number.POSITIVE_INFINITY;
    for (const lane of this.lanes) {
      if (lane.done) continue;
      const tick = lane.batch[lane.index];
      if (tick === undefined) return NEEDS_FILL;
      if (tick.ts < bestTime) {
        bestTime = tick.ts;
        best = lane;
      }
    }
    this.earliest = best;
    return bestTime;
  }

  /** The next tick; only after headTime() returned a finite time. */
  take(): Tick {
    const lane = this.earliest!;
    return lane.batch[lane.index++]!;
  }

  /** Reads the next batch of every file whose batch is used up; rejects with the first file's error. */
  async fill(): Promise<void> {
    const loads: Promise<void>[] = [];
    for (const lane of this.lanes) {
      if (lane.done || lane.index < lane.batch.length) continue;
      loads.push(
        lane.source.next().then((batch) => {
          if (batch === undefined) lane.done = true;
          else {
            lane.batch = batch;
            lane.index = 0;
          }
        }),
      );
    }
    await Promise.all(loads);
  }

  /** Ticks read but not yet taken (the current batches), e.g. to look at what a replay starts with. */
  *buffered(): Generator<Tick> {
    for (const lane of this.lanes) for (let i = lane.index; i < lane.batch.length; i++) yield lane.batch[i]!;
  }

  /** Bytes read over the files' total size, 0..1. */
  progress(): number {
    let read = 0;
    let size = 0;
    for (const lane of this.lanes) {
      size += lane.source.size;
      read += lane.done ? lane.source.size : Math.min(lane.source.bytesRead, lane.source.size);
    }
    return size === 0 ? 1 : read / size;
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.source.close()));
  }
}
