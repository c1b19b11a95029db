import { describe, expect, test } from 'vitest';
import type { TickerClient } from '../../client/client.js';
import { RequestFailed } from '../../client/errors.js';
import type { SubscriptionChange } from '../../client/events.js';
import type { BarEvent } from '../../client/bar-ledger.js';
import type { Quote } from '../../client/quote.js';
import type { Feed } from '../../feeds/tick.js';
import { useClientAndServer } from '../helpers/client-server.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { sleep, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);

describe('async iteration', () => {
  const open = useClientAndServer();
  let server: RunningServer;

  async function start(feed: Feed, config?: Parameters<typeof open>[1]): Promise<TickerClient> {
    const running = await open(feed, config);
    server = running.server;
    running.client.connect();
    await running.client.ready();
    return running.client;
  }

  test('a slow loop gets the latest quote of each symbol, never a backlog', async () => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    const c = await start(feed);
    const quotes = c.quotes(['AAPL', 'MSFT'], { snapshot: false });
    const got: Quote[] = [];
    const reading = (async () => {
      for await (const quote of quotes) {
        got.push(quote);
        await sleep(150);
        if (got.some((q) => q.last === 299) && got.some((q) => q.last === 499)) break;
      }
    })();
    await waitFor(() => c.subscriptionState('MSFT') === 'subscribed', 'the subscriptions');
    let most = 0;
    for (let i = 0; i <= 99; i++) {
      feed.push({ symbol: 'AAPL', ts: T0 + i, price: 200 + i, size: 1 }, { symbol: 'MSFT', ts: T0 + i, price: 400 + i, size: 1 });
      await sleep(5);
      most = Math.max(most, quotes.size);
    }
    await reading;
    // At most one quote waits per symbol, however far behind the loop is.
    expect(most).toBeLessThanOrEqual(2);
    expect(got.length).toBeLessThan(40);
    // What it did get is in order and ends with the latest.
    const aapl = got.filter((q) => q.symbol === 'AAPL').map((q) => q.last);
    expect(aapl).toEqual([...aapl].sort((a, b) => a - b));
    expect(aapl.at(-1)).toBe(299);
    // `break` unsubscribed both symbols.
    await waitFor(() => server.app.hub.groupCount === 0, 'the server to drop the subscriptions');
    expect(c.subscriptions().size).toBe(0);
  });

  test('break keeps symbols that subscribe() still holds', async () => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    const c = await start(feed);
    await c.subscribe(['AAPL']);
    const quotes = c.quotes(['AAPL', 'MSFT']);
    await quotes.next();
    await quotes.return();
    expect([...c.subscriptions().keys()]).toEqual(['AAPL']);
    expect(c.subscriptionState('AAPL')).toBe('subscribed');
    expect(c.subscriptionState('MSFT')).toBe('unsubscribed');
  });

  test('a loop over symbols the server refuses fails with RequestFailed instead of waiting for ever', async () => {
    // A server that takes at most 10 symbols a request: the client splits only at the default 1,000.
    const c = await start(new ManualFeed([instrument('AAPL')]), { flushIntervalMs: 20, limits: { maxSymbolsPerRequest: 10 } });
    const refusals: SubscriptionChange[] = [];
    c.on('subscription', (change) => {
      if (change.refused !== undefined) refusals.push(change);
    });
    // A request the server refuses whole (more symbols than one request may hold): each of its symbols is refused.
    const many = Array.from({ length: 11 }, (_, i) => `S${i}`);
    const refusedWhole = c.quotes(many);
    const error = await refusedWhole.next().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RequestFailed);
    expect((error as RequestFailed).answer.code).toBe('TOO_MANY_SYMBOLS');
    expect((error as RequestFailed).message).toMatch(/every symbol was refused: S0 \(TOO_MANY_SYMBOLS: at most 10 symbols per request\); S1 /);
    expect(refusals.map(({ symbol, oldState, newState }) => [symbol, oldState, newState])).toEqual(many.map((symbol) => [symbol, 'subscribing', 'unsubscribed']));
    expect(c.subscriptions().size).toBe(0);
    // Malformed names are refused one by one (not a symbol name), all of them: the same.
    const malformed = c.quotes(['bad sym', 'a,b']);
    await expect(malformed.next()).rejects.toThrow(
      /every symbol was refused: bad sym \(UNKNOWN_SYMBOL: "bad sym" is not a symbol name: 1 to 32 letters, digits or \. _ : \/ -\); a,b \(UNKNOWN_SYMBOL: "a,b" is not/,
    );
    // Refused one by one (an unknown symbol), all of them: the same.
    const bars = c.bars(['NOPE']);
    await expect(bars.next()).rejects.toThrow(/UNKNOWN_SYMBOL: no symbol "NOPE" on this server/);
    // subscribe() rejects with the request's RequestFailed; a stream that also waited on those symbols fails.
    const waiting = c.quotes(many);
    await expect(c.subscribe(many)).rejects.toBeInstanceOf(RequestFailed);
    await expect(waiting.next()).rejects.toBeInstanceOf(RequestFailed);
    // A malformed name beside a good one costs only itself.
    const refusalsBefore = refusals.length;
    const quotes = c.quotes(['AAPL', 'bad sym', 'NOPE']);
    server.app.market.apply({ symbol: 'AAPL', ts: T0, price: 101, size: 1 });
    expect((await quotes.next()).value?.symbol).toBe('AAPL');
    await quotes.return();
    expect(refusals.slice(refusalsBefore).map(({ symbol, refused }) => [symbol, refused?.code])).toEqual([
      ['bad sym', 'UNKNOWN_SYMBOL'],
      ['NOPE', 'UNKNOWN_SYMBOL'],
    ]);
  });

  test('close() ends every loop', async () => {
    const c = await start(new ManualFeed([instrument('AAPL')]));
    const loop = (async () => {
      let count = 0;
      for await (const _ of c.bars(['AAPL'])) count++;
      return count;
    })();
    await waitFor(() => c.subscriptionState('AAPL') === 'subscribed', 'the subscription');
    c.close();
    expect(await loop).toBe(0);
  });

  test('after close(), ready(), subscribe(), requests and new loops settle at once', async () => {
    const c = await start(new ManualFeed([instrument('AAPL')]));
    const made = c.quotes(['AAPL']);
    c.close();
    const closed = { name: 'ClientError', code: 'CLOSED' };
    const soon = <T>(promise: Promise<T>): Promise<T> =>
      Promise.race([promise, sleep(1_000).then(() => Promise.reject(new Error('still pending after 1 s')))]);
    await expect(soon(c.ready())).rejects.toMatchObject(closed);
    await expect(soon(c.subscribe(['AAPL']))).rejects.toMatchObject(closed);
    await expect(soon(c.ping())).rejects.toMatchObject(closed);
    expect(await soon(c.quotes(['AAPL']).next())).toEqual({ done: true, value: undefined });
    expect(await soon(c.bars(['AAPL']).next())).toEqual({ done: true, value: undefined });
    // Made before close(), first read after it.
    expect(await soon(made.next())).toEqual({ done: true, value: undefined });
    expect(await soon(c.unsubscribe(['AAPL']))).toBeUndefined();
    expect(c.subscriptions().size).toBe(0);
  });

  test('a loop over no symbols ends at once', async () => {
    const c = await start(new ManualFeed([instrument('AAPL')]));
    expect(await c.quotes([]).next()).toEqual({ done: true, value: undefined });
    expect(await c.bars([]).next()).toEqual({ done: true, value: undefined });
  });

  test('unsubscribe(["*"]) drops the views only `*` kept', async () => {
    const c = await start(new ManualFeed([instrument('AAPL'), instrument('MSFT')]));
    await c.subscribe(['MSFT']);
    await c.subscribe(['*']);
    await waitFor(() => c.view('AAPL') !== undefined && c.view('MSFT') !== undefined, 'both views');
    await c.unsubscribe(['*']);
    expect(c.view('AAPL')).toBeUndefined();
    expect(c.view('MSFT')).toBeDefined();
  });

  test.each(['1s', '5s', '1m'] as const)('bars(%s) yields each whole bar once, closed, equal to the server history', async (interval) => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('BTC-USD', 'crypto')]);
    const c = await start(feed);
    const symbols = ['AAPL', 'BTC-USD'];
    const bars: BarEvent[] = [];
    const reading = (async () => {
      for await (const event of c.bars(symbols, { interval })) bars.push(event);
    })();
    await waitFor(() => symbols.every((symbol) => c.subscriptionState(symbol) === 'subscribed'), 'the subscriptions');
    // 200 s of event time, a trade every 250 ms per symbol, played in many frames.
    for (let i = 0; i < 800; i++) {
      for (const [n, symbol] of symbols.entries()) {
        feed.push({ symbol, ts: T0 + i * 250 + n, price: 100 + Math.sin(i / 7) * 3 + n * 10, size: 1 + (i % 4) * 0.25 });
      }
      if (i % 40 === 0) await sleep(25);
    }
    await sleep(100);
    c.close();
    await reading;
    expect(bars.every((event) => event.closed && !event.revision)).toBe(true);
    const step = { '1s': 1_000, '5s': 5_000, '1m': 60_000 }[interval];
    for (const symbol of symbols) {
      const told = bars.filter((event) => event.symbol === symbol).map((event) => event.bar);
      const times = told.map((bar) => bar[0]);
      // Every whole interval but the forming last one, each once, in order.
      expect(times, symbol).toEqual(Array.from({ length: Math.ceil(200_000 / step) - 1 }, (_, k) => T0 + k * step));
      const history = server.app.market.history(symbol, interval, 1_000)!;
      expect(told, symbol).toEqual(history.slice(0, -1));
    }
  });

  test('bars with forming: true also yields the forming bar as it changes', async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    const c = await start(feed);
    const events: BarEvent[] = [];
    const reading = (async () => {
      for await (const event of c.bars(['AAPL'], { forming: true })) {
        events.push(event);
        if (event.bar[0] === T0 + 2_000 && event.closed) break;
      }
    })();
    await waitFor(() => c.subscriptionState('AAPL') === 'subscribed', 'the subscription');
    const ticks = [
      { ts: T0 + 1_000, price: 10 },
      { ts: T0 + 1_500, price: 11 },
      { ts: T0 + 2_100, price: 9 },
      { ts: T0 + 3_000, price: 12 },
    ];
    for (const tick of ticks) {
      feed.push({ symbol: 'AAPL', size: 1, ...tick });
      await sleep(50);
    }
    await reading;
    expect(events.map((e) => [e.bar[0] - T0, e.bar[4], e.closed])).toEqual([
      [1_000, 10, false],
      [1_000, 11, false],
      [1_000, 11, true],
      [2_000, 9, false],
      [2_000, 9, true],
    ]);
  });

  test('a bars loop that falls further behind than its buffer fails with SLOW_CONSUMER instead of growing', async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    const c = await start(feed);
    const bars = c.bars(['AAPL'], { maxBufferedBars: 3 });
    const first = bars.next();
    await waitFor(() => c.subscriptionState('AAPL') === 'subscribed', 'the subscription');
    for (let s = 1; s <= 8; s++) feed.push({ symbol: 'AAPL', ts: T0 + s * 1_000, price: 10 + s, size: 1 });
    expect((await first).value?.bar[0]).toBe(T0 + 1_000);
    await sleep(100);
    await expect(async () => {
      for (;;) await bars.next();
    }).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
  });
});
