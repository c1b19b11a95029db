/**
 * One measured run of one server under test: start it in its own process, connect the clients from the load
 * generators, let traffic settle, measure a window, stop everything.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mergeHistograms, summarize, type LatencySummary } from './load/latency.js';
import { startChild, type Child } from './children.js';
import { perfRecord, type PerfRecording } from './perf-record.js';
import { cpuSeconds, rssBytes, runQueueWaitSeconds } from './proc.js';
import type {
  FromLoad,
  FromServer,
  LoadReport,
  MarketSpec,
  ServerCounters,
  ProtocolName,
  ToLoad,
  ToServer,
} from './servers/ipc.js';
import { benchFeed } from './servers/feed.js';
import { drawSubscriptions, subscriberCounts } from './subscriptions.js';

/** A server under test: its name in the tables, the protocol its clients speak, the program it runs as. */
export interface Target {
  readonly name: string;
  readonly protocol: ProtocolName;
  /** Absolute, or relative to this folder. */
  readonly program: string;
}

export const TARGETS: readonly Target[] = [
  { name: 'tickertape', protocol: 'tickertape', program: './servers/tickertape.js' },
  { name: 'ws-json', protocol: 'ws-json', program: './peers/ws-json.js' },
  { name: 'socketio', protocol: 'socketio', program: './peers/socketio.js' },
];
const SERVER_START_TIMEOUT_MS = 30_000;
/** Loopback addresses clients connect from, in turn: each gives about 28,000 ephemeral ports. */
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const MAX_PENDING_CONNECTS_PER_PROCESS = 64;
/** Time allowed for connecting: a base plus this many ms per client. */
const CONNECT_TIMEOUT_BASE_MS = 30_000;
const CONNECT_TIMEOUT_PER_CLIENT_MS = 10;
const REPORT_TIMEOUT_MS = 60_000;
/**
 * Node options of the load generators. A young generation of 64 MB: every frame a generator decodes is
 * garbage at once (an object and a symbol string per entry, over a million a second in `wide`), and with
 * V8's default 16 MB semi-spaces its scavenges took about 3 % of the machine's samples per generator
 * (perf, `wide`), CPU the server under test did not get; with 64 MB, 0.1 %.
 */
const LOAD_NODE_ARGS = ['--max-semi-space-size=64'];
const SAMPLE_INTERVAL_MS = 1_000;
/** Settling time after connecting before an idle-memory reading, so buffers of the handshakes are freed. */
const IDLE_SETTLE_MS = 2_000;

export interface RunPlan {
  readonly target: Target;
  readonly market: MarketSpec;
  readonly flushIntervalMs: number;
  readonly clients: number;
  readonly symbolsPerClient: number;
  readonly warmupS: number;
  readonly measureS: number;
  readonly loadProcesses: number;
  /** Stop a run whose server grows past this (a per-tick peer queueing without bound). */
  readonly maxServerRssBytes: number;
  /** Write a CPU profile of the server's measured window into this folder. */
  readonly profileDir?: string;
  /** Record the server's measured window with Linux perf into this folder. */
  readonly perfDir?: string;
  readonly seed: number;
}

export interface RunResult {
  /** The target's name. */
  readonly target: string;
  readonly protocol: ProtocolName;
  readonly clients: number;
  readonly connected: number;
  readonly connectFailures: number;
  readonly firstConnectError?: string;
  readonly dropped: number;
  readonly windowS: number;
  readonly ticksPerS: number;
  /** How far the server's newest tick was behind the wall clock at the end of the window. */
  readonly feedLagMs: number;
  /** Symbol updates per second of market (event) time the clients were owed. */
  readonly askedPerS: number;
  readonly updatesPerS: number;
  readonly framesPerS: number;
  readonly latency: LatencySummary;
  readonly wireBytesPerUpdate: number;
  /** Server CPU, in cores (user + system seconds per second). */
  readonly serverCores: number;
  /** Share of the window the server's JavaScript thread was ready to run but waiting for a CPU (other load). */
  readonly serverWaitShare: number;
  readonly cpuUsPerUpdate: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  /** RSS with no clients, after a garbage collection. */
  readonly baseRssBytes: number;
  /** (RSS with every client connected - RSS with none) / clients, after a garbage collection each. */
  readonly rssPerConnectionBytes: number;
  readonly loadCores: number;
  readonly loopDelayP99Ms: number;
  readonly heldBack: number;
  readonly seqGaps: number;
  /** Why the window was cut short, if it was. */
  readonly aborted?: string;
  /** The server's CPU profile of the window (with --profile). */
  readonly profile?: string;
}

