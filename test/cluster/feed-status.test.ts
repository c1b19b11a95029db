/**
 * A live feed scaled out: the ingest streams from fake exchanges (real WebSocket servers on loopback playing
 * real captures), gateways follow it over a real redis-server, and their clients get the feed's `feed`
 * status messages as a single process's clients do: in the greeting, and when an exchange connection drops.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FeedStatusMessage } from '../../client/protocol/messages.js';
import { openLiveFeed, type LiveFeed } from '../../feeds/live/feed.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import { clusterKeys } from '../../server/cluster/keys.js';
import { RECORD_VERSION, RecordError, decodeFeedStatus, decodeRecord, encodeRecord, encodeValue } from '../../server/cluster/records.js';
import { feedStatusMessage } from '../../server/live/feed-status.js';
import { gatewayOf, until, untilReady, useCluster } from '../helpers/cluster.js';
import { capturedLog, sleep, startServer, type LogLine } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import type { WsClient } from '../helpers/ws-client.js';
import { FakeBinance } from '../live/fake-binance.js';
import { FakeCoinbase } from '../live/fake-coinbase.js';
import { liveOptions } from '../live/live-harness.js';
import { BINANCE_CAPTURE, COINBASE_CAPTURE, capturesPresent } from '../live/shared-captures.js';

const FAST = { flushIntervalMs: 20 };

const cluster = useCluster({ redis: capturesPresent, config: FAST });
const { opened } = cluster;
let binance: FakeBinance;
let coinbase: FakeCoinbase;

beforeAll(async () => {
  if (!capturesPresent) return;
  binance = await FakeBinance.start(BINANCE_CAPTURE);
  coinbase = await FakeCoinbase.start(COINBASE_CAPTURE, { heartbeatEveryMs: 100 });
});
afterAll(async () => {
  await binance?.close();
  await coinbase?.close();
});

function liveFeed(): LiveFeed {
  return openLiveFeed(liveOptions(['binance:ETHUSDT', 'coinbase:SKL-USD,BAND-BTC'], { binance: binance.url, coinbase: coinbase.url }));
}

/** A status as the wire carries it (absent and undefined alike), without the clock it was sent at. */
function comparable(message: FeedStatusMessage): unknown {
  return JSON.parse(JSON.stringify({ ...message, time: 0 }));
}

const allLive = (message: FeedStatusMessage): boolean => message.venues.every((venue) => venue.state === 'live');
const ethereum = (message: FeedStatusMessage) => message.symbols.find((symbol) => symbol.s === 'ETH-USDT')!;

/** The first `feed` message `client` got after its first `from` ones that matches `where`. */
function feedAfter(client: WsClient, from: number, where: (message: FeedStatusMessage) => boolean, timeoutMs = 10_000): Promise<FeedStatusMessage> {
  return client.until(() => client.of('feed').slice(from).find(where), 'a feed message', timeoutMs);
}

/** Resolves once Redis holds the ingest's status with every venue live; `then` runs with the connection. */
async function liveStatusStored(prefix: string, then?: (raw: Redis) => Promise<unknown>): Promise<void> {
  const raw = new Redis(cluster.redis.url);
  try {
    await until(async () => {
      const stored = await raw.getBuffer(clusterKeys(prefix).feedStatus);
      return stored !== null && allLive(decodeFeedStatus(stored)) ? true : undefined;
    }, 'the live status in Redis');
    await then?.(raw);
  } finally {
    raw.disconnect();
  }
}

