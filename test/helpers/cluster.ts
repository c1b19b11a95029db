import { createSimulator } from '../../feeds/simulator/index.js';
import type { Feed } from '../../feeds/tick.js';
import { defineClusterConfig } from '../../server/cluster/config.js';
import type { Gateway } from '../../server/cluster/gateway.js';
import type { Ingest } from '../../server/cluster/ingest.js';
import type { defineConfig } from '../../server/config.js';
import { SymbolView } from '../../client/symbol-view.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { INTERVALS, type ServerMessage } from '../../client/protocol/messages.js';
import { HISTORY_MAX_LIMIT_BARS, SNAPSHOT_BARS } from '../../server/config.js';
import type { Market } from '../../server/market/market.js';
import type { AppOptions } from '../../server/app.js';
import { ManualFeed } from './manual-feed.js';
import { killOwned } from './owned-processes.js';
import { RedisServer } from './redis-server.js';
import { startServer, sleep, type RunningServer } from './server.js';
import { WsClient } from './ws-client.js';

type ConfigPartial = Parameters<typeof defineConfig>[0];

/** The simulator's instruments behind a feed the test pushes ticks into. */
export function manualMarketFeed(): ManualFeed {
  return new ManualFeed(createSimulator().instruments);
}

type Logger = AppOptions['logger'];

export async function startIngest(redisUrl: string, prefix: string, feed: Feed, config: ConfigPartial = {}, logger?: Logger): Promise<RunningServer> {
  return startServer({ feed, config, cluster: defineClusterConfig('ingest', { redisUrl, prefix }), logger });
}

export async function startGateway(redisUrl: string, prefix: string, config: ConfigPartial = {}, logger?: Logger): Promise<RunningServer> {
  return startServer({ config, cluster: defineClusterConfig('gateway', { redisUrl, prefix }), logger });
}

/** How a role is started by a ClusterHarness: its settings (over the file's), its log (startServer's), another Redis URL (a user of its own). */
export interface RoleOptions {
  readonly config?: ConfigPartial;
  readonly logger?: Logger;
  readonly redisUrl?: string;
}

/** A test file's cluster set-up (useCluster): its Redis, and what each test starts, closed after it. */
export interface ClusterHarness {
  /** The file's redis-server, started before its first test. */
  readonly redis: RedisServer;
  /** A key prefix no other test of the file uses: one Redis, independent deployments. */
  prefix(): string;
  /** Runs `step` after the test, after what was started later. */
  after(step: () => Promise<void> | void): void;
  /** The server, once started; closed after the test unless the test closed it. */
  started(server: Promise<RunningServer>): Promise<RunningServer>;
  ingest(prefix: string, feed: Feed, options?: RoleOptions): Promise<RunningServer>;
  gateway(prefix: string, options?: RoleOptions): Promise<RunningServer>;
  /** A client of `server`, greeted (its hello read); closed after the test. */
  opened(server: RunningServer): Promise<WsClient>;
}

/**
 * The set-up the scale-out tests share, as hooks of the calling test file: a real redis-server started
 * before its first test (none when `redis` is false: a file whose cluster tests are all skipped), what each
 * test started and opened closed after it, newest first, and every owned process (the redis-server) killed
 * after the last. Roles start with `config` (the file's settings) unless told otherwise.
 */
