import { describe, expect, it } from 'vitest';
import { Sfc32 } from './random.js';

const DRAWS = 200_000;

function moments(draw: () => number): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let sumSquares = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < DRAWS; i++) {
    const x = draw();
    sum += x;
    sumSquares += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / DRAWS;
  return { mean, variance: sumSquares / DRAWS - mean * mean, min, max };
}

describe('sfc32 random source', () => {
  it('repeats its stream for the same seed and not for another', () => {
    const a = new Sfc32(123);
    const b = new Sfc32(123);
    const c = new Sfc32(124);
    const streamA = Array.from({ length: 100 }, () => a.uint32());
    expect(Array.from({ length: 100 }, () => b.uint32())).toEqual(streamA);
    expect(Array.from({ length: 100 }, () => c.uint32()).filter((x, i) => x === streamA[i]).length).toBeLessThan(3);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Sfc32(1);
    const { mean, variance, min, max } = moments(() => rng.uniform());
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals and mean-one exponentials', () => {
    const rng = new Sfc32(2);
    const normal = moments(() => rng.normal());
    expect(normal.mean).toBeCloseTo(0, 2);
    expect(normal.variance).toBeCloseTo(1, 1);
    const exponential = moments(() => rng.exponential());
    expect(exponential.min).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(exponential.max)).toBe(true);
    expect(exponential.mean).toBeCloseTo(1, 1);
    expect(exponential.variance).toBeCloseTo(1, 1);
  });
});
