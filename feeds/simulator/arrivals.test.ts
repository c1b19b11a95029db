import { describe, expect, it } from 'vitest';
import type { Tick } from '../tick.js';
import { createSimulator, UNIVERSE, type SimulatorOptions } from './index.js';

const MINUTE_MS = 60_000;

/** Ticks from the unpaced generator with event-time offsets below `durationMs` (start time 0). */
function* during(options: SimulatorOptions, durationMs: number): Generator<Tick> {
  for (const tick of createSimulator({ ...options, startTime: 0 }).ticks()) {
    if (tick.ts >= durationMs) return;
    yield tick;
  }
}

function countsPerWindow(options: SimulatorOptions, durationMs: number, windowMs: number): number[] {
  const counts = new Array<number>(Math.ceil(durationMs / windowMs)).fill(0);
  for (const tick of during(options, durationMs)) {
    const window = Math.floor(tick.ts / windowMs);
    counts[window] = (counts[window] ?? 0) + 1;
  }
  return counts;
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, variance };
}

/** Each symbol's mid price at the end of each minute (carried over minutes without a trade). */
function midsPerMinute(options: SimulatorOptions, minutes: number): Map<string, number[]> {
  const mids = new Map<string, number[]>();
  const last = new Map<string, number>();
  let minute = 0;
  const close = (): void => {
    for (const [symbol, mid] of last) {
      const series = mids.get(symbol) ?? [];
      series.push(mid);
      mids.set(symbol, series);
    }
  };
  for (const tick of during(options, minutes * MINUTE_MS)) {
    const tickMinute = Math.floor(tick.ts / MINUTE_MS);
    while (minute < tickMinute) {
      close();
      minute++;
    }
    last.set(tick.symbol, ((tick.bid ?? NaN) + (tick.ask ?? NaN)) / 2);
  }
  close();
  return mids;
}

function logReturns(series: readonly number[]): number[] {
  return series.slice(1).map((price, i) => Math.log(price / (series[i] ?? NaN)));
}

/** Standard deviation of log price over one minute, from the declared annual volatility. */
function oneMinuteSigma(symbol: string): number {
  const instrument = UNIVERSE.find((i) => i.symbol === symbol);
  if (instrument === undefined) throw new Error(symbol);
  const minutesPerYear = instrument.assetClass === 'crypto' ? 365.25 * 24 * 60 : 252 * 6.5 * 60;
  return instrument.annualVolatility / Math.sqrt(minutesPerYear);
}

