/**
 * One ingest, several gateways, a real redis-server (started here, no persistence), all on loopback: the
 * gateways must serve exactly what a single process serves.
 */
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import type { Tick } from '../../feeds/tick.js';
import type { UpdateMessage } from '../../client/protocol/messages.js';
import { clusterKeys } from '../../server/cluster/keys.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import { LATE_TICKS_START, ticksWithLateOnes } from '../helpers/late-ticks.js';
import { expectServesLikeIngest, gatewayOf, ingestOf, manualMarketFeed, metric, readyz, until, untilReady, useCluster, viewsOf } from '../helpers/cluster.js';
import { ReferenceBars, referenceSession } from '../helpers/reference.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';
import type { ManualFeed } from '../helpers/manual-feed.js';

const cluster = useCluster();

async function subscribeAll(server: RunningServer): Promise<WsClient> {
  const client = await cluster.opened(server);
  client.send({ type: 'subscribe', id: 1, symbols: ['*'] });
  const symbols = server.app.market.size;
  await client.until(() => (client.of('snapshot').length === symbols ? true : undefined), 'a snapshot of every symbol');
  return client;
}

function updates(client: WsClient): UpdateMessage[] {
  return client.of('update');
}

/** The frames' contents, without the per-connection clock stamp. */
function contents(client: WsClient): unknown[] {
  return updates(client).map(({ seq, updates: entries }) => ({ seq, entries }));
}

/**
 * Pushes ticks in steps, each step waiting until every client has one more update frame: one step is one
 * flush everywhere (the feed hands a pushed batch over before any timer runs), so frames can be compared.
 */
async function play(feed: ManualFeed, ticks: readonly Tick[], steps: number, watchers: readonly WsClient[]): Promise<void> {
  const size = Math.ceil(ticks.length / steps);
  for (let i = 0; i < ticks.length; i += size) {
    const before = watchers.map((client) => updates(client).length);
    feed.push(...ticks.slice(i, i + size));
    await Promise.all(watchers.map((client, k) => client.until(() => (updates(client).length > before[k]! ? true : undefined), 'the step\'s update frame')));
  }
}

function expectViewsMatchTicks(client: WsClient, ticks: readonly Tick[]): void {
  const reference = new ReferenceBars();
  for (const tick of ticks) reference.add(tick);
  const views = viewsOf(client.messages);
  expect(reference.symbols().length).toBeGreaterThan(20);
  for (const symbol of reference.symbols()) {
    const view = views.get(symbol)!;
    expect(view.bars, symbol).toEqual(reference.get(symbol));
    const session = referenceSession(ticks, symbol)!;
    expect({ v: view.volume, h: view.high, l: view.low, p: view.last }, symbol).toEqual({ v: session.volume, h: session.high, l: session.low, p: session.last });
  }
}

