import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INTERVALS, PROTOCOL_VERSION } from '../../client/protocol/messages.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);

interface World {
  server: RunningServer;
  feed: ManualFeed;
  clients: WsClient[];
}

/** Each block gets its own server, so one block's ticks never leak into another's expectations. */
function useServer(): World {
  const world = { clients: [] } as unknown as World;
  beforeAll(async () => {
    world.feed = new ManualFeed([instrument('AAPL'), instrument('MSFT'), instrument('BTC-USD', 'crypto')]);
    world.server = await startServer({ feed: world.feed, config: { flushIntervalMs: 20 } });
    for (let s = 0; s < 130; s++) {
      world.feed.push({ symbol: 'AAPL', ts: T0 + s * 1_000, price: 190 + (s % 7) / 100, size: 100, bid: 189.99, ask: 190.1 });
      world.feed.push({ symbol: 'MSFT', ts: T0 + s * 1_000, price: 410 + (s % 5) / 100, size: 10 });
    }
    await sleep(60);
  });
  afterAll(async () => {
    for (const client of world.clients) client.close();
    await world.server.close();
  });
  return world;
}

async function openClient(world: World, encoding: 'msgpack' | 'json' = 'msgpack'): Promise<WsClient> {
  const client = await WsClient.open(world.server.url, encoding);
  world.clients.push(client);
  await client.next('hello');
  return client;
}

