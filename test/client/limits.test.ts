import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { TickerClient } from '../../client/client.js';
import { ClientError, RequestFailed } from '../../client/errors.js';
import type { Encoding } from '../../client/protocol/messages.js';
import { encodedSize, MAX_FRAME_BYTES, splitSymbols, SYMBOL_REQUEST_BYTES } from '../../client/request-size.js';
import { useClientAndServer } from '../helpers/client-server.js';
import { FakeServer, greeting } from '../helpers/fake-server.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { sleep } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST_RECONNECT = { minDelayMs: 10, maxDelayMs: 50 };
/** 900 names of 19 characters: within the documented limits, but over 16 KiB in one request. */
const MANY = Array.from({ length: 900 }, (_, i) => `SYMBOL-${String(i).padStart(12, '0')}`);

describe('request size', () => {
  test.each(['msgpack', 'json'] as Encoding[])('splitSymbols keeps each %s request within the bytes and the count given', (encoding) => {
    const names = [...MANY, ...Array.from({ length: 300 }, (_, i) => `é${'X'.repeat(i % 40)}`)];
    const request = (symbols: readonly string[]) => ({ type: 'subscribe' as const, id: 123_456, symbols, maxRate: 2.5, bars: false });
    const { groups, tooLarge } = splitSymbols(names, request, encoding, 2_000, 70);
    expect(tooLarge).toEqual([]);
    expect(groups.flat()).toEqual(names);
    for (const group of groups) {
      expect(group.length).toBeLessThanOrEqual(70);
      expect(encodedSize(request(group), encoding)).toBeLessThanOrEqual(2_000);
    }
    expect(splitSymbols(['A', 'B'.repeat(3_000), 'C'], request, encoding, 2_000).tooLarge).toEqual(['B'.repeat(3_000)]);
  });
});

describe('a subscribe too large for one frame', () => {
  const start = useClientAndServer();

  test('goes out as several requests under the frame limit: no 1009, no reconnect loop', async () => {
    const { client, server } = await start(new ManualFeed([instrument('AAPL')]), { flushIntervalMs: 20 }, { reconnect: FAST_RECONNECT });
    const states: string[] = [];
    client.on('state', ({ newState }) => states.push(newState));
    client.connect();
    await client.ready();
    const requestsBefore = server.app.hub.counters.requests;
    const answer = await client.subscribe(MANY);
    expect(answer.symbols).toEqual([]);
    expect(answer.rejected.map((r) => r.symbol).sort()).toEqual([...MANY].sort());
    expect(answer.rejected.every((r) => r.code === 'UNKNOWN_SYMBOL')).toBe(true);
    // 900 × 20 bytes in requests of at most SYMBOL_REQUEST_BYTES.
    expect(server.app.hub.counters.requests - requestsBefore).toBeGreaterThanOrEqual(Math.ceil((900 * 20) / SYMBOL_REQUEST_BYTES));
    const first = await client.quotes(['AAPL']).next();
    expect(first.value?.symbol).toBe('AAPL');
    expect(states).toEqual(['connecting', 'connected']);
  });

  test('an unsubscribe too: every symbol is let go', async () => {
    const names = Array.from({ length: 900 }, (_, i) => `S${String(i).padStart(17, '0')}`);
    const feed = new ManualFeed(names.map((name) => instrument(name)));
    const { client, server } = await start(feed, { flushIntervalMs: 20 });
    client.connect();
    expect((await client.subscribe(names, { snapshot: false })).symbols).toHaveLength(900);
    const answer = await client.unsubscribe(names);
    expect(answer?.symbols).toHaveLength(900);
    await waitFor(() => server.app.hub.groupCount === 0, 'the server to drop every subscription');
    expect(client.state).toBe('connected');
  });

  test('a request over the frame limit is refused by the client, not sent; the connection stays', async () => {
    const { client } = await start(new ManualFeed([instrument('AAPL')]));
    client.connect();
    await client.ready();
    await expect(client.history('A'.repeat(MAX_FRAME_BYTES), '1s')).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    const refused: string[] = [];
    client.on('subscription', ({ symbol, refused: why }) => why !== undefined && refused.push(`${symbol.length} ${why.code}`));
    const answer = await client.subscribe(['AAPL', 'B'.repeat(SYMBOL_REQUEST_BYTES)]);
    expect(answer.symbols).toEqual(['AAPL']);
    expect(answer.rejected.map((r) => r.code)).toEqual(['BAD_FIELD']);
    expect(refused).toEqual([`${SYMBOL_REQUEST_BYTES} BAD_FIELD`]);
    expect(client.state).toBe('connected');
  });

  test('a server whose frame limit is lower still (1009): the client stops with FRAME_TOO_LARGE instead of looping', async () => {
    const { client, server } = await start(new ManualFeed([instrument('AAPL')]), { flushIntervalMs: 20, limits: { maxInboundFrameBytes: 2_048 } }, { reconnect: FAST_RECONNECT });
    const errors: Error[] = [];
    client.on('error', (error) => error instanceof Error && errors.push(error));
    client.connect();
    await client.ready();
    const stream = client.quotes(MANY);
    await expect(stream.next()).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    // Stopped for good: what is asked now fails with the reason at once.
    await expect(client.subscribe(['AAPL'])).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    await expect(client.quotes(['AAPL']).next()).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    await sleep(200);
    expect(client.state).toBe('disconnected');
    expect((client.closeReason as ClientError).code).toBe('FRAME_TOO_LARGE');
    expect(client.closeReason!.message).toMatch(/1009/);
    expect(errors.map((error) => (error as ClientError).code)).toEqual(['FRAME_TOO_LARGE']);
    expect(server.app.hub.connections).toBe(0);
  });
});

