import { describe, expect, it } from 'vitest';
import type { Tick } from '../tick.js';
import { createSimulator } from './index.js';

const START = Date.UTC(2024, 5, 3, 13, 30);

function take(ticks: Iterable<Tick>, count: number): Tick[] {
  const out: Tick[] = [];
  for (const tick of ticks) {
    out.push(tick);
    if (out.length >= count) break;
  }
  return out;
}

describe('simulator determinism', () => {
  it('the same seed and start time give exactly the same ticks', () => {
    const a = createSimulator({ seed: 7, startTime: START }).ticks(50_000);
    const b = createSimulator({ seed: 7, startTime: START }).ticks(50_000);
    expect([...a]).toEqual([...b]);
  });

  it('a different seed gives a different sequence', () => {
    const a = [...createSimulator({ seed: 7, startTime: START }).ticks(100)];
    const b = [...createSimulator({ seed: 8, startTime: START }).ticks(100)];
    expect(a).not.toEqual(b);
    // Not just shifted: hardly any tick coincides.
    const same = a.filter((tick, i) => JSON.stringify(tick) === JSON.stringify(b[i])).length;
    expect(same).toBeLessThan(5);
  });

  it('seeds that differ only in their high bits still give different sequences', () => {
    const a = [...createSimulator({ seed: 1, startTime: START }).ticks(20)];
    const b = [...createSimulator({ seed: 1 + 2 ** 32, startTime: START }).ticks(20)];
    expect(a).not.toEqual(b);
  });

  it('each call to ticks() replays the sequence from the seed', () => {
    const simulator = createSimulator({ startTime: START });
    expect([...simulator.ticks(2000)]).toEqual([...simulator.ticks(2000)]);
  });

  it('the start time shifts event times and changes nothing else', () => {
    const a = [...createSimulator({ startTime: START }).ticks(1000)];
    const b = [...createSimulator({ startTime: START + 60_000 }).ticks(1000)];
    expect(b.map((tick) => ({ ...tick, ts: 0 }))).toEqual(a.map((tick) => ({ ...tick, ts: 0 })));
    // Offsets are added to the start time, so compare them to the rounding of the addition.
    b.forEach((tick, i) => expect(tick.ts - 60_000).toBeCloseTo(a[i]?.ts ?? NaN, 6));
  });

  it('the paced feed yields the same sequence as the unpaced generator', async () => {
    const options = { seed: 3, startTime: Date.now(), ticksPerSecond: 100_000 } as const;
    const paced: Tick[] = [];
    for await (const tick of createSimulator(options)) {
      paced.push(tick);
      if (paced.length >= 3000) break;
    }
    expect(paced).toEqual(take(createSimulator(options).ticks(), 3000));
  });
});
