/**
 * `npm run bench`: tickertape against the peers a developer would otherwise build, side by side in one
 * invocation, on this machine. Prints tables and writes JSON (bench/results/<scenario>.json).
 *
 *   npm run bench                              the default scenario
 *   npm run bench -- --scenario wide,idle      others (see --help)
 */
import { mkdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { numberIn, numberMessage, type NumberRule } from '../feeds/number-text.js';
import { capacityTable, idleTable, medianRun, ratioTable, trafficTable, type CapacityStep } from './report.js';
import { prepareBaseline } from './baseline.js';
import { loaderFor, programAt } from './children.js';
import { ignoredFlagNotes } from './cluster/flags.js';
import { CLUSTER_SYMBOLS } from './cluster/market.js';
import { inRoundOrder, runTarget, TARGETS, type RunPlan, type RunResult, type Target } from './run-target.js';
import {
  CAPACITY_MEASURE_S,
  CAPACITY_MIN_DELIVERED,
  CAPACITY_P99_MS,
  CAPACITY_STEPS,
  CAPACITY_WARMUP_S,
  SCENARIOS,
  type Scenario,
} from './scenarios.js';
import { loadAverage, openFileLimit } from './proc.js';
import { writeResult } from './results.js';
import { renderText, type ScenarioOutput } from './table.js';

const FLUSH_INTERVAL_MS = 50;
const SEED = 42;
const DEFAULT_LOAD_PROCESSES = 2;
const MAX_SERVER_RSS_BYTES = 4 * 2 ** 30;
/** Open files a server keeps besides its connections (listening socket, epoll, stdio, IPC, modules). */
const SERVER_RESERVED_FILES = 100;
/** Beside the sources (npm run bench runs from the repository root), not beside the compiled program. */
const DEFAULT_RESULTS_DIR = join(process.cwd(), 'bench', 'results');

const USAGE = `Usage: npm run bench -- [options]

Options:
  --scenario LIST     comma-separated: ${Object.keys(SCENARIOS).join(', ')}, capacity, micro, replay, browser,
                      cluster, all (default: default)
  --targets LIST      comma-separated: ${TARGETS.map((target) => target.name).join(', ')} (default: all three), and
                      tickertape@REF for tickertape as of a git commit, measured beside today's code
  --runs N            measure each target N times, interleaved (the order reversed every other
                      round); tables show medians, and the ratios each round's CPU ratio
                      (default 1)
  --clients N         override the scenario's client count (C)
  --symbols N         override the market's symbol count (S)
  --rate N            override the ticks per second (R)
  --per-client N      override the symbols per client (K; at most ${CLUSTER_SYMBOLS.length} with the cluster scenario)
  --measure-s N       override the measured seconds
  --warmup-s N        override the seconds of traffic before measuring
  --load-processes N  load-generator processes (default ${DEFAULT_LOAD_PROCESSES})
  --profile DIR       write a CPU profile of each server's measured window into DIR
  --perf DIR          record each server's measured window with Linux perf into DIR: every thread
                      (garbage collection included) and the kernel; perf's sampling costs the server a
                      little CPU, so take figures from runs without it
  --minutes N         browser scenario: minutes to watch the page, fractions allowed (default 5)
  --trace FILE        browser scenario: also record a 10 s Chrome performance trace into FILE
  --rounds N          cluster scenario: Redis crashes and restarts timed for the healing table, 1 to 100
                      (default 3)
  --results DIR       write the JSON results into DIR (default bench/results)
  -h, --help          show this help
`;

interface Options {
  readonly scenarios: readonly string[];
  readonly targets: readonly Target[];
  readonly runs: number;
  readonly overrides: Partial<Scenario>;
  readonly loadProcesses: number;
  readonly profileDir: string | undefined;
  readonly perfDir: string | undefined;
  readonly minutes: number;
  readonly traceFile: string | undefined;
  readonly rounds: number;
  readonly resultsDir: string;
  /** Every flag given, as `--name`. */
  readonly given: readonly string[];
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** A flag's number, read as every tickertape command reads one (feeds/number-text.ts: plain decimal only). */
function numberFlag(raw: string | undefined, rule: NumberRule): number | undefined {
  if (raw === undefined) return undefined;
  const value = numberIn(raw, rule);
  if (value === undefined) fail(numberMessage(rule, `"${raw}"`));
  return value;
}

function wholeNumber(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  return numberFlag(raw, { name, min, max, whole: true });
}

function parseOptions(argv: readonly string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string' },
        targets: { type: 'string' },
        runs: { type: 'string' },
        clients: { type: 'string' },
        symbols: { type: 'string' },
        rate: { type: 'string' },
        'per-client': { type: 'string' },
        'measure-s': { type: 'string' },
        'warmup-s': { type: 'string' },
        'load-processes': { type: 'string' },
        profile: { type: 'string' },
        perf: { type: 'string' },
        minutes: { type: 'string' },
        trace: { type: 'string' },
        rounds: { type: 'string' },
        results: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const known = [...Object.keys(SCENARIOS), 'capacity', 'micro', 'replay', 'browser', 'cluster'];
  let scenarios = (values.scenario ?? 'default').split(',').map((name) => name.trim());
  if (scenarios.includes('all')) scenarios = known;
  for (const name of scenarios) if (!known.includes(name)) fail(`unknown scenario "${name}"; known: ${known.join(', ')}, all`);
  const targets = (values.targets ?? TARGETS.map((target) => target.name).join(',')).split(',').map((name) => {
    const trimmed = name.trim();
    const known = TARGETS.find((target) => target.name === trimmed);
    if (known !== undefined) return known;
    if (trimmed.startsWith('tickertape@')) {
      try {
        return { name: trimmed, protocol: 'tickertape', program: prepareBaseline(trimmed.slice('tickertape@'.length)) } satisfies Target;
      } catch (error) {
        fail((error as Error).message);
      }
    }
    return fail(`unknown target "${trimmed}"; known: ${TARGETS.map((target) => target.name).join(', ')}, tickertape@REF`);
  });
  const overrides: Record<string, number> = {};
  const set = (key: keyof Scenario, value: number | undefined): void => {
    if (value !== undefined) overrides[key] = value;
  };
  set('clients', wholeNumber(values.clients, '--clients', 1, 100_000));
  set('symbols', wholeNumber(values.symbols, '--symbols', 1, 10_000));
  set('ticksPerSecond', wholeNumber(values.rate, '--rate', 1, 1_000_000));
  set('symbolsPerClient', wholeNumber(values['per-client'], '--per-client', 1, 1_000));
  if (scenarios.includes('cluster') && (overrides['symbolsPerClient'] ?? 0) > CLUSTER_SYMBOLS.length) {
    const limit = CLUSTER_SYMBOLS.length;
    fail(`--per-client must be a whole number from 1 to ${limit} with the cluster scenario (its market has ${limit} symbols), got "${values['per-client']}"`);
  }
  for (const name of scenarios) {
    const market = SCENARIOS[name === 'capacity' ? 'default' : name];
    if (market === undefined) continue;
    const symbols = overrides['symbols'] ?? market.symbols;
    const perClient = overrides['symbolsPerClient'] ?? market.symbolsPerClient;
    if (perClient > symbols) {
      fail(`--per-client (${perClient}) is more than the ${symbols} symbols of the ${name} scenario's market: each client subscribes to that many different symbols; lower it or raise --symbols`);
    }
  }
  // A flag of one scenario given without it would do nothing, silently.
  for (const [flag, scenario] of [['minutes', 'browser'], ['trace', 'browser'], ['rounds', 'cluster']] as const) {
    if (values[flag] !== undefined && !scenarios.includes(scenario)) fail(`--${flag} applies to the ${scenario} scenario only, which --scenario does not include`);
  }
  set('measureS', wholeNumber(values['measure-s'], '--measure-s', 1, 3_600));
  set('warmupS', wholeNumber(values['warmup-s'], '--warmup-s', 0, 3_600));
  return {
    scenarios,
    targets,
    runs: wholeNumber(values.runs, '--runs', 1, 20) ?? 1,
    overrides: overrides as Partial<Scenario>,
    loadProcesses: wholeNumber(values['load-processes'], '--load-processes', 1, 32) ?? DEFAULT_LOAD_PROCESSES,
    profileDir: values.profile,
    perfDir: values.perf,
    minutes: numberFlag(values.minutes, { name: '--minutes', min: 0.01, max: 120, whole: false }) ?? 5,
    traceFile: values.trace,
    rounds: wholeNumber(values.rounds, '--rounds', 1, 100) ?? 3,
    resultsDir: values.results ?? DEFAULT_RESULTS_DIR,
    given: Object.entries(values).filter(([, value]) => value !== undefined).map(([name]) => `--${name}`),
  };
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** What the tables are read against: the machine, its load, the code. */
function machine(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a checkout: the commit stays unknown.
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    openFileLimit: openFileLimit(),
    commit,
  };
}

function planFor(scenario: Scenario, target: Target, options: Options, clients = scenario.clients): RunPlan {
  return {
    target,
    market: { symbols: scenario.symbols, ticksPerSecond: scenario.ticksPerSecond, seed: SEED },
    flushIntervalMs: FLUSH_INTERVAL_MS,
    clients,
    symbolsPerClient: scenario.symbolsPerClient,
    warmupS: scenario.warmupS,
    measureS: scenario.measureS,
    loadProcesses: options.loadProcesses,
    maxServerRssBytes: MAX_SERVER_RSS_BYTES,
    ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
    ...(options.perfDir === undefined ? {} : { perfDir: options.perfDir }),
    seed: SEED,
  };
}

/** The most connections one server process can hold: its open-file limit less what it needs besides. */
function clientsWithinFileLimit(clients: number): { clients: number; note?: string } {
  const limit = openFileLimit() - SERVER_RESERVED_FILES;
  if (clients <= limit) return { clients };
  return {
    clients: limit,
    note: `${clients} connections asked, ${limit} run: a server process may open ${openFileLimit()} files here (ulimit -n); raise the hard limit to run them all`,
  };
}

async function runScenario(base: Scenario, options: Options): Promise<ScenarioOutput> {
  const requested = { ...base, ...options.overrides };
  const { clients, note } = clientsWithinFileLimit(requested.clients);
  const scenario = { ...requested, clients };
  const runs = new Map<string, RunResult[]>(options.targets.map((target) => [target.name, []]));
  for (let round = 0; round < options.runs; round++) {
    for (const target of inRoundOrder(options.targets, round)) {
      log(`${scenario.name}: ${target.name}, run ${round + 1} of ${options.runs}`);
      runs.get(target.name)!.push(await runTarget(planFor(scenario, target, options), log));
    }
  }
  const medians = options.targets.map((target) => medianRun(runs.get(target.name)!));
  const tables =
    scenario.kind === 'idle'
      ? [{ title: 'memory per idle connection', table: idleTable(medians) }]
      : [
          { title: 'per target', table: trafficTable(medians) },
          ...[ratioTable(medians, runs)].filter((table) => table !== undefined).map((table) => ({ title: 'ratios', table })),
        ];
  return { tables, data: { scenario, runs: Object.fromEntries(runs), medians }, notes: note === undefined ? [] : [note] };
}

function sustains(run: RunResult): { ok: boolean; why: string } {
  if (run.connected < run.clients) return { ok: false, why: `${run.clients - run.connected} could not connect` };
  if (run.dropped > 0) return { ok: false, why: `${run.dropped} connections dropped` };
  if (run.aborted !== undefined) return { ok: false, why: run.aborted };
  if (run.latency.p99Ms > CAPACITY_P99_MS) return { ok: false, why: `p99 ${run.latency.p99Ms.toFixed(0)} ms` };
  const delivered = run.updatesPerS / run.askedPerS;
  if (!(delivered >= CAPACITY_MIN_DELIVERED)) return { ok: false, why: `delivered ${(delivered * 100).toFixed(0)} % of owed` };
  return { ok: true, why: '' };
}

async function runCapacity(options: Options): Promise<ScenarioOutput> {
  const base: Scenario = { ...SCENARIOS['default']!, ...options.overrides, warmupS: CAPACITY_WARMUP_S, measureS: CAPACITY_MEASURE_S };
  const steps: CapacityStep[] = [];
  for (const target of options.targets) {
    for (const clients of CAPACITY_STEPS) {
      if (clients > clientsWithinFileLimit(clients).clients) break;
      log(`capacity: ${target.name} with ${clients} clients`);
      const run = await runTarget(planFor(base, target, options, clients), log);
      const verdict = sustains(run);
      steps.push({ target: target.name, clients, sustained: verdict.ok, why: verdict.why, run });
      log(`  p99 ${run.latency.p99Ms.toFixed(1)} ms, delivered ${((run.updatesPerS / run.askedPerS) * 100).toFixed(0)} %: ${verdict.ok ? 'sustained' : verdict.why}`);
      if (!verdict.ok) break;
    }
  }
  return {
    tables: [
      { title: `largest client count with p99 <= ${CAPACITY_P99_MS} ms (market of the default scenario)`, table: capacityTable(steps, options.targets.map((target) => target.name)) },
      { title: 'every step', table: trafficTable(steps.map((step) => step.run)) },
    ],
    data: { scenario: base, steps },
    notes: [],
  };
}

/**
 * The replay feed's own benchmark (issue 3: parse and replay rates per file format), compiled beside this
 * file as the server's code is: as built code, the end-of-file scan runs on its worker thread, as in the
 * product, and peak memory leaves out tsx's loader (about 30 MB). Its tables are passed through.
 */
async function runReplay(): Promise<ScenarioOutput> {
  const program = programAt('./replay', import.meta.url);
  const output = execFileSync(process.execPath, [...loaderFor(program), program], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  console.log(output);
  return { tables: [], data: { output }, notes: [] };
}

/**
 * The cluster benchmark (bench/cluster.ts): the default scenario's rate and clients, with the overrides
 * that apply to it; its market is the simulator's 60 symbols, so --symbols does not, and it runs its own
 * roles, so --targets, --profile and --perf do not either (its notes say which were given).
 */
async function runClusterScenario(options: Options): Promise<ScenarioOutput> {
  const scenario = { ...SCENARIOS['default']!, ...options.overrides };
  const { clients, note } = clientsWithinFileLimit(scenario.clients);
  const output = await (await import('./cluster.js')).runCluster({
    clients,
    symbolsPerClient: scenario.symbolsPerClient,
    ticksPerSecond: scenario.ticksPerSecond,
    warmupS: scenario.warmupS,
    measureS: scenario.measureS,
    loadProcesses: options.loadProcesses,
    runs: options.runs,
    rounds: options.rounds,
  });
  return { ...output, notes: [...output.notes, ...(note === undefined ? [] : [note]), ...ignoredFlagNotes(options.given)] };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  await mkdir(options.resultsDir, { recursive: true });
  if (options.profileDir !== undefined) await mkdir(options.profileDir, { recursive: true });
  if (options.perfDir !== undefined) await mkdir(options.perfDir, { recursive: true });
  for (const name of options.scenarios) {
    const loadBefore = loadAverage();
    const started = new Date();
    let output: ScenarioOutput;
    if (name === 'capacity') output = await runCapacity(options);
    else if (name === 'micro') output = await (await import('./micro.js')).runMicro(options.targets);
    else if (name === 'replay') output = await runReplay();
    else if (name === 'cluster') output = await runClusterScenario(options);
    else if (name === 'browser') output = await (await import('./browser.js')).runBrowser({
      minutes: options.minutes,
      ...(options.traceFile === undefined ? {} : { traceFile: options.traceFile }),
    });
    else output = await runScenario(SCENARIOS[name]!, options);
    const loadAfter = loadAverage();
    const context = {
      machine: machine(),
      started: started.toISOString(),
      finished: new Date().toISOString(),
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAfter,
    };
    const summary = output.summary ?? SCENARIOS[name]?.summary ?? name;
    console.log(`\n## ${name}: ${summary}`);
    console.log(
      `${context.machine['cores']} x ${context.machine['cpu']}, node ${process.version}, ` +
        `load average ${loadBefore.join(' ')} before, ${loadAfter.join(' ')} after, ${context.started}`,
    );
    for (const { title, table } of output.tables) console.log(`\n${title}\n${renderText(table)}`);
    for (const note of output.notes) console.log(`\nnote: ${note}`);
    const file = await writeResult(options.resultsDir, name, context, output);
    log(file === undefined ? `${name} was not run: ${join(options.resultsDir, `${name}.json`)} not written` : `wrote ${file}`);
  }
}

await main();
