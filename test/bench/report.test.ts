/** The benchmark's tables: counts print whole, however small; a partly connected run says how many connected. */
import { describe, expect, test } from 'vitest';
import { medianRun, ratioTable, trafficTable } from '../../bench/report.js';
import type { RunResult } from '../../bench/run-target.js';

function run(clients: number, connected: number, askedPerS: number): RunResult {
  return {
    target: 'tickertape',
    protocol: 'tickertape',
    clients,
    connected,
    connectFailures: clients - connected,
    dropped: 0,
    windowS: 15,
    ticksPerS: 20_000,
    feedLagMs: 0,
    askedPerS,
    updatesPerS: askedPerS,
    framesPerS: 500,
    latency: { samples: 1_000, p50Ms: 20, p99Ms: 55, maxMs: 60 },
    wireBytesPerUpdate: 49,
    serverCores: 0.12,
    serverWaitShare: 0.01,
    cpuUsPerUpdate: 8,
    rssBytes: 2 ** 27,
    peakRssBytes: 2 ** 27,
    baseRssBytes: 2 ** 26,
    rssPerConnectionBytes: 7_000,
    loadCores: 0.07,
    loopDelayP99Ms: 6,
    heldBack: 0,
    seqGaps: 0,
  };
}

describe('benchmark tables', () => {
  test('clients and update rates print as whole counts, with thousands separated', () => {
    const table = trafficTable([run(25, 25, 15_040.4), run(2_500, 2_500, 1_152_049), run(50, 48, 75.6)]);
    expect(table.rows.map((row) => row.slice(1, 4))).toEqual([
      ['25', '15,040', '15,040'],
      ['2,500', '1,152,049', '1,152,049'],
      ['48/50', '76', '76'],
    ]);
  });
});

describe('ratios', () => {
  const at = (target: string, cpuUsPerUpdate: number): RunResult => ({ ...run(1_000, 1_000, 600_000), target, protocol: 'ws-json', cpuUsPerUpdate });

  test('with one run, the medians only', () => {
    const ours = at('tickertape', 0.5);
    const peer = at('socketio', 10);
    const table = ratioTable([ours, peer], new Map([['tickertape', [ours]], ['socketio', [peer]]]))!;
    expect(table.header).not.toContain('CPU per update, round by round');
    expect(table.rows).toEqual([['/ socketio', '0.050', '20.0x less', '1.000', '1.000', '1.000']]);
  });

  test('with several runs, the CPU ratio of each round, so that a difference within the noise shows as one', () => {
    const ours = [at('tickertape', 0.6), at('tickertape', 0.5), at('tickertape', 0.7)];
    const before = [at('tickertape@abc1234', 0.5), at('tickertape@abc1234', 0.6), at('tickertape@abc1234', 0.55)];
    const table = ratioTable([medianRun(ours), medianRun(before)], new Map([['tickertape', ours], ['tickertape@abc1234', before]]))!;
    expect(table.header.at(-1)).toBe('CPU per update, round by round');
    expect(table.rows[0]![1]).toBe('1.091');
    expect(table.rows[0]!.at(-1)).toBe('1.200 0.833 1.273');
  });
});
