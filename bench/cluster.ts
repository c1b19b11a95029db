/**
 * The `cluster` scenario of npm run bench: what scaling out on Redis costs (issue 7, docs/deploy.md). The
 * `default` scenario's ticks per second and clients against one `tickertape serve`, then against one
 * `tickertape ingest` + two `tickertape gateway` on a real redis-server, in the same run. Reports server CPU
 * per delivered update for both (the difference is what Redis adds: publishing, Redis itself, the
 * replicas), the end-to-end latency (trade event time to client), and then the healing times: a Redis
 * crash and restart (gateways' resync), and a gateway killed under SDK clients that list both gateways
 * (failover to recovered: the SDK's default reconnect backoff, a random 0–250 ms first wait, is part of it).
 *
 *   npm run bench -- --scenario cluster [--clients N] [--measure-s N] [--runs N] [--rounds N]
 *
 * The market is the 60-symbol simulator (the command line's simulator has no synthetic symbols for the
 * default scenario's 500); clients subscribe to 50 symbols each. The roles run as the rest of the benchmark
 * does, compiled with it.
 */
import type { ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { TickerClient } from '../client/client.js';
import type { Recovery } from '../client/recovery.js';
import { CLUSTER_SYMBOLS as SYMBOLS } from './cluster/market.js';
import { LATENCY_BUCKETS_PER_MS, type FromLoad, type LoadReport, type LoadSpec, type ToLoad } from './cluster/load-protocol.js';
import { RedisServer, forkLoad, killAndWait, killGroup, metric, ready, redisServerMissing, sleep, startRole, until, type Role } from './cluster/processes.js';
import { cpuSeconds } from './proc.js';
import { count, median, medianFields } from './report.js';
import { inRoundOrder } from './run-target.js';
import type { ScenarioOutput, Table } from './table.js';

export interface ClusterOptions {
  readonly clients: number;
  readonly symbolsPerClient: number;
  readonly ticksPerSecond: number;
  readonly warmupS: number;
  readonly measureS: number;
  /** Load generators side by side, each with its share of the connections. */
  readonly loadProcesses: number;
  /** Times each of the two is measured, interleaved; the tables show medians. */
  readonly runs: number;
  /** Redis crashes and restarts measured for the healing table. */
  readonly rounds: number;
}

const FAILOVER_CLIENTS = 20;
const LIMIT_FLAGS = ['--max-connections-per-ip', '20000', '--max-connections', '20000'];

/** Connection i subscribes to K consecutive symbols starting at i (wrapping): every symbol is watched. */
function subscriptions(options: ClusterOptions): string[][] {
  return Array.from({ length: options.clients }, (_, i) =>
    Array.from({ length: options.symbolsPerClient }, (_, k) => SYMBOLS[(i + k) % SYMBOLS.length]!),
  );
}

interface Load {
  readonly workers: ChildProcess[];
  measure(): void;
  report(): Promise<LoadReport[]>;
}

async function startLoad(urls: readonly string[], options: ClusterOptions): Promise<Load> {
  const all = subscriptions(options);
  const workers: ChildProcess[] = [];
  const subscribed: Promise<FromLoad>[] = [];
  for (let w = 0; w < options.loadProcesses; w++) {
    const worker = forkLoad();
    workers.push(worker);
    // Worker w takes connections w, w + P, …, and spreads them over the URLs in turn.
    const spec: LoadSpec = { urls, subscriptions: all.filter((_, i) => i % options.loadProcesses === w) };
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
  /** CPU seconds of each process over the measured window. */
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
async function measure(
  target: string,
  serving: readonly Role[],
  processes: Record<string, ChildProcess>,
  options: ClusterOptions,
  ingest?: Role,
): Promise<Measured> {
  const load = await startLoad(serving.map((role) => role.ws), options);
  await sleep(options.warmupS * 1000);
  const counters = async (): Promise<[number, number]> => [
    await sum(serving, 'tickertape_conflated_pauses_total'),
    ingest === undefined ? 0 : await metric(ingest, 'tickertape_ingest_entries_published_total'),
  ];
  const countersBefore = await counters();
  const before = Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, cpuSeconds(child.pid!)]));
  load.measure();
  await sleep(options.measureS * 1000);
  const reports = await load.report();
  const cpu = Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, cpuSeconds(child.pid!) - before[name]!]));
  const countersAfter = await counters();
  await Promise.all(load.workers.map(killAndWait));
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

