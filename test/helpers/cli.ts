import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnOwned } from './owned-processes.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the tickertape CLI from source (through tsx), as `npm run` scripts do. */
export function tickertape(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], cliOptions(env));
}

/** The same, in a process group of its own that `killOwned()` (owned-processes.ts) ends even when a test fails. */
export function tickertapeOwned(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawnOwned(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], cliOptions(env));
}

/**
 * The CLI with every file it writes limited to `kib` KiB (bash's `ulimit -f`, in KiB): a write past it fails
 * with EFBIG, as a full disk fails one with ENOSPC, from the kernel itself. SIGXFSZ, which would kill the
 * process first, is ignored, so the write returns the error.
 */
export function tickertapeWithFileLimit(kib: number, args: string[]): ChildProcess {
  const script = `trap '' XFSZ; ulimit -f ${kib}; exec "$0" "$@"`;
  return spawnOwned('bash', ['-c', script, process.execPath, '--import', 'tsx', 'cli/main.ts', ...args], cliOptions({}));
}

function cliOptions(env: NodeJS.ProcessEnv): SpawnOptions {
  return { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function finished(child: ChildProcess, timeoutMs = 20_000): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves with the first stdout line matching `pattern`. */
export function lineMatching(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  let buffer = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output line matched ${pattern} within ${timeoutMs} ms:\n${buffer}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}
