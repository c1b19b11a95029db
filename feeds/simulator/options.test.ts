import { describe, expect, it } from 'vitest';
import { createSimulator, DEFAULT_SEED, DEFAULT_TICKS_PER_SECOND, UNIVERSE, type SimulatorOptions } from './index.js';

describe('simulator options', () => {
  it('defaults to seed 42, 2000 ticks/s and the whole universe', () => {
    const simulator = createSimulator();
    expect(DEFAULT_SEED).toBe(42);
    expect(DEFAULT_TICKS_PER_SECOND).toBe(2000);
    expect(simulator.options.seed).toBe(42);
    expect(simulator.options.ticksPerSecond).toBe(2000);
    expect(simulator.instruments.map((instrument) => instrument.symbol)).toEqual(UNIVERSE.map((i) => i.symbol));
  });

  it('describes itself as a simulated feed in one line', () => {
    const { info } = createSimulator({ seed: 9, ticksPerSecond: 500 });
    expect(info.kind).toBe('simulated');
    expect(info.description).toMatch(/^simulator seed=9, 500 ticks\/s, \d+ symbols/);
    expect(info.description).not.toContain('\n');
  });

  it('exposes instruments as plain Instrument records, without the simulation parameters', () => {
    for (const instrument of createSimulator().instruments) {
      expect(Object.keys(instrument).sort()).toEqual(['assetClass', 'currency', 'name', 'symbol', 'tickSize']);
    }
  });

  it('restricts the feed to the symbols listed, and trades only those', () => {
    const simulator = createSimulator({ symbols: ['BTC-USD', 'AAPL'], startTime: 0 });
    expect(simulator.instruments.map((instrument) => instrument.symbol)).toEqual(['AAPL', 'BTC-USD']);
    expect(new Set([...simulator.ticks(5000)].map((tick) => tick.symbol))).toEqual(new Set(['AAPL', 'BTC-USD']));
  });

  it('takes a count as the busiest symbols', () => {
    const symbols = createSimulator({ symbols: 3 }).instruments.map((instrument) => instrument.symbol);
    expect(symbols.sort()).toEqual(['BTC-USD', 'NVDA', 'TSLA']);
  });

  it('widens the market with synthetic symbols that trade like the universe rows they copy', () => {
    const simulator = createSimulator({ syntheticSymbols: 440, startTime: 0, ticksPerSecond: 20_000 });
    const symbols = simulator.instruments.map((instrument) => instrument.symbol);
    expect(symbols).toHaveLength(UNIVERSE.length + 440);
    expect(new Set(symbols).size).toBe(symbols.length);
    expect(symbols.slice(0, UNIVERSE.length)).toEqual(UNIVERSE.map((instrument) => instrument.symbol));
    expect(symbols.slice(UNIVERSE.length, UNIVERSE.length + 2)).toEqual(['SYN0001', 'SYN0002']);
    expect(simulator.info.description).toContain(`${UNIVERSE.length + 440} symbols`);
    // SYN0001 copies the first row (NVDA): same price level, a share of the trades like NVDA's.
    const ticks = [...simulator.ticks(200_000)];
    const count = (symbol: string): number => ticks.filter((tick) => tick.symbol === symbol).length;
    expect(count('SYN0001')).toBeGreaterThan(count('NVDA') * 0.7);
    expect(count('SYN0001')).toBeLessThan(count('NVDA') * 1.3);
    const synPrice = ticks.find((tick) => tick.symbol === 'SYN0001')?.price ?? 0;
    expect(synPrice / UNIVERSE[0]!.initialPrice).toBeGreaterThan(0.9);
    expect(synPrice / UNIVERSE[0]!.initialPrice).toBeLessThan(1.1);
    expect(new Set(ticks.map((tick) => tick.symbol)).size).toBe(symbols.length);
  });

  it('keeps the total rate when fewer symbols are simulated', () => {
    const ticks = [...createSimulator({ symbols: 2, startTime: 0, ticksPerSecond: 1000 }).ticks(300_000)];
    const rate = ticks.length / ((ticks.at(-1)?.ts ?? NaN) / 1000);
    expect(rate).toBeGreaterThan(970);
    expect(rate).toBeLessThan(1030);
  });

  const misuse: [string, SimulatorOptions | Record<string, unknown>, RegExp][] = [
    ['a fractional seed', { seed: 1.5 }, /seed/],
    ['an unsafe seed', { seed: 2 ** 60 }, /seed/],
    ['a zero rate', { ticksPerSecond: 0 }, /ticksPerSecond/],
    ['a negative rate', { ticksPerSecond: -5 }, /ticksPerSecond/],
    ['a NaN rate', { ticksPerSecond: Number.NaN }, /ticksPerSecond/],
    ['a rate beyond the maximum', { ticksPerSecond: 10_000_000 }, /ticksPerSecond/],
    ['a negative start time', { startTime: -1 }, /startTime/],
    ['an infinite start time', { startTime: Infinity }, /startTime/],
    ['an unknown symbol', { symbols: ['AAPL', 'NOPE'] }, /"NOPE"/],
    ['a symbol listed twice', { symbols: ['AAPL', 'AAPL'] }, /twice/],
    ['an empty symbol list', { symbols: [] }, /non-empty/],
    ['a zero symbol count', { symbols: 0 }, /count/],
    ['a symbol count beyond the universe', { symbols: 1000 }, /count/],
    ['a fractional symbol count', { symbols: 2.5 }, /count/],
    ['a negative synthetic symbol count', { syntheticSymbols: -1 }, /syntheticSymbols/],
    ['too many synthetic symbols', { syntheticSymbols: 10_001 }, /syntheticSymbols/],
    ['a zero batch interval', { batchIntervalMs: 0 }, /batchIntervalMs/],
    ['a zero volatility scale', { volatilityScale: 0 }, /volatilityScale/],
    ['a misspelt option', { tickPerSecond: 100 }, /unknown simulator option "tickPerSecond"/],
  ];
  it.each(misuse)('throws a RangeError for %s', (_what, options, message) => {
    expect(() => createSimulator(options as SimulatorOptions)).toThrow(RangeError);
    expect(() => createSimulator(options as SimulatorOptions)).toThrow(message);
  });

  it('throws a RangeError for a bad tick count', () => {
    const simulator = createSimulator();
    expect(() => simulator.ticks(-1)).toThrow(RangeError);
    expect(() => simulator.ticks(1.5)).toThrow(RangeError);
  });

  it('accepts the maximum rate of at least 200,000 ticks/s', () => {
    expect(() => createSimulator({ ticksPerSecond: 200_000 })).not.toThrow();
  });
});
