/**
 * Garbage in the state keys a gateway loads the market from (docs/deploy.md#what-redis-holds), written with
 * a real Redis client into a real redis-server: each unreadable value is logged at error level with
 * CLUSTER_RECORD_INVALID and its key (and symbol), left out, and the gateway serves everything else, ready,
 * without reloading again and again. Keys of another type (or `symbols`, `instruments` deleted) under a
 * running ingest: replaced (or found missing) by its next publish, said once, what they held written again
 * whole, with no record lost.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ReplayMessage } from '../../client/protocol/messages.js';
import { openReplay } from '../../feeds/replay/index.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Feed, Instrument } from '../../feeds/tick.js';
import { clusterKeys, type ClusterKeys } from '../../server/cluster/keys.js';
import { IngestLease } from '../../server/cluster/lease.js';
import { RecordError, decodeBar, decodeEntry, decodeInstrument, decodeRecord, encodeValue, metaFields, parseMeta } from '../../server/cluster/records.js';
import { SNAPSHOT_BARS } from '../../server/config.js';
import { defaultInstrument } from '../../server/market/market.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { expectServesLikeIngest, gatewayOf, ingestOf, manualMarketFeed, readyz, until, untilReady, useCluster } from '../helpers/cluster.js';
import { LATE_TICKS_START } from '../helpers/late-ticks.js';
import { ManualFeed } from '../helpers/manual-feed.js';
import { capturedLog, sleep, type LogLine, type RunningServer } from '../helpers/server.js';
import type { WsClient } from '../helpers/ws-client.js';

const FAST = { flushIntervalMs: 20 };
const SAMPLE = join(REPO_ROOT, 'feeds', 'samples', 'simulator-seed42.tape.gz');
/** Not MessagePack: a two-item array cut short. */
const NOT_MESSAGEPACK = Buffer.from([0x92]);

const cluster = useCluster({ config: FAST });
let raw: Redis;

beforeAll(() => {
  raw = new Redis(cluster.redis.url);
});
afterAll(() => {
  raw?.disconnect();
});

/** A gateway whose warnings and errors land in the returned list. */
async function loggedGateway(prefix: string): Promise<{ gateway: RunningServer; logs: LogLine[] }> {
  const { lines: logs, logger } = capturedLog();
  return { gateway: await cluster.gateway(prefix, { logger }), logs };
}

/** An ingest whose warnings and errors (and info, if asked) land in the returned list. */
async function loggedIngest(prefix: string, feed: Feed, redisUrl?: string, level: 'warn' | 'info' = 'warn'): Promise<{ ingest: RunningServer; logs: LogLine[] }> {
  const { lines: logs, logger } = capturedLog(level);
  return { ingest: await cluster.ingest(prefix, feed, { logger, redisUrl }), logs };
}

const coded = (logs: readonly LogLine[]): LogLine[] => logs.filter((line) => line.err?.code === 'CLUSTER_RECORD_INVALID');
const { opened } = cluster;

/** An ingest under `prefix` that has published trades of every symbol of the simulator's market. */
async function publishedMarket(prefix: string): Promise<{ ingest: RunningServer; symbols: string[] }> {
  const feed = manualMarketFeed();
  const ingest = await cluster.ingest(prefix, feed);
  await untilReady(ingest);
  feed.push(...createSimulator({ seed: 3, ticksPerSecond: 200, startTime: LATE_TICKS_START }).ticks(3_000));
  const symbols = feed.instruments.map((instrument) => instrument.symbol);
  const keys = clusterKeys(prefix);
  await until(async () => (!ingestOf(ingest).publisher.behind && (await raw.hlen(keys.symbols)) === symbols.length ? true : undefined), 'the market published');
  return { ingest, symbols };
}

/**
 * Garbage in four symbols' stored values: an entry and an instrument that are not MessagePack, a 1 s bar
 * that is not a bar (at a time no bar has), a 1 min bar key of another type.
 */
async function damage(keys: ClusterKeys, [badEntry, badInstrument, badBar, wrongType]: readonly [string, string, string, string]): Promise<void> {
  await raw.hset(keys.symbols, badEntry, NOT_MESSAGEPACK);
  await replaceInstrument(keys, badInstrument, () => NOT_MESSAGEPACK);
  await raw.zadd(keys.secondBars(badBar), 1, Buffer.from(encodeValue({ s: 'not a bar' })));
  await raw.del(keys.minuteBars(wrongType));
  await raw.set(keys.minuteBars(wrongType), 'a string where a sorted set belongs');
}

/** `symbol`'s instrument replaced, at its place, by what `replacement` makes of its stored bytes. */
async function replaceInstrument(keys: ClusterKeys, symbol: string, replacement: (stored: Buffer) => Buffer): Promise<void> {
  const members = await raw.zrangeBuffer(keys.instruments, '0', '-1', 'WITHSCORES');
  for (let i = 0; i < members.length; i += 2) {
    if (decodeInstrument(members[i]!).symbol !== symbol) continue;
    await raw.zrem(keys.instruments, members[i]!);
    await raw.zadd(keys.instruments, members[i + 1]!.toString(), replacement(members[i]!));
  }
}

