/**
 * What scaling out on Redis costs (issue 7, docs/deploy.md): the `default` scenario's market and clients
 * against one `tickertape serve`, then against one `tickertape ingest` + two `tickertape gateway` on a
 * real redis-server, in the same run. Reports server CPU per delivered update for both (the difference is
 * what Redis adds: publishing, Redis itself, the replicas), the end-to-end latency (trade event time to
 * client), and then the healing times: a Redis crash and restart (gateways' resync), and a gateway killed
 * under SDK clients that list both gateways (failover to recovered: the SDK's default reconnect backoff,
 * a random 0–250 ms first wait, is part of it). Prints tables; asserts nothing.
 *
 *   node --import tsx bench/cluster.ts [--clients N] [--measure-s N] [--rounds N]
 *
 * The market is the 60-symbol simulator at the default scenario's 20,000 ticks/s (main's simulator has no
 * synthetic symbols for the scenario's 500); clients subscribe to 50 symbols each.
 */
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { TickerClient } from '../client/client.js';
import type { Recovery } from '../client/recovery.js';
import { createSimulator } from '../feeds/simulator/index.js';
import { LATENCY_BUCKETS_PER_MS, type FromLoad, type LoadReport, type LoadSpec, type ToLoad } from './cluster/load-protocol.js';
import { RedisProcess, forkTs, freePort, kill, metric, ready, sleep, startRole, until, type Role } from './cluster/processes.js';
import { cpuSeconds } from './proc.js';
import { median } from './report.js';

const { values } = parseArgs({
  options: { clients: { type: 'string' }, 'measure-s': { type: 'string' }, rounds: { type: 'string' }, 'load-processes': { type: 'string' } },
});
const SCENARIO = {
  ticksPerSecond: 20_000,
  clients: Number(values.clients ?? 1_000),
  symbolsPerClient: 50,
  warmupS: 5,
  measureS: Number(values['measure-s'] ?? 15),
};
const ROUNDS = Number(values.rounds ?? 3);
/** Load generators side by side, each with its share of the connections. */
const LOAD_PROCESSES = Number(values['load-processes'] ?? 2);
const FAILOVER_CLIENTS = 20;
const SYMBOLS = createSimulator().instruments.map((instrument) => instrument.symbol);
const FEED_FLAGS = ['--rate', String(SCENARIO.ticksPerSecond), '--warmup-s', '60', '--seed', '7'];
const LIMIT_FLAGS = ['--max-connections-per-ip', '20000', '--max-connections', '20000'];

/** Connection i subscribes to 50 consecutive symbols starting at i (wrapping): every symbol is watched. */
function subscriptions(): string[][] {
  return Array.from({ length: SCENARIO.clients }, (_, i) =>
    Array.from({ length: SCENARIO.symbolsPerClient }, (_, k) => SYMBOLS[(i + k) % SYMBOLS.length]!),
  );
}

interface Load {
  readonly workers: ChildProcess[];
  measure(): void;
  report(): Promise<LoadReport[]>;
}

async function startLoad(urls: readonly string[]): Promise<Load> {
  const all = subscriptions();
  const workers: ChildProcess[] = [];
  const subscribed: Promise<FromLoad>[] = [];
  for (let w = 0; w < LOAD_PROCESSES; w++) {
    const worker = forkTs('bench/cluster/load.ts');
    workers.push(worker);
    // Worker w takes connections w, w + P, …, and spreads them over the URLs in turn.
    const spec: LoadSpec = { urls, subscriptions: all.filter((_, i) => i % LOAD_PROCESSES === w) };
    subscribed.push(nextMessage(worker, 'subscribed'));
    worker.send({ type: 'start', spec } satisfies ToLoad);
  }
  for (const answer of await Promise.all(subscribed)) {
    if (answer.type === 'subscribed' && answer.failed > 0) throw new Error(`${answer.failed} connections failed to subscribe`);
  }
  return {
    workers,
    measure: () => workers.forEach((worker) => worker.send({ type: 'measure' } satisfies ToLoad)),
    report: async () => {
      const answers = workers.map((worker) => nextMessage(worker, 'report'));
      workers.forEach((worker) => worker.send({ type: 'report' } satisfies ToLoad));
      return (await Promise.all(answers)).map((answer) => (answer as Extract<FromLoad, { type: 'report' }>).report);
    },
  };
}

function nextMessage(worker: ChildProcess, type: FromLoad['type']): Promise<FromLoad> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromLoad): void => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      resolve(message);
    };
    worker.on('message', onMessage);
    worker.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
}

