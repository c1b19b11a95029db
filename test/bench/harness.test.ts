/**
 * A smoke test of the benchmark harness (bench/, `npm run bench`): compiled as npm run bench compiles it, it
 * runs a tiny scenario against tickertape and both peers and writes its JSON. It checks that the harness
 * works (servers start with the bench's limits, clients connect, subscribe and decode, counters come back),
 * never how fast anything is: the benchmark measures, tests assert behaviour.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
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

let resultsDir: string | undefined;
afterAll(async () => {
  if (resultsDir !== undefined) await rm(resultsDir, { recursive: true, force: true });
});

describe('the benchmark harness', () => {
  test('runs a tiny scenario against tickertape and both peers and writes what each delivered', { timeout: 240_000 }, async () => {
    resultsDir = await mkdtemp(join(tmpdir(), 'tickertape-bench-'));
    await run(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'bench/tsconfig.json', '--outDir', OUT_DIR], { cwd: REPO_ROOT });
    const args = ['--scenario', 'default', '--clients', '20', '--symbols', '100', '--rate', '1000', '--per-client', '10'];
    args.push('--warmup-s', '1', '--measure-s', '2', '--load-processes', '1', '--results', resultsDir);
    const { stdout } = await run(process.execPath, [join(OUT_DIR, 'bench', 'main.js'), ...args], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
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
});
