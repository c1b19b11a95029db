import { describe, expect, test } from 'vitest';
import { binancePosition, normalizeBinance } from '../exchanges/binance.js';
import { coinbasePosition, normalizeCoinbase } from '../exchanges/coinbase.js';
import type { Tick } from '../tick.js';
import { parseFeedSpec } from './options.js';
import { LiveStatus } from './status.js';
import { VenueStream } from './venue-stream.js';

function streamOf(spec: string): { stream: VenueStream; ticks: Tick[]; status: LiveStatus } {
  const feed = parseFeedSpec(spec);
  const status = new LiveStatus([feed]);
  const ticks: Tick[] = [];
  const position = feed.venue === 'binance' ? binancePosition : coinbasePosition;
  return { stream: new VenueStream(feed.venue, feed.symbols, position, status, { tick: (tick) => ticks.push(tick) }), ticks, status };
}

const binanceTrade = (pair: string, id: number): unknown => ({ e: 'trade', E: 1_722_000_000_000, s: pair, t: id, p: '2500.10', q: '0.5', T: 1_722_000_000_000, m: false });
const binanceQuote = (pair: string, id: number): unknown => ({ u: id, s: pair, b: '2500.00', B: '1', a: '2500.20', A: '2' });

describe('VenueStream: only the pairs subscribed', () => {
  test('Binance: a trade or quote for another pair is counted invalid and goes no further, nor into the gap check', () => {
    const { stream, ticks, status } = streamOf('binance:ETHUSDT=ETH');
    const accept = (message: unknown): void => stream.accept(JSON.stringify(message), message, 1_722_000_000_000, normalizeBinance);
    accept(binanceTrade('ETHUSDT', 10));
    accept(binanceTrade('BTCUSDT', 500));
    accept(binanceQuote('SOLUSDT', 77));
    accept(binanceQuote('ETHUSDT', 78));
    accept(binanceTrade('ETHUSDT', 11));
    expect(ticks.map((tick) => [tick.symbol, tick.price ?? tick.bid])).toEqual([
      ['ETH', 2500.1],
      ['ETH', 2500],
      ['ETH', 2500.1],
    ]);
    const health = status.venues.get('binance')!;
    expect([health.messages, health.invalid]).toEqual([5, 2]);
    expect([...status.symbols.keys()]).toEqual(['ETH']);
    expect(status.symbols.get('ETH')!.gaps).toBe(0);
  });

  test('Coinbase: a match for another product is counted invalid', () => {
    const { stream, ticks, status } = streamOf('coinbase:BTC-USD');
    const match = (product: string, id: number): unknown => ({ type: 'match', trade_id: id, sequence: id, product_id: product, price: '60000.5', size: '0.01', side: 'buy', time: '2024-08-08T00:00:00.000000Z' });
    for (const message of [match('BTC-USD', 1), match('ETH-USD', 2), match('BTC-USD', 2)]) stream.accept(JSON.stringify(message), message, Date.parse('2024-08-08T00:00:00Z'), normalizeCoinbase);
    expect(ticks.map((tick) => tick.symbol)).toEqual(['BTC-USD', 'BTC-USD']);
    expect(status.venues.get('coinbase')!.invalid).toBe(1);
  });
});