export function useCluster({ redis: wanted = true, config: defaults = {} }: { redis?: boolean; config?: ConfigPartial } = {}): ClusterHarness {
  let redis: RedisServer | undefined;
  let prefixes = 0;
  const steps: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    if (wanted) redis = await RedisServer.start();
  });
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await killOwned();
  });
  const harness: ClusterHarness = {
    get redis(): RedisServer {
      if (redis === undefined) throw new Error('no redis-server: useCluster() starts it before the first test, unless told not to');
      return redis;
    },
    prefix: () => `c${++prefixes}:`,
    after: (step) => void steps.push(step),
    async started(server) {
      const running = await server;
      steps.push(() => (running.app.server.listening ? running.close() : undefined));
      return running;
    },
    ingest: (prefix, feed, { config, logger, redisUrl } = {}) => harness.started(startIngest(redisUrl ?? harness.redis.url, prefix, feed, { ...defaults, ...config }, logger)),
    gateway: (prefix, { config, logger, redisUrl } = {}) => harness.started(startGateway(redisUrl ?? harness.redis.url, prefix, { ...defaults, ...config }, logger)),
    async opened(server) {
      const client = await WsClient.open(server.url);
      steps.push(() => client.close());
      await client.next('hello');
      return client;
    },
  };
  return harness;
}

export function ingestOf(server: RunningServer): Ingest {
  return server.app.cluster as Ingest;
}

export function gatewayOf(server: RunningServer): Gateway {
  return server.app.cluster as Gateway;
}

export interface Probe {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export async function readyz(server: RunningServer): Promise<Probe> {
  const response = await fetch(`${server.http}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Resolves once `probe` returns something other than undefined (polled every 20 ms). */
export async function until<R>(probe: () => R | undefined | Promise<R | undefined>, what: string, timeoutMs = 10_000): Promise<R> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export async function untilReady(server: RunningServer, timeoutMs = 10_000): Promise<Probe> {
  return until(async () => {
    const probe = await readyz(server);
    return probe.status === 200 ? probe : undefined;
  }, `${server.http}/readyz to answer 200`, timeoutMs);
}

/** The value of one sample in a Prometheus text exposition (`name{labels}` exactly as written), or undefined. */
export async function metric(server: RunningServer, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.http}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** Every snapshot and update in `messages` applied as any client would, bars never dropped. */
export function viewsOf(messages: readonly ServerMessage[]): Map<string, SymbolView> {
  const views = new Map<string, SymbolView>();
  const view = (symbol: string): SymbolView => {
    let found = views.get(symbol);
    if (found === undefined) views.set(symbol, (found = new SymbolView(symbol, 100_000)));
    return found;
  };
  for (const message of messages) {
    if (message.type === 'snapshot') view(message.symbol).reset(message.data);
    if (message.type === 'update') for (const entry of message.updates) view(entry.s).apply(entry);
  }
  return views;
}

/**
 * Checks a gateway answers as the ingest's own market would: the snapshot of every symbol, the history of
 * `historyOf` at every interval, and the instrument list. For a gateway that loaded everything from Redis,
 * this says Redis holds the whole market.
 */
export async function expectServesLikeIngest(gateway: RunningServer, ingestMarket: Market, historyOf: readonly string[]): Promise<void> {
  const client = await WsClient.open(gateway.url);
  try {
    client.send({ type: 'subscribe', symbols: ['*'] });
    const symbols = [...ingestMarket.all()].map((state) => state.symbol);
    await client.until(() => (client.of('snapshot').length === symbols.length ? true : undefined), 'a snapshot of every symbol');
    for (const snapshot of client.of('snapshot')) expect(snapshot.data, snapshot.symbol).toEqual(ingestMarket.get(snapshot.symbol)!.snapshot(SNAPSHOT_BARS));
    for (const symbol of historyOf) {
      for (const interval of INTERVALS) {
        client.send({ type: 'history', id: `${symbol}-${interval}`, symbol, interval, limit: HISTORY_MAX_LIMIT_BARS });
        const answer = await client.next('history', (message) => message.id === `${symbol}-${interval}`);
        expect(answer.bars, `${symbol} ${interval}`).toEqual(ingestMarket.history(symbol, interval, HISTORY_MAX_LIMIT_BARS));
      }
    }
    client.send({ type: 'list', id: 'list' });
    expect((await client.next('list')).symbols).toEqual(ingestMarket.instruments());
  } finally {
    client.close();
  }
}
