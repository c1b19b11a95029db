/**
 * Replay controls over the protocol, against a real server replaying the recording shipped in
 * feeds/samples: the state after `hello`, requests and their errors, announcements to every connection,
 * seeks that rebuild state exactly as it was, and a bad file that fails the replay but not the server.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Bar, HistoryMessage, ReplayMessage, SnapshotMessage, UpdateMessage } from '../../client/protocol/messages.js';
import { SymbolView } from '../../client/symbol-view.js';
import { openReplay, type ReplayFeed } from '../../feeds/replay/index.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Tick } from '../../feeds/tick.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { ReferenceBars, referenceSession } from '../helpers/reference.js';
import { scratchFolder } from '../helpers/scratch.js';
import { capturedLog, startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const SAMPLE = join(REPO_ROOT, 'feeds', 'samples', 'simulator-seed42.tape.gz');
const files = scratchFolder('tickertape-replay-controls-');

/** Every tick of the sample, in file order, read on its own (the recording is sorted by time). */
async function sampleTicks(): Promise<Tick[]> {
  const feed = await openReplay({ files: [SAMPLE], speed: 'max' });
  const ticks: Tick[] = [];
  for await (const tick of feed) ticks.push(tick);
  return ticks;
}

let feed: ReplayFeed;
let server: RunningServer;
let ticks: Tick[];
const clients: WsClient[] = [];

async function open(): Promise<WsClient> {
  const client = await WsClient.open(server.url);
  clients.push(client);
  await client.next('hello');
  return client;
}

let nextId = 100;
async function request(client: WsClient, message: Record<string, unknown>): Promise<ReplayMessage> {
  const id = ++nextId;
  client.send({ ...message, type: 'replay', id });
  return client.until(() => client.messages.find((m): m is ReplayMessage => m.type === 'replay' && m.id === id), `the answer to ${id}`, 20_000);
}

beforeAll(async () => {
  ticks = await sampleTicks();
  feed = await openReplay({ files: [SAMPLE], speed: 1, paused: true });
  server = await startServer({ feed, config: { flushIntervalMs: 20 } });
  await feed.scanned;
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
});

