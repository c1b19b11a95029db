import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import type { Bar } from '../../client/protocol/messages.js';
import { addVolume } from '../../client/bars.js';
import { BarSeries } from './bar-series.js';

const INTERVAL_MS = 1_000;

interface ModelBar {
  time: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  gen: number;
  openTs: number;
  closeTs: number;
}

/**
 * What a BarSeries promises, kept as plainly as it can be: every bar in a sorted array, the oldest forgotten
 * when a new bar would pass the capacity, no ring and no copy of the newest bar.
 */
class ModelSeries {
  readonly bars: ModelBar[] = [];

  constructor(private readonly capacity: number) {}

  addTrade(ts: number, price: number, size: number, gen: number): boolean {
    const bar = this.place(Math.floor(ts / INTERVAL_MS) * INTERVAL_MS, price, ts, gen);
    if (bar === undefined) return false;
    if (ts < bar.openTs) {
      bar.o = price;
      bar.openTs = ts;
    }
    if (price > bar.h) bar.h = price;
    if (price < bar.l) bar.l = price;
    if (ts >= bar.closeTs) {
      bar.c = price;
      bar.closeTs = ts;
    }
    bar.v = addVolume(bar.v, size);
    bar.gen = gen;
    return true;
  }

  putBar([time, o, h, l, c, v]: Bar, gen: number): boolean {
    const held = this.bars.find((bar) => bar.time === time);
    if (held !== undefined && held.o === o && held.h === h && held.l === l && held.c === c && held.v === v) return false;
    const bar = held ?? this.place(time, o, time, gen);
    if (bar === undefined) return false;
    Object.assign(bar, { o, h, l, c, v, gen });
    return true;
  }

  changedSince(since: number): Bar[] {
    return this.bars.filter((bar) => bar.gen > since).map(toBar);
  }

  range(limit: number, end: number): Bar[] {
    const before = this.bars.filter((bar) => bar.time < end);
    return before.slice(Math.max(0, before.length - limit)).map(toBar);
  }

  /** The bar starting at `time`, opened empty at `price` when absent; undefined when it would be older than a full ring. */
  private place(time: number, price: number, ts: number, gen: number): ModelBar | undefined {
    const held = this.bars.find((bar) => bar.time === time);
    if (held !== undefined) return held;
    if (this.bars.length === this.capacity) {
      if (time < this.bars[0]!.time) return undefined;
      this.bars.shift();
    }
    const bar: ModelBar = { time, o: price, h: price, l: price, c: price, v: 0, gen, openTs: ts, closeTs: ts };
    this.bars.push(bar);
    this.bars.sort((x, y) => x.time - y.time);
    return bar;
  }
}

function toBar(bar: ModelBar): Bar {
  return [bar.time, bar.o, bar.h, bar.l, bar.c, bar.v];
}

type Op =
  | { kind: 'trade'; ts: number; price: number; size: number }
  | { kind: 'put'; second: number; prices: [number, number, number, number]; volume: number }
  | { kind: 'flush' }
  | { kind: 'changedSince'; back: number }
  | { kind: 'range'; limit: number; endSecond: number };

const price = fc.integer({ min: 1, max: 40 }).map((ticks) => ticks / 4);
/** Mostly trades a little after the one before (so most land in the newest bar), some late, some far ahead. */
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('trade' as const), ts: fc.integer({ min: -3_000, max: 1_500 }), price, size: fc.integer({ min: 1, max: 9 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      second: fc.integer({ min: -4, max: 2 }),
      prices: fc.tuple(price, price, price, price),
      volume: fc.integer({ min: 0, max: 30 }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('changedSince' as const), back: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('range' as const), limit: fc.integer({ min: 1, max: 8 }), endSecond: fc.integer({ min: -3, max: 3 }) }) },
);

describe('BarSeries', () => {
  test('trades, whole bars and reads in any order give what a plain sorted list of bars gives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 150 }), (capacity, ops) => {
        const series = new BarSeries(INTERVAL_MS, capacity);
        const model = new ModelSeries(capacity);
        let gen = 1;
        // Event time moves on from trade to trade; an op's ts is relative to the latest.
        let now = 100_000;
        for (const step of ops) {
          switch (step.kind) {
            case 'trade': {
              const ts = now + step.ts;
              if (step.ts > 0) now = ts;
              expect(series.addTrade(ts, step.price, step.size, gen)).toBe(model.addTrade(ts, step.price, step.size, gen));
              break;
            }
            case 'put': {
              const [a, b, c, d] = step.prices;
              const time = (Math.floor(now / INTERVAL_MS) + step.second) * INTERVAL_MS;
              const bar: Bar = [time, a, Math.max(a, b, c, d), Math.min(a, b, c, d), d, step.volume];
              expect(series.putBar(bar, gen)).toBe(model.putBar(bar, gen));
              break;
            }
            case 'flush':
              gen++;
              break;
            case 'changedSince':
              expect(series.changedSince(gen - 1 - step.back)).toEqual(model.changedSince(gen - 1 - step.back));
              break;
            case 'range': {
              const end = (Math.floor(now / INTERVAL_MS) + step.endSecond) * INTERVAL_MS;
              expect(series.range(step.limit, end)).toEqual(model.range(step.limit, end));
              break;
            }
          }
          expect(series.length).toBe(model.bars.length);
        }
        expect(series.range(capacity)).toEqual(model.range(capacity, Number.POSITIVE_INFINITY));
        expect(series.changedSince(0)).toEqual(model.changedSince(0));
      }),
      { numRuns: 400 },
    );
  });

  test('a series that adopts another holds its bars, newest included, all changed in the given generation', () => {
    const source = new BarSeries(INTERVAL_MS, 10);
    const target = new BarSeries(INTERVAL_MS, 10);
    target.addTrade(5_000, 9, 1, 1);
    source.addTrade(1_000, 10, 1, 1);
    source.addTrade(2_000, 11, 2, 1);
    // Into the newest bar, so held only in its copy until something reads the ring.
    source.addTrade(2_500, 12, 3, 2);
    target.adopt(source, 7);
    expect(target.changedSince(6)).toEqual([
      [1_000, 10, 10, 10, 10, 1],
      [2_000, 11, 12, 11, 12, 5],
    ]);
    // Trades after it land in the adopted newest bar.
    target.addTrade(2_900, 8, 1, 8);
    expect(target.changedSince(7)).toEqual([[2_000, 11, 12, 8, 8, 6]]);
  });
});
