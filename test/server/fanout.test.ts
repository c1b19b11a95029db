import { afterEach, describe, expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Tick } from '../../feeds/tick.js';
import { CLOSE_CODES, type UpdateMessage } from '../../client/protocol/messages.js';
import { SymbolView } from '../../client/symbol-view.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { ReferenceBars } from '../helpers/reference.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);
let server: RunningServer | undefined;
const clients: WsClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function open(url: string, encoding: 'msgpack' | 'json' = 'msgpack'): Promise<WsClient> {
  const client = await WsClient.open(url, encoding);
  clients.push(client);
  await client.next('hello');
  return client;
}

/** Applies every snapshot and update a client received, as any client would. */
function viewsOf(client: WsClient): Map<string, SymbolView> {
  const views = new Map<string, SymbolView>();
  const view = (symbol: string): SymbolView => {
    let v = views.get(symbol);
    if (v === undefined) views.set(symbol, (v = new SymbolView(symbol, 100_000)));
    return v;
  };
  for (const message of client.messages) {
    if (message.type === 'snapshot') view(message.symbol).reset(message.data);
    if (message.type === 'update') for (const entry of message.updates) view(entry.s).apply(entry);
  }
  return views;
}

/** Pushes ticks in chunks across real flushes. */
async function play(feed: ManualFeed, ticks: readonly Tick[], chunk: number, pauseMs: number): Promise<void> {
  for (let i = 0; i < ticks.length; i += chunk) {
    feed.push(...ticks.slice(i, i + chunk));
    await sleep(pauseMs);
  }
}