function percentile(reports: readonly LoadReport[], p: number): number {
  const counts = new Map<number, number>();
  for (const report of reports) for (const [bucket, count] of report.latency) counts.set(bucket, (counts.get(bucket) ?? 0) + count);
  const buckets = [...counts].sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= total * p) return bucket / LATENCY_BUCKETS_PER_MS;
  }
  return Number.NaN;
}

interface Measured {
  readonly target: string;
  readonly cpu: Record<string, number>;
  readonly updates: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly dropped: number;
  /** Times a connection was held back (its client too slow) during the measure, over the serving processes. */
  readonly heldBack: number;
  /** Symbol entries the ingest published during the measure (the cluster only). */
  readonly published: number;
}

/** A counter summed over roles, read at the start and the end of the measure. */
async function sum(roles: readonly Role[], sample: string): Promise<number> {
  return (await Promise.all(roles.map((role) => metric(role, sample)))).reduce((total, value) => total + value, 0);
}

/**
 * Connects the load to the `serving` roles, lets it run warmupS, then measures the CPU of `processes`, what
 * the clients got, and the serving roles' held-back count (and the ingest's published entries).
 */
async function measure(target: string, serving: readonly Role[], processes: Record<string, ChildProcess>, ingest?: Role): Promise<Measured> {
  const load = await startLoad(serving.map((role) => role.ws));
  await sleep(SCENARIO.warmupS * 1000);
  const counters = async (): Promise<[number, number]> => [
    await sum(serving, 'tickertape_conflated_pauses_total'),
    ingest === undefined ? 0 : await metric(ingest, 'tickertape_ingest_entries_published_total'),
  ];
  const countersBefore = await counters();
  const before = Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, cpuSeconds(child.pid!)]));
  load.measure();
  await sleep(SCENARIO.measureS * 1000);
  const reports = await load.report();
  const cpu = Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, cpuSeconds(child.pid!) - before[name]!]));
  const countersAfter = await counters();
  for (const worker of load.workers) kill(worker);
  return {
    target,
    cpu,
    updates: reports.reduce((total, report) => total + report.updates, 0),
    p50Ms: percentile(reports, 0.5),
    p99Ms: percentile(reports, 0.99),
    dropped: reports.reduce((total, report) => total + report.dropped, 0),
    heldBack: countersAfter[0] - countersBefore[0],
    published: countersAfter[1] - countersBefore[1],
  };
}

function table(title: string, rows: readonly Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  const columns = Object.keys(rows[0] ?? {});
  const text = (value: string | number): string => (typeof value === 'number' ? (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2)) : value);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => text(row[column]!).length)));
  console.log(columns.map((column, i) => column.padEnd(widths[i]!)).join('  '));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(columns.map((column, i) => (typeof row[column] === 'number' ? text(row[column]!).padStart(widths[i]!) : text(row[column]!).padEnd(widths[i]!))).join('  '));
}

async function single(): Promise<Measured> {
  const serve = await startRole('serve', ['serve', ...FEED_FLAGS, ...LIMIT_FLAGS]);
  try {
    await until(() => ready(serve), 'serve ready');
    return await measure('1 process (serve)', [serve], { serve: serve.process });
  } finally {
    kill(serve.process);
  }
}

interface Cluster {
  readonly redis: RedisProcess;
  readonly ingest: Role;
  readonly gateways: Role[];
}

async function startCluster(): Promise<Cluster> {
  const redis = new RedisProcess(await freePort());
  await redis.start();
  const redisFlags = ['--redis', redis.url, '--redis-prefix', 'bench:'];
  const ingest = await startRole('ingest', ['ingest', ...redisFlags, ...FEED_FLAGS]);
  const gateways = await Promise.all([0, 1].map(() => startRole('gateway', ['gateway', ...redisFlags, ...LIMIT_FLAGS])));
  await until(async () => (await Promise.all([ingest, ...gateways].map(ready))).every(Boolean), 'the cluster ready');
  return { redis, ingest, gateways };
}

async function clusterCost(cluster: Cluster): Promise<Measured> {
  const processes = {
    ingest: cluster.ingest.process,
    redis: cluster.redis.process!,
    'gateway 1': cluster.gateways[0]!.process,
    'gateway 2': cluster.gateways[1]!.process,
  };
  return measure('1 ingest + 2 gateways', cluster.gateways, processes, cluster.ingest);
}

/** Redis crashes and comes back empty on the same port: from its restart to every role ready again. */
async function redisRestarts(cluster: Cluster): Promise<{ readyMs: number[]; resyncMs: number[] }> {
  const readyMs: number[] = [];
  const resyncMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await cluster.redis.crash();
    await until(async () => !(await ready(cluster.gateways[0]!)), 'the gateways to notice');
    const restarted = performance.now();
    await cluster.redis.start();
    await until(async () => (await Promise.all([cluster.ingest, ...cluster.gateways].map(ready))).every(Boolean), 'every role ready again');
    readyMs.push(performance.now() - restarted);
    for (const gateway of cluster.gateways) resyncMs.push((await metric(gateway, 'tickertape_gateway_last_resync_seconds')) * 1000);
    await sleep(1_000);
  }
  return { readyMs, resyncMs };
}