describe('the server’s message rate', () => {
  const start = useClientAndServer();

  test('requests fired all at once go out paced under the server’s rate: none is dropped', async () => {
    const { client } = await start(new ManualFeed([instrument('AAPL'), instrument('MSFT')]), { flushIntervalMs: 20 }, { requestTimeoutMs: 8_000 });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    client.connect();
    await client.ready();
    const pings = Array.from({ length: 230 }, () => client.ping());
    const subscribed = client.subscribe(['AAPL']);
    const first = client.quotes(['MSFT']).next();
    expect((await Promise.all(pings)).every((ms) => ms >= 0)).toBe(true);
    expect((await subscribed).symbols).toEqual(['AAPL']);
    expect((await first).value?.symbol).toBe('MSFT');
    expect(errors).toEqual([]);
  }, 15_000);

  test('a subscribe the server dropped (over a stricter rate) is sent again: the symbols get subscribed, the stream its data', async () => {
    const { client } = await start(
      new ManualFeed([instrument('AAPL'), instrument('MSFT')]),
      { flushIntervalMs: 20, limits: { inboundBurstMessages: 20, maxInboundMessagesPerS: 5 } },
      { requestTimeoutMs: 300, reconnect: FAST_RECONNECT },
    );
    client.connect();
    await client.ready();
    const pings = Array.from({ length: 30 }, () => client.ping().catch((error: ClientError | RequestFailed) => (error instanceof RequestFailed ? error.answer.code : error.code)));
    const subscribed = client.subscribe(['AAPL']).then(
      () => 'resolved',
      (error: ClientError) => error.code,
    );
    const first = client.quotes(['MSFT']).next();
    expect(await subscribed).toBe('TIMEOUT');
    const refused = await Promise.all(pings);
    // The first request the server dropped is answered RATE_LIMITED (with its id); the others of the episode time out.
    expect(refused.filter((result) => result === 'RATE_LIMITED')).toHaveLength(1);
    expect(refused.filter((result) => result === 'TIMEOUT').length).toBeGreaterThan(0);
    expect((await first).value?.symbol).toBe('MSFT');
    await waitFor(() => client.subscriptionState('AAPL') === 'subscribed', 'AAPL subscribed by a later send', 10_000);
    expect(client.view('AAPL')).toBeDefined();
    expect(client.state).toBe('connected');
  }, 15_000);
});

describe('a subscribe refused for now', () => {
  test('RATE_LIMITED as its answer: sent again, not taken for a refusal of the symbols', async () => {
    let subscribes = 0;
    const fake = await FakeServer.start({
      onMessage: (message, socket) => {
        if (message.type === 'hello') FakeServer.send(socket, greeting({ id: message.id }));
        if (message.type !== 'subscribe') return;
        if (++subscribes === 1) {
          FakeServer.send(socket, { type: 'error', id: message.id, code: 'RATE_LIMITED', message: 'slow down' });
          return;
        }
        FakeServer.send(socket, { type: 'subscribed', id: message.id, symbols: message.symbols, rejected: [] });
        FakeServer.send(socket, { type: 'snapshot', symbol: 'AAPL', data: { s: 'AAPL', p: 190 } });
      },
    });
    const client = new TickerClient({ url: fake.url, WebSocket, reconnect: FAST_RECONNECT });
    try {
      client.connect();
      const quotes = client.quotes(['AAPL']);
      expect((await quotes.next()).value?.last).toBe(190);
      expect(subscribes).toBe(2);
      expect(client.subscriptionState('AAPL')).toBe('subscribed');
    } finally {
      client.close();
      await fake.close();
    }
  });
});