test('unreadable entries, instruments and bars: each is reported and left out, every symbol is served', async () => {
  const prefix = 'market:';
  const keys = clusterKeys(prefix);
  const { ingest, symbols } = await publishedMarket(prefix);
  const market = ingest.app.market;
  const [badEntry, badInstrument, badBar, wrongType] = symbols as [string, string, string, string];
  await damage(keys, [badEntry, badInstrument, badBar, wrongType]);

  const { gateway, logs } = await loggedGateway(prefix);
  await untilReady(gateway);
  const reported = coded(logs).map(({ level, key, symbol, err }) => ({ level, key, symbol, message: err?.message }));
  expect(reported, JSON.stringify(logs)).toEqual(
    expect.arrayContaining([
      { level: 50, key: keys.symbols, symbol: badEntry, message: expect.stringMatching(/stored symbol entry is not MessagePack/) },
      { level: 50, key: keys.instruments, symbol: undefined, message: expect.stringMatching(/stored instrument is not MessagePack/) },
      { level: 50, key: keys.secondBars(badBar), symbol: badBar, message: 'stored bar is malformed' },
      { level: 50, key: keys.minuteBars(wrongType), symbol: wrongType, message: expect.stringMatching(/another type.*WRONGTYPE/) },
    ]),
  );
  expect(reported).toHaveLength(4);

  // Every symbol is served; those whose values were all readable (a stray bar left out) exactly as the ingest
  // holds them, the one without its 1 min bars with its 1 s bars.
  const client = await opened(gateway);
  client.send({ type: 'subscribe', symbols: ['*'] });
  await client.until(() => (client.of('snapshot').length === symbols.length ? true : undefined), 'a snapshot of every symbol');
  for (const snapshot of client.of('snapshot')) {
    if (snapshot.symbol === badEntry || snapshot.symbol === wrongType) continue;
    expect(snapshot.data, snapshot.symbol).toEqual(market.get(snapshot.symbol)!.snapshot(SNAPSHOT_BARS));
  }
  const partial = client.of('snapshot').find((snapshot) => snapshot.symbol === wrongType)!;
  expect(partial.data.k).toEqual(market.get(wrongType)!.snapshot(SNAPSHOT_BARS).k);

  // Loaded once and following: no reload loop, no repeated reports.
  await sleep(500);
  expect((await readyz(gateway)).status).toBe(200);
  expect(gatewayOf(gateway).counters.resyncs).toEqual({ start: 1, redis: 0, gap: 0, invalid: 0 });
  expect(coded(logs)).toHaveLength(4);
}, 30_000);

test('an unreadable replay state: reported, the market is served, and the ingest\'s next state brings the controls back', async () => {
  const prefix = 'replay:';
  const keys = clusterKeys(prefix);
  const feed = await openReplay({ files: [SAMPLE], speed: 1, paused: true });
  await cluster.ingest(prefix, feed);
  const steady = await cluster.gateway(prefix);
  await untilReady(steady);
  await until(async () => ((await raw.exists(keys.replay)) === 1 ? true : undefined), 'the replay state stored');
  await raw.set(keys.replay, NOT_MESSAGEPACK);

  const { gateway, logs } = await loggedGateway(prefix);
  await untilReady(gateway);
  const reported = coded(logs);
  expect(reported, JSON.stringify(logs)).toHaveLength(1);
  expect(reported[0]).toMatchObject({ level: 50, key: keys.replay, msg: expect.stringMatching(/replay state/), err: { message: expect.stringMatching(/stored replay state is not MessagePack/) } });
  const client = await opened(gateway);
  client.send({ type: 'subscribe', id: 'all', symbols: ['*'] });
  await client.next('subscribed');
  expect(client.of('snapshot').length).toBeGreaterThan(0);
  // No controls until the ingest's next state: a retryable error, not "this feed is no replay".
  client.send({ type: 'replay', id: 'early', action: 'state' });
  expect(await client.next('error')).toMatchObject({ id: 'early', code: 'INTERNAL', message: expect.stringMatching(/not available on this server yet/) });

  // A control sent through the other gateway: the ingest's new state reaches this one, which answers controls again.
  const controller = await opened(steady);
  controller.send({ type: 'replay', id: 'go', action: 'resume' });
  await controller.next('replay', (message) => message.id === 'go');
  await client.until(() => client.of('replay').find((message) => !message.paused), 'the new replay state');
  client.send({ type: 'replay', id: 'state', action: 'state' });
  const answer: ReplayMessage = await client.next('replay', (message) => message.id === 'state');
  expect(answer.paused).toBe(false);
  expect(gatewayOf(gateway).counters.resyncs).toEqual({ start: 1, redis: 0, gap: 0, invalid: 0 });
}, 30_000);

test('the replay controls list of another type under a replaying ingest: replaced at its next flush, said once, and controls work again', async () => {
  const prefix = 'wrong-controls:';
  const keys = clusterKeys(prefix);
  const { ingest, logs } = await loggedIngest(prefix, await openReplay({ files: [SAMPLE], speed: 1, paused: true }), undefined, 'info');
  const gateway = await cluster.gateway(prefix);
  await untilReady(gateway);
  await overwrite(keys.controls);

  await until(async () => ((await raw.type(keys.controls)) !== 'string' ? true : undefined), 'the controls key replaced');
  const client = await opened(gateway);
  client.send({ type: 'replay', id: 'go', action: 'resume' });
  expect(await client.next('replay', (message) => message.id === 'go')).toMatchObject({ paused: false });
  expect(ingestOf(ingest).publishFailures).toBe(0);
  expect(coded(logs), JSON.stringify(logs)).toEqual([expect.objectContaining({ level: 40, key: keys.controls, msg: expect.stringMatching(/replaced a key of another type/) })]);
}, 30_000);

