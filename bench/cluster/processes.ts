/**
 * The processes the cluster benchmark starts (redis-server, tickertape roles, load generators) and what it
 * reads from them: their Prometheus counters (their CPU time comes from ../proc.ts). Every process leads its own
 * process group and is killed when the benchmark exits, however it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loaderFor, programAt } from '../children.js';

export { freePort } from '../../test/helpers/free-port.js';

/** Debian's redis-server (`apt-get install -y redis-server`). */
export const REDIS_SERVER = '/usr/bin/redis-server';
/**
 * The `tickertape` command as the rest of this benchmark runs: compiled beside it (npm run bench compiles
 * cli/ with bench/), or its source through tsx when the benchmark runs from source.
 */
const CLI = programAt('../../cli/main', import.meta.url);

const living = new Set<ChildProcess>();

export function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** SIGKILLs the child's process group and waits until the child has exited. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  kill(child);
  await exited;
}

function killAll(): void {
  for (const child of living) kill(child);
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

function owned(child: ChildProcess): ChildProcess {
  living.add(child);
  child.once('exit', () => living.delete(child));
  return child;
}

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

export class RedisProcess {
  process: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = owned(
      spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
    );
    this.process = child;
    await outputMatching(child, /Ready to accept connections/);
  }

  async crash(): Promise<void> {
    if (this.process !== undefined) await killAndWait(this.process);
  }
}

export interface Role {
  readonly name: string;
  readonly process: ChildProcess;
  readonly http: string;
  readonly ws: string;
}

/** A `tickertape` command (serve, ingest, gateway) on a free port. */
export async function startRole(name: string, args: readonly string[]): Promise<Role> {
  const child = owned(
    spawn(process.execPath, [...loaderFor(CLI), CLI, ...args, '--port', '0', '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
  const [, port] = await outputMatching(child, /on http:\/\/localhost:(\d+)\//);
  return { name, process: child, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` };
}

/** A load generator (./load.ts), compiled or from source as this file runs, killed with the benchmark. */
export function forkLoad(): ChildProcess {
  const program = programAt('./load', import.meta.url);
  return owned(spawn(process.execPath, [...loaderFor(program), program], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true }));
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
