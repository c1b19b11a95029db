import { describe, expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Tick } from '../../feeds/tick.js';
import { INTERVAL_MS, INTERVALS } from '../../client/protocol/messages.js';
import { SymbolView } from '../../client/symbol-view.js';
import { ReferenceBars, referenceSession } from '../../test/helpers/reference.js';
import { instrument } from '../../test/helpers/manual-feed.js';
import { ticksWithLateOnes } from '../../test/helpers/late-ticks.js';
import { Market } from './market.js';

const START = Date.UTC(2024, 0, 2, 14, 30);

function newMarket(instruments = createSimulator().instruments, secondBars = 900, minuteBars = 1_440): Market {
  return new Market(instruments, { retention: { secondBars, minuteBars }, maxSymbols: 10_000 });
}

describe('coalescing', () => {
  test('bars from coalesced updates equal bars from raw ticks, tick for tick', () => {
    const ticks = ticksWithLateOnes(60_000, 7);
    const market = newMarket();
    const reference = new ReferenceBars();
    const views = new Map<string, SymbolView>();
    let updates = 0;
    let i = 0;
    let chunk = 1;
    while (i < ticks.length) {
      // Flushes after irregular numbers of ticks: 1, 2, 3, ... 97 then again.
      for (const tick of ticks.slice(i, i + chunk)) {
        market.apply(tick);
        reference.add(tick);
      }
      i += chunk;
      chunk = (chunk % 97) + 1;
      const { gen, changed } = market.flush();
      for (const state of changed) {
        const entry = state.entrySince(gen - 1, true);
        expect(entry).toBeDefined();
        let view = views.get(state.symbol);
        if (view === undefined) views.set(state.symbol, (view = new SymbolView(state.symbol, 100_000)));
        view.apply(entry!);
        updates++;
      }
    }
    expect(updates).toBeLessThan(ticks.length);
    expect(reference.symbols().length).toBeGreaterThanOrEqual(50);
    for (const symbol of reference.symbols()) {
      const view = views.get(symbol)!;
      expect(view.bars, symbol).toEqual(reference.get(symbol));
      const session = referenceSession(ticks, symbol)!;
      expect({ o: view.open, h: view.high, l: view.low, v: view.volume, p: view.last, t: view.time }, symbol).toEqual({
        o: session.open,
        h: session.high,
        l: session.low,
        v: session.volume,
        p: session.last,
        t: Math.floor(session.lastTime),
      });
    }
  });

  test('an entry carries only what changed, and nothing when nothing did', () => {
    const market = newMarket([instrument('AAPL'), instrument('MSFT')]);
    market.apply({ symbol: 'AAPL', ts: START, price: 190, size: 100, bid: 189.99, ask: 190.01 });
    market.apply({ symbol: 'MSFT', ts: START, price: 410, size: 5 });
    market.flush();
    market.apply({ symbol: 'AAPL', ts: START + 10, bid: 189.98 });
    const { gen, changed } = market.flush();
    expect(changed.map((state) => state.symbol)).toEqual(['AAPL']);
    expect(changed[0]!.entrySince(gen - 1, true)).toEqual({ s: 'AAPL', b: 189.98 });
    expect(market.get('MSFT')!.entrySince(gen - 1, true)).toBeUndefined();
    // A reader two generations behind gets the union of both, as absolute values.
    expect(market.get('MSFT')!.entrySince(gen - 2, false)).toMatchObject({ s: 'MSFT', p: 410, v: 5, o: 410 });
  });

  test('a new UTC day starts a new session; the late trade of the day before only touches its bar', () => {
    const market = newMarket([instrument('AAPL')]);
    const day = 86_400_000;
    market.apply({ symbol: 'AAPL', ts: START, price: 100, size: 10 });
    market.apply({ symbol: 'AAPL', ts: START + 1_000, price: 104, size: 10 });
    market.apply({ symbol: 'AAPL', ts: START + day, price: 103, size: 1 });
    market.apply({ symbol: 'AAPL', ts: START + 2_000, price: 90, size: 7 });
    const state = market.get('AAPL')!;
    expect({ open: state.open, high: state.high, low: state.low, volume: state.volume, last: state.last }).toEqual({
      open: 103,
      high: 103,
      low: 103,
      volume: 1,
      last: 103,
    });
    expect(state.sessionStart).toBe(Math.floor((START + day) / day) * day);
    expect(market.history('AAPL', '1s', 10)!.find((bar) => bar[0] === START + 2_000)).toEqual([START + 2_000, 90, 90, 90, 90, 7]);
  });

  test('invalid ticks are refused and counted, never applied', () => {
    const market = newMarket([instrument('AAPL')]);
    market.apply({ symbol: 'AAPL', ts: START, price: -1, size: 1 });
    market.apply({ symbol: 'AAPL', ts: Number.NaN, price: 1, size: 1 });
    market.apply({ symbol: 'AAPL', ts: START, price: 1 });
    market.apply({ symbol: '', ts: START, price: 1, size: 1 });
    expect(market.counters.refused).toMatchObject({ price: 1, time: 1, size: 1, symbol: 1 });
    expect(market.get('AAPL')!.changedGen).toBe(0);
  });
});