test('the replay controls list of another type with no ingest to replace it: a gateway refuses requests at once (INTERNAL), leaves the key and its expiry alone, says so once, and queues again once the key is gone', async () => {
  const prefix = 'wrong-controls-gateway:';
  const keys = clusterKeys(prefix);
  const ingest = await cluster.ingest(prefix, await openReplay({ files: [SAMPLE], speed: 1, paused: true }));
  const { gateway, logs } = await loggedGateway(prefix);
  await untilReady(gateway);
  await ingest.close();
  await overwrite(keys.controls);

  const client = await opened(gateway);
  for (const id of ['first', 'second']) {
    client.send({ type: 'replay', id, action: 'resume' });
    // At once, not after REPLAY_CONTROL_TIMEOUT_MS with the state as it stands.
    expect(await client.next('error', (message) => message.id === id, 2_000)).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/could not be forwarded.*retry shortly/) });
  }
  expect(await raw.get(keys.controls)).toBe('a string where tickertape keeps something else');
  expect(await raw.pttl(keys.controls)).toBe(-1);
  expect(coded(logs), JSON.stringify(logs)).toEqual([expect.objectContaining({ level: 40, key: keys.controls, msg: expect.stringMatching(/a key of another type in Redis: replay control requests are refused/) })]);

  await raw.del(keys.controls);
  client.send({ type: 'replay', id: 'queued', action: 'resume' });
  await until(async () => ((await raw.llen(keys.controls)) === 1 ? true : undefined), 'the request queued');
  expect(await raw.pttl(keys.controls)).toBeGreaterThan(0);
  expect(client.of('error').map((message) => message.id)).toEqual(['first', 'second']);
  expect(coded(logs)).toHaveLength(1);
}, 30_000);

test('an unreadable meta: the gateway reports each problem once, is not ready and says why, and recovers once an ingest taking over rewrites it', async () => {
  const prefix = 'meta:';
  const keys = clusterKeys(prefix);
  const first = await cluster.ingest(prefix, manualMarketFeed());
  await untilReady(first);
  await first.close();
  // A field the publish script never writes, so nothing but an ingest taking over rewrites it.
  await raw.hset(keys.meta, 'feedKind', 'carrier pigeon');

  const { gateway, logs } = await loggedGateway(prefix);
  const probe = await until(async () => {
    const answer = await readyz(gateway);
    return answer.body['status'] === 'unreadable meta in Redis' ? answer : undefined;
  }, 'readyz naming the meta');
  expect(probe).toMatchObject({ status: 503, body: { metaField: 'feedKind', meta: expect.stringMatching(/feedKind is not a feed kind/) } });
  // Retried at the resync pace, reported once: not at every retry.
  await sleep(800);
  expect(coded(logs), JSON.stringify(logs)).toEqual([expect.objectContaining({ level: 50, key: keys.meta, field: 'feedKind' })]);

  // Another problem is reported too: the key of another type.
  await raw.del(keys.meta);
  await raw.set(keys.meta, 'not a hash');
  await until(() => (coded(logs).length === 2 ? true : undefined), 'the second problem reported');
  expect(coded(logs)[1]).toMatchObject({ level: 50, key: keys.meta, err: { message: expect.stringMatching(/WRONGTYPE/) } });
  await sleep(500);
  expect(coded(logs)).toHaveLength(2);
  expect((await readyz(gateway)).status).toBe(503);

  // An ingest taking over does not trust what that meta described: it warns, publishes its whole market
  // again under a new dataset and writes meta anew; the gateway loads it and is ready.
  const feed = manualMarketFeed();
  const { logs: ingestLogs } = await loggedIngest(prefix, feed);
  await untilReady(gateway);
  expect(coded(ingestLogs), JSON.stringify(ingestLogs)).toEqual([expect.objectContaining({ level: 40, key: keys.meta, msg: expect.stringMatching(/publishing the whole market again/) })]);
  expect(await raw.hget(keys.meta, 'feedKind')).toBe('live');
  const client = await opened(gateway);
  client.send({ type: 'subscribe', symbols: ['*'] });
  await client.until(() => (client.of('snapshot').length === feed.instruments.length ? true : undefined), 'a snapshot of every symbol');
  expect(coded(logs)).toHaveLength(2);
  expect(gatewayOf(gateway).counters.resyncs).toEqual({ start: 1, redis: 0, gap: 0, invalid: 0 });
}, 30_000);

