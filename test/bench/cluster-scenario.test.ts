/**
 * The cluster scenario of the benchmark (bench/cluster.ts, run by bench/main.ts) where it is not run: skipped
 * without redis-server, and the flags it cannot honour. Nothing here starts Redis or a server.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCluster, type ClusterOptions } from '../../bench/cluster.js';
import { ignoredFlagNotes } from '../../bench/cluster/flags.js';
import { writeResult } from '../../bench/results.js';
import { benchFlagRunner } from '../helpers/bench-cli.js';
import { scratchFolder } from '../helpers/scratch.js';

const OPTIONS: ClusterOptions = { clients: 10, symbolsPerClient: 50, ticksPerSecond: 1_000, warmupS: 1, measureS: 1, loadProcesses: 1, runs: 1, rounds: 1 };

const scratch = scratchFolder('tickertape-bench-');
const benchFlags = benchFlagRunner();

describe('the cluster scenario', () => {
  test('skipped for want of redis-server, it says why and writes no results: an earlier cluster.json stays', async () => {
    const dir = scratch.path('results');
    await mkdir(dir);
    const earlier = `${JSON.stringify({ data: { medians: [] } })}\n`;
    await writeFile(join(dir, 'cluster.json'), earlier);
    const output = await runCluster(OPTIONS, () => '/usr/bin/redis-server is missing');
    expect(output.notes).toEqual(['the cluster scenario was not run: /usr/bin/redis-server is missing']);
    expect(output.tables).toEqual([]);
    expect(await writeResult(dir, 'cluster', { started: 'now' }, output)).toBeUndefined();
    expect(await readFile(join(dir, 'cluster.json'), 'utf8')).toBe(earlier);
    // A scenario that ran is written, over an earlier file.
    const ran = { tables: [], data: { medians: [1] }, notes: ['ran'] };
    expect(await writeResult(dir, 'cluster', { started: 'now' }, ran)).toBe(join(dir, 'cluster.json'));
    expect(JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'))).toEqual({ started: 'now', tables: [], notes: ['ran'], data: { medians: [1] } });
  });

  test('--per-client above its market of 60 symbols is refused up front, as other bad flags are', { timeout: 60_000 }, async () => {
    for (const scenario of ['cluster', 'default,cluster', 'all']) {
      const refused = await benchFlags(['--scenario', scenario, '--per-client', '61']);
      expect(refused.code, scenario).toBe(2);
      expect(refused.stderr, scenario).toMatch(/^bench: --per-client must be a whole number from 1 to 60 with the cluster scenario \(its market has 60 symbols\), got "61"\n\nUsage:/);
    }
    // 60 passes, and so does 61 for the scenarios with a wider market (stopped where the results folder is made).
    for (const args of [['--scenario', 'cluster', '--per-client', '60'], ['--scenario', 'default', '--per-client', '61']]) {
      const accepted = await benchFlags(args);
      expect(accepted.code, args.join(' ')).toBe(1);
      expect(accepted.stderr, args.join(' ')).toContain('ENOTDIR');
    }
  });

  test('--targets, --profile and --perf, which it ignores (it runs its own roles), are named in one note; with all they are no error', { timeout: 60_000 }, async () => {
    const why = "it runs its own roles (this checkout's tickertape as one process, then as an ingest and two gateways on Redis), not the targets, and neither profiles nor records them";
    expect(ignoredFlagNotes(['--scenario', '--clients', '--rounds', '--per-client', '--runs'])).toEqual([]);
    expect(ignoredFlagNotes(['--scenario', '--targets', '--runs'])).toEqual([`--targets does not apply to the cluster scenario: ${why}`]);
    expect(ignoredFlagNotes(['--perf', '--scenario', '--profile'])).toEqual([`--profile and --perf do not apply to the cluster scenario: ${why}`]);
    expect(ignoredFlagNotes(['--profile', '--perf', '--targets', '--symbols'])).toEqual([
      '--symbols does not apply: the cluster runs the simulator of the command line, 60 symbols',
      `--targets, --profile and --perf do not apply to the cluster scenario: ${why}`,
    ]);
    // The flags stay good for the other scenarios: accepted with all (stopped where the results folder is made).
    const accepted = await benchFlags(['--scenario', 'all', '--targets', 'tickertape', '--profile', scratch.path('profiles'), '--perf', scratch.path('perf')]);
    expect(accepted.code).toBe(1);
    expect(accepted.stderr).toContain('ENOTDIR');
  });

  test('--rounds 0, which left the healing table without figures, is refused up front; 1 is accepted', { timeout: 60_000 }, async () => {
    const refused = await benchFlags(['--scenario', 'cluster', '--rounds', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^bench: --rounds must be a whole number from 1 to 100, got "0"\n\nUsage:/);
    const accepted = await benchFlags(['--scenario', 'cluster', '--rounds', '1']);
    expect(accepted.code).toBe(1);
    expect(accepted.stderr).toContain('ENOTDIR');
  });
});
