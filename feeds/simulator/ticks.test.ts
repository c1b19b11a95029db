import { describe, expect, it } from 'vitest';
import { tickProblem, type Tick } from '../tick.js';
import { createSimulator, UNIVERSE, type SimulatedInstrument } from './index.js';

const BY_SYMBOL = new Map(UNIVERSE.map((instrument) => [instrument.symbol, instrument]));
const TICK_KEYS = 'symbol,ts,price,size,side,bid,ask';

function instrumentOf(tick: Tick): SimulatedInstrument {
  const instrument = BY_SYMBOL.get(tick.symbol);
  if (instrument === undefined) throw new Error(`tick for unknown symbol ${tick.symbol}`);
  return instrument;
}

/** The value as an integer count of 10^-decimals, or undefined when it is not exactly on that grid. */
function gridUnits(value: number | undefined, decimals: number): number | undefined {
  if (value === undefined) return undefined;
  const units = Math.round(value * 10 ** decimals);
  return units / 10 ** decimals === value ? units : undefined;
}

/** Ticks for which `isWrong` holds, described for the failure message (first few only). */
function offenders(ticks: Iterable<Tick>, isWrong: (tick: Tick) => boolean): string[] {
  const found: string[] = [];
  for (const tick of ticks) if (isWrong(tick) && found.push(JSON.stringify(tick)) >= 5) break;
  return found;
}

const TICKS: readonly Tick[] = [...createSimulator({ seed: 11, startTime: Date.UTC(2024, 0, 2) }).ticks(200_000)];

describe('simulated ticks', () => {
  it('every tick passes tickProblem()', () => {
    expect(offenders(TICKS, (tick) => tickProblem(tick) !== undefined)).toEqual([]);
  });

  it('every tick is a trade with the same keys in the same order', () => {
    expect(offenders(TICKS, (tick) => Object.keys(tick).join(',') !== TICK_KEYS)).toEqual([]);
  });

  it('event times never go backwards', () => {
    let previous = -Infinity;
    const goesBack = (tick: Tick): boolean => {
      const back = tick.ts < previous;
      previous = tick.ts;
      return back;
    };
    expect(offenders(TICKS, goesBack)).toEqual([]);
  });

  it('prices, bids and asks lie exactly on the instrument tick grid', () => {
    const offGrid = (tick: Tick): boolean => {
      const { priceDecimals, tickSize } = instrumentOf(tick);
      return [tick.price, tick.bid, tick.ask].some(
        (value) =>
          gridUnits(value, priceDecimals) === undefined ||
          // The same, phrased as rounding to whole ticks and back.
          Number(((value ?? NaN) / tickSize).toFixed(0)) / 10 ** priceDecimals !== value,
      );
    };
    expect(offenders(TICKS, offGrid)).toEqual([]);
  });

  it('printed prices carry no more decimals than the tick size has (no 0.30000000000000004)', () => {
    const tooLong = (tick: Tick): boolean => {
      const { priceDecimals } = instrumentOf(tick);
      return [tick.price, tick.bid, tick.ask].some((value) => {
        const text = String(value);
        // Below 1e-6 JavaScript prints an exponent; gridUnits covers those.
        return !text.includes('e') && (text.split('.')[1]?.length ?? 0) > priceDecimals;
      });
    };
    expect(offenders(TICKS, tooLong)).toEqual([]);
  });

  it('the bid is below the ask, by at least one tick', () => {
    const crossed = (tick: Tick): boolean => {
      const { priceDecimals } = instrumentOf(tick);
      return !((gridUnits(tick.ask, priceDecimals) ?? NaN) - (gridUnits(tick.bid, priceDecimals) ?? NaN) >= 1);
    };
    expect(offenders(TICKS, crossed)).toEqual([]);
  });

  it('a buy lifts the ask and a sell hits the bid, except for a few prints inside the spread', () => {
    const inside = (tick: Tick): boolean =>
      tick.price !== undefined && tick.price > (tick.bid ?? Infinity) && tick.price < (tick.ask ?? -Infinity);
    const atWrongSide = (tick: Tick): boolean => !inside(tick) && tick.price !== (tick.side === 'buy' ? tick.ask : tick.bid);
    expect(offenders(TICKS, atWrongSide)).toEqual([]);
    const insideShare = TICKS.filter(inside).length / TICKS.length;
    expect(insideShare).toBeGreaterThan(0);
    expect(insideShare).toBeLessThan(0.05);
  });

  it('buys and sells are about even', () => {
    const buys = TICKS.filter((tick) => tick.side === 'buy').length / TICKS.length;
    expect(buys).toBeGreaterThan(0.45);
    expect(buys).toBeLessThan(0.55);
  });

  it('equities trade whole shares in odd and round lots; crypto in fractions with the declared decimals', () => {
    const equities = TICKS.filter((tick) => instrumentOf(tick).size.kind === 'shares');
    const coins = TICKS.filter((tick) => instrumentOf(tick).size.kind === 'coins');
    const badShares = (tick: Tick): boolean =>
      !(Number.isInteger(tick.size) && (tick.size ?? 0) >= 1 && ((tick.size ?? 0) < 100 || (tick.size ?? 0) % 100 === 0));
    const badCoins = (tick: Tick): boolean => {
      const { size } = instrumentOf(tick);
      return size.kind !== 'coins' || !((gridUnits(tick.size, size.decimals) ?? 0) >= 1);
    };
    expect(offenders(equities, badShares)).toEqual([]);
    expect(offenders(coins, badCoins)).toEqual([]);
    expect(equities.filter((tick) => (tick.size ?? 0) < 100).length).toBeGreaterThan(1000);
    expect(equities.filter((tick) => (tick.size ?? 0) % 100 === 0).length).toBeGreaterThan(1000);
    expect(coins.filter((tick) => !Number.isInteger(tick.size)).length).toBeGreaterThan(1000);
  });

  it('spreads sit around each symbol’s typical spread', () => {
    const spreads = new Map<string, number[]>();
    for (const tick of TICKS) {
      const { priceDecimals } = instrumentOf(tick);
      const spread = (gridUnits(tick.ask, priceDecimals) ?? NaN) - (gridUnits(tick.bid, priceDecimals) ?? NaN);
      const list = spreads.get(tick.symbol);
      if (list === undefined) spreads.set(tick.symbol, [spread]);
      else list.push(spread);
    }
    for (const [symbol, list] of spreads) {
      const typical = BY_SYMBOL.get(symbol)?.typicalSpreadTicks ?? NaN;
      const median = [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] ?? NaN;
      expect(median, symbol).toBeGreaterThanOrEqual(Math.max(1, Math.floor(typical * 0.7)));
      expect(median, symbol).toBeLessThanOrEqual(Math.ceil(typical * 1.5));
    }
  });

  it('prices stay positive and on the grid over a simulated week at ten times the usual volatility', () => {
    const week = 7 * 24 * 3_600_000;
    let count = 0;
    const wrong = (tick: Tick): boolean => {
      const { priceDecimals, tickSize } = instrumentOf(tick);
      return tickProblem(tick) !== undefined || !((tick.bid ?? 0) >= tickSize) || gridUnits(tick.price, priceDecimals) === undefined;
    };
    const found: string[] = [];
    for (const tick of createSimulator({ seed: 5, startTime: 0, ticksPerSecond: 2, volatilityScale: 10 }).ticks()) {
      if (tick.ts > week) break;
      count++;
      if (wrong(tick) && found.push(JSON.stringify(tick)) >= 5) break;
    }
    expect(found).toEqual([]);
    expect(count).toBeGreaterThan(1_000_000);
  });
});