describe('gateways on one ingest', () => {
  test('clients on different gateways receive the same frames as a client of a single process', async () => {
    const prefix = cluster.prefix();
    const ingestFeed = manualMarketFeed();
    const singleFeed = manualMarketFeed();
    const ingest = await cluster.ingest(prefix, ingestFeed);
    await untilReady(ingest);
    const gatewayA = await cluster.gateway(prefix);
    const gatewayB = await cluster.gateway(prefix);
    const single = await cluster.started(startServer({ feed: singleFeed }));
    await untilReady(gatewayA);
    await untilReady(gatewayB);
    const [a, b, one] = await Promise.all([subscribeAll(gatewayA), subscribeAll(gatewayB), subscribeAll(single)]);
    expect(a.of('snapshot')).toEqual(one.of('snapshot'));
    expect(b.of('snapshot')).toEqual(one.of('snapshot'));

    const ticks = ticksWithLateOnes(3_000, 21);
    const size = Math.ceil(ticks.length / 25);
    for (let i = 0; i < ticks.length; i += size) {
      const before = [a, b, one].map((client) => updates(client).length);
      ingestFeed.push(...ticks.slice(i, i + size));
      singleFeed.push(...ticks.slice(i, i + size));
      await Promise.all([a, b, one].map((client, k) => client.until(() => (updates(client).length > before[k]! ? true : undefined), 'the step\'s frame')));
    }

    expect(updates(a)).toHaveLength(25);
    expect(contents(a)).toEqual(contents(one));
    expect(contents(b)).toEqual(contents(one));
    // Stamped with the ingest's flush time, not each gateway's clock: the same frames, byte for byte.
    expect(updates(b).map((frame) => frame.time)).toEqual(updates(a).map((frame) => frame.time));
    expectViewsMatchTicks(a, ticks);
  });

  test('a gateway refuses clients until it has loaded the market, then answers history like the ingest', async () => {
    const prefix = cluster.prefix();
    const gateway = await cluster.gateway(prefix);
    // Nothing published under this prefix yet: not ready, and a handshake gets 503 rather than a socket.
    await until(async () => ((await readyz(gateway)).body['status'] === 'loading the market from Redis' ? true : undefined), 'the loading status');
    const refused = await WsClient.open(gateway.url).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/503/);

    const feed = manualMarketFeed();
    const ingest = await cluster.ingest(prefix, feed);
    const watcher = await subscribeAll(await untilReady(gateway).then(() => gateway));
    const ticks = ticksWithLateOnes(4_000, 8);
    await play(feed, ticks, 10, [watcher]);

    // A gateway started now loads everything from Redis before it serves.
    const late = await cluster.gateway(prefix);
    await untilReady(late);
    await expectServesLikeIngest(late, ingest.app.market, ['AAPL', 'BTC-USD', 'ETH-USD']);
    expect(gatewayOf(late).info).toEqual(ingest.app.feed.info);
    expect(await metric(late, 'tickertape_gateway_resyncs_total{reason="start"}')).toBe(1);
  });

  test('a gateway that misses records reloads the state and its clients end exact', async () => {
    const prefix = cluster.prefix();
    const feed = manualMarketFeed();
    await cluster.ingest(prefix, feed);
    const gateway = await cluster.gateway(prefix);
    await untilReady(gateway);
    const client = await subscribeAll(gateway);
    const ticks = ticksWithLateOnes(4_000, 13);
    await play(feed, ticks.slice(0, 2_000), 5, [client]);

    // Records the gateway never sees (as if the stream had been trimmed past it), then an unreadable one.
    const raw = new Redis(cluster.redis.url);
    const keys = clusterKeys(prefix);
    await raw.incrby(keys.seq, 3);
    await play(feed, ticks.slice(2_000, 3_000), 3, [client]);
    const seq = await raw.incr(keys.seq);
    await raw.xadd(keys.updates, '*', 'seq', seq, 'r', 'not a record');
    await play(feed, ticks.slice(3_000), 3, [client]);
    raw.disconnect();

    expect(await metric(gateway, 'tickertape_gateway_resyncs_total{reason="gap"}')).toBe(1);
    expect(await metric(gateway, 'tickertape_gateway_resyncs_total{reason="invalid"}')).toBe(1);
    expect((await readyz(gateway)).status).toBe(200);
    expectViewsMatchTicks(client, ticks);
  });

  test('the ingest restarting: gateways serve the last state meanwhile, and the new ingest continues the bars', async () => {
    const prefix = cluster.prefix();
    // In time order: a restarted ingest skips what is not newer than what it restored (late ticks across
    // the restart are the one thing lost, docs/deploy.md).
    const ticks = [...createSimulator({ seed: 17, ticksPerSecond: 4_000, startTime: LATE_TICKS_START }).ticks(4_000)];
    const first = manualMarketFeed();
    const ingest = await cluster.ingest(prefix, first);
    const gateway = await cluster.gateway(prefix);
    await untilReady(gateway);
    const client = await subscribeAll(gateway);
    await play(first, ticks.slice(0, 2_000), 5, [client]);

    await ingest.close();
    expect((await readyz(gateway)).status).toBe(200);
    client.send({ type: 'history', id: 'during', symbol: 'AAPL', interval: '1m' });
    expect((await client.next('history', (message) => message.id === 'during')).bars.length).toBeGreaterThan(0);

    // The new ingest's feed starts from the beginning again: what it restored is not counted twice.
    const second = manualMarketFeed();
    const restarted = await cluster.ingest(prefix, second);
    await untilReady(restarted);
    expect(ingestOf(restarted).restoredSymbols).toBeGreaterThan(20);
    second.push(...ticks.slice(0, 2_000));
    await play(second, ticks.slice(2_000), 5, [client]);
    expectViewsMatchTicks(client, ticks);
  });
});