describe('simulated arrivals', () => {
  it.each([2000, 200])('at %i ticks/s, per-100 ms counts vary far more than a Poisson process would', (rate) => {
    const { mean, variance } = meanAndVariance(countsPerWindow({ ticksPerSecond: rate }, 10 * MINUTE_MS, 100));
    expect(mean).toBeCloseTo(rate / 10, -1);
    // A Poisson count has variance equal to its mean; quiet spells and bursts make it several times that.
    expect(variance).toBeGreaterThan(3 * mean);
  });

  it('has quiet spells and bursts: per-second rates spread from well under to well over the mean', () => {
    const counts = countsPerWindow({ ticksPerSecond: 2000 }, 10 * MINUTE_MS, 1000);
    expect(counts.filter((count) => count < 1000).length).toBeGreaterThan(30);
    expect(counts.filter((count) => count > 4000).length).toBeGreaterThan(10);
  });

  it.each([
    [2000, 42],
    [2000, 7],
    [100, 42],
    [10_000, 1],
  ])('at %i ticks/s (seed %i), the rate over ten simulated minutes is within 2 % of the target', (rate, seed) => {
    let count = 0;
    for (const _tick of during({ ticksPerSecond: rate, seed }, 10 * MINUTE_MS)) count++;
    expect(count / 600 / rate).toBeGreaterThan(0.98);
    expect(count / 600 / rate).toBeLessThan(1.02);
  });

  it('spreads trades by activity: headline names trade far more often than the tail', () => {
    const counts = new Map<string, number>();
    for (const tick of during({ ticksPerSecond: 2000 }, 5 * MINUTE_MS)) {
      counts.set(tick.symbol, (counts.get(tick.symbol) ?? 0) + 1);
    }
    expect(counts.size).toBe(UNIVERSE.length);
    expect(counts.get('NVDA') ?? 0).toBeGreaterThan(5 * (counts.get('ALGO-USD') ?? Infinity));
    expect(counts.get('BTC-USD') ?? 0).toBeGreaterThan(5 * (counts.get('KO') ?? Infinity));
  });

  it('gives each symbol its activity’s share of the trades, the first and the last included', () => {
    const counts = new Map<string, number>();
    let total = 0;
    for (const tick of during({ ticksPerSecond: 2000, seed: 3 }, 10 * MINUTE_MS)) {
      counts.set(tick.symbol, (counts.get(tick.symbol) ?? 0) + 1);
      total++;
    }
    const activity = UNIVERSE.reduce((sum, instrument) => sum + instrument.activity, 0);
    // Busy spells (news, jumps) lift a symbol's rate for seconds at a time; over ten minutes its share stays
    // within a fifth of its activity's. Picking a neighbour's weight (an off-by-one) misses by far more.
    const byActivity = [...UNIVERSE].sort((x, y) => y.activity - x.activity);
    for (const instrument of [...byActivity.slice(0, 5), ...byActivity.slice(-3)]) {
      const share = (counts.get(instrument.symbol) ?? 0) / total;
      expect(share / (instrument.activity / activity), instrument.symbol).toBeGreaterThan(0.8);
      expect(share / (instrument.activity / activity), instrument.symbol).toBeLessThan(1.25);
    }
  });

  it('realised volatility of mid prices matches each symbol’s declared annual volatility', () => {
    const minutes = 2 * 24 * 60;
    const ratios = [...midsPerMinute({ ticksPerSecond: 20, seed: 3 }, minutes)].map(([symbol, mids]) => {
      const returns = logReturns(mids);
      const realised = Math.sqrt(returns.reduce((sum, r) => sum + r * r, 0) / returns.length);
      return realised / oneMinuteSigma(symbol);
    });
    ratios.sort((x, y) => x - y);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeGreaterThan(0.9);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeLessThan(1.1);
    expect(ratios[0]).toBeGreaterThan(0.7);
    expect(ratios.at(-1)).toBeLessThan(1.3);
  });

  describe('jumps', () => {
    const mids = midsPerMinute({ ticksPerSecond: 100, seed: 42 }, 6 * 60);
    const standardised = new Map([...mids].map(([symbol, series]) => [
      symbol,
      logReturns(series).map((r) => r / oneMinuteSigma(symbol)),
    ]));

    it('single symbols make sudden moves of many sigmas, which a pure random walk never does', () => {
      const all = [...standardised.values()].flat();
      const beyondEight = all.filter((z) => Math.abs(z) > 8).length;
      expect(beyondEight).toBeGreaterThanOrEqual(5);
      // Fat tails: the kurtosis of one-minute returns is well above a normal's 3.
      const { variance } = meanAndVariance(all);
      const kurtosis = all.reduce((sum, z) => sum + z ** 4, 0) / all.length / variance ** 2;
      expect(kurtosis).toBeGreaterThan(5);
    });

    it('the whole market sometimes moves together, by more than a sigma in the same direction', () => {
      const series = [...standardised.values()];
      const minutes = Math.min(...series.map((s) => s.length));
      let together = 0;
      for (let minute = 0; minute < minutes; minute++) {
        const moves = series.map((s) => s[minute] ?? 0);
        const up = moves.filter((z) => z > 1).length;
        const down = moves.filter((z) => z < -1).length;
        if (Math.max(up, down) >= 0.75 * series.length) together++;
      }
      // Independent symbols would (almost surely) never do this; market-wide jumps do it every 90 min on average.
      expect(together).toBeGreaterThanOrEqual(1);
    });
  });
});
