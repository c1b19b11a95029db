/**
 * A fake exchange drops every connection mid-session and refuses new ones for a while; the live feed, served
 * by a real server, reconnects with backoff, and the trades lost meanwhile are reported exactly: in /metrics,
 * and to clients as a `feed` message marking the symbol stale while down and gapped after.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { FeedStatusMessage } from '../../client/protocol/messages.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';
import { openLiveFeed } from '../../feeds/live/feed.js';
import { FakeBinance } from './fake-binance.js';
import { FakeCoinbase } from './fake-coinbase.js';
import { countingTrades, drain, liveOptions } from './live-harness.js';
import { BINANCE_CAPTURE, COINBASE_CAPTURE, capturesPresent } from './shared-captures.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.skipIf(!capturesPresent)('a dropped exchange connection', () => {
  test('reconnects with backoff and reports the missed trades in /metrics and as a stale, then gapped, symbol', async () => {
    const binance = await FakeBinance.start(BINANCE_CAPTURE);
    const coinbase = await FakeCoinbase.start(COINBASE_CAPTURE, { heartbeatEveryMs: 100 });
    cleanup.push(() => binance.close(), () => coinbase.close());
    const { feed, trades } = countingTrades(openLiveFeed(liveOptions(['binance:ETHUSDT', 'coinbase:SKL-USD,BAND-BTC'], { binance: binance.url, coinbase: coinbase.url })));
    const server = await startServer({ feed, config: { flushIntervalMs: 20 } });
    cleanup.push(() => server.close());
    const client = await WsClient.open(server.url);
    cleanup.push(() => client.close());

    const first = await client.next('feed');
    expect(first.symbols.map((symbol) => symbol.s).sort()).toEqual(['BAND-BTC', 'ETH-USDT', 'SKL-USD']);
    const allLive = (message: FeedStatusMessage): boolean => message.venues.every((venue) => venue.state === 'live');
    await client.next('feed', allLive);

    const limit = 10_000;
    const playing = binance.play({ batch: 8, everyMs: 2, limit });
    await waitFor(() => binance.played > 3_000, 'part of the tape to play', 10_000);
    const before = client.of('feed').length;
    const later = (where: (message: FeedStatusMessage) => boolean, timeoutMs?: number): Promise<FeedStatusMessage> =>
      client.until(() => client.of('feed').slice(before).find(where), 'a feed message', timeoutMs);
    const droppedAt = performance.now();
    binance.dropAll(300);
    const stale = await later((message) => message.symbols.some((symbol) => symbol.s === 'ETH-USDT' && symbol.stale));
    expect(stale.symbols.find((symbol) => symbol.s === 'SKL-USD')!.stale).toBe(false);
    const back = await later((message) => message.symbols.some((symbol) => symbol.s === 'ETH-USDT' && !symbol.stale && symbol.gaps > 0), 10_000);
    const reconnectMs = performance.now() - droppedAt;
    await playing;

    const tapeIds = binance.tape.slice(0, limit).filter((m) => m.topic.endsWith('@trade')).map((m) => (JSON.parse(m.text) as { data: { t: number } }).data.t);
    await waitFor(() => server.app.market.get('ETH-USDT')!.snapshot(0).t === lastTradeTime(binance, limit), 'the last trade', 10_000);
    const health = feed.live.symbols.get('ETH-USDT')!;
    expect(feed.live.venue('binance').reconnects).toBeGreaterThanOrEqual(1);
    expect(health.gaps).toBeGreaterThanOrEqual(1);
    expect(health.missed).toBeGreaterThan(0);
    // Trades received + trades reported missing = every trade the exchange played.
    expect(trades.get('ETH-USDT')! + health.missed).toBe(tapeIds.length);
    const gapped = back.symbols.find((symbol) => symbol.s === 'ETH-USDT')!;
    expect(gapped.gapAt).toBeGreaterThan(0);

    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    expect(metric(metrics, 'tickertape_feed_reconnects_total', 'venue="binance"')).toBeGreaterThanOrEqual(1);
    expect(metric(metrics, 'tickertape_feed_reconnects_total', 'venue="coinbase"')).toBe(0);
    expect(metric(metrics, 'tickertape_feed_missed_trades_total', 'symbol="ETH-USDT"')).toBe(health.missed);
    expect(metric(metrics, 'tickertape_feed_gaps_total', 'symbol="ETH-USDT"')).toBe(health.gaps);
    expect(metric(metrics, 'tickertape_feed_connected', 'venue="binance"')).toBe(1);
    console.log(`reconnect: stale → live again with the gap reported in ${Math.round(reconnectMs)} ms (300 ms refused + backoff)`);
  });
});

describe.skipIf(!capturesPresent)('why a connection was lost', () => {
  test('each venue says why when its state turns to waiting: the logs (server/live/feed-log.ts) read it then', async () => {
    const binance = await FakeBinance.start(BINANCE_CAPTURE);
    const coinbase = await FakeCoinbase.start(COINBASE_CAPTURE, { heartbeatEveryMs: 100 });
    cleanup.push(() => binance.close(), () => coinbase.close());
    const live = drain(liveOptions(['binance:ETHUSDT', 'coinbase:SKL-USD'], { binance: binance.url, coinbase: coinbase.url }));
    cleanup.push(() => live.stop());
    const seen: string[] = [];
    live.feed.live.onChange(() => {
      for (const venue of live.feed.live.venues.values()) if (venue.state === 'waiting') seen.push(`${venue.venue}: ${venue.error ?? 'no reason'}`);
    });
    const allLive = (): boolean => [...live.feed.live.venues.values()].every((venue) => venue.state === 'live');
    await waitFor(allLive, 'both venues live');
    binance.dropAll();
    coinbase.dropAll();
    await waitFor(() => seen.length >= 2, 'both connections lost');
    expect(new Set(seen)).toEqual(new Set(['binance: closed 1006', 'coinbase: closed 1006']));
  });
});

function lastTradeTime(fake: FakeBinance, limit: number): number {
  const last = fake.tape.slice(0, limit).filter((m) => m.topic.endsWith('@trade')).at(-1)!;
  return (JSON.parse(last.text) as { data: { T: number } }).data.T;
}