describe('fan-out', () => {
  test.each(['msgpack', 'json'] as const)(
    'bars a %s client builds from the updates it receives equal bars built from the raw ticks',
    async (encoding) => {
      const sim = createSimulator({ seed: 11, ticksPerSecond: 3_000, startTime: T0 });
      const feed = new ManualFeed(sim.instruments);
      server = await startServer({ feed, config: { flushIntervalMs: 10 } });
      const client = await open(server.url, encoding);
      client.send({ type: 'subscribe', id: 1, symbols: ['*'] });
      await client.next('subscribed');
      const ticks = [...sim.ticks(30_000)];
      await play(feed, ticks, 700, 7);
      await sleep(60);
      const reference = new ReferenceBars();
      for (const tick of ticks) reference.add(tick);
      const views = viewsOf(client);
      const updates = client.of('update');
      expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => i + 1));
      const entries = updates.reduce((n, u) => n + u.updates.length, 0);
      expect(entries).toBeLessThan(ticks.length / 3);
      for (const symbol of reference.symbols()) {
        expect(views.get(symbol)?.bars, symbol).toEqual(reference.get(symbol));
      }
    },
  );

  test('clients with the same subscriptions share one body, and each changed symbol is encoded once per flush', async () => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT'), instrument('NVDA'), instrument('TSLA')]);
    // One slice: every connection in every flush (the rolling flush's slices are tested below).
    server = await startServer({ feed, config: { flushIntervalMs: 25, limits: { flushSlices: 1 } } });
    const same = await Promise.all(Array.from({ length: 30 }, () => open(server!.url)));
    for (const client of same) client.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT', 'NVDA'], snapshot: false });
    const other = await open(server.url);
    other.send({ type: 'subscribe', id: 1, symbols: ['NVDA', 'TSLA'], bars: false, snapshot: false });
    await Promise.all([...same, other].map((client) => client.next('subscribed')));
    expect(server.app.hub.groupCount).toBe(2);

    const hub = server.app.hub;
    await sleep(30);
    const encodedBefore = hub.counters.encodedEntries();
    feed.push(
      { symbol: 'AAPL', ts: T0, price: 190, size: 1 },
      { symbol: 'MSFT', ts: T0, price: 410, size: 1 },
      { symbol: 'NVDA', ts: T0, price: 120, size: 1 },
      { symbol: 'TSLA', ts: T0, price: 250, size: 1 },
    );
    await Promise.all([...same, other].map((client) => client.next('update')));
    await sleep(60);
    // 31 clients, 5 symbol subscriptions each at most: 4 entries encoded (NVDA twice: with and without bars).
    expect(hub.counters.encodedEntries() - encodedBefore).toBe(5);
    const bodies = new Set(same.map((client) => JSON.stringify(client.of('update')[0]!.updates)));
    expect(bodies.size).toBe(1);
    expect((other.of('update')[0] as UpdateMessage).updates.map((e) => e.s).sort()).toEqual(['NVDA', 'TSLA']);
  });

  test('a rolling flush sends each slice of connections in its own turn: one frame per interval each, latest state, exact bars', async () => {
    const sim = createSimulator({ seed: 5, ticksPerSecond: 2_000, startTime: T0 });
    const feed = new ManualFeed(sim.instruments);
    server = await startServer({ feed, config: { flushIntervalMs: 50, limits: { flushSlices: 5 } } });
    expect(server.app.hub.slices).toBe(5);
    // Ten connections are written in well under half an interval: the hub would not roll on its own.
    server.app.hub.pinRolling(true);
    const symbols = sim.instruments.slice(0, 6).map((i) => i.symbol);
    const group = await Promise.all(Array.from({ length: 10 }, () => open(server!.url)));
    for (const client of group) client.send({ type: 'subscribe', id: 1, symbols });
    await Promise.all(group.map((client) => client.next('subscribed')));
    // Ten identical subscriptions dealt into five slices: a group per slice.
    expect(server.app.hub.groupCount).toBe(5);
    const ticks = [...sim.ticks(6_000)];
    await play(feed, ticks, 40, 5);
    await sleep(150);

    const reference = new ReferenceBars();
    for (const tick of ticks) reference.add(tick);
    const perClient: number[] = [];
    const allTimes = new Set<number>();
    for (const client of group) {
      const updates = client.of('update');
      expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => i + 1));
      // One frame per interval at most, by the frames' own clock: a connection's turn comes every 5 slices.
      for (let i = 1; i < updates.length; i++) expect(updates[i]!.time - updates[i - 1]!.time).toBeGreaterThanOrEqual(50);
      perClient.push(updates.length);
      for (const update of updates) allTimes.add(update.time);
      const views = viewsOf(client);
      for (const symbol of symbols) {
        expect(views.get(symbol)?.bars, symbol).toEqual(reference.get(symbol));
        expect(views.get(symbol)?.last, symbol).toBe(ticks.filter((t) => t.symbol === symbol && t.price !== undefined).at(-1)?.price);
      }
    }
    // The slices' turns are staggered: the ten connections' frames were built at about five times as many
    // moments as one connection's (all at once, they would share every moment).
    expect(Math.min(...perClient)).toBeGreaterThan(5);
    expect(allTimes.size).toBeGreaterThan(3 * Math.max(...perClient));
  });

  test('switching between rolling and whole rounds mid-stream loses nothing and never sends a connection two frames within an interval', async () => {
    const sim = createSimulator({ seed: 9, ticksPerSecond: 2_000, startTime: T0 });
    const feed = new ManualFeed(sim.instruments);
    server = await startServer({ feed, config: { flushIntervalMs: 40, limits: { flushSlices: 4 } } });
    const hub = server.app.hub;
    const symbols = sim.instruments.slice(0, 8).map((i) => i.symbol);
    const group = await Promise.all(Array.from({ length: 8 }, () => open(server!.url)));
    for (const client of group) client.send({ type: 'subscribe', id: 1, symbols, maxRate: client === group[0] ? 10 : undefined });
    await Promise.all(group.map((client) => client.next('subscribed')));
    const ticks = [...sim.ticks(8_000)];
    const modes = [true, false, true, undefined, false, true];
    for (let i = 0; i < modes.length; i++) {
      hub.pinRolling(modes[i]);
      await play(feed, ticks.slice((i * ticks.length) / modes.length, ((i + 1) * ticks.length) / modes.length), 40, 5);
    }
    await sleep(200);
    const reference = new ReferenceBars();
    for (const tick of ticks) reference.add(tick);
    for (const client of group) {
      const updates = client.of('update');
      expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => i + 1));
      const spacing = client === group[0] ? 100 : 40;
      for (let i = 1; i < updates.length; i++) expect(updates[i]!.time - updates[i - 1]!.time).toBeGreaterThanOrEqual(spacing);
      const views = viewsOf(client);
      for (const symbol of symbols) expect(views.get(symbol)?.bars, symbol).toEqual(reference.get(symbol));
    }
  });

  test('no frame is sent for a flush in which none of the subscribed symbols changed', async () => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    server = await startServer({ feed, config: { flushIntervalMs: 10 } });
    const client = await open(server.url);
    client.send({ type: 'subscribe', id: 1, symbols: ['AAPL'] });
    await client.next('subscribed');
    for (let i = 0; i < 20; i++) {
      feed.push({ symbol: 'MSFT', ts: T0 + i, price: 400 + i, size: 1 });
      await sleep(5);
    }
    await sleep(30);
    expect(client.of('update')).toHaveLength(0);
  });

  test.each([false, true])('maxRate holds per symbol, and the latest value always arrives (rolling: %s)', async (rolling) => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    server = await startServer({ feed, config: { flushIntervalMs: 10 } });
    server.app.hub.pinRolling(rolling);
    const limited = await open(server.url);
    limited.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT'], maxRate: 4, bars: true, snapshot: false });
    const free = await open(server.url);
    free.send({ type: 'subscribe', id: 1, symbols: ['AAPL'], snapshot: false });
    await Promise.all([limited.next('subscribed'), free.next('subscribed')]);
    const ticks: Tick[] = [];
    for (let i = 0; i < 300; i++) ticks.push({ symbol: i % 3 === 0 ? 'MSFT' : 'AAPL', ts: T0 + i * 5, price: 100 + (i % 17), size: 1 });
    await play(feed, ticks, 2, 5);
    await sleep(400);
    const times = (symbol: string, client: WsClient): number[] =>
      client.of('update').filter((u) => u.updates.some((e) => e.s === symbol)).map((u) => u.time);
    for (const symbol of ['AAPL', 'MSFT']) {
      const sent = times(symbol, limited);
      expect(sent.length, symbol).toBeGreaterThan(2);
      // 4 per second: consecutive updates of one symbol at least 250 ms apart by the frames' own clock.
      for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!, symbol).toBeGreaterThanOrEqual(250);
    }
    expect(times('AAPL', free).length).toBeGreaterThan(3 * times('AAPL', limited).length);
    const reference = new ReferenceBars();
    for (const tick of ticks) reference.add(tick);
    const views = viewsOf(limited);
    expect(views.get('AAPL')!.bars).toEqual(reference.get('AAPL'));
    expect(views.get('MSFT')!.last).toBe(ticks.filter((t) => t.symbol === 'MSFT').at(-1)!.price);
  });
});

