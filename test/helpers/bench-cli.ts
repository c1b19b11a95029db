/**
 * Runs bench/main.ts from source to see how it takes its flags, without running any scenario: the results
 * folder it is given cannot be made (it lies under a file), so flags it accepts take it no further than making
 * that folder (exit 1, ENOTDIR), whatever the scenario; flags it refuses exit 2 before that.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './cli.js';

export interface BenchExit {
  code: number;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];

/** A fresh folder under the system's temporary one, removed by removeBenchDirs(). */
export async function benchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tickertape-bench-'));
  dirs.push(dir);
  return dir;
}

export async function removeBenchDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function benchFlags(args: readonly string[]): Promise<BenchExit> {
  const file = join(await benchDir(), 'a-file');
  await writeFile(file, '');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'main.ts'), ...args, '--results', join(file, 'results')], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as BenchExit;
    return { code, stdout, stderr };
  }
}
