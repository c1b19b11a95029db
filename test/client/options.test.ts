import { describe, expect, test } from 'vitest';
import type { QuoteSource } from '../../client/quote.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { useClientAndServer } from '../helpers/client-server.js';
import { sleep } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);

describe('per-subscription options, end to end', () => {
  const start = useClientAndServer();

  test.each([4, 7, 25])('maxRate %i: updates of a symbol never exceed it in any second, and the latest value arrives', async (maxRate) => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT'), instrument('NVDA')]);
    const { client } = await start(feed);
    const updateTimes = new Map<string, number[]>();
    client.on('frame', (frame) => {
      for (const entry of frame.updates) updateTimes.set(entry.s, [...(updateTimes.get(entry.s) ?? []), frame.time]);
    });
    client.connect();
    await client.subscribe(['AAPL', 'MSFT'], { maxRate });
    await client.subscribe(['NVDA']);
    let price = 100;
    const symbols = ['AAPL', 'MSFT', 'NVDA'];
    const started = Date.now();
    for (let i = 0; Date.now() - started < 2_500; i++) {
      price = 100 + (i % 50) / 10;
      for (const symbol of symbols) feed.push({ symbol, ts: T0 + i * 5, price, size: 1 });
      await sleep(5);
    }
    const finalPrice = 200;
    for (const symbol of symbols) feed.push({ symbol, ts: T0 + 1_000_000, price: finalPrice, size: 1 });
    await waitFor(() => symbols.every((symbol) => client.view(symbol)?.last === finalPrice), 'the latest value of every symbol');

    const minSpacingMs = 1000 / maxRate;
    for (const symbol of ['AAPL', 'MSFT']) {
      const times = updateTimes.get(symbol)!;
      const spacing = times.slice(1).map((time, i) => time - times[i]!);
      // By the server's own clock (the frames' `time`): never closer than 1000 / maxRate ms...
      expect(Math.min(...spacing), symbol).toBeGreaterThanOrEqual(minSpacingMs);
      // ...so no window of one second holds more than maxRate updates.
      const busiest = Math.max(...times.map((from) => times.filter((time) => time >= from && time < from + 1_000).length));
      expect(busiest, symbol).toBeLessThanOrEqual(maxRate);
      // And the limit is a ceiling, not a starvation: updates keep coming.
      expect(times.length, symbol).toBeGreaterThan(2);
    }
    expect(updateTimes.get('NVDA')!.length).toBeGreaterThan(updateTimes.get('AAPL')!.length);
  });

  test('snapshot: false sends no snapshot; the first quote comes from an update. snapshot: true starts from the state', async () => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    const { client } = await start(feed);
    feed.push({ symbol: 'AAPL', ts: T0, price: 190, size: 1 }, { symbol: 'MSFT', ts: T0, price: 420, size: 1 });
    // Flushed before anyone subscribes: an update right after subscribing would otherwise carry them.
    await sleep(60);
    const snapshots: string[] = [];
    const quotes: [string, QuoteSource, number][] = [];
    client.on('snapshot', (view) => snapshots.push(view.symbol));
    client.on('quote', (quote, source) => quotes.push([quote.symbol, source, quote.last]));
    client.connect();
    await client.subscribe(['AAPL'], { snapshot: false });
    await client.subscribe(['MSFT'], { snapshot: true });
    await sleep(100);
    expect(snapshots).toEqual(['MSFT']);
    expect(quotes).toEqual([['MSFT', 'snapshot', 420]]);
    feed.push({ symbol: 'AAPL', ts: T0 + 1, price: 191, size: 1 });
    await waitFor(() => quotes.length === 2, 'the AAPL update');
    expect(quotes[1]).toEqual(['AAPL', 'update', 191]);
  });

  test('an iterator that asks for a slower rate does not slow down what subscribe() asked for; the fastest wins', async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    const { client } = await start(feed);
    client.connect();
    await client.subscribe(['AAPL'], { bars: false });
    const slow = client.quotes(['AAPL'], { maxRate: 1 });
    void slow.next();
    await waitFor(() => client.subscriptions().get('AAPL') !== undefined, 'the iterator to start');
    expect(client.subscriptions().get('AAPL')).toEqual({ bars: false, snapshot: true });
    await slow.return();
    const limited = client.quotes(['MSFT'], { maxRate: 2 });
    void limited.next();
    expect(client.subscriptions().get('MSFT')).toEqual({ bars: false, snapshot: true, maxRate: 2 });
    await limited.return();
  });
});

describe('the wildcard', () => {
  const start = useClientAndServer();

  test('`*` delivers every symbol the server lists', async () => {
    const { client } = await start(createSimulator({ seed: 3, ticksPerSecond: 3_000, warmupMs: 10_000 }), { flushIntervalMs: 50 });
    client.connect();
    await client.ready();
    const listed = (await client.list()).map((info) => info.symbol).sort();
    expect(listed.length).toBe(60);
    const seen = new Set<string>();
    for await (const quote of client.quotes(['*'])) {
      seen.add(quote.symbol);
      if (seen.size === listed.length) break;
    }
    expect([...seen].sort()).toEqual(listed);
    // `break` let go of the wildcard.
    expect(client.subscriptions().has('*')).toBe(false);
  });

  test('`*` includes symbols the feed adds later', async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    const { client } = await start(feed);
    client.connect();
    const quotes = client.quotes(['*'], { snapshot: false });
    const next = quotes.next();
    await waitFor(() => client.subscriptionState('*') === 'subscribed', 'the wildcard subscription');
    feed.push({ symbol: 'NEW-USD', ts: T0, price: 1.5, size: 3 });
    const first = await next;
    expect(first.value).toMatchObject({ symbol: 'NEW-USD', last: 1.5 });
    await quotes.return();
  });
});
