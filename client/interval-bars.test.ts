import { describe, expect, test } from 'vitest';
import type { BarEvent } from './bar-ledger.js';
import { IntervalBars } from './interval-bars.js';
import type { Bar } from './protocol/messages.js';

const second = (time: number, close: number, closed = false, revision = false): BarEvent => ({
  symbol: 'X',
  bar: [time, close, close, close, close, 1] as Bar,
  closed,
  revision,
});

describe('IntervalBars', () => {
  test('folds 1 s bars into the interval and closes a bucket when a later bucket starts', () => {
    const folder = new IntervalBars('X', 5_000, Number.NEGATIVE_INFINITY);
    expect(folder.push(second(0, 1)).map((e) => [e.bar, e.closed])).toEqual([[[0, 1, 1, 1, 1, 1], false]]);
    expect(folder.push(second(0, 1, true)).map((e) => e.closed)).toEqual([]);
    expect(folder.push(second(3_000, 2, false)).map((e) => [e.bar, e.closed])).toEqual([[[0, 1, 2, 1, 2, 2], false]]);
    expect(folder.push(second(3_000, 2, true)).map((e) => e.closed)).toEqual([]);
    // The last second of the bucket, already closed: the bucket changes and closes in one event.
    expect(folder.push(second(4_000, 3, true)).map((e) => [e.bar, e.closed])).toEqual([[[0, 1, 3, 1, 3, 3], true]]);
    expect(folder.push(second(5_000, 4)).map((e) => [e.bar[0], e.closed])).toEqual([[5_000, false]]);
  });

  test('skips the bucket in progress when the stream started: never a partial bar', () => {
    const folder = new IntervalBars('X', 5_000, IntervalBars.after(3_000, 5_000));
    expect(folder.push(second(4_000, 1, true))).toEqual([]);
    expect(folder.push(second(5_000, 2)).map((e) => e.bar[0])).toEqual([5_000]);
  });

  test('a late 1 s bar in the previous bucket revises it', () => {
    const folder = new IntervalBars('X', 5_000, Number.NEGATIVE_INFINITY);
    folder.push(second(1_000, 1, true));
    folder.push(second(6_000, 2));
    const events = folder.push(second(2_000, 9, true, true));
    expect(events.map((e) => [e.bar[0], e.bar[2], e.closed, e.revision])).toEqual([[0, 9, true, true]]);
  });
});
