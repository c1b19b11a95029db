/** The benchmark's tables: counts print whole, however small; a partly connected run says how many connected. */
import { describe, expect, test } from 'vitest';
import { trafficTable } from '../../bench/report.js';
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
