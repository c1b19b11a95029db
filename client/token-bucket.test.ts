import { describe, expect, test } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  test('allows a burst, then the rate, and refills completely after a quiet spell', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const burst = Array.from({ length: 8 }, () => bucket.take(0));
    expect(burst).toEqual([true, true, true, true, true, false, false, false]);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true); // one token per 100 ms at 10/s
    expect(bucket.full(100)).toBe(false);
    expect(bucket.full(600)).toBe(true);
    expect(bucket.full(60_000)).toBe(true);
    expect(Array.from({ length: 6 }, () => bucket.take(60_000)).filter(Boolean)).toHaveLength(5);
  });

  test('a clock that steps back takes nothing and gives nothing', () => {
    const bucket = new TokenBucket(1, 1, 1_000);
    expect(bucket.take(1_000)).toBe(true);
    expect(bucket.take(500)).toBe(false);
    expect(bucket.take(2_000)).toBe(true);
  });
});

describe('TokenBucket.delay', () => {
  test('says when the next token comes: at once while one is there, then a share of a second', () => {
    const bucket = new TokenBucket(40, 2, 0);
    expect(bucket.delay(0)).toBe(1);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, false]);
    expect(bucket.delay(0)).toBe(25);
    expect(bucket.delay(10)).toBe(15);
    expect(bucket.take(25)).toBe(true);
  });
});
