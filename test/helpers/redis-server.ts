import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { killGroup, spawnOwned } from './owned-processes.js';
import { freePort } from './free-port.js';

/** Debian's redis-server (`apt-get install -y redis-server`); .ci/run installs it. */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** Why the scale-out tests cannot run here, or undefined when they can. */
export function redisServerMissing(): string | undefined {
  if (existsSync(REDIS_SERVER)) return undefined;
  return `${REDIS_SERVER} is missing (Redis is started by the scale-out tests and the cluster benchmark themselves): install it with "apt-get install -y redis-server"`;
}

/**
 * A real redis-server for one test file: on a free loopback port, with no persistence (no RDB, no AOF),
 * so a restart comes back empty, as a Redis without persistence does after a crash.
 */
export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const missing = redisServerMissing();
    if (missing !== undefined) throw new Error(missing);
    const server = new RedisServer(await freePort());
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The running redis-server process (for its CPU time: bench/cluster.ts), or undefined while it is down. */
  get child(): ChildProcess | undefined {
    return this.process;
  }

  private launch(): Promise<void> {
    const child = spawnOwned(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child);
        reject(new Error(`redis-server did not start on ${this.port}:\n${output}`));
      }, 10_000);
      const seen = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', seen);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  }

  /** Stops it as a crash would (SIGKILL): connections are cut, its data is gone. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child);
    await exited;
  }

  /** Starts it again on the same port, empty (stopping it first if it runs). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}
