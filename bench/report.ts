/** Turns runs into the tables the benchmark prints: one row per target, then tickertape's ratios to each peer. */
import type { RunResult } from './run-target.js';
import { formatNumber, type Table } from './table.js';

const MB = 2 ** 20;

/** A count, whole, however small (formatNumber gives numbers under 100 decimals: "25.0 clients"). */
export function count(value: number): string {
  return formatNumber(Math.round(value), 0);
}

function clientsCell(run: RunResult): string {
  return run.connected === run.clients ? count(run.clients) : `${count(run.connected)}/${count(run.clients)}`;
}

/** The middle value, or the mean of the middle two (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The median of each figure over repeated runs of one measurement, in records nested in it too (latency,
 * CPU by process); anything else, as the first run has it.
 */
export function medianFields<T extends object>(runs: readonly T[]): T {
  const medianOf = (values: readonly unknown[]): unknown => {
    const first = values[0];
    if (typeof first === 'number') return median(values as readonly number[]);
    if (typeof first !== 'object' || first === null || Array.isArray(first)) return first;
    return Object.fromEntries(Object.keys(first).map((key) => [key, medianOf(values.map((value) => (value as Record<string, unknown>)[key]))]));
  };
  if (runs.length === 0) throw new Error('medianFields of no runs');
  return runs.length === 1 ? runs[0]! : (medianOf(runs) as T);
}

/** The median of each figure over repeated runs of one target (the runs themselves go to the JSON). */
export function medianRun(runs: readonly RunResult[]): RunResult {
  const out = medianFields(runs);
  if (runs.length === 1) return out;
  const aborted = runs.find((run) => run.aborted !== undefined)?.aborted;
  return aborted === undefined ? out : { ...out, aborted: `${aborted} (in one of ${runs.length} runs)` };
}

const percent = (share: number): string => (Number.isFinite(share) ? `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %` : '-');

export function trafficTable(results: readonly RunResult[]): Table {
  return {
    header: [
      'target',
      'clients',
      'owed upd/s',
      'delivered upd/s',
      'delivered',
      'p50 ms',
      'p99 ms',
      'max ms',
      'bytes/upd',
      'server CPU',
      'waited for CPU',
      'CPU µs/upd',
      'RSS MB',
      'loop p99 ms',
      'load-gen CPU',
      'notes',
    ],
    rows: results.map((run) => [
      run.target,
      clientsCell(run),
      count(run.askedPerS),
      count(run.updatesPerS),
      percent(run.updatesPerS / run.askedPerS),
      run.latency.p50Ms,
      run.latency.p99Ms,
      run.latency.maxMs,
      run.wireBytesPerUpdate,
      percent(run.serverCores),
      percent(run.serverWaitShare),
      run.cpuUsPerUpdate,
      Math.round(run.peakRssBytes / MB),
      run.loopDelayP99Ms,
      percent(run.loadCores),
      notes(run),
    ]),
  };
}

function notes(run: RunResult): string {
  const notes: string[] = [];
  if (run.aborted !== undefined) notes.push(`stopped: ${run.aborted}`);
  if (run.heldBack > 0) notes.push(`${run.heldBack} holds`);
  if (run.seqGaps > 0) notes.push(`${run.seqGaps} lost frames`);
  if (run.dropped > 0) notes.push(`${run.dropped} dropped`);
  if (run.feedLagMs > 1000) notes.push(`feed ${formatNumber(run.feedLagMs / 1000, 1)} s behind`);
  if (run.askedPerS > 0 && run.updatesPerS / run.askedPerS < 0.95) notes.push('falls behind');
  return notes.join('; ');
}

/**
 * tickertape's figures over each peer's, from the targets' medians: below 1 is better for tickertape in
 * every column. With more than one run, the CPU ratio of each round too: targets run side by side in every
 * round (run-target.ts: inRoundOrder), and on a machine whose speed moves from one minute to the next,
 * rounds whose ratios fall either side of 1 (or of a goal) say the medians' difference is within that noise.
 */
export function ratioTable(results: readonly RunResult[], runs?: ReadonlyMap<string, readonly RunResult[]>): Table | undefined {
  const ours = results.find((run) => run.target === 'tickertape');
  const peers = results.filter((run) => run !== ours);
  if (ours === undefined || peers.length === 0) return undefined;
  const ratio = (x: number, y: number): string => (Number.isFinite(x / y) && y !== 0 ? formatNumber(x / y, 3) : '-');
  const times = (x: number, y: number): string => (Number.isFinite(y / x) && x !== 0 ? `${formatNumber(y / x, 1)}x less` : '-');
  const ourRuns = runs?.get(ours.target) ?? [];
  const byRound = ourRuns.length > 1;
  const rounds = (peer: RunResult): string => {
    const theirs = runs?.get(peer.target) ?? [];
    return ourRuns.map((run, round) => ratio(run.cpuUsPerUpdate, theirs[round]?.cpuUsPerUpdate ?? Number.NaN)).join(' ');
  };
  return {
    header: ['tickertape / peer', 'CPU per update', '', 'bytes per update', 'p50 latency', 'p99 latency', ...(byRound ? ['CPU per update, round by round'] : [])],
    rows: peers.map((peer) => [
      `/ ${peer.target}`,
      ratio(ours.cpuUsPerUpdate, peer.cpuUsPerUpdate),
      times(ours.cpuUsPerUpdate, peer.cpuUsPerUpdate),
      ratio(ours.wireBytesPerUpdate, peer.wireBytesPerUpdate),
      ratio(ours.latency.p50Ms, peer.latency.p50Ms),
      ratio(ours.latency.p99Ms, peer.latency.p99Ms),
      ...(byRound ? [rounds(peer)] : []),
    ]),
  };
}

export function idleTable(results: readonly RunResult[]): Table {
  const plainWs = results.find((run) => run.protocol === 'ws-json');
  return {
    header: ['target', 'connections', 'RSS, none MB', 'RSS, all MB', 'KB per connection', 'vs plain ws'],
    rows: results.map((run) => [
      run.target,
      clientsCell(run),
      Math.round(run.baseRssBytes / MB),
      Math.round((run.baseRssBytes + run.rssPerConnectionBytes * run.connected) / MB),
      run.rssPerConnectionBytes / 1024,
      plainWs === undefined ? '-' : formatNumber(run.rssPerConnectionBytes / plainWs.rssPerConnectionBytes, 2),
    ]),
  };
}

export interface CapacityStep {
  readonly target: string;
  readonly clients: number;
  readonly sustained: boolean;
  readonly why: string;
  readonly run: RunResult;
}

export function capacityTable(steps: readonly CapacityStep[], targets: readonly string[]): Table {
  const best = (target: string): CapacityStep | undefined =>
    steps.filter((step) => step.target === target && step.sustained).at(-1);
  const ours = best('tickertape')?.clients;
  return {
    header: ['target', 'most clients sustained', 'p99 ms there', 'first failing', 'why it failed', 'tickertape / target'],
    rows: targets.map((target) => {
      const sustained = best(target);
      const failing = steps.find((step) => step.target === target && !step.sustained);
      return [
        target,
        sustained === undefined ? `< ${steps.find((step) => step.target === target)?.clients ?? '?'}` : String(sustained.clients),
        sustained?.run.latency.p99Ms ?? Number.NaN,
        failing === undefined ? 'none tried' : String(failing.clients),
        failing?.why ?? '',
        ours !== undefined && sustained !== undefined ? `${formatNumber(ours / sustained.clients, 1)}x` : '-',
      ];
    }),
  };
}
