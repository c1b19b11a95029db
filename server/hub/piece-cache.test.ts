import { describe, expect, test } from 'vitest';
import type { Instrument } from '../../feeds/tick.js';
import type { SymbolEntry } from '../../client/protocol/messages.js';
import { decodeBinary } from '../../client/protocol/codec.js';
import { Market } from '../market/market.js';
import { binaryFrame, type Body } from './frames.js';
import { Group } from './group.js';
import { KeyList, PieceCache } from './piece-cache.js';
import type { Subscription } from './session.js';
import { payloadOf } from './websocket-frame.js';

const START = Date.UTC(2026, 11, 2, 12);
const instrument = (symbol: string): Instrument => ({ symbol, name: symbol, assetClass: 'equity', currency: 'USD', tickSize: 0.01 });

/** A market of `symbols`, two generations closed: every symbol traded in the first, the odd ones in the second. */
function tradedMarket(symbols: readonly string[]): { market: Market; first: number; second: number } {
  const market = new Market(symbols.map(instrument), { retention: { secondBars: 10, minuteBars: 10 }, maxSymbols: 100 });
  symbols.forEach((symbol, i) => market.apply({ symbol, ts: START + i, price: 100 + i, size: 1 }));
  const first = market.flush().gen;
  symbols.forEach((symbol, i) => {
    if (i % 2 === 1) market.apply({ symbol, ts: START + 1_000 + i, price: 200 + i, size: 2 });
  });
  const second = market.flush().gen;
  return { market, first, second };
}

function entriesOf(body: Body): SymbolEntry[] {
  const frame = decodeBinary(payloadOf(binaryFrame(1, START, body))) as { updates: SymbolEntry[] };
  return frame.updates;
}

const symbols = ['S0', 'S1', 'S2', 'S3', 'S4', 'S5'];

describe('piece cache', () => {
  test('in step, a symbol is encoded once per flush, keyed by index and bars; unchanged ones have no key', () => {
    const { market, first } = tradedMarket(symbols);
    const cache = new PieceCache();
    cache.clear(first, market.size);
    const s1 = market.get('S1')!;
    const key = cache.key(s1, first, false);
    expect(key).toBe(2 * s1.index);
    expect(cache.key(s1, first, true)).toBe(2 * s1.index + 1);
    expect(cache.key(s1, first, false)).toBe(key);
    expect(cache.encoded).toBe(2);
    expect(cache.key(market.get('S2')!, first, false)).toBeUndefined();
    expect(cache.inStepSizes(first)![2 * market.get('S2')!.index]).toBe(-1);
    expect(cache.inStepSizes(first)![key!]).toBe(cache.piece(key!).binary.length);
    expect(cache.inStepSizes(first - 1)).toBeUndefined();
    expect(cache.piece(key!).entry).toEqual(s1.entrySince(first, false));
  });

  test('other generations get negative keys of their own, also encoded once', () => {
    const { market, first } = tradedMarket(symbols);
    const cache = new PieceCache();
    cache.clear(first, market.size);
    const s2 = market.get('S2')!;
    const older = cache.key(s2, 0, false);
    expect(older).toBeLessThan(0);
    expect(cache.key(s2, 0, false)).toBe(older);
    expect(cache.key(s2, 0, true)).not.toBe(older);
    expect(cache.piece(older!).entry).toEqual(s2.entrySince(0, false));
    expect(cache.encoded).toBe(2);
  });

  test('a flush forgets the last one, and a market that grew gets room for its new symbols', () => {
    const { market, first, second } = tradedMarket(symbols);
    const cache = new PieceCache();
    cache.clear(first, market.size);
    cache.key(market.get('S1')!, first, false);
    market.apply({ symbol: 'NEW', ts: START + 2_000, price: 5, size: 1 });
    market.apply({ symbol: 'S1', ts: START + 2_001, price: 7, size: 1 });
    market.flush();
    cache.clear(second, market.size);
    const added = market.get('NEW')!;
    expect(added.index).toBe(symbols.length);
    expect(cache.piece(cache.key(added, second, true)!).entry).toEqual(added.entrySince(second, true));
    const s1 = market.get('S1')!;
    expect(cache.piece(cache.key(s1, second, false)!).entry).toEqual(s1.entrySince(second, false));
    expect(cache.encoded).toBe(3);
  });
});

describe("a group's body", () => {
  const plain: Subscription = { bars: false, tier: 1 };
  const withBars: Subscription = { bars: true, tier: 1 };
  const subs = (entries: [string, Subscription][]): Map<string, Subscription> => new Map(entries);

  /** What a body for these subscriptions must carry: each changed symbol's entry, in market order. */
  function expected(market: Market, chosen: Map<string, Subscription>, since: number): SymbolEntry[] {
    return [...market.all()]
      .filter((state) => chosen.has(state.symbol) || chosen.has('*'))
      .map((state) => state.entrySince(since, (chosen.get(state.symbol) ?? chosen.get('*')!).bars))
      .filter((entry) => entry !== undefined);
  }

  test.each([
    ['in step, one subscription for all (the table path)', subs([['S5', plain], ['S0', plain], ['S1', plain], ['S2', plain]]), 'inStep'],
    ['in step with bars (the table path)', subs([['S1', withBars], ['S4', withBars], ['S3', withBars]]), 'inStep'],
    ['another generation, one subscription for all', subs([['S5', withBars], ['S1', withBars], ['S2', withBars]]), 'older'],
    ['subscriptions differing by symbol', subs([['S3', withBars], ['S1', plain], ['S4', plain]]), 'inStep'],
    ['the wildcard beside explicit symbols', subs([['*', plain], ['S3', withBars]]), 'inStep'],
  ] as const)('%s: the changed symbols, in market order, as each entry packs', (_what, chosen, which) => {
    const { market, first } = tradedMarket(symbols);
    const cache = new PieceCache();
    cache.clear(first, market.size);
    const since = which === 'inStep' ? first : first - 1;
    const group = new Group(Group.keyOf(chosen, market), chosen, market);
    for (const shared of [false, true]) {
      const body = group.body(1, () => since, cache, false, shared, new KeyList());
      expect(entriesOf(body)).toEqual(expected(market, chosen, since));
    }
  });

  test('a key list too short for the group grows, and a body of no changes is empty', () => {
    const many = symbols.map((symbol) => `M${symbol}`).concat(Array.from({ length: 70 }, (_, i) => `X${i}`));
    const { market, first, second } = tradedMarket(many);
    const chosen = subs(many.map((symbol) => [symbol, plain]));
    const group = new Group(Group.keyOf(chosen, market), chosen, market);
    const cache = new PieceCache();
    cache.clear(first, market.size);
    const list = new KeyList();
    expect(list.keys.length).toBeLessThan(many.length);
    expect(entriesOf(group.body(1, () => first, cache, false, false, list))).toEqual(expected(market, chosen, first));
    cache.clear(second, market.size);
    expect(group.body(1, () => second, cache, false, false, list).count).toBe(0);
  });
});
