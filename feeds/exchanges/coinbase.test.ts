import { describe, expect, test } from 'vitest';
import { normalizeCoinbase } from './coinbase.js';

const match = {
  type: 'match',
  trade_id: 280232,
  side: 'sell',
  size: '985',
  price: '0.00001305',
  product_id: 'SKL-BTC',
  sequence: 177100030,
  time: '2021-04-17T16:43:37.089723Z',
};

describe('normalizeCoinbase', () => {
  test('a match is a trade at its time; side is the maker side, so the taker is the other', () => {
    const found = normalizeCoinbase(match);
    expect(found).toMatchObject({ kind: 'ticks', ticks: [{ symbol: 'SKL-BTC', price: 0.00001305, size: 985, side: 'buy' }] });
    expect(found.kind === 'ticks' && found.ticks[0]!.ts - Date.UTC(2021, 3, 17, 16, 43, 37, 89)).toBeCloseTo(0.723, 3);
    expect(normalizeCoinbase({ ...match, side: 'buy' })).toMatchObject({ ticks: [{ side: 'sell' }] });
  });

  test('last_match, the last trade before subscribing, is a trade too', () => {
    expect(normalizeCoinbase({ ...match, type: 'last_match' })).toEqual(normalizeCoinbase(match));
  });

  test('ticker is a quote: its price repeats a match and is not another trade', () => {
    const ticker = { type: 'ticker', product_id: 'BAND-GBP', price: '14.7775', best_bid: '14.7550', best_ask: '14.8060', time: '2021-04-17T16:43:30.244075Z', last_size: '0.04' };
    const found = normalizeCoinbase(ticker);
    expect(found).toMatchObject({ kind: 'ticks', ticks: [{ symbol: 'BAND-GBP', bid: 14.755, ask: 14.806 }] });
    expect(found.kind === 'ticks' && found.ticks[0]!.price).toBeUndefined();
  });

  test('book and control messages carry no tick and say why', () => {
    expect(normalizeCoinbase({ type: 'l2update', product_id: 'SKL-BTC', changes: [], time: '2021-04-17T16:44:07Z' })).toEqual({ kind: 'ignored', reason: 'depth' });
    expect(normalizeCoinbase({ type: 'snapshot', product_id: 'SKL-BTC', bids: [], asks: [] })).toEqual({ kind: 'ignored', reason: 'depth' });
    expect(normalizeCoinbase({ type: 'subscriptions', channels: [] })).toEqual({ kind: 'ignored', reason: 'control' });
    expect(normalizeCoinbase({ type: 'received', product_id: 'SKL-BTC' })).toEqual({ kind: 'ignored', reason: 'unsupported' });
  });

  test.each([
    [{ ...match, price: 'x' }, 'bad price'],
    [{ ...match, price: '0b1' }, 'bad price'],
    [{ ...match, size: '0' }, 'bad size'],
    [{ ...match, time: '17/04/2021' }, 'bad time'],
    [{ ...match, side: 'up' }, 'bad side'],
    [{ ...match, product_id: 7 }, 'bad symbol'],
    [{ type: 'ticker', product_id: 'A-B', best_bid: '1', best_ask: '', time: '2021-04-17T16:43:30Z' }, 'bad ask'],
  ])('%j is invalid: %s', (message, reason) => {
    expect(normalizeCoinbase(message)).toMatchObject({ kind: 'invalid', reason });
  });
});