test('meta made unreadable under an active ingest: its check after a reconnection reports it, rewrites meta and publishes everything again; the gateway recovers', async () => {
  const prefix = 'check:';
  const keys = clusterKeys(prefix);
  const feed = manualMarketFeed();
  const { ingest, logs } = await loggedIngest(prefix, feed);
  await untilReady(ingest);
  const gateway = await cluster.gateway(prefix);
  await untilReady(gateway);
  const client = await opened(gateway);
  client.send({ type: 'subscribe', id: 'aapl', symbols: ['AAPL'] });
  await client.next('subscribed');

  // A field the publish script never writes: the ingest publishes on over it, and only its check rewrites it.
  await raw.hset(keys.meta, 'feedKind', 'carrier pigeon');
  const seqBefore = Number(await raw.get(keys.seq));
  // Every connection but this one cut: both roles reconnect, and the ingest checks what Redis holds before
  // publishing again; the gateway reloads the market.
  await raw.call('CLIENT', 'KILL', 'TYPE', 'normal');
  await until(() => (coded(logs).length > 0 ? true : undefined), 'the ingest to report the meta');
  expect(coded(logs), JSON.stringify(logs)).toEqual([expect.objectContaining({ level: 40, key: keys.meta, field: 'feedKind', msg: expect.stringMatching(/unreadable meta in Redis/) })]);
  const meta = await until(async () => {
    try {
      return parseMeta(await raw.hgetall(keys.meta));
    } catch {
      return undefined;
    }
  }, 'meta readable again');
  expect(meta).toMatchObject({ ingest: ingestOf(ingest).id, feed: ingest.app.feed.info });

  // Everything published again, instruments too, though nothing traded meanwhile.
  const republished = await until(async () => {
    // [id, ['seq', seq, 'r', record]] each.
    const records = (await raw.xrangeBuffer(keys.updates, '-', '+'))
      .filter(([, fields]) => Number(fields[1]!.toString()) > seqBefore)
      .map(([, fields]) => decodeRecord(fields[3]!));
    const symbols = new Set(records.flatMap((record) => record.entries.map(({ e }) => e.s)));
    const instruments = new Set(records.flatMap((record) => (record.instruments ?? []).map((instrument) => instrument.symbol)));
    return symbols.size === feed.instruments.length ? { symbols, instruments } : undefined;
  }, 'the whole market published again');
  expect(republished.instruments.size).toBe(feed.instruments.length);

  await until(() => (gatewayOf(gateway).counters.resyncs.redis === 1 ? true : undefined), 'the gateway to reload');
  await untilReady(gateway);
  const time = Date.UTC(2024, 5, 3, 14, 30);
  feed.push({ symbol: 'AAPL', ts: time, price: 190.25, size: 3 });
  await client.until(() => client.of('update').find((message) => message.updates.some((entry) => entry.s === 'AAPL' && entry.p === 190.25)), 'the trade at the client');
  expect(client.closed).toBeUndefined();
  expect(coded(logs)).toHaveLength(1);
}, 30_000);

test('an ingest whose takeover fails on an unreadable meta and is retried reports each problem once, not at every retry, and once that meta is readable again', async () => {
  const prefix = 'retry:';
  const keys = clusterKeys(prefix);
  // A Redis user that may not delete keys: replacing an unreadable meta whole (DEL, then HSET) fails, so
  // the takeover fails after reading meta, and is retried every INGEST_LEASE_MS / 5.
  await raw.call('ACL', 'SETUSER', 'nodel', 'on', '>secret', '~*', '&*', '+@all', '-del');
  cluster.after(async () => void (await raw.call('ACL', 'DELUSER', 'nodel')));
  await raw.hset(keys.meta, 'feedKind', 'carrier pigeon');
  const { ingest, logs } = await loggedIngest(prefix, manualMarketFeed(), `redis://nodel:secret@127.0.0.1:${cluster.redis.port}`, 'info');
  const failures = (): number => ingestOf(ingest).restoreFailures;
  await until(() => (failures() >= 3 ? true : undefined), 'three failed takeovers');
  // The takeover's own failure (DEL refused) is the same at every retry: said once.
  expect(logs.filter((line) => /restoring the market from Redis failed/.test(line.msg))).toEqual([expect.objectContaining({ level: 40, err: expect.objectContaining({ message: expect.stringMatching(/EXECABORT/) }) })]);
  expect(coded(logs), JSON.stringify(logs)).toEqual([expect.objectContaining({ level: 40, key: keys.meta, field: 'feedKind', msg: expect.stringMatching(/unreadable meta in Redis/) })]);

  // Another problem is reported too, once: the key of another type.
  await raw.del(keys.meta);
  await raw.set(keys.meta, 'not a hash');
  const before = failures();
  await until(() => (failures() >= before + 2 ? true : undefined), 'two more failed takeovers');
  expect(coded(logs)).toHaveLength(2);
  expect(coded(logs)[1]).toMatchObject({ level: 40, key: keys.meta, err: { message: expect.stringMatching(/WRONGTYPE/) } });

  // Allowed to delete again: the next try replaces meta, says so once, and publishes.
  await raw.call('ACL', 'SETUSER', 'nodel', '+del');
  await untilReady(ingest);
  expect(parseMeta(await raw.hgetall(keys.meta))).toMatchObject({ ingest: ingestOf(ingest).id });
  expect(logs.filter((line) => line.msg === 'meta in Redis is readable again')).toEqual([expect.objectContaining({ level: 30, key: keys.meta })]);
  expect(logs.filter((line) => line.msg === 'restoring the market from Redis succeeded')).toHaveLength(1);
  expect(coded(logs)).toHaveLength(2);
}, 30_000);