describe.skipIf(!capturesPresent)('a live feed behind gateways', () => {
  test("gateway clients get the ingest's feed status: in the greeting, when a connection drops, and at a gateway started later", async () => {
    const prefix = cluster.prefix();
    const feed = liveFeed();
    await cluster.ingest(prefix, feed);
    const gateway = await cluster.gateway(prefix);
    await untilReady(gateway);
    const watcher = await opened(gateway);
    await feedAfter(watcher, 0, allLive);

    // A client connecting now is greeted with the status as it stands, stamped when sent.
    const openedAt = Date.now();
    const client = await opened(gateway);
    const greeting = await client.next('feed');
    expect(client.messages.map((message) => message.type).slice(0, 2)).toEqual(['hello', 'feed']);
    expect(client.of('hello')[0]!.feed.kind).toBe('live');
    expect(greeting.time).toBeGreaterThanOrEqual(openedAt);
    expect(comparable(greeting)).toEqual(comparable(feedStatusMessage(feed.live)));
    expect(greeting.symbols.map((symbol) => symbol.s).sort()).toEqual(['BAND-BTC', 'ETH-USDT', 'SKL-USD']);

    // Binance drops while trading: its symbol goes stale, then live again with the missed trades as a gap.
    const playing = binance.play({ batch: 8, everyMs: 2, limit: 10_000 });
    await waitFor(() => binance.played > 3_000, 'part of the tape to play', 10_000);
    const before = client.of('feed').length;
    binance.dropAll(300);
    const stale = await feedAfter(client, before, (message) => ethereum(message).stale);
    expect(stale.venues.find((venue) => venue.venue === 'binance')!.state).not.toBe('live');
    expect(stale.symbols.find((symbol) => symbol.s === 'SKL-USD')!.stale).toBe(false);
    const back = await feedAfter(client, before, (message) => !ethereum(message).stale && ethereum(message).gaps > 0);
    expect(ethereum(back).missed).toBeGreaterThan(0);
    expect(ethereum(back).gapAt).toBeGreaterThan(0);
    await playing;
    // Every gateway client ends with the ingest's status, as a single process's clients would.
    await client.until(() => (JSON.stringify(comparable(client.of('feed').at(-1)!)) === JSON.stringify(comparable(feedStatusMessage(feed.live))) ? true : undefined), "the ingest's status");
    const settled = comparable(feedStatusMessage(feed.live));
    expect(comparable(watcher.of('feed').at(-1)!)).toEqual(settled);

    // Nothing changes any more, so nothing rides on records: a gateway started now has the status from Redis.
    const late = await cluster.gateway(prefix);
    await untilReady(late);
    const lateClient = await opened(late);
    const lateGreeting = await lateClient.next('feed');
    expect(lateClient.messages[1]).toBe(lateGreeting);
    expect(comparable(lateGreeting)).toEqual(settled);
    expect(ethereum(lateGreeting).gaps).toBeGreaterThan(0);
  }, 60_000);

  test('an unreadable feed status in Redis is reported, the gateway serves all the same, and the next status reaches it', async () => {
    const prefix = cluster.prefix();
    await cluster.ingest(prefix, liveFeed());
    // A two-item array cut short: not MessagePack.
    await liveStatusStored(prefix, (raw) => raw.set(clusterKeys(prefix).feedStatus, Buffer.from([0x92])));

    const { lines: logs, logger } = capturedLog();
    const gateway = await cluster.gateway(prefix, { logger });
    await untilReady(gateway);
    const reported = logs.find((line) => line.err?.code === 'CLUSTER_RECORD_INVALID');
    expect(reported, JSON.stringify(logs)).toMatchObject({ level: 50, msg: expect.stringMatching(/feed status/) });
    expect(reported!.err!.message).toMatch(/stored feed status is not MessagePack/);

    const client = await opened(gateway);
    client.send({ type: 'subscribe', id: 's', symbols: ['ETH-USDT'] });
    await client.next('subscribed');
    expect(client.of('feed')).toEqual([]);

    // The ingest's next status replaces it (down long enough for the stale state to outlast the least interval).
    coinbase.dropAll(300);
    const news = await feedAfter(client, 0, (message) => message.symbols.some((symbol) => symbol.s === 'SKL-USD' && symbol.stale));
    expect(ethereum(news).stale).toBe(false);
    const back = await feedAfter(client, 0, allLive);
    expect(back.venues.find((venue) => venue.venue === 'coinbase')!.reconnects).toBeGreaterThanOrEqual(1);
  }, 30_000);

  test("an ingest logs its live feed's connection losses and missed trades as a single process does", async () => {
    const ingestLog = capturedLog();
    const singleLog = capturedLog();
    const [ingested, single] = [liveFeed(), liveFeed()];
    await cluster.ingest(cluster.prefix(), ingested, { logger: ingestLog.logger });
    await cluster.started(startServer({ feed: single, config: FAST, logger: singleLog.logger }));
    await waitFor(() => allLive(feedStatusMessage(ingested.live)) && allLive(feedStatusMessage(single.live)), 'both feeds live', 10_000);

    // From where the tape stands (an earlier test may have played part of it).
    const from = binance.played;
    const playing = binance.play({ batch: 8, everyMs: 2, limit: from + 10_000 });
    await waitFor(() => binance.played > from + 3_000, 'part of the tape to play', 10_000);
    binance.dropAll(300);
    const events = (lines: readonly LogLine[]): string[] => [...new Set(lines.map((line) => `${line.msg} ${line.venue ?? line.symbol}`))].sort();
    const expected = ['exchange connection lost: reconnecting binance', 'trades missed ETH-USDT'];
    for (const { lines } of [singleLog, ingestLog]) await waitFor(() => expected.every((event) => events(lines).includes(event)), `${expected.join(', ')} in ${JSON.stringify(lines)}`, 10_000);
    await playing;
    expect(events(ingestLog.lines)).toEqual(events(singleLog.lines));
  }, 30_000);

  test('an ingest of another kind taking over: a gateway that stayed up stops telling the live status at once', async () => {
    const prefix = cluster.prefix();
    const live = await cluster.ingest(prefix, liveFeed());
    const gateway = await cluster.gateway(prefix);
    await untilReady(gateway);
    const before = await opened(gateway);
    await feedAfter(before, 0, allLive);

    await live.close();
    await cluster.ingest(prefix, createSimulator({ seed: 5, ticksPerSecond: 50, warmupMs: 0 }));
    // Greeted as the simulator's clients are: its kind, and no `feed` message.
    await until(() => (gatewayOf(gateway).info.kind === 'simulated' ? true : undefined), 'the gateway to learn the new feed', 5_000);
    const client = await opened(gateway);
    expect(client.of('hello')[0]!.feed.kind).toBe('simulated');
    await sleep(300);
    expect(client.of('feed')).toEqual([]);
    expect(gateway.app.hub.feedStatus).toBeUndefined();
    // Without a resync: the gateway learnt it from the new ingest's records.
    expect(gatewayOf(gateway).counters.resyncs).toEqual({ start: 1, redis: 0, gap: 0, invalid: 0 });
  }, 30_000);

  test('Redis restarting empty: the ingest publishes its unchanged status again, and a gateway started then is greeted with it', async () => {
    const prefix = cluster.prefix();
    const feed = liveFeed();
    const ingest = await cluster.ingest(prefix, feed);
    await liveStatusStored(prefix);
    await cluster.redis.restart();
    await untilReady(ingest);
    await liveStatusStored(prefix);
    const gateway = await cluster.gateway(prefix);
    await untilReady(gateway);
    const client = await opened(gateway);
    expect(comparable(await client.next('feed'))).toEqual(comparable(feedStatusMessage(feed.live)));
    expect(client.messages[1]!.type).toBe('feed');
  }, 30_000);
});