describe('replay controls', () => {
  test('hello is followed by the replay state', async () => {
    const client = await WsClient.open(server.url);
    clients.push(client);
    const hello = await client.next('hello');
    expect(hello.feed).toEqual({ kind: 'replay', description: 'replay of simulator-seed42.tape.gz (tickertape)' });
    const state = await client.next('replay');
    expect(state).toMatchObject({
      state: 'paused',
      paused: true,
      speed: 1,
      loop: false,
      rewinds: 0,
      position: Math.floor(ticks[0]!.ts),
      start: Math.floor(ticks[0]!.ts),
      end: Math.floor(ticks.at(-1)!.ts),
      files: [{ name: 'simulator-seed42.tape.gz', format: 'tickertape' }],
    });
    expect(state.id).toBeUndefined();
  });

  test.each([
    [{ action: 'rewind' }, '"action" must be one of state, pause, resume, speed, seek'],
    [{ action: 'speed', speed: 0 }, '"speed" must be a number from 0.1 to 100000 (times real time) or "max"'],
    [{ action: 'speed', speed: 'fast' }, '"speed" must be a number from 0.1 to 100000 (times real time) or "max"'],
    [{ action: 'seek' }, '"time" must be a time in ms since the epoch'],
    [{ action: 'seek', time: -5 }, '"time" must be a time in ms since the epoch'],
  ])('%j is refused with BAD_FIELD', async (fields, message) => {
    const client = await open();
    client.send({ type: 'replay', id: 'x', ...fields });
    expect(await client.next('error')).toEqual({ type: 'error', id: 'x', code: 'BAD_FIELD', message });
  });

  test('a server that is not replaying answers UNSUPPORTED', async () => {
    const simulated = await startServer({ feed: createSimulator({ seed: 3 }) });
    try {
      const client = await WsClient.open(simulated.url);
      clients.push(client);
      await client.next('hello');
      client.send({ type: 'replay', id: 1, action: 'pause' });
      expect(await client.next('error')).toMatchObject({ id: 1, code: 'UNSUPPORTED', message: expect.stringMatching(/not a replay/) });
      expect(client.of('replay')).toEqual([]);
    } finally {
      await simulated.close();
    }
  });

  test('a change is answered to the requester and announced to every connection', async () => {
    const [a, b] = [await open(), await open()];
    const answer = await request(a, { action: 'speed', speed: 100 });
    expect(answer).toMatchObject({ speed: 100, state: 'paused' });
    await b.next('replay', (message) => message.speed === 100 && message.id === undefined);
    const resumed = await request(a, { action: 'resume' });
    expect(resumed.state).toBe('playing');
    await b.next('replay', (message) => message.state === 'playing');
    const paused = await request(b, { action: 'pause' });
    expect(paused).toMatchObject({ state: 'paused', paused: true });
    expect((await request(a, { action: 'state' })).position).toBe(paused.position);
  });

  test('a seek back rebuilds every symbol as it was at that time: bars, session and quote', async () => {
    const client = await open();
    client.send({ type: 'subscribe', id: 1, symbols: ['*'] });
    const symbols = [...new Set(ticks.map((tick) => tick.symbol))];
    await client.until(() => (client.of('snapshot').length === symbols.length ? true : undefined), 'a snapshot of every symbol');
    const start = ticks[0]!.ts;
    await request(client, { action: 'seek', time: Math.floor(start) + 12 * 60_000 });
    const rewinds = feed.player.rewinds;
    const target = Math.floor(start) + 4 * 60_000 + 321;
    const before = client.messages.length;
    const answer = await request(client, { action: 'seek', time: target });
    expect(answer).toMatchObject({ position: target, rewinds: rewinds + 1, state: 'paused' });

    // The new state is announced first; the fresh snapshots of every symbol follow it.
    const after = client.messages.slice(before);
    const announced = after.findIndex((m) => m.type === 'replay' && m.rewinds === rewinds + 1);
    const firstSnapshot = after.findIndex((m) => m.type === 'snapshot');
    expect(announced).toBeGreaterThanOrEqual(0);
    expect(firstSnapshot).toBeGreaterThan(announced);
    const snapshots = new Map(after.filter((m): m is SnapshotMessage => m.type === 'snapshot').map((m) => [m.symbol, m.data]));

    const upTo = ticks.filter((tick) => tick.ts <= target);
    const seconds = new ReferenceBars(1_000);
    const minutes = new ReferenceBars(60_000);
    for (const tick of upTo) {
      seconds.add(tick);
      minutes.add(tick);
    }
    expect(snapshots.size).toBe(symbols.length);
    let id = 0;
    for (const symbol of symbols) {
      const data = snapshots.get(symbol)!;
      const session = referenceSession(upTo, symbol);
      const lastQuote = upTo.filter((tick) => tick.symbol === symbol && tick.bid !== undefined).at(-1);
      expect(data, symbol).toMatchObject({ o: session?.open, h: session?.high, l: session?.low, v: session?.volume, p: session?.last, b: lastQuote?.bid, a: lastQuote?.ask });
      expect(data.k, symbol).toEqual(seconds.get(symbol).slice(-60));
      client.send({ type: 'history', id: ++id, symbol, interval: '1m', limit: 5_000 });
      const history = (await client.next('history', (m) => m.id === id)) as HistoryMessage;
      expect(history.bars, symbol).toEqual(minutes.get(symbol));
    }
  });

  test('after a seek back, snapshots plus updates build exactly the bars of the whole file', async () => {
    const client = await open();
    client.send({ type: 'subscribe', id: 1, symbols: ['BTC-USD', 'AAPL'] });
    await client.next('subscribed');
    await request(client, { action: 'seek', time: Math.floor(ticks[0]!.ts) + 2 * 60_000 });
    const from = client.messages.length;
    await request(client, { action: 'speed', speed: 'max' });
    await request(client, { action: 'resume' });
    await client.next('replay', (message) => message.state === 'ended', 30_000);
    const watched = ['BTC-USD', 'AAPL'];
    const lastTrade = new Map(watched.map((symbol) => [symbol, Math.floor(ticks.filter((tick) => tick.symbol === symbol && tick.price !== undefined).at(-1)!.ts)]));
    const views = new Map<string, SymbolView>();
    let folded = 0;
    // Snapshots replace a view; updates after the seek merge into it, as the client SDK does.
    const fold = (): true | undefined => {
      for (; folded < client.messages.length; folded++) {
        const message = client.messages[folded]!;
        if (message.type === 'snapshot') {
          const view = new SymbolView(message.symbol, 100_000);
          view.reset(message.data);
          views.set(message.symbol, view);
        } else if (message.type === 'update' && folded >= from) {
          for (const entry of (message as UpdateMessage).updates) views.get(entry.s)?.apply(entry);
        }
      }
      return watched.every((symbol) => views.get(symbol)?.time === lastTrade.get(symbol)) ? true : undefined;
    };
    await client.until(fold, 'the last trade of each symbol');
    const reference = new ReferenceBars(1_000);
    for (const tick of ticks) reference.add(tick);
    for (const symbol of watched) {
      const bars: Bar[] = reference.get(symbol);
      // The server keeps 15 minutes of 1 s bars: a client's view holds what it was sent of them.
      expect(views.get(symbol)!.bars.slice(-100), symbol).toEqual(bars.slice(-100));
    }
  });
});

