import { describe, expect, test } from 'vitest';
import { COLLAPSE_BELOW_PERCENT, ROLL_ABOVE_PERCENT, Rollout, SERVICE_HISTORY, Slice } from './slices.js';

describe('Slice', () => {
  test('remembers the generation each service closed, the oldest kept standing in for older ones', () => {
    const slice = new Slice(7);
    expect(slice.genAt(0)).toBe(7);
    for (let step = 1; step <= SERVICE_HISTORY + 10; step++) slice.served(100 + step * 3, step * 50);
    expect(slice.step).toBe(SERVICE_HISTORY + 10);
    expect(slice.servedAt).toBe((SERVICE_HISTORY + 10) * 50);
    expect(slice.genAt(slice.step)).toBe(100 + slice.step * 3);
    expect(slice.genAt(slice.step - 5)).toBe(100 + (slice.step - 5) * 3);
    // 11 services are older than the history: each reads as the oldest kept, which covers more, never less.
    const oldest = slice.step - SERVICE_HISTORY + 1;
    expect(slice.genAt(oldest)).toBe(100 + oldest * 3);
    expect(slice.genAt(3)).toBe(100 + oldest * 3);
    expect(slice.genAt(0)).toBe(100 + oldest * 3);
  });
});

describe('Rollout', () => {
  const INTERVAL = 50;
  const atPercent = (percent: number): number => (percent / 100) * INTERVAL;

  test('rolls once rounds of writes take more than half the interval, and goes back only below the lower mark', () => {
    const rollout = new Rollout(5, INTERVAL);
    expect(rollout.periodMs).toBe(50);
    for (let i = 0; i < 20; i++) expect(rollout.flushed(atPercent(ROLL_ABOVE_PERCENT - 20))).toBe(false);
    // One slow round is smoothed away; a run of them is not.
    expect(rollout.flushed(atPercent(90))).toBe(false);
    for (let i = 0; i < 20 && !rollout.rolling; i++) rollout.flushed(atPercent(80));
    expect(rollout.rolling).toBe(true);
    expect(rollout.periodMs).toBe(10);
    // Rolling starts from the first slice; each service moves the turn on, round and round.
    expect(rollout.turn).toBe(0);
    for (let i = 0; i < 7; i++) rollout.next();
    expect(rollout.turn).toBe(2);
    // Rolling, a round is five flushes: their sum is what is judged, between the two marks it stays.
    for (let i = 0; i < 100; i++) rollout.flushed(atPercent(COLLAPSE_BELOW_PERCENT + 5) / 5);
    expect(rollout.rolling).toBe(true);
    for (let i = 0; i < 100 && rollout.rolling; i++) rollout.flushed(atPercent(COLLAPSE_BELOW_PERCENT - 10) / 5);
    expect(rollout.rolling).toBe(false);
    expect(rollout.periodMs).toBe(50);
    for (let i = 0; i < 100 && !rollout.rolling; i++) rollout.flushed(atPercent(90));
    expect(rollout.turn).toBe(0);
  });

  test('one slice never rolls; a pinned mode holds whatever the rounds take', () => {
    const single = new Rollout(1, INTERVAL);
    for (let i = 0; i < 50; i++) expect(single.flushed(atPercent(100))).toBe(false);
    const pinned = new Rollout(4, INTERVAL);
    pinned.pin(true);
    for (let i = 0; i < 50; i++) expect(pinned.flushed(0)).toBe(true);
    pinned.pin(false);
    for (let i = 0; i < 50; i++) expect(pinned.flushed(atPercent(100))).toBe(false);
    pinned.pin(undefined);
    for (let i = 0; i < 50; i++) pinned.flushed(atPercent(100));
    expect(pinned.rolling).toBe(true);
  });
});
