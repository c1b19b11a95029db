/**
 * Runs bench/main.ts from source to see how it takes its flags, without running any scenario: the results
 * folder it is given cannot be made (it lies under a file), so flags it accepts take it no further than making
 * that folder (exit 1, ENOTDIR), whatever the scenario; flags it refuses exit 2 before that.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './cli.js';
import { scratchFolder } from './scratch.js';

export interface BenchExit {
  code: number;
  stdout: string;
  stderr: string;
}

/** The runner; call it at a test file's top level (its scratch folder goes after the file's tests). */
export function benchFlagRunner(): (args: readonly string[]) => Promise<BenchExit> {
  const underFile = join(scratchFolder('tickertape-bench-').write('a-file', ''), 'results');
  return async (args) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'main.ts'), ...args, '--results', underFile], { cwd: REPO_ROOT });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as BenchExit;
      return { code, stdout, stderr };
    }
  };
}