describe('after a seek back, a rate-limited subscription', () => {
  test('is sent only what changed after the seek, not the rebuilt history again', async () => {
    const client = await open();
    client.send({ type: 'subscribe', id: 1, symbols: ['BTC-USD'], maxRate: 2 });
    await client.next('snapshot');
    await request(client, { action: 'pause' });
    const target = Math.floor(ticks[0]!.ts) + 6 * 60_000;
    await request(client, { action: 'seek', time: Math.floor(ticks[0]!.ts) + 8 * 60_000 });
    await request(client, { action: 'seek', time: target });
    const from = client.messages.length;
    await request(client, { action: 'speed', speed: 10 });
    await request(client, { action: 'resume' });
    const update = await client.until(
      () => client.messages.slice(from).find((m): m is UpdateMessage => m.type === 'update' && m.updates.some((entry) => entry.k !== undefined)),
      'an update with bars',
    );
    await request(client, { action: 'pause' });
    const bars = update.updates.find((entry) => entry.s === 'BTC-USD')!.k!;
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) expect(bar[0]).toBeGreaterThanOrEqual(Math.floor(target / 1000) * 1000);
  });
});

describe('a replay of a bad file', () => {
  test('fails with FILE:LINE and a stable code; the server keeps serving, and a seek back replays again', async () => {
    const path = files.write('bad.csv', 'time,symbol,price,size\n2024-01-02T14:30:00Z,X,10,1\n2024-01-02T14:30:01Z,X,11,1\n2024-01-02T14:30:02Z,X,,1\n');
    const broken = await openReplay({ files: [path], speed: 'max' });
    const log = capturedLog();
    const failing = await startServer({ feed: broken, config: { flushIntervalMs: 20 }, logger: log.logger });
    try {
      const client = await WsClient.open(failing.url);
      await client.next('hello');
      const failed = await client.next('replay', (message) => message.state === 'failed');
      const message = `${path}:4: bad price: none, with a size of 1 (a trade needs a price above 0)`;
      expect(failed.error).toEqual({ code: 'BAD_LINE', message });
      // Logged once, as bad input: where and why, with no stack (that is for faults of the server's own).
      expect(log.lines.filter((line) => line.msg.startsWith('replay failed'))).toEqual([
        expect.objectContaining({ level: 50, msg: `replay failed: ${message}`, code: 'BAD_LINE', file: path, line: 4 }),
      ]);
      expect(log.lines.some((line) => line.err !== undefined)).toBe(false);
      client.send({ type: 'subscribe', id: 1, symbols: ['X'] });
      expect((await client.next('snapshot')).data).toMatchObject({ p: 11, v: 2 });
      client.send({ type: 'replay', id: 2, action: 'seek', time: Date.UTC(2024, 0, 2, 14, 30) });
      const again = await client.next('replay', (message) => message.id === 2);
      expect(again).toMatchObject({ rewinds: 1 });
      expect(again.error).toBeUndefined();
      client.close();
    } finally {
      await failing.close();
    }
  });
});