test('an ingest taking over clears what it could not restore and publishes those symbols again whole: Redis is readable again, and a gateway started then loads every value', async () => {
  const prefix = 'repair:';
  const keys = clusterKeys(prefix);
  const { ingest: first, symbols } = await publishedMarket(prefix);
  await first.close();
  const damaged = symbols.slice(0, 4) as [string, string, string, string];
  await damage(keys, damaged);

  const { ingest, logs } = await loggedIngest(prefix, manualMarketFeed());
  await untilReady(ingest);
  expect(coded(logs), JSON.stringify(logs)).toHaveLength(4);
  expect(ingestOf(ingest).restoredSymbols).toBe(symbols.length);
  // Published again by the first flush, with no trade.
  await until(() => (!ingestOf(ingest).publisher.behind ? true : undefined), 'the repair published');
  for (const member of await raw.zrangeBuffer(keys.instruments, '0', '-1')) decodeInstrument(member);
  expect(await raw.zcard(keys.instruments)).toBe(symbols.length);
  for (const [symbol, value] of Object.entries(await raw.hgetallBuffer(keys.symbols))) expect(decodeEntry(value).s).toBe(symbol);
  for (const symbol of damaged) {
    for (const key of [keys.secondBars(symbol), keys.minuteBars(symbol)]) for (const bar of await raw.zrangeBuffer(key, '0', '-1')) decodeBar(bar);
  }

  const { gateway, logs: gatewayLogs } = await loggedGateway(prefix);
  await untilReady(gateway);
  expect(coded(gatewayLogs), JSON.stringify(gatewayLogs)).toEqual([]);
  await expectServesLikeIngest(gateway, ingest.app.market, damaged);
  expect(ingestOf(ingest).publishFailures).toBe(0);
}, 30_000);

test('an instrument unreadable when a gateway loaded, published again by an ingest taking over: the running gateway serves it instead of the default it started with', async () => {
  const prefix = 'instrument-again:';
  const keys = clusterKeys(prefix);
  const { ingest: first, symbols } = await publishedMarket(prefix);
  const symbol = symbols[0]!;
  await replaceInstrument(keys, symbol, () => NOT_MESSAGEPACK);
  const { gateway, logs } = await loggedGateway(prefix);
  await untilReady(gateway);
  expect(coded(logs), JSON.stringify(logs)).toHaveLength(1);
  const client = await opened(gateway);
  const listed = async (id: string): Promise<Instrument | undefined> => {
    client.send({ type: 'list', id });
    return (await client.next('list', (message) => message.id === id)).symbols.find((instrument) => instrument.symbol === symbol);
  };
  expect(await listed('before')).toEqual(defaultInstrument(symbol));

  // The ingest taking over publishes the symbol again whole, its instrument with it; the gateway follows the
  // stream (no reload) and takes it.
  await first.close();
  const ingest = await cluster.ingest(prefix, manualMarketFeed());
  await untilReady(ingest);
  const published = ingest.app.market.get(symbol)!.instrument;
  expect(published).not.toEqual(defaultInstrument(symbol));
  let tries = 0;
  expect(await until(async () => ((await listed(`after-${++tries}`))?.name === published.name ? true : undefined), 'the published instrument listed')).toBe(true);
  expect(await listed('last')).toEqual(published);
  const directory = (await (await fetch(`${gateway.http}/api/symbols?q=${encodeURIComponent(symbol)}`)).json()) as { symbols: Instrument[] };
  expect(directory.symbols.find((instrument) => instrument.symbol === symbol)).toEqual(published);
  expect(gatewayOf(gateway).counters.resyncs).toEqual({ start: 1, redis: 0, gap: 0, invalid: 0 });
}, 30_000);

test('an ingest taking over keeps its feed\'s instruments, and replaces in Redis one described otherwise: a running gateway lists the feed\'s', async () => {
  const prefix = 'instrument-feed:';
  const keys = clusterKeys(prefix);
  const { ingest: first, symbols } = await publishedMarket(prefix);
  await first.close();
  const symbol = symbols[0]!;
  // As when the feed's description of a symbol changed between two ingests on one Redis.
  await replaceInstrument(keys, symbol, (stored) => Buffer.from(encodeValue({ ...decodeInstrument(stored), name: 'renamed in Redis' })));
  const { gateway, logs: gatewayLogs } = await loggedGateway(prefix);
  await untilReady(gateway);
  const client = await opened(gateway);
  let asked = 0;
  const listed = async (): Promise<Instrument | undefined> => {
    const id = `list-${++asked}`;
    client.send({ type: 'list', id });
    return (await client.next('list', (message) => message.id === id)).symbols.find((instrument) => instrument.symbol === symbol);
  };
  expect((await listed())?.name).toBe('renamed in Redis');

  const feed = manualMarketFeed();
  const { ingest, logs } = await loggedIngest(prefix, feed, undefined, 'info');
  await untilReady(ingest);
  const own = feed.instruments.find((instrument) => instrument.symbol === symbol)!;
  expect(ingest.app.market.get(symbol)!.instrument).toEqual(own);
  expect(logs).toContainEqual(expect.objectContaining({ redescribed: 1, symbols: 1, unreadable: 0 }));
  // Redis holds the feed's instrument, once: the stale one removed, the symbol published again whole.
  await until(async () => {
    const stored = (await raw.zrangeBuffer(keys.instruments, '0', '-1')).map((member) => decodeInstrument(member)).filter((instrument) => instrument.symbol === symbol);
    return stored.length === 1 && stored[0]!.name === own.name ? true : undefined;
  }, 'the feed\'s instrument stored');
  expect(await raw.zcard(keys.instruments)).toBe(symbols.length);
  // The gateway follows the stream, without a reload, and lists it.
  expect(await until(async () => ((await listed())?.name === own.name ? true : undefined), 'the feed\'s instrument listed')).toBe(true);
  expect(await listed()).toEqual(own);
  expect(coded(gatewayLogs), JSON.stringify(gatewayLogs)).toEqual([]);
}, 30_000);