/** SDK clients listing both gateways, all on the first; SIGKILL it: from the kill to each client's `recovered`. */
async function failover(cluster: Cluster): Promise<{ recoveredMs: number[]; recoveryDurationMs: number[] }> {
  const [first, second] = cluster.gateways;
  const clients = Array.from({ length: FAILOVER_CLIENTS }, () => new TickerClient({ url: [first!.ws, second!.ws], WebSocket, reconnect: { minDelayMs: 250, maxDelayMs: 10_000 } }));
  const recoveredMs: number[] = [];
  const recoveryDurationMs: number[] = [];
  let killedAt = Number.POSITIVE_INFINITY;
  for (const client of clients) {
    client.on('recovered', (recovery: Recovery) => {
      recoveredMs.push(performance.now() - killedAt);
      recoveryDurationMs.push(recovery.durationMs);
    });
    client.connect();
    await client.subscribe(SYMBOLS.slice(0, 10));
  }
  await sleep(2_000);
  killedAt = performance.now();
  kill(first!.process);
  await until(() => recoveredMs.length === clients.length, 'every client recovered', 30_000);
  for (const client of clients) client.close();
  return { recoveredMs, recoveryDurationMs };
}

const max = (values: readonly number[]): number => Math.max(...values);

console.log(
  `cluster benchmark: ${SCENARIO.clients} clients x ${SCENARIO.symbolsPerClient} of ${SYMBOLS.length} symbols, ` +
    `${SCENARIO.ticksPerSecond} ticks/s, ${SCENARIO.warmupS} s warm-up, ${SCENARIO.measureS} s measured, ${LOAD_PROCESSES} load processes`,
);
const one = await single();
const cluster = await startCluster();
const scaled = await clusterCost(cluster);
const entriesPublished = scaled.published;

const cpuOf = (m: Measured): number => Object.values(m.cpu).reduce((sum, seconds) => sum + seconds, 0);
const perUpdateUs = (seconds: number, updates: number): number => (seconds / updates) * 1e6;
table(
  'Cost per delivered update (server CPU / symbol updates the clients received)',
  [one, scaled].map((m) => ({
    target: m.target,
    'updates/s': Math.round(m.updates / SCENARIO.measureS),
    'CPU s/s': cpuOf(m) / SCENARIO.measureS,
    'µs CPU/update': perUpdateUs(cpuOf(m), m.updates),
    'p50 ms': m.p50Ms,
    'p99 ms': m.p99Ms,
    'held back': m.heldBack,
    dropped: m.dropped,
  })),
);
table(
  'Where the cluster spends it',
  Object.entries(scaled.cpu).map(([process, seconds]) => ({
    process,
    'CPU s/s': seconds / SCENARIO.measureS,
    'µs/delivered update': perUpdateUs(seconds, scaled.updates),
    'µs/published entry': perUpdateUs(seconds, entriesPublished),
  })),
);
const added = perUpdateUs(cpuOf(scaled), scaled.updates) - perUpdateUs(cpuOf(one), one.updates);
console.log(
  `\nRedis adds ${added.toFixed(2)} µs CPU per delivered update (${((added / perUpdateUs(cpuOf(one), one.updates)) * 100).toFixed(0)} % over one process); ` +
    `${Math.round(entriesPublished / SCENARIO.measureS)} entries/s published; p99 ${scaled.p99Ms.toFixed(1)} ms vs ${one.p99Ms.toFixed(1)} ms.`,
);

const restarts = await redisRestarts(cluster);
const failed = await failover(cluster);
table('Healing', [
  { event: `Redis crash + restart (${ROUNDS} rounds)`, measure: 'restart to every role ready', 'median ms': median(restarts.readyMs), 'max ms': max(restarts.readyMs) },
  { event: '', measure: 'gateway resync (load state + catch up)', 'median ms': median(restarts.resyncMs), 'max ms': max(restarts.resyncMs) },
  { event: `gateway SIGKILL (${FAILOVER_CLIENTS} SDK clients)`, measure: 'kill to recovered (bars filled)', 'median ms': median(failed.recoveredMs), 'max ms': max(failed.recoveredMs) },
  { event: '', measure: 'from losing the socket to recovered', 'median ms': median(failed.recoveryDurationMs), 'max ms': max(failed.recoveryDurationMs) },
]);
kill(cluster.ingest.process);
for (const gateway of cluster.gateways) kill(gateway.process);
await cluster.redis.crash();
process.exit(0);
