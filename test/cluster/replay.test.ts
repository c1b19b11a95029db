/**
 * A replay scaled out: the ingest replays the recording shipped in feeds/samples, two gateways serve it.
 * Controls sent to one gateway reach the ingest; the replay state and a seek back (which rebuilds the
 * market) reach the clients of the other, whose snapshots and history then equal a single process's
 * after the same seeks.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { ReplayMessage, SnapshotMessage } from '../../client/protocol/messages.js';
import { openReplay } from '../../feeds/replay/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { metric, untilReady, useCluster } from '../helpers/cluster.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import type { WsClient } from '../helpers/ws-client.js';

const SAMPLE = join(REPO_ROOT, 'feeds', 'samples', 'simulator-seed42.tape.gz');
const HISTORY_OF = ['AAPL', 'BTC-USD'];

const cluster = useCluster();

async function subscribed(server: RunningServer): Promise<WsClient> {
  const client = await cluster.opened(server);
  client.send({ type: 'subscribe', id: 'all', symbols: ['*'] });
  await client.next('subscribed');
  return client;
}

let nextId = 0;
async function request(client: WsClient, fields: Record<string, unknown>): Promise<ReplayMessage> {
  const id = `r${++nextId}`;
  client.send({ type: 'replay', id, ...fields });
  return client.until(() => client.messages.find((m): m is ReplayMessage => m.type === 'replay' && m.id === id), `the answer to ${id}`, 20_000);
}

/**
 * A replay state without what differs between two runs of the same replay: the request id, the clock it
 * was sent at, and how much of the files the reader has read ahead.
 */
function comparable(state: ReplayMessage): Omit<ReplayMessage, 'id' | 'time' | 'progress'> {
  const { id: _id, time: _time, progress: _progress, ...rest } = state;
  return rest;
}

/** The snapshots a client was sent after message `from`, by symbol. */
function snapshotsAfter(client: WsClient, from: number): Map<string, SnapshotMessage['data']> {
  return new Map(client.messages.slice(from).filter((m): m is SnapshotMessage => m.type === 'snapshot').map((m) => [m.symbol, m.data]));
}

test('a seek sent to one gateway rebuilds the market on the other as a single process rebuilds it', async () => {
  const ingestFeed = await openReplay({ files: [SAMPLE], speed: 1, paused: true });
  const singleFeed = await openReplay({ files: [SAMPLE], speed: 1, paused: true });
  await cluster.ingest('replay:', ingestFeed);
  const single = await cluster.started(startServer({ feed: singleFeed }));
  const [gatewayA, gatewayB] = [await cluster.gateway('replay:'), await cluster.gateway('replay:')];
  await Promise.all([ingestFeed.scanned, singleFeed.scanned]);
  await untilReady(gatewayA);
  await untilReady(gatewayB);

  const [a, b, one] = [await subscribed(gatewayA), await subscribed(gatewayB), await subscribed(single)];
  // Every connection hears the replay's state after hello, as from a single process.
  for (const client of [a, b]) {
    const state = await client.next('replay');
    expect(state).toMatchObject({ state: 'paused', paused: true, rewinds: 0, position: (await one.next('replay')).position });
  }
  const start = (await one.next('replay')).start!;
  let rewound = new Map<string, SnapshotMessage['data']>();

  // Forward, then back: the second rebuilds the market from the start of the file.
  for (const time of [start + 12 * 60_000, start + 4 * 60_000 + 321]) {
    const [fromB, fromOne] = [b.messages.length, one.messages.length];
    const [answer, single] = await Promise.all([request(a, { action: 'seek', time }), request(one, { action: 'seek', time })]);
    expect(comparable(answer)).toEqual(comparable(single));
    // B hears the new state (no id: it did not ask), then fresh snapshots for a rewind.
    const heard = await b.next('replay', (m) => m.id === undefined && m.position === time && b.messages.indexOf(m) >= fromB);
    expect(heard.id).toBeUndefined();
    expect(comparable(heard)).toEqual(comparable(single));
    if (time < start + 12 * 60_000) {
      expect(heard.rewinds).toBe(1);
      const symbols = [...snapshotsAfter(one, fromOne).keys()].length;
      expect(symbols).toBeGreaterThan(20);
      await b.until(() => (snapshotsAfter(b, fromB).size === symbols ? true : undefined), 'fresh snapshots at B');
      rewound = snapshotsAfter(one, fromOne);
      expect(snapshotsAfter(b, fromB)).toEqual(rewound);
      const announced = b.messages.indexOf(heard);
      expect(b.messages.findIndex((m, i) => i >= fromB && m.type === 'snapshot')).toBeGreaterThan(announced);
    }
  }
  for (const symbol of HISTORY_OF) {
    for (const client of [b, one]) client.send({ type: 'history', id: symbol, symbol, interval: '1m', limit: 5_000 });
    const [atB, atOne] = await Promise.all([b.next('history', (m) => m.id === symbol), one.next('history', (m) => m.id === symbol)]);
    expect(atB.bars.length).toBeGreaterThan(0);
    expect(atB.bars, symbol).toEqual(atOne.bars);
  }
  expect(await metric(gatewayB, 'tickertape_gateway_synced')).toBe(1);

  // Redis holds the rebuilt market, nothing of the old timeline: a gateway started now loads the same.
  const late = await cluster.gateway('replay:');
  await untilReady(late);
  const c = await subscribed(late);
  await c.until(() => (snapshotsAfter(c, 0).size === rewound.size ? true : undefined), 'snapshots at the late gateway');
  expect(snapshotsAfter(c, 0)).toEqual(rewound);
  expect(await c.next('replay')).toMatchObject({ rewinds: 1, position: start + 4 * 60_000 + 321 });

  // A control the ingest carries out reaches every gateway's clients; `state` is answered by the gateway.
  const speed = await request(b, { action: 'speed', speed: 100 });
  expect(speed.speed).toBe(100);
  await a.next('replay', (m) => m.id === undefined && m.speed === 100);
  expect((await request(a, { action: 'state' })).speed).toBe(100);
}, 60_000);