/**
 * A market trading under a running ingest (ticks of every symbol pushed every 20 ms until `stop`), a gateway
 * following it, and a client of that gateway subscribed to every symbol.
 */
async function tradingMarket(prefix: string): Promise<{ ingest: RunningServer; logs: LogLine[]; gateway: RunningServer; client: WsClient; symbols: string[]; stop: () => void }> {
  const feed = manualMarketFeed();
  const { ingest, logs } = await loggedIngest(prefix, feed, undefined, 'info');
  await untilReady(ingest);
  const ticks = createSimulator({ seed: 5, ticksPerSecond: 200, startTime: LATE_TICKS_START }).ticks(100_000)[Symbol.iterator]();
  const timer = setInterval(() => {
    for (let i = 0; i < 20; i++) feed.push(ticks.next().value!);
  }, 20);
  const stop = (): void => clearInterval(timer);
  cluster.after(stop);
  const symbols = feed.instruments.map((instrument) => instrument.symbol);
  await until(async () => ((await raw.hlen(clusterKeys(prefix).symbols)) === symbols.length ? true : undefined), 'the market published');
  const gateway = await cluster.gateway(prefix);
  await untilReady(gateway);
  const client = await opened(gateway);
  client.send({ type: 'subscribe', symbols: ['*'] });
  await client.until(() => (client.of('snapshot').length === symbols.length ? true : undefined), 'a snapshot of every symbol');
  return { ingest, logs, gateway, client, symbols, stop };
}

/** A key replaced by a string, as `SET` by hand would. */
async function overwrite(key: string): Promise<void> {
  await raw.del(key);
  await raw.set(key, 'a string where tickertape keeps something else');
}

/** Resolves once `client` gets an update of `symbol` after the updates it has now. */
async function nextUpdateOf(client: WsClient, symbol: string): Promise<void> {
  const seen = client.of('update').length;
  await client.until(() => (client.of('update').slice(seen).some((message) => message.updates.some((entry) => entry.s === symbol)) ? true : undefined), `an update of ${symbol}`);
}

/**
 * Once trading stopped and the ingest published the rest: the stream's records are numbered without a
 * hole, `seq` is its last (no record lost to a write half done), every value of `symbols`, `instruments`
 * and `barsOf`'s bar keys decodes, a gateway started now loads the ingest's market, reporting nothing, and
 * the gateway `following` all along never had to reload (no gap).
 */
async function expectWholeAndReadable(prefix: string, ingest: RunningServer, following: RunningServer, stop: () => void, barsOf: readonly string[]): Promise<void> {
  const keys = clusterKeys(prefix);
  stop();
  await until(() => (!ingestOf(ingest).publisher.behind ? true : undefined), 'the ingest to publish the rest');
  const numbers = (await raw.xrange(keys.updates, '-', '+')).map(([, fields]) => Number(fields[1]));
  expect(numbers, 'the stream numbered without a hole').toEqual(numbers.map((_, i) => numbers[0]! + i));
  expect(Number(await raw.get(keys.seq))).toBe(numbers.at(-1));
  for (const [symbol, value] of Object.entries(await raw.hgetallBuffer(keys.symbols))) expect(decodeEntry(value).s).toBe(symbol);
  const instruments = (await raw.zrangeBuffer(keys.instruments, '0', '-1')).map((member) => decodeInstrument(member).symbol);
  expect(instruments).toEqual([...ingest.app.market.all()].map((state) => state.symbol));
  for (const symbol of barsOf) for (const key of [keys.secondBars(symbol), keys.minuteBars(symbol)]) for (const bar of await raw.zrangeBuffer(key, '0', '-1')) decodeBar(bar);
  const { gateway, logs } = await loggedGateway(prefix);
  await untilReady(gateway);
  expect(coded(logs), JSON.stringify(logs)).toEqual([]);
  await expectServesLikeIngest(gateway, ingest.app.market, barsOf);
  expect(gatewayOf(following).counters.resyncs).toEqual({ start: 1, redis: 0, gap: 0, invalid: 0 });
}

