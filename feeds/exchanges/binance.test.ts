import { describe, expect, test } from 'vitest';
import { binanceEventTime, normalizeBinance } from './binance.js';
import { binanceSymbol, tardisSymbol } from './symbols.js';

const trade = {
  e: 'trade',
  E: 1723161255612,
  s: 'ETHUSDT',
  t: 1520538925,
  p: '2683.80000000',
  q: '0.00200000',
  T: 1723161255611,
  m: true,
  M: true,
};

describe('normalizeBinance', () => {
  test('a trade is a tick at the trade time; buyer-is-maker means the taker sold', () => {
    expect(normalizeBinance(trade)).toEqual({
      kind: 'ticks',
      ticks: [{ symbol: 'ETH-USDT', ts: 1723161255611, price: 2683.8, size: 0.002, side: 'sell' }],
    });
    expect(normalizeBinance({ ...trade, m: false })).toMatchObject({ ticks: [{ side: 'buy' }] });
  });

  test('a combined-stream message is read the same as the raw event', () => {
    expect(normalizeBinance({ stream: 'ethusdt@trade', data: trade })).toEqual(normalizeBinance(trade));
  });

  test('an aggTrade is a trade', () => {
    const agg = { e: 'aggTrade', E: 1, s: 'BTCUSDT', a: 5, p: '60000.1', q: '0.5', f: 1, l: 3, T: 1723161255000, m: false, M: true };
    expect(normalizeBinance(agg)).toEqual({ kind: 'ticks', ticks: [{ symbol: 'BTC-USDT', ts: 1723161255000, price: 60000.1, size: 0.5, side: 'buy' }] });
  });

  test('spot bookTicker has no time: the caller gives one; futures bookTicker carries T', () => {
    const spot = { u: 35346513501, s: 'ETHUSDT', b: '2683.80000000', B: '3.0292', a: '2683.81000000', A: '31.4395' };
    expect(normalizeBinance(spot, 1723161255000.5)).toEqual({
      kind: 'ticks',
      ticks: [{ symbol: 'ETH-USDT', ts: 1723161255000.5, bid: 2683.8, ask: 2683.81 }],
    });
    expect(normalizeBinance(spot)).toEqual({ kind: 'invalid', reason: 'no time' });
    const futures = { e: 'bookTicker', u: 1, E: 1723161255100, T: 1723161255099, s: 'BTCUSDT', b: '1', B: '1', a: '2', A: '1' };
    expect(normalizeBinance(futures, 5)).toMatchObject({ ticks: [{ ts: 1723161255099 }] });
  });

  test('depth, snapshots and subscription answers carry no tick and say why', () => {
    expect(normalizeBinance({ stream: 'ethusdt@depth@100ms', data: { e: 'depthUpdate', E: 1, s: 'ETHUSDT', b: [], a: [] } })).toEqual({ kind: 'ignored', reason: 'depth' });
    expect(normalizeBinance({ lastUpdateId: 1, bids: [], asks: [] })).toEqual({ kind: 'ignored', reason: 'depth' });
    expect(normalizeBinance({ result: null, id: 1 })).toEqual({ kind: 'ignored', reason: 'control' });
    expect(normalizeBinance({ e: 'kline', E: 1, s: 'ETHUSDT', k: {} })).toEqual({ kind: 'ignored', reason: 'unsupported' });
  });

  test.each([
    [{ ...trade, p: 'abc' }, 'bad price'],
    [{ ...trade, p: '0' }, 'bad price'],
    [{ ...trade, p: '0x10' }, 'bad price'],
    [{ ...trade, p: ' 16' }, 'bad price'],
    [{ ...trade, q: '-1' }, 'bad size'],
    [{ ...trade, T: 'now' }, 'bad time'],
    [{ ...trade, m: 'yes' }, 'bad side'],
    [{ ...trade, s: '' }, 'bad symbol'],
    [[1, 2], 'not a JSON object'],
  ])('%j is invalid: %s', (message, reason) => {
    expect(normalizeBinance(message)).toMatchObject({ kind: 'invalid', reason });
  });

  test('binanceEventTime prefers E (when Binance sent it) to T', () => {
    expect(binanceEventTime({ stream: 'x', data: trade })).toBe(1723161255612);
    expect(binanceEventTime({ u: 1, s: 'ETHUSDT', b: '1', a: '2' })).toBeNaN();
  });
});

describe('symbol mapping', () => {
  test.each([
    ['ETHUSDT', 'ETH-USDT'],
    ['ethusdt', 'ETH-USDT'],
    ['BTCFDUSD', 'BTC-FDUSD'],
    ['ETHBTC', 'ETH-BTC'],
    ['1000SATSUSDT', '1000SATS-USDT'],
    ['BTCUSD_PERP', 'BTCUSD_PERP'],
    ['USDT', 'USDT'],
    ['FOOBAR', 'FOOBAR'],
  ])('Binance %s is %s', (pair, symbol) => {
    expect(binanceSymbol(pair)).toBe(symbol);
  });

  test('Tardis symbols map by the exchange of their row', () => {
    expect(tardisSymbol('binance-futures', 'BTCUSDT')).toBe('BTC-USDT');
    expect(tardisSymbol('coinbase', 'BTC-USD')).toBe('BTC-USD');
    expect(tardisSymbol('bitmex', 'XBTUSD')).toBe('XBTUSD');
  });
});
