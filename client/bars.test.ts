import { describe, expect, test } from 'vitest';
import type { Bar } from './protocol/messages.js';
import { addVolume, foldBars, mergeBar } from './bars.js';

/** A small deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('addVolume', () => {
  test('0.1 + 0.2 is 0.3', () => {
    expect(addVolume(0.1, 0.2)).toBe(0.3);
  });

  test.each([
    [8, 1_000],
    [4, 10_000_000],
    [0, 1e12],
  ])('sums of sizes with %i decimals up to %d give the same volume whatever the grouping', (decimals, max) => {
    const random = lcg(decimals + 1);
    for (let round = 0; round < 200; round++) {
      const sizes = Array.from({ length: 60 }, () => Math.round(random() * max * 10 ** decimals) / 10 ** decimals);
      const inOrder = sizes.reduce(addVolume, 0);
      const reversed = [...sizes].reverse().reduce(addVolume, 0);
      const inTens: number[] = [];
      for (let i = 0; i < sizes.length; i += 10) inTens.push(sizes.slice(i, i + 10).reduce(addVolume, 0));
      expect(reversed).toBe(inOrder);
      expect(inTens.reduce(addVolume, 0)).toBe(inOrder);
    }
  });
});

describe('foldBars', () => {
  test('folds by the documented rule and leaves empty buckets out', () => {
    const bars: Bar[] = [
      [0, 10, 12, 9, 11, 0.1],
      [1_000, 11, 15, 11, 14, 0.2],
      [7_000, 14, 14, 8, 8, 1],
    ];
    expect(foldBars(bars, 5_000)).toEqual([
      [0, 10, 15, 9, 14, 0.3],
      [5_000, 14, 14, 8, 8, 1],
    ]);
  });
});

describe('mergeBar', () => {
  test('replaces by start time, inserts in order, and keeps at most maxBars', () => {
    const bars: Bar[] = [];
    mergeBar(bars, [2_000, 1, 1, 1, 1, 1]);
    mergeBar(bars, [4_000, 1, 1, 1, 1, 1]);
    mergeBar(bars, [3_000, 2, 2, 2, 2, 2]);
    mergeBar(bars, [4_000, 5, 5, 5, 5, 5]);
    mergeBar(bars, [1_000, 0, 0, 0, 0, 0], 4);
    mergeBar(bars, [5_000, 6, 6, 6, 6, 6], 4);
    expect(bars.map((bar) => [bar[0], bar[1]])).toEqual([
      [2_000, 1],
      [3_000, 2],
      [4_000, 5],
      [5_000, 6],
    ]);
  });
});

describe('mergeBar reports changes', () => {
  test('an equal bar changes nothing; a different or new one does', () => {
    const bars: Bar[] = [[1_000, 1, 2, 0, 1, 5]];
    expect(mergeBar(bars, [1_000, 1, 2, 0, 1, 5])).toBe(false);
    expect(mergeBar(bars, [1_000, 1, 2, 0, 1.5, 6])).toBe(true);
    expect(mergeBar(bars, [0, 1, 1, 1, 1, 1])).toBe(true);
    expect(bars.map((bar) => bar[0])).toEqual([0, 1_000]);
    expect(bars[1]).toEqual([1_000, 1, 2, 0, 1.5, 6]);
  });
});
