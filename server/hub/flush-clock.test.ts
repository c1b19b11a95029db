import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { nextFlushAt, startFlushClock } from './flush-clock.js';

const START = 1_722_470_400_000;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});

afterEach(() => {
  vi.useRealTimers();
});

/**
 * Runs a clock whose every flush takes `busyMs(round)` of the stamping clock (which runs ahead of the fake
 * timers by the time spent flushing so far), for `rounds` flushes; returns their stamps, from the start.
 */
function run(options: { intervalMs: number; maxBusyPercent: number; busyMs: (round: number) => number; rounds: number }): number[] {
  let busySoFar = 0;
  const stamps: number[] = [];
  const now = (): number => Date.now() + busySoFar;
  const clock = startFlushClock({ ...options, now }, (at) => {
    stamps.push(at - START);
    busySoFar += options.busyMs(stamps.length);
    if (stamps.length === options.rounds) clock.stop();
  });
  vi.advanceTimersByTime(60_000);
  return stamps;
}

describe('the flush clock', () => {
  test('takes the spacing it is given after each flush (the hub rolling: a slice of the interval)', () => {
    const periods = [50, 10, 10, 10, 50];
    let flushes = 0;
    const stamps: number[] = [];
    const clock = startFlushClock({ intervalMs: 50, maxBusyPercent: 80, periodMs: () => periods[Math.min(flushes, periods.length - 1)]! }, (at) => {
      stamps.push(at - START);
      if (++flushes === 6) clock.stop();
    });
    vi.advanceTimersByTime(1_000);
    expect(stamps).toEqual([50, 60, 70, 80, 130, 180]);
  });

  test('keeps the cadence while flushing is quick: the next flush is due an interval after the last one started', () => {
    const stamps = run({ intervalMs: 50, maxBusyPercent: 80, busyMs: () => 10, rounds: 5 });
    expect(stamps).toEqual([50, 100, 150, 200, 250]);
  });

  test('pushes the next flush back when a round takes more than its share of the interval', () => {
    // 60 ms of flushing may be at most 80 % of the time: the next round starts 75 ms after this one did.
    const stamps = run({ intervalMs: 50, maxBusyPercent: 80, busyMs: () => 60, rounds: 4 });
    expect(stamps).toEqual([50, 125, 200, 275]);
    expect(nextFlushAt(1000, 40, 50, 80)).toBe(1050);
    expect(nextFlushAt(1000, 40, 50, 50)).toBe(1080);
  });

  test('never starts two flushes less than an interval apart by the clock that stamps them', () => {
    // The stamping clock runs 3 ms behind the timers' clock in every other 50 ms: timers fire "early" by it.
    const now = (): number => Date.now() - (Math.floor(Date.now() / 50) % 2) * 3;
    const stamps: number[] = [];
    const clock = startFlushClock({ intervalMs: 50, maxBusyPercent: 80, now }, (at) => stamps.push(at));
    vi.advanceTimersByTime(1000);
    clock.stop();
    expect(stamps.length).toBeGreaterThan(15);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!).toBeGreaterThanOrEqual(50);
  });

  test('after a stall, carries on from the late flush instead of catching up with a burst', () => {
    // At 120 ms the process stalls for a second (a long garbage collection, a starved CPU).
    let stalledMs = 0;
    const stamps: number[] = [];
    const clock = startFlushClock({ intervalMs: 50, maxBusyPercent: 80, now: () => Date.now() + stalledMs }, (at) => {
      stamps.push(at - START);
      if (stamps.length === 6) clock.stop();
    });
    setTimeout(() => (stalledMs = 1000), 120);
    vi.advanceTimersByTime(60_000);
    expect(stamps).toEqual([50, 100, 1150, 1200, 1250, 1300]);
  });

  test('stops flushing once stopped', () => {
    const flush = vi.fn();
    const clock = startFlushClock({ intervalMs: 50, maxBusyPercent: 80 }, flush);
    vi.advanceTimersByTime(120);
    clock.stop();
    vi.advanceTimersByTime(500);
    expect(flush).toHaveBeenCalledTimes(2);
  });
});
