import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { ClientError, type Bar, type Interval, type TickerClient } from '../../../client/index.js';
import { ChartFeed, RETRY_MIN_MS } from './chart-feed.svelte.js';

interface Asked {
  readonly symbol: string;
  readonly interval: Interval;
  resolve(bars: Bar[]): void;
  reject(error: Error): void;
}

/** The part of the client the chart uses: history requests are answered by hand. */
class FakeClient {
  state = 'connected';
  readonly asked: Asked[] = [];

  on(): () => void {
    return () => {};
  }

  history(symbol: string, interval: Interval): Promise<Bar[]> {
    return new Promise((resolve, reject) => this.asked.push({ symbol, interval, resolve, reject }));
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function feedOn(client: FakeClient, settleMs: number): ChartFeed {
  return new ChartFeed(client as unknown as TickerClient, { settleMs });
}

test('a symbol shown and replaced within the settle time is never loaded; only the last one is', async () => {
  const client = new FakeClient();
  const feed = feedOn(client, 200);
  for (const symbol of ['AAA', 'BBB', 'CCC', 'DDD']) {
    feed.show(symbol, '1m');
    await vi.advanceTimersByTimeAsync(50);
  }
  expect(feed.symbol).toBe('DDD');
  expect(feed.status).toBe('loading');
  expect(client.asked).toEqual([]);
  await vi.advanceTimersByTimeAsync(200);
  expect(client.asked.map((ask) => `${ask.symbol} ${ask.interval}`)).toEqual(['DDD 1m', 'DDD 1s']);
});

test('one load in flight: the next waits for its answers, and the superseded answer is dropped', async () => {
  const client = new FakeClient();
  const feed = feedOn(client, 0);
  feed.show('AAA', '1s');
  expect(client.asked.map((ask) => ask.symbol)).toEqual(['AAA']);
  feed.show('BBB');
  feed.show('CCC');
  expect(client.asked.length).toBe(1);
  client.asked[0]!.resolve([[1_000, 1, 1, 1, 1, 1]]);
  await vi.advanceTimersByTimeAsync(0);
  // Only the latest symbol is asked for once the first answer is in; the first answer is not shown.
  expect(client.asked.map((ask) => ask.symbol)).toEqual(['AAA', 'CCC']);
  expect(feed.barCount).toBe(0);
  client.asked[1]!.resolve([[2_000, 2, 2, 2, 2, 2]]);
  await vi.advanceTimersByTimeAsync(0);
  expect(feed.status).toBe('live');
  expect(feed.latest?.[0]).toBe(2_000);
});

test('a load that fails or times out is tried again, later each time, until it succeeds', async () => {
  const client = new FakeClient();
  const feed = feedOn(client, 0);
  feed.show('AAA', '1s');
  client.asked[0]!.reject(new ClientError('TIMEOUT', 'history request 3 got no answer within 10000 ms'));
  await vi.advanceTimersByTimeAsync(0);
  expect(feed.status).toBe('error');
  expect(feed.error).toContain('no answer');
  await vi.advanceTimersByTimeAsync(RETRY_MIN_MS);
  expect(client.asked.length).toBe(2);
  expect(feed.status).toBe('loading');
  client.asked[1]!.reject(new ClientError('TIMEOUT', 'again'));
  await vi.advanceTimersByTimeAsync(RETRY_MIN_MS);
  // The second wait is twice as long.
  expect(client.asked.length).toBe(2);
  await vi.advanceTimersByTimeAsync(RETRY_MIN_MS);
  expect(client.asked.length).toBe(3);
  client.asked[2]!.resolve([[1_000, 1, 1, 1, 1, 1]]);
  await vi.advanceTimersByTimeAsync(0);
  expect(feed.status).toBe('live');
  expect(feed.error).toBeUndefined();
  expect(feed.barCount).toBe(1);
});
