/**
 * Redis crashing and coming back empty (no persistence) heals without restarting any tickertape process:
 * the ingest publishes its whole market again, the gateways reload it, and their clients, connected
 * throughout, end with exactly the bars of every tick.
 */
import { expect, test } from 'vitest';
import { ticksWithLateOnes } from '../helpers/late-ticks.js';
import { expectServesLikeIngest, gatewayOf, manualMarketFeed, metric, readyz, until, untilReady, useCluster, viewsOf } from '../helpers/cluster.js';
import { ReferenceBars } from '../helpers/reference.js';
import type { WsClient } from '../helpers/ws-client.js';

const cluster = useCluster();

test('a Redis restart heals: both roles report it, resync, and clients end exact', async () => {
  const { redis } = cluster;
  const feed = manualMarketFeed();
  const ingest = await cluster.ingest('heal:', feed);
  const gateways = [await cluster.gateway('heal:'), await cluster.gateway('heal:')];
  for (const gateway of gateways) await untilReady(gateway);
  const clients: WsClient[] = [];
  for (const gateway of gateways) {
    const client = await cluster.opened(gateway);
    clients.push(client);
    client.send({ type: 'subscribe', symbols: ['*'] });
    await client.next('subscribed');
  }
  const ticks = ticksWithLateOnes(6_000, 31);
  /** Every client has seen the newest trade among the first `count` ticks. */
  const pushed = (count: number): boolean => {
    const newest = Math.floor(Math.max(...ticks.slice(0, count).map((tick) => tick.ts)));
    return clients.every((client) => client.of('update').some((message) => message.updates.some((entry) => entry.t === newest)));
  };
  feed.push(...ticks.slice(0, 2_000));
  await until(() => (pushed(2_000) ? true : undefined), 'the first ticks at every client');

  await redis.kill();
  for (const server of [ingest, ...gateways]) {
    const probe = await until(async () => {
      const answer = await readyz(server);
      return answer.status === 503 ? answer : undefined;
    }, 'readiness to drop');
    expect(probe.body['redis']).toBe('disconnected');
  }
  // The market moves on while Redis is away; nothing of it may be lost.
  feed.push(...ticks.slice(2_000, 4_000));

  await redis.restart();
  for (const server of [ingest, ...gateways]) await untilReady(server);
  feed.push(...ticks.slice(4_000));
  await until(() => (pushed(ticks.length) ? true : undefined), 'the last ticks at every client');

  const reference = new ReferenceBars();
  for (const tick of ticks) reference.add(tick);
  for (const client of clients) {
    expect(client.closed).toBeUndefined();
    const views = viewsOf(client.messages);
    for (const symbol of reference.symbols()) expect(views.get(symbol)?.bars, symbol).toEqual(reference.get(symbol));
  }
  for (const gateway of gateways) {
    // One restart, one outage, one resync: though it dropped both of the gateway's connections.
    expect(await metric(gateway, 'tickertape_redis_disconnects_total')).toBe(1);
    expect(await metric(gateway, 'tickertape_gateway_resyncs_total{reason="redis"}')).toBe(1);
    expect(await metric(gateway, 'tickertape_gateway_synced')).toBe(1);
    expect(gatewayOf(gateway).phase).toBe('following');
  }
  // What Redis lost is back in it: a gateway started now, loading from Redis alone, serves the ingest's market.
  const late = await cluster.gateway('heal:');
  await untilReady(late);
  await expectServesLikeIngest(late, ingest.app.market, ['AAPL', 'BTC-USD', 'ETH-USD']);
  expect(await metric(ingest, 'tickertape_redis_disconnects_total')).toBeGreaterThanOrEqual(1);
  expect(await metric(ingest, 'tickertape_redis_connected')).toBe(1);
  expect(await metric(ingest, 'tickertape_ingest_state{state="active"}')).toBe(1);
});