describe('an ended replay', () => {
  test('a seek to its end is answered ended, no rewind and no fresh snapshots; a seek back is a rewind', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `${new Date(Date.UTC(2024, 0, 2, 14, 30, i)).toISOString()},E,${10 + i},1\n`);
    const ending = await openReplay({ files: [files.write('ends.csv', `time,symbol,price,size\n${rows.join('')}`)], speed: 'max' });
    const running = await startServer({ feed: ending, config: { flushIntervalMs: 20 } });
    try {
      const client = await WsClient.open(running.url);
      await client.next('hello');
      client.send({ type: 'subscribe', id: 1, symbols: ['E'] });
      await client.next('snapshot');
      await ending.scanned;
      await client.next('replay', (message) => message.state === 'ended');
      const end = Date.UTC(2024, 0, 2, 14, 30, 4);
      client.send({ type: 'replay', id: 'state', action: 'state' });
      expect(await client.next('replay', (message) => message.id === 'state')).toMatchObject({ state: 'ended', position: end, end, rewinds: 0 });
      for (const [id, time] of [['at-end', end], ['past-end', end + 60_000]] as const) {
        client.send({ type: 'replay', id, action: 'seek', time });
        expect(await client.next('replay', (message) => message.id === id)).toMatchObject({ state: 'ended', position: end, rewinds: 0 });
      }
      // A request after them is answered after anything the seeks sent: no snapshot came.
      client.send({ type: 'replay', id: 'after', action: 'state' });
      await client.next('replay', (message) => message.id === 'after');
      expect(client.of('snapshot')).toHaveLength(1);
      client.send({ type: 'replay', id: 'back', action: 'seek', time: end - 2_000 });
      expect(await client.next('replay', (message) => message.id === 'back')).toMatchObject({ rewinds: 1 });
      await client.until(() => (client.of('snapshot').length === 2 ? true : undefined), 'the rewind snapshot');
      client.close();
    } finally {
      await running.close();
    }
  });
});

describe('a tiny file looping at max speed', () => {
  test('sends each client its replay state at most every 250 ms (ending on the latest) and a rewind with snapshots at most 4 times a second', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${new Date(Date.UTC(2024, 0, 2, 14, 30, i)).toISOString()},L,${10 + (i % 7)},1\n`);
    const looping = await openReplay({ files: [files.write('tiny-loop.csv', `time,symbol,price,size\n${rows.join('')}`)], speed: 'max', loop: true });
    const running = await startServer({ feed: looping, config: { flushIntervalMs: 20 } });
    try {
      const client = await WsClient.open(running.url);
      await client.next('hello');
      client.send({ type: 'subscribe', id: 1, symbols: ['*'] });
      await client.next('snapshot');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const from = client.messages.length;
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const seconds = (performance.now() - started) / 1000;
      const seen = client.messages.slice(from);
      const replays = seen.filter((m): m is ReplayMessage => m.type === 'replay');
      const snapshots = seen.filter((m) => m.type === 'snapshot');
      // Per second: 4 passes, each with its rewind's message and snapshot, and at most 4 broadcasts of changes
      // between them (and the once-a-second state), with some slack for timers firing late.
      expect(replays.length / seconds).toBeLessThanOrEqual(10);
      expect(snapshots.length / seconds).toBeLessThanOrEqual(5);
      expect(snapshots.length).toBeGreaterThanOrEqual(4);
      // Still looping, and the last message holds the latest state once a change is done.
      client.send({ type: 'replay', id: 'p', action: 'pause' });
      const paused = await client.next('replay', (message) => message.id === 'p');
      await new Promise((resolve) => setTimeout(resolve, 600));
      const last = client.of('replay').filter((message) => message.id === undefined).at(-1)!;
      expect(last).toMatchObject({ state: 'paused', paused: true, rewinds: paused.rewinds });
      client.close();
    } finally {
      await running.close();
    }
  });
});