describe.each(['msgpack', 'json'] as const)('protocol v1 over %s', (encoding) => {
  const world = useServer();
  const open = (e: 'msgpack' | 'json'): Promise<WsClient> => openClient(world, e);
  test('greets each connection with hello', async () => {
    const client = await WsClient.open(world.server.url, encoding);
    world.clients.push(client);
    const hello = await client.next('hello');
    expect(hello).toMatchObject({ protocol: PROTOCOL_VERSION, flushMs: 20, intervals: [...INTERVALS], feed: { kind: 'live' } });
    expect(hello.server).toMatch(/^tickertape\/\d+\.\d+\.\d+/);
    expect(Math.abs(hello.time - Date.now())).toBeLessThan(5_000);
  });

  test('subscribe answers accepted and rejected symbols, then one snapshot per accepted symbol, then updates', async () => {
    const client = await open(encoding);
    client.send({ type: 'subscribe', id: 7, symbols: ['AAPL', 'NOPE', 'MSFT'] });
    const subscribed = await client.next('subscribed');
    expect(subscribed).toEqual({
      type: 'subscribed',
      id: 7,
      symbols: ['AAPL', 'MSFT'],
      rejected: [{ symbol: 'NOPE', code: 'UNKNOWN_SYMBOL', message: 'no symbol "NOPE" on this server' }],
    });
    const snapshot = await client.next('snapshot', (m) => m.symbol === 'AAPL');
    expect(snapshot.data).toMatchObject({ s: 'AAPL', p: 190 + (129 % 7) / 100, b: 189.99, a: 190.1, o: 190, v: 13_000, t: T0 + 129_000 });
    expect(snapshot.data.k).toHaveLength(60);
    expect(snapshot.data.k!.at(-1)).toEqual([T0 + 129_000, 190.03, 190.03, 190.03, 190.03, 100]);
    await client.next('snapshot', (m) => m.symbol === 'MSFT');

    world.feed.push({ symbol: 'AAPL', ts: T0 + 130_500, price: 191, size: 5 });
    const update = await client.next('update');
    expect(update.seq).toBe(1);
    expect(update.updates).toEqual([{ s: 'AAPL', t: T0 + 130_500, p: 191, h: 191, v: 13_005, k: [[T0 + 130_000, 191, 191, 191, 191, 5]] }]);
    const order = client.messages.map((m) => m.type);
    expect(order.indexOf('update')).toBeGreaterThan(order.lastIndexOf('snapshot'));
  });

  test('update frames carry only changed subscribed symbols, and seq rises by exactly one', async () => {
    const client = await open(encoding);
    client.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'BTC-USD'], bars: false });
    await client.next('subscribed');
    for (let i = 0; i < 5; i++) {
      world.feed.push({ symbol: 'MSFT', ts: T0 + 131_000 + i, price: 411, size: 1 });
      world.feed.push({ symbol: i % 2 === 0 ? 'AAPL' : 'BTC-USD', ts: T0 + 131_000 + i, price: 100 + i, size: 1 });
      await sleep(45);
    }
    const updates = await client.until(() => (client.of('update').length >= 5 ? client.of('update') : undefined), 'five updates');
    expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => i + 1));
    for (const update of updates) {
      for (const entry of update.updates) expect(['AAPL', 'BTC-USD']).toContain(entry.s);
      expect(update.updates.every((entry) => entry.k === undefined)).toBe(true);
    }
  });

  test('history answers bars at every interval, newest last, limited', async () => {
    const client = await open(encoding);
    for (const interval of INTERVALS) {
      client.send({ type: 'history', id: `h-${interval}`, symbol: 'AAPL', interval, limit: 3 });
      const answer = await client.next('history', (m) => m.id === `h-${interval}`);
      expect(answer.interval).toBe(interval);
      expect(answer.bars.length).toBeGreaterThan(0);
      expect(answer.bars.length).toBeLessThanOrEqual(3);
      const times = answer.bars.map((bar) => bar[0]);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
    client.send({ type: 'history', id: 'm', symbol: 'MSFT', interval: '1m', end: T0 + 60_000 });
    expect((await client.next('history', (m) => m.id === 'm')).bars).toEqual([[T0, 410, 410.04, 410, 410.04, 600]]);
  });

  test('ping answers pong with the server time; list answers the instruments', async () => {
    const client = await open(encoding);
    client.send({ type: 'ping', id: 99 });
    const pong = await client.next('pong');
    expect(pong.id).toBe(99);
    expect(Math.abs(pong.time - Date.now())).toBeLessThan(5_000);
    client.send({ type: 'list', id: 100 });
    const list = await client.next('list');
    expect(list.symbols.map((s) => s.symbol).sort()).toEqual(['AAPL', 'BTC-USD', 'MSFT']);
    expect(list.symbols[0]).toMatchObject({ name: expect.any(String), assetClass: expect.any(String), currency: 'USD', tickSize: 0.01 });
  });

  test('unsubscribe stops updates for those symbols', async () => {
    const client = await open(encoding);
    client.send({ type: 'subscribe', id: 1, symbols: ['MSFT'], snapshot: false });
    await client.next('subscribed');
    client.send({ type: 'unsubscribe', id: 2, symbols: ['MSFT', 'AAPL'] });
    expect(await client.next('unsubscribed')).toEqual({ type: 'unsubscribed', id: 2, symbols: ['MSFT'] });
    const before = client.of('update').length;
    world.feed.push({ symbol: 'MSFT', ts: T0 + 140_000, price: 412, size: 1 });
    await sleep(80);
    expect(client.of('update').length).toBe(before);
    expect(client.of('snapshot')).toHaveLength(0);
  });

  test('a wildcard subscription delivers every symbol', async () => {
    const client = await open(encoding);
    client.send({ type: 'subscribe', id: 1, symbols: ['*'], bars: false });
    await client.next('subscribed');
    const snapshots = await client.until(() => (client.of('snapshot').length === 3 ? client.of('snapshot') : undefined), 'three snapshots');
    expect(snapshots.map((m) => m.symbol).sort()).toEqual(['AAPL', 'BTC-USD', 'MSFT']);
    world.feed.push({ symbol: 'BTC-USD', ts: T0 + 150_000, price: 65_000, size: 0.5 }, { symbol: 'MSFT', ts: T0 + 150_000, price: 413, size: 1 });
    const seen = await client.until(() => {
      const symbols = new Set(client.of('update').flatMap((u) => u.updates.map((e) => e.s)));
      return symbols.has('BTC-USD') && symbols.has('MSFT') ? symbols : undefined;
    }, 'updates for BTC-USD and MSFT');
    expect(seen.size).toBeGreaterThanOrEqual(2);
  });
});

describe('subprotocols', () => {
  const world = useServer();
  test('the json subprotocol sends text frames; the default sends binary MessagePack', async () => {
  const json = await openClient(world, 'json');
  const binary = await openClient(world, 'msgpack');
  const kinds = await Promise.all(
    [json, binary].map(
      (client) =>
        new Promise<boolean>((resolve) => {
          client.socket.once('message', (_data, isBinary: boolean) => resolve(isBinary));
          client.send({ type: 'ping', id: 1 });
        }),
    ),
  );
  expect(kinds).toEqual([false, true]);
  expect(json.socket.protocol).toBe('json');
  expect(binary.socket.protocol).toBe('msgpack');
  const none = await WsClient.open(world.server.url, 'msgpack', []);
  world.clients.push(none);
  expect(none.socket.protocol).toBe('');
  expect((await none.next('hello')).protocol).toBe(1);
  });
});