test('a feed status of the wrong shape is refused, alone or in a flush record', () => {
  const good: FeedStatusMessage = {
    type: 'feed',
    time: 1_723_100_000_000,
    venues: [{ venue: 'binance', state: 'live', since: 1_723_100_000_000, reconnects: 1, replacements: 0 }],
    symbols: [{ s: 'ETH-USDT', stale: false, gaps: 1, missed: 3, gapAt: 1_723_100_000_000 }],
  };
  expect(decodeFeedStatus(encodeValue(good))).toEqual(good);
  const record = { v: RECORD_VERSION, ingest: 'i', dataset: 'd', gen: 1, time: 1, entries: [] } as const;
  expect(decodeRecord(encodeRecord({ ...record, feed: good })).feed).toEqual(good);
  const bad: unknown[] = [
    { ...good, type: 'replay' },
    { ...good, venues: undefined },
    { ...good, venues: [{ ...good.venues[0], state: 'asleep' }] },
    { ...good, venues: [{ ...good.venues[0], error: 7 }] },
    { ...good, symbols: [{ ...good.symbols[0], stale: 'no' }] },
    { ...good, symbols: [{ ...good.symbols[0], gapAt: 'then' }] },
  ];
  for (const value of bad) {
    expect(() => decodeFeedStatus(encodeValue(value as FeedStatusMessage)), JSON.stringify(value)).toThrow(RecordError);
    expect(() => decodeRecord(encodeRecord({ ...record, feed: value as FeedStatusMessage })), JSON.stringify(value)).toThrow(/malformed feed status/);
  }
  expect(() => decodeFeedStatus(Buffer.from([0x92]))).toThrow(/not MessagePack/);
});