type ServerChild = Child<ToServer, FromServer>;
type LoadChild = Child<ToLoad, FromLoad>;

async function readCounters(server: ServerChild, gc = false): Promise<ServerCounters> {
  const reply = server.next<Extract<FromServer, { type: 'counters' }>>('counters', REPORT_TIMEOUT_MS);
  server.send({ type: 'counters', gc });
  return (await reply).counters;
}

function totalCpu(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/**
 * The order the targets run in, round by round: as given in even rounds, reversed in odd ones, so that no
 * target always runs first. Which position a target ran in moved its figures by 5 to 9 % in `wide`
 * (tickertape against tickertape@a2ad89a, two invocations with the order swapped, 2 December), more than
 * the changes being compared.
 */
export function inRoundOrder<T>(items: readonly T[], round: number): readonly T[] {
  return round % 2 === 0 ? items : [...items].reverse();
}

export async function runTarget(plan: RunPlan, log: (line: string) => void): Promise<RunResult> {
  const server: ServerChild = startChild(plan.target.program, ['--expose-gc', ...(plan.perfDir === undefined ? [] : ['--perf-basic-prof'])]);
  /** A file for what was recorded of this run's window. */
  const windowFile = (dir: string, extension: string): string =>
    join(dir, `${plan.target.name.replace(/[^\w-]/g, '_')}-${plan.clients}-clients-${new Date().toISOString().replace(/[:.]/g, '-')}.${extension}`);
  const loaders: LoadChild[] = [];
  try {
    // Every target gets the same draw from the same market's symbols.
    const symbols = benchFeed(plan.market).instruments.map((instrument) => instrument.symbol);
    const subscriptions = drawSubscriptions(symbols, plan.clients, plan.symbolsPerClient, plan.seed);
    const ready = server.next<Extract<FromServer, { type: 'ready' }>>('ready', SERVER_START_TIMEOUT_MS);
    server.send({ type: 'start', spec: { market: plan.market, flushIntervalMs: plan.flushIntervalMs, connections: plan.clients, subscribers: subscriberCounts(subscriptions) } });
    const { port } = await ready;
    await sleep(500);
    const baseRss = await gcRss(server);

    const processes = Math.max(1, Math.min(plan.loadProcesses, plan.clients));
    const progress = new Map<LoadChild, Extract<FromLoad, { type: 'progress' }>>();
    for (let p = 0; p < processes; p++) {
      const loader: LoadChild = startChild('./load/worker.js', LOAD_NODE_ARGS);
      loader.on((message) => {
        if (message.type === 'progress') progress.set(loader, message);
      });
      loaders.push(loader);
      loader.send({
        type: 'start',
        spec: {
          protocol: plan.target.protocol,
          port,
          subscriptions: subscriptions.filter((_, i) => i % processes === p),
          localAddresses: LOCAL_ADDRESSES,
          maxPendingConnects: MAX_PENDING_CONNECTS_PER_PROCESS,
        },
      });
    }
    const connectDeadline = Date.now() + CONNECT_TIMEOUT_BASE_MS + plan.clients * CONNECT_TIMEOUT_PER_CLIENT_MS;
    const started = Date.now();
    let connected = 0;
    let failed = 0;
    for (;;) {
      await sleep(250);
      connected = [...progress.values()].reduce((sum, p) => sum + p.connected, 0);
      failed = [...progress.values()].reduce((sum, p) => sum + p.failed, 0);
      if (connected + failed >= plan.clients || Date.now() > connectDeadline) break;
    }
    const firstConnectError = [...progress.values()].find((p) => p.firstError !== undefined)?.firstError;
    log(`  ${plan.target.name}: ${connected}/${plan.clients} subscribed in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      (failed > 0 ? `, ${failed} failed (${firstConnectError ?? '?'})` : ''));

    let rssPerConnection = Number.NaN;
    if (connected > 0) {
      await sleep(IDLE_SETTLE_MS);
      rssPerConnection = ((await gcRss(server)) - baseRss) / connected;
    }
    server.send({ type: 'go' });
    await sleep(plan.warmupS * 1000);

    const loaderPids = loaders.map((loader) => loader.pid);
    const counters0 = await readCounters(server);
    const cpu0 = cpuSeconds(server.pid);
    const waited0 = runQueueWaitSeconds(server.pid);
    const loadCpu0 = totalCpu(loaderPids);
    const wall0 = performance.now();
    for (const loader of loaders) loader.send({ type: 'measure' });
    if (plan.profileDir !== undefined) server.send({ type: 'profile-start' });
    const perf: PerfRecording | undefined = plan.perfDir === undefined ? undefined : perfRecord(server.pid, windowFile(plan.perfDir, 'perf.data'), log);
    let peakRss = rssBytes(server.pid);
    let aborted: string | undefined;
    while (performance.now() - wall0 < plan.measureS * 1000) {
      await sleep(Math.min(SAMPLE_INTERVAL_MS, plan.measureS * 1000 - (performance.now() - wall0)));
      const rss = rssBytes(server.pid);
      peakRss = Math.max(peakRss, rss);
      if (rss > plan.maxServerRssBytes) {
        aborted = `server RSS passed ${(plan.maxServerRssBytes / 2 ** 20).toFixed(0)} MB`;
        break;
      }
    }
    const reports = Promise.all(loaders.map((loader) => loader.next<Extract<FromLoad, { type: 'report' }>>('report', REPORT_TIMEOUT_MS)));
    for (const loader of loaders) loader.send({ type: 'report' });
    const cpu1 = cpuSeconds(server.pid);
    const waited1 = runQueueWaitSeconds(server.pid);
    const loadCpu1 = totalCpu(loaderPids);
    const windowS = (performance.now() - wall0) / 1000;
    const counters1 = await readCounters(server);
    const perfFile = await perf?.stop();
    if (perfFile !== undefined) log(`  perf recording of the window: ${perfFile} (perf report -i ${perfFile} --no-children --sort dso,sym)`);
    let profile: string | undefined;
    if (plan.profileDir !== undefined) {
      const file = windowFile(plan.profileDir, 'cpuprofile');
      const written = server.next<Extract<FromServer, { type: 'profiled' }>>('profiled', REPORT_TIMEOUT_MS);
      server.send({ type: 'profile-stop', file });
      profile = (await written).file;
      log(`  CPU profile of the window: ${profile}`);
    }
    const feedLagMs = Math.max(0, Date.now() - counters1.eventTimeMs);
    const rss = rssBytes(server.pid);
    const loads: LoadReport[] = (await reports).map((message) => message.report);

    const sum = (pick: (report: LoadReport) => number): number => loads.reduce((total, report) => total + pick(report), 0);
    const updates = sum((report) => report.updates);
    const ticksPerS = (counters1.ticks - counters0.ticks) / windowS;
    // Owed per second of event time: a server whose feed falls behind the wall clock owes what the market did,
    // not only what it got round to.
    const eventS = (counters1.eventTimeMs - counters0.eventTimeMs) / 1000;
    const owedPerS = eventS > 0 ? (counters1.owed - counters0.owed) / eventS : 0;
    const serverCores = (cpu1 - cpu0) / windowS;
    return {
      target: plan.target.name,
      protocol: plan.target.protocol,
      clients: plan.clients,
      connected,
      connectFailures: failed,
      ...(firstConnectError === undefined ? {} : { firstConnectError }),
      dropped: sum((report) => report.dropped),
      windowS,
      ticksPerS,
      askedPerS: owedPerS,
      feedLagMs,
      updatesPerS: updates / windowS,
      framesPerS: sum((report) => report.frames) / windowS,
      latency: summarize(mergeHistograms(loads.map((report) => report.latency))),
      wireBytesPerUpdate: updates > 0 ? sum((report) => report.wireBytes) / updates : Number.NaN,
      serverCores,
      serverWaitShare: (waited1 - waited0) / windowS,
      cpuUsPerUpdate: updates > 0 ? (serverCores * 1e6) / (updates / windowS) : Number.NaN,
      rssBytes: rss,
      peakRssBytes: Math.max(peakRss, rss),
      baseRssBytes: baseRss,
      rssPerConnectionBytes: rssPerConnection,
      loadCores: (loadCpu1 - loadCpu0) / windowS,
      loopDelayP99Ms: counters1.loopDelayP99Ms,
      heldBack: counters1.heldBack - counters0.heldBack,
      seqGaps: sum((report) => report.seqGaps),
      ...(aborted === undefined ? {} : { aborted }),
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    await Promise.all(loaders.map((loader) => loader.stop({ type: 'stop' })));
    await server.stop({ type: 'stop' });
  }
}

/** RSS right after a full garbage collection (the servers run with --expose-gc). */
async function gcRss(server: ServerChild): Promise<number> {
  await readCounters(server, true);
  await sleep(200);
  return rssBytes(server.pid);
}