test('a bar key of another type under a running ingest: replaced at the next publish and the symbol written again whole, said once, nothing stops', async () => {
  const prefix = 'wrong-bars:';
  const keys = clusterKeys(prefix);
  const { ingest, logs, gateway, client, symbols, stop } = await tradingMarket(prefix);
  const [symbol] = symbols as [string];
  const key = keys.secondBars(symbol);
  const oldest = async (): Promise<string | undefined> => (await raw.zrange(key, '0', '0', 'WITHSCORES'))[1];
  const first = await until(async () => ((await raw.zcard(key)) > 2 ? oldest() : undefined), 'a few bars published');
  await overwrite(key);

  // Back to a sorted set from its oldest bar on: written whole, not only with the bars of one flush.
  await until(async () => ((await raw.type(key)) === 'zset' && (await oldest()) === first ? true : undefined), 'the bar key written again whole');
  await nextUpdateOf(client, symbol);
  await nextUpdateOf(client, symbols[1]!);
  expect(ingestOf(ingest).publishFailures).toBe(0);
  expect(coded(logs), JSON.stringify(logs)).toEqual([expect.objectContaining({ level: 40, key, msg: expect.stringMatching(/replaced a key of another type/) })]);
  await expectWholeAndReadable(prefix, ingest, gateway, stop, [symbol]);
  expect(coded(logs)).toHaveLength(1);
}, 30_000);

/** Resolves once `symbols` and `instruments` hold an entry and an instrument of each of the market's `count` symbols. */
async function untilEverySymbolStored(keys: ClusterKeys, count: number): Promise<void> {
  await until(async () => ((await raw.type(keys.symbols)) === 'hash' && (await raw.hlen(keys.symbols)) === count ? true : undefined), 'every entry written again');
  await until(async () => ((await raw.type(keys.instruments)) === 'zset' && (await raw.zcard(keys.instruments)) === count ? true : undefined), 'every instrument written again');
}

test.each([
  {
    how: 'of another type',
    prefix: 'wrong-shared:',
    trading: true,
    said: /replaced a key of another type/,
    damage: async (keys: ClusterKeys) => {
      await overwrite(keys.symbols);
      await overwrite(keys.instruments);
    },
  },
  // Trading stopped first: no entry is written again by its symbol's next trade, and an instrument never is.
  { how: 'deleted', prefix: 'deleted-shared:', trading: false, said: /found a key missing/, damage: (keys: ClusterKeys) => raw.del(keys.symbols, keys.instruments) },
])('the symbols hash and the instruments $how under a running ingest: found at its next publish, and every symbol written again whole, each said once', async ({ prefix, trading, said, damage }) => {
  const keys = clusterKeys(prefix);
  const { ingest, logs, gateway, client, symbols, stop } = await tradingMarket(prefix);
  if (!trading) stop();
  await damage(keys);

  await untilEverySymbolStored(keys, symbols.length);
  if (trading) await nextUpdateOf(client, symbols[0]!);
  expect(ingestOf(ingest).publishFailures).toBe(0);
  const warned = (key: string): unknown => expect.objectContaining({ level: 40, key, msg: expect.stringMatching(said) });
  expect(coded(logs), JSON.stringify(logs)).toEqual(expect.arrayContaining([warned(keys.symbols), warned(keys.instruments)]));
  expect(coded(logs)).toHaveLength(2);
  await expectWholeAndReadable(prefix, ingest, gateway, stop, symbols.slice(0, 2));
}, 30_000);

test('an empty market: its heartbeats find no symbols or instruments and that is no loss (no warning, nothing republished)', async () => {
  const prefix = 'empty-market:';
  const keys = clusterKeys(prefix);
  const { ingest, logs } = await loggedIngest(prefix, new ManualFeed([]), undefined, 'info');
  await untilReady(ingest);
  await until(async () => ((await raw.xlen(keys.updates)) >= 2 ? true : undefined), 'two heartbeats', 5_000);
  expect(await raw.exists(keys.symbols, keys.instruments)).toBe(0);
  expect(logs.filter((line) => line.level >= 40), JSON.stringify(logs)).toEqual([]);
  expect(ingestOf(ingest).publisher.behind).toBe(false);
  expect(ingestOf(ingest).publisher.counters.records).toBeLessThan(5);
}, 30_000);

test('meta of another type under a running ingest: the publish is refused before writing anything (no record lost); the check says it once, naming the key, replaces meta and publishing resumes', async () => {
  const prefix = 'wrong-meta:';
  const keys = clusterKeys(prefix);
  const { ingest, logs, gateway, client, symbols, stop } = await tradingMarket(prefix);
  await overwrite(keys.meta);

  await until(async () => ((await raw.type(keys.meta)) === 'hash' ? true : undefined), 'meta written again');
  expect(parseMeta(await raw.hgetall(keys.meta))).toMatchObject({ ingest: ingestOf(ingest).id });
  await nextUpdateOf(client, symbols[0]!);
  await expectWholeAndReadable(prefix, ingest, gateway, stop, symbols.slice(0, 1));
  // One warning for the one damaged key, whichever step met it first: the check's, saying what it does.
  expect(logs.filter((line) => line.level >= 40), JSON.stringify(logs)).toEqual([
    expect.objectContaining({ level: 40, key: keys.meta, msg: expect.stringMatching(/unreadable meta in Redis: .*publishing the whole market again/), err: expect.objectContaining({ code: 'CLUSTER_RECORD_INVALID' }) }),
  ]);
  expect(logs.filter((line) => line.msg === 'meta in Redis is readable again')).toEqual([expect.objectContaining({ level: 30, key: keys.meta })]);
  expect(ingestOf(ingest).publishFailures).toBeGreaterThan(0);
}, 30_000);