function feedFlags(options: ClusterOptions): string[] {
  return ['--rate', String(options.ticksPerSecond), '--warmup-s', '60', '--seed', '7'];
}

async function single(options: ClusterOptions): Promise<Measured> {
  const serve = await startRole('serve', ['serve', ...feedFlags(options), ...LIMIT_FLAGS]);
  try {
    await until(() => ready(serve), 'serve ready');
    return await measure('1 process (serve)', [serve], { serve: serve.process }, options);
  } finally {
    await killAndWait(serve.process);
  }
}

interface Cluster {
  readonly redis: RedisServer;
  readonly ingest: Role;
  readonly gateways: Role[];
}

async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const redis = await RedisServer.start();
  const redisFlags = ['--redis', redis.url, '--redis-prefix', 'bench:'];
  const ingest = await startRole('ingest', ['ingest', ...redisFlags, ...feedFlags(options)]);
  const gateways = await Promise.all([0, 1].map(() => startRole('gateway', ['gateway', ...redisFlags, ...LIMIT_FLAGS])));
  await until(async () => (await Promise.all([ingest, ...gateways].map(ready))).every(Boolean), 'the cluster ready');
  return { redis, ingest, gateways };
}

async function stopCluster(cluster: Cluster): Promise<void> {
  await Promise.all([cluster.ingest, ...cluster.gateways].map((role) => killAndWait(role.process)));
  await cluster.redis.stop();
}

async function clusterCost(cluster: Cluster, options: ClusterOptions): Promise<Measured> {
  const processes = {
    ingest: cluster.ingest.process,
    redis: cluster.redis.child!,
    'gateway 1': cluster.gateways[0]!.process,
    'gateway 2': cluster.gateways[1]!.process,
  };
  return measure('1 ingest + 2 gateways', cluster.gateways, processes, options, cluster.ingest);
}

/** Redis crashes and comes back empty on the same port: from its restart to every role ready again. */
async function redisRestarts(cluster: Cluster, rounds: number): Promise<{ readyMs: number[]; resyncMs: number[] }> {
  const readyMs: number[] = [];
  const resyncMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await cluster.redis.kill();
    await until(async () => !(await ready(cluster.gateways[0]!)), 'the gateways to notice');
    const restarted = performance.now();
    await cluster.redis.restart();
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
  killGroup(first!.process);
  await until(() => recoveredMs.length === clients.length, 'every client recovered', 30_000);
  for (const client of clients) client.close();
  return { recoveredMs, recoveryDurationMs };
}

const cpuOf = (m: Measured): number => Object.values(m.cpu).reduce((total, seconds) => total + seconds, 0);
const perUpdateUs = (seconds: number, updates: number): number => (seconds / updates) * 1e6;
const max = (values: readonly number[]): number => Math.max(...values);

function costTable(measured: readonly Measured[], measureS: number): Table {
  return {
    header: ['target', 'updates/s', 'CPU s/s', 'µs CPU/update', 'p50 ms', 'p99 ms', 'held back', 'dropped'],
    rows: measured.map((m) => [
      m.target,
      count(m.updates / measureS),
      cpuOf(m) / measureS,
      perUpdateUs(cpuOf(m), m.updates),
      m.p50Ms,
      m.p99Ms,
      count(m.heldBack),
      count(m.dropped),
    ]),
  };
}

function spendTable(scaled: Measured, measureS: number): Table {
  return {
    header: ['process', 'CPU s/s', 'µs/delivered update', 'µs/published entry'],
    rows: Object.entries(scaled.cpu).map(([process, seconds]) => [
      process,
      seconds / measureS,
      perUpdateUs(seconds, scaled.updates),
      perUpdateUs(seconds, scaled.published),
    ]),
  };
}

