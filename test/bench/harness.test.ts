/**
 * A smoke test of the benchmark harness (bench/, `npm run bench`): compiled as npm run bench compiles it, it
 * runs a tiny scenario against tickertape and both peers and writes its JSON, watches the dashboard in
 * Chromium for a few seconds, and runs the cluster scenario on 10 clients for a second (where redis-server
 * is installed). It checks that the harness works (servers start with the bench's limits,
 * clients connect, subscribe and decode, counters come back, the page is measured), never how fast anything
 * is: the benchmark measures, tests assert behaviour.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { redisServerMissing } from '../helpers/redis-server.js';
import { REPO_ROOT } from '../helpers/cli.js';

const run = promisify(execFile);
/** Its own output folder, so a benchmark running from .tmp/bench-build meanwhile is not disturbed. */
const OUT_DIR = join(REPO_ROOT, '.tmp', 'bench-smoke');
const TARGETS = ['tickertape', 'ws-json', 'socketio'];

interface RunSummary {
  readonly connected: number;
  readonly connectFailures: number;
  readonly updatesPerS: number;
  readonly wireBytesPerUpdate: number;
  readonly seqGaps: number;
  readonly latency: { readonly samples: number };
}

const resultsDirs: string[] = [];
afterAll(async () => {
  await Promise.all(resultsDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

let compiled: Promise<unknown> | undefined;
/** Compiles the benchmark once for the tests of this file; each then runs it with its own results folder. */
async function bench(args: readonly string[]): Promise<{ stdout: string; resultsDir: string }> {
  compiled ??= run(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'bench/tsconfig.json', '--outDir', OUT_DIR], { cwd: REPO_ROOT });
  await compiled;
  const resultsDir = await mkdtemp(join(tmpdir(), 'tickertape-bench-'));
  resultsDirs.push(resultsDir);
  const { stdout } = await run(process.execPath, [join(OUT_DIR, 'bench', 'main.js'), ...args, '--results', resultsDir], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  return { stdout, resultsDir };
}

describe('the benchmark harness', () => {
  test('runs a tiny scenario against tickertape and both peers and writes what each delivered', { timeout: 240_000 }, async () => {
    const args = ['--scenario', 'default', '--clients', '20', '--symbols', '100', '--rate', '1000', '--per-client', '10'];
    args.push('--warmup-s', '1', '--measure-s', '2', '--load-processes', '1');
    const { stdout, resultsDir } = await bench(args);
    expect(stdout).toContain('ratios');
    const written = JSON.parse(await readFile(join(resultsDir, 'default.json'), 'utf8')) as { data: { runs: Record<string, RunSummary[]> } };
    expect(Object.keys(written.data.runs).sort()).toEqual([...TARGETS].sort());
    for (const target of TARGETS) {
      const [result] = written.data.runs[target]!;
      expect(result, target).toMatchObject({ connected: 20, connectFailures: 0, seqGaps: 0 });
      expect(result!.updatesPerS, target).toBeGreaterThan(0);
      expect(result!.wireBytesPerUpdate, target).toBeGreaterThan(0);
      expect(result!.latency.samples, target).toBeGreaterThan(0);
    }
  });

  test('watches the dashboard, served from its own process, and says where the CPU went', { timeout: 240_000 }, async () => {
    const { stdout, resultsDir } = await bench(['--scenario', 'browser', '--minutes', '0.05']);
    expect(stdout).toContain('dashboard, 500 rows');
    const written = JSON.parse(await readFile(join(resultsDir, 'browser.json'), 'utf8')) as {
      data: { frameIntervalsMs: number; longFrames?: unknown[]; rows: [string, string | number][] };
    };
    const rows = new Map(written.data.rows);
    expect(written.data.frameIntervalsMs).toBeGreaterThan(0);
    // Debian's Chromium has the Long Animation Frames API: frames over 50 ms are observed (none is expected).
    expect(Array.isArray(written.data.longFrames)).toBe(true);
    expect(rows.get('long animation frames (> 50 ms)')).toBe(written.data.longFrames?.length);
    expect(rows.get('updates/s received (dashboard badge)')).toBeGreaterThan(0);
    for (const measure of ['renderer process CPU, % of a core', 'server process CPU, % of a core', 'machine busy, % of all cores']) {
      expect(rows.get(measure), measure).toBeGreaterThan(0);
    }
  });

  test.skipIf(redisServerMissing() !== undefined)(
    'runs one process, then an ingest and two gateways on redis-server, and times the healing',
    { timeout: 240_000 },
    async () => {
      const args = ['--scenario', 'cluster', '--clients', '10', '--warmup-s', '1', '--measure-s', '1', '--rounds', '1', '--load-processes', '1'];
      const { stdout, resultsDir } = await bench(args);
      expect(stdout).toContain('where the cluster spends it');
      const written = JSON.parse(await readFile(join(resultsDir, 'cluster.json'), 'utf8')) as {
        data: { medians: { target: string; updates: number; published: number; cpu: Record<string, number> }[]; healing: Record<string, number[]> };
      };
      const [one, cluster] = written.data.medians;
      expect(one!.updates).toBeGreaterThan(0);
      expect(cluster!.updates).toBeGreaterThan(0);
      expect(cluster!.published).toBeGreaterThan(0);
      expect(Object.keys(cluster!.cpu).sort()).toEqual(['gateway 1', 'gateway 2', 'ingest', 'redis']);
      // One Redis restart (two gateways resynced) and 20 SDK clients recovered from the killed gateway.
      expect(written.data.healing).toMatchObject({ readyMs: [expect.any(Number)], resyncMs: [expect.any(Number), expect.any(Number)] });
      expect(written.data.healing['recoveredMs']).toHaveLength(20);
    },
  );
});