describe('slow clients', () => {
  /** These clients fire hundreds of requests at once: above the default inbound rate limit. */
  const MANY_REQUESTS = { inboundBurstMessages: 1_000 };

  /** Makes a client's socket fall behind: it stops reading while asking for large answers. */
  async function stall(client: WsClient, requests: number): Promise<void> {
    client.socket.pause();
    for (let i = 0; i < requests; i++) client.send({ type: 'history', id: i, symbol: 'AAPL', interval: '1s', limit: 900 });
    await sleep(50);
  }

  test.each([false, true])('a client that stops reading is held back without a queue, then sent the latest state; others are unaffected (rolling: %s)', async (rolling) => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    server = await startServer({ feed, config: { flushIntervalMs: 20, limits: { maxBufferedBytes: 64 * 1024, ...MANY_REQUESTS } } });
    server.app.hub.pinRolling(rolling);
    const ticks: Tick[] = [];
    for (let s = 0; s < 900; s++) ticks.push({ symbol: 'AAPL', ts: T0 + s * 1_000, price: 100 + (s % 50) / 10, size: 1 + (s % 3) });
    feed.push(...ticks);
    const slow = await open(server.url);
    const fast = await open(server.url);
    for (const client of [slow, fast]) client.send({ type: 'subscribe', id: 'sub', symbols: ['AAPL', 'MSFT'] });
    await Promise.all([slow.next('snapshot'), fast.next('snapshot')]);

    await stall(slow, 300);
    const hub = server.app.hub;
    const more: Tick[] = [];
    for (let i = 0; i < 60; i++) {
      const tick = { symbol: i % 2 === 0 ? 'AAPL' : 'MSFT', ts: T0 + 900_000 + i * 100, price: 200 + i, size: 2 };
      more.push(tick);
      feed.push(tick);
      await sleep(10);
    }
    await sleep(60);
    expect(hub.counters.paused).toBeGreaterThanOrEqual(1);
    // While held back, the server keeps at most one bounded buffer for it: nothing queues per flush.
    const fastUpdates = fast.of('update').length;
    expect(fastUpdates).toBeGreaterThan(10);

    slow.socket.resume();
    await slow.until(() => (slow.of('history').length === 300 ? true : undefined), 'the 300 history answers', 15_000);
    await slow.until(() => viewsOf(slow).get('MSFT')?.last === more.at(-1)!.price ? true : undefined, 'the latest MSFT price');
    const updates = slow.of('update');
    expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => i + 1));
    expect(updates.length).toBeLessThan(fastUpdates);
    const reference = new ReferenceBars();
    for (const tick of [...ticks, ...more]) reference.add(tick);
    const views = viewsOf(slow);
    // The snapshot held the last 60 bars; everything after the snapshot must be exact.
    expect(views.get('AAPL')!.bars).toEqual(reference.get('AAPL').slice(-views.get('AAPL')!.bars.length));
    expect(views.get('MSFT')!.bars).toEqual(reference.get('MSFT'));
  });

  test('a client held back longer than the limit is closed with 4000 so it can reconnect', async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    server = await startServer({ feed, config: { flushIntervalMs: 10, limits: { maxBufferedBytes: 16 * 1024, slowClientTimeoutMs: 200, ...MANY_REQUESTS } } });
    for (let s = 0; s < 900; s++) feed.push({ symbol: 'AAPL', ts: T0 + s * 1_000, price: 100, size: 1 });
    const slow = await open(server.url);
    slow.send({ type: 'subscribe', id: 1, symbols: ['AAPL'] });
    await slow.next('snapshot');
    await stall(slow, 300);
    for (let i = 0; i < 50; i++) {
      feed.push({ symbol: 'AAPL', ts: T0 + 900_000 + i * 20, price: 101, size: 1 });
      await sleep(10);
    }
    slow.socket.resume();
    const closed = await slow.closedWith(10_000);
    expect(closed.code).toBe(CLOSE_CODES.slowConsumer);
    expect(server.app.hub.counters.slowClosed).toBe(1);
  });
});