/**
 * Runs the scenario, or says why it cannot (`redisMissing`: whether redis-server is installed, asked of the
 * machine unless a test answers) and is skipped: then it has no results, and bench/main.ts writes none.
 */
export async function runCluster(options: ClusterOptions, redisMissing: () => string | undefined = redisServerMissing): Promise<ScenarioOutput> {
  const summary =
    `${options.clients.toLocaleString('en-US')} clients x ${options.symbolsPerClient} of ${SYMBOLS.length} symbols, ` +
    `${options.ticksPerSecond.toLocaleString('en-US')} ticks/s, ${options.warmupS} s warm-up, ${options.measureS} s measured, ` +
    `${options.loadProcesses} load processes: one process against 1 ingest + 2 gateways on Redis, then healing`;
  const missing = redisMissing();
  if (missing !== undefined) {
    const skipped = `the cluster scenario was not run: ${missing}`;
    return { summary, tables: [], data: { options, skipped }, notes: [skipped], skipped };
  }
  const runs: Record<'single' | 'cluster', Measured[]> = { single: [], cluster: [] };
  let lastCluster: Cluster | undefined;
  for (let round = 0; round < options.runs; round++) {
    for (const target of inRoundOrder(['single', 'cluster'] as const, round)) {
      process.stderr.write(`cluster: ${target === 'single' ? 'one process' : 'the cluster'}, run ${round + 1} of ${options.runs}\n`);
      if (lastCluster !== undefined) await stopCluster(lastCluster);
      lastCluster = undefined;
      if (target === 'single') runs.single.push(await single(options));
      else {
        lastCluster = await startCluster(options);
        runs.cluster.push(await clusterCost(lastCluster, options));
      }
    }
  }
  // Healing on the cluster measured last, or a new one if one process was.
  const cluster = lastCluster ?? (await startCluster(options));
  process.stderr.write(`cluster: healing, ${options.rounds} Redis restarts and a gateway killed\n`);
  const restarts = await redisRestarts(cluster, options.rounds);
  const failed = await failover(cluster);
  await stopCluster(cluster);

  const one = medianFields(runs.single);
  const scaled = medianFields(runs.cluster);
  const added = perUpdateUs(cpuOf(scaled), scaled.updates) - perUpdateUs(cpuOf(one), one.updates);
  const healing: Table = {
    header: ['event', 'measure', 'median ms', 'max ms'],
    rows: [
      [`Redis crash + restart (${options.rounds} ${options.rounds === 1 ? 'round' : 'rounds'})`, 'restart to every role ready', median(restarts.readyMs), max(restarts.readyMs)],
      ['', 'gateway resync (load state + catch up)', median(restarts.resyncMs), max(restarts.resyncMs)],
      [`gateway SIGKILL (${FAILOVER_CLIENTS} SDK clients)`, 'kill to recovered (bars filled)', median(failed.recoveredMs), max(failed.recoveredMs)],
      ['', 'from losing the socket to recovered', median(failed.recoveryDurationMs), max(failed.recoveryDurationMs)],
    ],
  };
  return {
    summary,
    tables: [
      { title: 'cost per delivered update (server CPU / symbol updates the clients received)', table: costTable([one, scaled], options.measureS) },
      { title: 'where the cluster spends it', table: spendTable(scaled, options.measureS) },
      { title: 'healing', table: healing },
    ],
    data: { options, runs, medians: [one, scaled], healing: { ...restarts, ...failed } },
    notes: [
      `Redis adds ${added.toFixed(2)} µs CPU per delivered update (${((added / perUpdateUs(cpuOf(one), one.updates)) * 100).toFixed(0)} % over one process); ` +
        `${count(scaled.published / options.measureS)} entries/s published; p99 ${scaled.p99Ms.toFixed(1)} ms vs ${one.p99Ms.toFixed(1)} ms`,
    ],
  };
}
