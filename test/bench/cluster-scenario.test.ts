/**
 * The cluster scenario of the benchmark (bench/cluster.ts, run by bench/main.ts) where it is not run: skipped
 * without redis-server, and the flags it cannot honour. Nothing here starts Redis or a server.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCluster, type ClusterOptions } from '../../bench/cluster.js';
import { writeResult } from '../../bench/results.js';

const OPTIONS: ClusterOptions = { clients: 10, symbolsPerClient: 50, ticksPerSecond: 1_000, warmupS: 1, measureS: 1, loadProcesses: 1, runs: 1, rounds: 1 };

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function resultsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tickertape-bench-'));
  dirs.push(dir);
  return dir;
}

describe('the cluster scenario', () => {
  test('skipped for want of redis-server, it says why and writes no results: an earlier cluster.json stays', async () => {
    const dir = await resultsDir();
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
});