test('a lease key of another type under a running ingest: the ingest replaces it and takes the lease, said once naming the key; publishing resumes', async () => {
  const prefix = 'wrong-lease:';
  const keys = clusterKeys(prefix);
  const { ingest, logs, gateway, client, symbols, stop } = await tradingMarket(prefix);
  const seen = logs.length;
  // In one transaction: the ingest renews the lease in between otherwise.
  expect(await raw.multi().del(keys.lease).hset(keys.lease, 'holder', 'nobody').exec()).toEqual([
    [null, 1],
    [null, 1],
  ]);

  await until(async () => ((await raw.type(keys.lease)) === 'string' ? true : undefined), 'the lease key replaced');
  expect(await raw.get(keys.lease)).toBe(ingestOf(ingest).id);
  expect(await raw.pttl(keys.lease)).toBeGreaterThan(0);
  await nextUpdateOf(client, symbols[0]!);
  await nextUpdateOf(client, symbols[1]!);
  expect(ingestOf(ingest).state).toBe('active');
  await expectWholeAndReadable(prefix, ingest, gateway, stop, symbols.slice(0, 1));
  const warned = logs.slice(seen).filter((line) => line.level >= 40);
  expect(warned, JSON.stringify(logs)).toEqual([
    expect.objectContaining({ level: 40, key: keys.lease, msg: expect.stringMatching(/replaced a key of another type in Redis: this ingest took the publishing lease/), err: expect.objectContaining({ code: 'CLUSTER_RECORD_INVALID' }) }),
  ]);
}, 30_000);

test('the lease scripts on a lease key of another type: releasing leaves it alone without an error, holding replaces it and says so once', async () => {
  const keys = clusterKeys('lease-scripts:');
  await raw.hset(keys.lease, 'holder', 'nobody');
  const replaced: string[] = [];
  const lease = new IngestLease(raw, keys, 'me', 5_000, (key) => replaced.push(key));
  await lease.release();
  expect(await raw.type(keys.lease)).toBe('hash');
  expect(await lease.hold()).toBe(true);
  expect(await lease.hold()).toBe(true);
  expect(await raw.get(keys.lease)).toBe('me');
  expect(replaced).toEqual([keys.lease]);
  await lease.release();
  expect(await raw.exists(keys.lease)).toBe(0);
});

test('meta is read as an ingest writes it, or refused naming the field', () => {
  const fields = metaFields({ ingest: 'i', gen: -1, dataset: 'd', feed: { kind: 'replay', description: '' }, flushMs: 50 });
  expect(parseMeta(fields)).toEqual({ ingest: 'i', gen: -1, dataset: 'd', feed: { kind: 'replay', description: '' }, flushMs: 50 });
  expect(parseMeta({})).toBeUndefined();
  const refused = (hash: Record<string, string>): unknown => {
    try {
      parseMeta(hash);
    } catch (error) {
      return error instanceof RecordError ? { code: error.code, field: (error as RecordError & { field?: string }).field } : error;
    }
    return 'read';
  };
  const { dataset: _dataset, feedKind: _feedKind, ...partial } = fields;
  expect(refused({ ...fields, gen: 'seven' })).toEqual({ code: 'CLUSTER_RECORD_INVALID', field: 'gen' });
  expect(refused({ ...fields, gen: '' })).toEqual({ code: 'CLUSTER_RECORD_INVALID', field: 'gen' });
  expect(refused({ ...fields, flushMs: '-5' })).toEqual({ code: 'CLUSTER_RECORD_INVALID', field: 'flushMs' });
  expect(refused({ ...fields, feedKind: 'pigeon' })).toEqual({ code: 'CLUSTER_RECORD_INVALID', field: 'feedKind' });
  expect(refused({ ...partial, feedKind: 'live' })).toEqual({ code: 'CLUSTER_RECORD_INVALID', field: 'dataset' });
  expect(refused({ ...partial, dataset: 'd' })).toEqual({ code: 'CLUSTER_RECORD_INVALID', field: 'feedKind' });
});

// Its lease gone too, the ingest's next publish is refused and its check takes the lease, finds no meta and
// publishes everything again (Ingest.check): the same path as a Redis restarted empty, without the reconnection.
test('every key of the deployment deleted under a running ingest (FLUSHDB without a restart): meta, state and stream come back whole, and gateways serve again', async () => {
  const prefix = 'flushed:';
  const keys = clusterKeys(prefix);
  const { gateway, client, symbols, logs } = await tradingMarket(prefix);
  const seen = logs.length;
  await raw.del(...(await raw.keys(`${prefix}*`)));

  await untilEverySymbolStored(keys, symbols.length);
  await until(async () => ((await raw.hget(keys.meta, 'ingest')) !== null ? true : undefined), 'meta written whole again');
  await nextUpdateOf(client, symbols[0]!);
  await untilReady(gateway);
  const { gateway: later } = await loggedGateway(prefix);
  await untilReady(later);
  expect(logs.slice(seen).map((line) => line.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^Redis no longer holds this market/)]));
}, 30_000);
