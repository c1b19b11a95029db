import { describe, expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import { INTERVALS, type Bar, type SymbolEntry } from '../../client/protocol/messages.js';
import type { Instrument } from '../../feeds/tick.js';
import { ticksWithLateOnes } from '../../test/helpers/late-ticks.js';
import { Market, defaultInstrument } from './market.js';
import type { SymbolState } from './symbol-state.js';

/** A small retention, so rings wrap and evict during the test. */
const RETENTION = { secondBars: 120, minuteBars: 30 };

function newMarket(): Market {
  return new Market(createSimulator().instruments, { retention: RETENTION, maxSymbols: 10_000 });
}

interface Published {
  readonly entry: SymbolEntry;
  readonly minutes: Bar[];
}

/** What an ingest publishes for one state after generation `since`: the entry with its 1 s bars, and its 1 min bars. */
function published(state: SymbolState, since: number): Published {
  return { entry: state.entrySince(since, true)!, minutes: state.minutes.changedSince(since) };
}

/** Everything a state holds, as a full entry with every retained bar (what Redis keeps for a symbol). */
function full(state: SymbolState): Published {
  return { entry: { ...state.snapshot(0), k: state.seconds.range(RETENTION.secondBars) }, minutes: state.minutes.range(RETENTION.minuteBars) };
}

function expectSameAnswers(replica: Market, source: Market): void {
  expect(replica.size).toBe(source.size);
  for (const state of source.all()) {
    const copy = replica.get(state.symbol)!;
    expect(copy.snapshot(RETENTION.secondBars), state.symbol).toEqual(state.snapshot(RETENTION.secondBars));
    for (const interval of INTERVALS) expect(replica.history(state.symbol, interval, 5_000), `${state.symbol} ${interval}`).toEqual(source.history(state.symbol, interval, 5_000));
  }
}

describe('a market replica fed with published entries', () => {
  test('sends the same updates as the market it follows, flush for flush, late trades included', () => {
    const ticks = ticksWithLateOnes(30_000, 11);
    const source = newMarket();
    const replica = newMarket();
    let chunk = 1;
    for (let i = 0; i < ticks.length; i += chunk, chunk = (chunk % 89) + 1) {
      for (const tick of ticks.slice(i, i + chunk)) source.apply(tick);
      const { gen, changed } = source.flush();
      for (const state of changed) {
        const { entry, minutes } = published(state, gen - 1);
        replica.applyEntry(entry, minutes);
      }
      const round = replica.flush();
      expect(round.gen).toBe(gen);
      expect(round.changed.map((state) => state.entrySince(gen - 1, true))).toEqual(changed.map((state) => state.entrySince(gen - 1, true)));
      // A client held back for a few flushes is sent the same merged entry by either market.
      if (gen % 17 === 0) {
        for (const state of changed) expect(replica.get(state.symbol)!.entrySince(gen - 5, true)).toEqual(state.entrySince(gen - 5, true));
      }
    }
    expectSameAnswers(replica, source);
  });

  test('applying the full state again resends no bars and leaves every answer as it was', () => {
    const source = newMarket();
    const replica = newMarket();
    for (const tick of ticksWithLateOnes(5_000, 3)) source.apply(tick);
    source.flush();
    for (const state of source.all()) {
      const { entry, minutes } = full(state);
      replica.applyEntry(entry, minutes, state.instrument);
    }
    expect(replica.flush().changed.length).toBeGreaterThan(0);
    for (const state of source.all()) {
      const { entry, minutes } = full(state);
      replica.applyEntry(entry, minutes);
      replica.applyEntry(entry, minutes);
    }
    const again = replica.flush();
    for (const state of again.changed) expect(state.entrySince(again.gen - 1, true)?.k).toBeUndefined();
    expectSameAnswers(replica, source);
  });

  test('a replica that starts from the full state and then follows the entries ends equal', () => {
    const ticks = ticksWithLateOnes(20_000, 5);
    const source = newMarket();
    for (const tick of ticks.slice(0, 10_000)) source.apply(tick);
    source.flush();
    const replica = newMarket();
    for (const state of source.all()) {
      const { entry, minutes } = full(state);
      replica.applyEntry(entry, minutes);
    }
    replica.flush();
    for (let i = 10_000; i < ticks.length; i += 50) {
      for (const tick of ticks.slice(i, i + 50)) source.apply(tick);
      const { gen, changed } = source.flush();
      for (const state of changed) {
        const { entry, minutes } = published(state, gen - 1);
        replica.applyEntry(entry, minutes);
      }
      replica.flush();
    }
    expectSameAnswers(replica, source);
  });

  test('symbols first seen in entries are added with the instrument that comes with them', () => {
    const replica = new Market([], { retention: RETENTION, maxSymbols: 1 });
    replica.applyEntry({ s: 'ETH-USD', p: 3000, t: 1 }, undefined, { symbol: 'ETH-USD', name: 'Ether', assetClass: 'crypto', currency: 'USD', tickSize: 0.01 });
    replica.applyEntry({ s: 'SOL-USD', p: 150, t: 1 });
    expect(replica.instruments().map((instrument) => instrument.name)).toEqual(['Ether']);
    expect(replica.counters.refused['symbol-limit']).toBe(1);
  });

  test('a known symbol takes the instrument published for it when it differs from the one held (first described by default)', () => {
    const replica = new Market([], { retention: RETENTION, maxSymbols: 10 });
    replica.applyEntry({ s: 'ETH-USD', p: 3000, t: 1 });
    const state = replica.get('ETH-USD')!;
    expect(state.instrument).toEqual(defaultInstrument('ETH-USD'));
    const ether: Instrument = { symbol: 'ETH-USD', name: 'Ether', assetClass: 'crypto', currency: 'USD', tickSize: 0.01 };
    replica.applyEntry({ s: 'ETH-USD' }, undefined, ether);
    expect(replica.instruments()).toEqual([ether]);
    expect(replica.get('ETH-USD')).toBe(state);
    expect(state.snapshot(0)).toMatchObject({ s: 'ETH-USD', p: 3000, t: 1 });
    // The same again, as a copy, or another symbol's: nothing changes.
    expect(state.describe({ ...ether })).toBe(false);
    expect(state.describe({ ...ether, symbol: 'SOL-USD', name: 'Solana' })).toBe(false);
    expect(state.describe({ ...ether, tickSize: 0.1 })).toBe(true);
    expect(replica.instruments()).toEqual([{ ...ether, tickSize: 0.1 }]);
  });

  test('a market rebuilt off to the side hands its instruments over with its states (adopt)', () => {
    const replica = new Market([], { retention: RETENTION, maxSymbols: 10 });
    replica.applyEntry({ s: 'ETH-USD', p: 3000, t: 1 });
    const rebuilt = replica.emptyLike();
    const ether: Instrument = { symbol: 'ETH-USD', name: 'Ether', assetClass: 'crypto', currency: 'USD', tickSize: 0.01 };
    rebuilt.applyEntry({ s: 'ETH-USD', p: 3100, t: 2 }, undefined, ether);
    replica.adopt(rebuilt);
    expect(replica.instruments()).toEqual([ether]);
    expect(replica.get('ETH-USD')!.snapshot(0)).toMatchObject({ p: 3100 });
  });
});
