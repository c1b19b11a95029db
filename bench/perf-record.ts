/**
 * A Linux `perf` recording of one process over the measured window: every thread (V8's concurrent
 * marking and sweeping run beside the JavaScript thread, where a V8 CPU profile never looks) and the kernel
 * (the socket writes). The server runs with --perf-basic-prof so its JavaScript functions have names.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Samples a second per thread: odd, so sampling does not beat with the 50 ms flush. */
const FREQUENCY_HZ = 999;

export interface PerfRecording {
  /** Stops the recording; the file, or undefined (and why, through `log`) when there is none. */
  stop(): Promise<string | undefined>;
}

export function perfRecord(pid: number, file: string, log: (line: string) => void): PerfRecording {
  const child = spawn('perf', ['record', '-F', String(FREQUENCY_HZ), '-g', '-p', String(pid), '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let failure: string | undefined;
  const ended = new Promise<void>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      failure = error.code === 'ENOENT' ? 'perf is not installed (Debian: apt-get install linux-perf)' : error.message;
      resolve();
    });
    child.once('close', () => resolve());
  });
  return {
    async stop() {
      if (failure === undefined) child.kill('SIGINT');
      await ended;
      if (failure === undefined && existsSync(file)) return file;
      log(`  perf recorded nothing: ${failure ?? (stderr.trim().split('\n').pop() || 'no output file')}`);
      return undefined;
    },
  };
}
