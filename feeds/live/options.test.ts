import { describe, expect, test } from 'vitest';
import { ConfigError, parseServeArgs } from '../../server/config.js';
import { FeedSpecError, parseFeedSpec } from './options.js';

describe('--feed VENUE:SYMBOLS', () => {
  test('maps venue symbols with the shared mapping, and renames with =NAME', () => {
    expect(parseFeedSpec('binance:BTCUSDT,ethbtc,ETHUSDT=ETHER').symbols).toEqual([
      { venue: 'BTCUSDT', symbol: 'BTC-USDT', mapped: 'BTC-USDT' },
      { venue: 'ETHBTC', symbol: 'ETH-BTC', mapped: 'ETH-BTC' },
      { venue: 'ETHUSDT', symbol: 'ETHER', mapped: 'ETH-USDT' },
    ]);
    expect(parseFeedSpec('coinbase:BTC-USD').symbols).toEqual([{ venue: 'BTC-USD', symbol: 'BTC-USD', mapped: 'BTC-USD' }]);
  });

  test.each([
    ['kraken:XBTUSD', 'the venue must be one of binance, coinbase'],
    ['binance:', 'name the symbols'],
    ['coinbase:btc-usd', 'is not a coinbase symbol'],
    ['binance:BTC-USDT', 'is not a binance symbol'],
    ['binance:BTCUSDT,btcusdt', 'btcusdt is named twice'],
    ['binance:BTCUSDT=a b', 'cannot be a tickertape symbol'],
  ])('refuses %s with a clear message', (spec, message) => {
    expect(() => parseFeedSpec(spec)).toThrow(FeedSpecError);
    expect(() => parseFeedSpec(spec)).toThrow(message);
  });

  test('serve takes several --feed flags, endpoints from flags over the environment, and refuses simulator flags beside them', () => {
    const env = { BINANCE_WS_URL: 'ws://relay.example:9000/', COINBASE_WS_URL: 'ws://ignored' };
    const { config } = parseServeArgs(['--feed', 'binance:ETHUSDT', '--feed', 'coinbase:BTC-USD', '--coinbase-url', 'ws://127.0.0.1:1', '--binance-replace-after-s', '5'], env, undefined);
    expect(config.feed.kind).toBe('live');
    if (config.feed.kind !== 'live') return;
    expect(config.feed.feeds.map((feed) => feed.venue)).toEqual(['binance', 'coinbase']);
    expect(config.feed.endpoints).toEqual({ binance: 'ws://relay.example:9000', coinbase: 'ws://127.0.0.1:1' });
    expect(config.feed.replaceAfterMs).toBe(5_000);
    expect(() => parseServeArgs(['--feed', 'binance:ETHUSDT', '--rate', '10'], {}, undefined)).toThrow('--rate sets the simulator');
    expect(() => parseServeArgs(['--feed', 'binance:ETHUSDT', '--feed', 'binance:BTCUSDT'], {}, undefined)).toThrow(ConfigError);
    expect(() => parseServeArgs(['--feed', 'binance:ETHUSDT', '--binance-url', 'http://x'], {}, undefined)).toThrow('ws:// or wss://');
    expect(() => parseServeArgs(['--feed', 'binance:ETHUSDT', '--binance-replace-after-s', '1'], {}, undefined)).toThrow(
      'Binance replacement time must be a number from 2 to 86400 s (--binance-replace-after-s, BINANCE_REPLACE_AFTER_S), got "1"',
    );
    expect(parseServeArgs([], { FEED: 'binance:ETHUSDT coinbase:ETH-USD' }, undefined).config.feed.kind).toBe('live');
  });
});
