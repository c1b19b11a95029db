/**
 * No sticky sessions: two `tickertape gateway` processes, one client (the SDK) given both URLs. SIGKILL the
 * gateway it is on while the market moves on for two minutes of event time, more than a snapshot's bars
 * hold: the client reconnects to the other gateway, fills the missed seconds from its history, and its
 * consumers end with every bar of every tick, each closed bar told once, in order.
 */
import type { ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TickerClient } from '../../client/client.js';
import type { BarEvent } from '../../client/bar-ledger.js';
import type { Recovery } from '../../client/recovery.js';
import type { Bar } from '../../client/protocol/messages.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Tick } from '../../feeds/tick.js';
import { lineMatching, tickertapeOwned } from '../helpers/cli.js';
import { manualMarketFeed, startIngest, until, untilReady } from '../helpers/cluster.js';
import { LATE_TICKS_START } from '../helpers/late-ticks.js';
import { killGroup, killOwned } from '../helpers/owned-processes.js';
import { ReferenceBars } from '../helpers/reference.js';
import { RedisServer } from '../helpers/redis-server.js';
import type { RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const PREFIX = 'failover:';
const SYMBOLS = ['AAPL', 'BTC-USD', 'ETH-USD'];
const TICKS_PER_S = 600;
/** Event time before the kill, while the client is away (longer than the 60 bars a snapshot holds), after. */
const BEFORE_S = 20;
const AWAY_S = 120;
const AFTER_S = 10;

let redis: RedisServer | undefined;
let ingest: RunningServer | undefined;
let client: TickerClient | undefined;
let probe: WsClient | undefined;

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  client?.close();
  probe?.close();
  await ingest?.close();
  await killOwned();
});

/** A `tickertape gateway` process on a free port, ready to serve. */
async function gatewayProcess(redisUrl: string): Promise<{ process: ChildProcess; url: string }> {
  const child = tickertapeOwned(['gateway', '--redis', redisUrl, '--redis-prefix', PREFIX, '--port', '0', '--host', '127.0.0.1']);
  const [, port] = await lineMatching(child, /gateway on http:\/\/localhost:(\d+)\//);
  const http = `http://127.0.0.1:${port}`;
  await until(async () => ((await fetch(`${http}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), `${http} ready`);
  return { process: child, url: `ws://127.0.0.1:${port}/ws` };
}

/** Event time (whole ms, as entries carry it) of each symbol's last trade among `ticks`. */
function lastTrades(ticks: readonly Tick[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const tick of ticks) if (tick.price !== undefined && SYMBOLS.includes(tick.symbol)) last.set(tick.symbol, Math.floor(tick.ts));
  return last;
}

test('a client whose gateway is killed goes on from the other one with no missing and no repeated bar', async () => {
  const feed = manualMarketFeed();
  ingest = await startIngest(redis!.url, PREFIX, feed);
  await untilReady(ingest);
  const [a, b] = await Promise.all([gatewayProcess(redis!.url), gatewayProcess(redis!.url)]);

  const ticks = [...createSimulator({ seed: 9, ticksPerSecond: TICKS_PER_S, startTime: LATE_TICKS_START }).ticks((BEFORE_S + AWAY_S + AFTER_S) * TICKS_PER_S)];
  const before = ticks.slice(0, BEFORE_S * TICKS_PER_S);
  const away = ticks.slice(before.length, before.length + AWAY_S * TICKS_PER_S);
  const after = ticks.slice(before.length + away.length);

  // While the gate is shut every connection attempt goes to the dead gateway: the test decides when the
  // client may reach the live one (after the market has moved on), not the backoff's dice.
  let gate: { open: true } | { open: false; deadUrl: string } = { open: true };
  class GatedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(gate.open ? url : gate.deadUrl, protocols);
    }
  }
  client = new TickerClient({ url: [a.url, b.url], WebSocket: GatedWebSocket, reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
  const told = new Map<string, BarEvent[]>(SYMBOLS.map((symbol) => [symbol, []]));
  client.on('bar', (event) => told.get(event.symbol)!.push(event));
  const recoveries: Recovery[] = [];
  client.on('recovered', (recovery) => recoveries.push(recovery));
  client.connect();
  await client.subscribe(SYMBOLS);
  const caughtUp = (part: readonly Tick[]) => (): true | undefined =>
    [...lastTrades(part)].every(([symbol, time]) => client!.view(symbol)?.time === time) ? true : undefined;

  feed.push(...before);
  await until(caughtUp(before), 'the client to see the first ticks');

  // A second, plain client on the surviving gateway shows when it has the ticks of the outage.
  probe = await WsClient.open(b.url);
  probe.send({ type: 'subscribe', symbols: SYMBOLS });
  gate = { open: false, deadUrl: a.url };
  killGroup(a.process);
  await until(() => (client!.state !== 'connected' ? true : undefined), 'the client to notice its gateway is gone');
  feed.push(...away);
  const awayLast = lastTrades(away);
  await probe.until(
    () =>
      [...awayLast].every(([symbol, time]) => probe!.of('update').some((message) => message.updates.some((entry) => entry.s === symbol && entry.t === time)))
        ? true
        : undefined,
    'the surviving gateway to have the outage\'s ticks',
    20_000,
  );

  gate = { open: true };
  await until(() => (recoveries.length > 0 ? true : undefined), 'the client to recover on the other gateway');
  feed.push(...after);
  await until(caughtUp(after), 'the client to see the last ticks');

  const [recovery] = recoveries;
  expect(recovery!.reason).toBe('reconnect');
  // The snapshot holds 60 s of bars; the rest of the two minutes came from the other gateway's history.
  expect(recovery!.filledBars).toBeGreaterThan(0);
  expect(recovery!.incomplete).toEqual([]);
  expect(client.hello).toBeDefined();

  const reference = new ReferenceBars();
  for (const tick of ticks) reference.add(tick);
  for (const symbol of SYMBOLS) {
    const truth = reference.get(symbol);
    const events = told.get(symbol)!;
    // Upserted by time as the events say, the bars told are exactly the bars of every tick.
    const upserted = new Map<number, Bar>();
    for (const event of events) upserted.set(event.bar[0], [...event.bar]);
    expect([...upserted.values()].sort((x, y) => x[0] - y[0]), symbol).toEqual(truth);
    // Each closed bar told once, in time order: nothing skipped, nothing repeated.
    const closed = events.filter((event) => event.closed && !event.revision).map((event) => event.bar[0]);
    expect(closed, symbol).toEqual(truth.slice(0, -1).map((bar) => bar[0]));
    expect(client.view(symbol)!.bars, symbol).toEqual(truth);
  }
}, 60_000);
