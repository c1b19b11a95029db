/**
 * The processes the cluster benchmark starts (redis-server, tickertape roles, load generators) and what it
 * reads from them: their Prometheus counters (their CPU time comes from ../proc.ts). Every process leads its own
 * process group and is killed when the benchmark exits, however it exits.
 */
import type { ChildProcess } from 'node:child_process';
import { loaderFor, programAt } from '../children.js';
import { killGroup, spawnOwned } from '../../test/helpers/owned-processes.js';

export { freePort } from '../../test/helpers/free-port.js';
export { killGroup } from '../../test/helpers/owned-processes.js';
export { RedisServer, redisServerMissing } from '../../test/helpers/redis-server.js';

/**
 * The `tickertape` command as the rest of this benchmark runs: compiled beside it (npm run bench compiles
 * cli/ with bench/), or its source through tsx when the benchmark runs from source.
 */
const CLI = programAt('../../cli/main', import.meta.url);

/** SIGKILLs the child's process group and waits until the child has exited. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child);
  await exited;
}

// Owned processes are killed when this process exits (owned-processes.ts); an interrupt exits.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Resolves with the first match of `pattern` in the child's stdout. */
function outputMatching(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  let buffer = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output matched ${pattern}:\n${buffer}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern} matched:\n${buffer}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (buffer += chunk.toString()));
  });
}

export interface Role {
  readonly name: string;
  readonly process: ChildProcess;
  readonly http: string;
  readonly ws: string;
}

/** A `tickertape` command (serve, ingest, gateway) on a free port. */
export async function startRole(name: string, args: readonly string[]): Promise<Role> {
  const child = spawnOwned(process.execPath, [...loaderFor(CLI), CLI, ...args, '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [, port] = await outputMatching(child, /on http:\/\/localhost:(\d+)\//);
  return { name, process: child, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` };
}

/** A load generator (./load.ts), compiled or from source as this file runs, killed with the benchmark. */
export function forkLoad(): ChildProcess {
  const program = programAt('./load', import.meta.url);
  return spawnOwned(process.execPath, [...loaderFor(program), program], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The value of one sample (`name{labels}` as written) in a role's /metrics, or NaN. */
export async function metric(role: Role, sample: string): Promise<number> {
  const text = await (await fetch(`${role.http}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${sample} `));
  return line === undefined ? Number.NaN : Number(line.slice(sample.length + 1));
}

export async function ready(role: Role): Promise<boolean> {
  return (await fetch(`${role.http}/readyz`).catch(() => undefined))?.status === 200;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