describe('history', () => {
  test('every interval equals the 1 s bars folded exactly', () => {
    const sim = createSimulator({ seed: 3, ticksPerSecond: 300, startTime: START });
    const market = newMarket(sim.instruments);
    const reference = new ReferenceBars();
    // 40 minutes of event time: longer than the 15 minutes of 1 s bars kept, so minutes fold before eviction.
    for (const tick of sim.ticks(300 * 60 * 40)) {
      market.apply(tick);
      reference.add(tick);
    }
    for (const symbol of ['AAPL', 'BTC-USD', 'DOGE-USD']) {
      for (const interval of INTERVALS) {
        const got = market.history(symbol, interval, 5_000)!;
        let want = reference.get(symbol, INTERVAL_MS[interval]);
        if (interval === '1s' || interval === '5s') want = want.filter((bar) => bar[0] >= got[0]![0]);
        expect(got.length, `${symbol} ${interval}`).toBeGreaterThan(0);
        expect(got, `${symbol} ${interval}`).toEqual(want);
      }
    }
  });

  test('limit and end page backwards through bars', () => {
    const market = newMarket([instrument('AAPL')]);
    for (let s = 0; s < 10; s++) market.apply({ symbol: 'AAPL', ts: START + s * 1_000, price: 100 + s, size: 1 });
    expect(market.history('AAPL', '1s', 3)!.map((bar) => bar[1])).toEqual([107, 108, 109]);
    expect(market.history('AAPL', '1s', 3, START + 5_000)!.map((bar) => bar[1])).toEqual([102, 103, 104]);
    expect(market.history('AAPL', '5s', 10)!.map((bar) => bar.slice(1))).toEqual([
      [100, 104, 100, 104, 5],
      [105, 109, 105, 109, 5],
    ]);
    expect(market.history('NOPE', '1s', 3)).toBeUndefined();
  });

  test('a late trade into a minute whose first seconds are no longer kept at 1 s still counts in that minute', () => {
    const market = newMarket([instrument('AAPL')], 30, 100);
    for (let s = 0; s < 120; s++) market.apply({ symbol: 'AAPL', ts: START + s * 1_000, price: 100, size: 1 });
    // The first minute's 1 s bars are gone; a trade arrives late for its last second.
    market.apply({ symbol: 'AAPL', ts: START + 59_500, price: 120, size: 2 });
    const minutes = market.history('AAPL', '1m', 10)!;
    expect(minutes[0]).toEqual([START, 100, 120, 100, 120, 62]);
    expect(minutes[1]).toEqual([START + 60_000, 100, 100, 100, 100, 60]);
  });
});

describe('memory', () => {
  test('bars stay within their bounds on a feed that runs for days', () => {
    const market = newMarket([instrument('AAPL')], 120, 300);
    // Three days at one trade every 10 s.
    for (let t = 0; t < 3 * 86_400_000; t += 10_000) market.apply({ symbol: 'AAPL', ts: START + t, price: 100, size: 1 });
    const state = market.get('AAPL')!;
    expect(state.seconds.length).toBe(120);
    expect(state.minutes.length).toBe(300);
    // Older than everything kept: refused, counted, nothing grows.
    market.apply({ symbol: 'AAPL', ts: START, price: 100, size: 1 });
    expect(market.counters.refused['too-late']).toBe(1);
  });

  test('a feed inventing symbols cannot grow the market past its limit', () => {
    const market = new Market([], { retention: { secondBars: 10, minuteBars: 10 }, maxSymbols: 100 });
    for (let i = 0; i < 1_000; i++) market.apply({ symbol: `S${i}`, ts: START, price: 1, size: 1 });
    expect(market.size).toBe(100);
    expect(market.counters.refused['symbol-limit']).toBe(900);
  });
});
