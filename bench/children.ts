/** Starting and stopping the benchmark's child processes (servers under test, load generators). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long a child may take to exit once asked before it is killed. */
const STOP_GRACE_MS = 5_000;

export interface Child<In, Out> {
  readonly process: ChildProcess;
  readonly pid: number;
  send(message: In): void;
  /** The next message of `type` (rejects if the child exits first or `timeoutMs` passes). */
  next<T extends Out & { type: string }>(type: T['type'], timeoutMs: number): Promise<T>;
  on(listener: (message: Out) => void): void;
  /** Asks it to stop with `stopMessage`, then kills it if it has not exited within the grace period. */
  stop(stopMessage: In): Promise<void>;
}

/** Node's arguments to run `file`: tsx's loader for a TypeScript source, none for compiled JavaScript. */
export function loaderFor(file: string): string[] {
  return file.endsWith('.ts') ? ['--import', 'tsx'] : [];
}

/**
 * The program at `relative` (no extension) from `base` (the caller's import.meta.url): its .ts source when
 * the caller runs from source, its compiled .js beside it when the caller runs compiled.
 */
export function programAt(relative: string, base: string): string {
  return fileURLToPath(new URL(`${relative}${base.endsWith('.ts') ? '.ts' : '.js'}`, base));
}

/**
 * Starts a program of this folder with an IPC channel. The benchmark runs compiled (npm run bench compiles
 * it with tsc first), as `npm start` runs the server: tsx's on-the-fly output ran the hub about three
 * times slower.
 */
export function startChild<In, Out extends { type: string }>(relativePath: string, nodeArgs: readonly string[] = []): Child<In, Out> {
  const file = fileURLToPath(new URL(relativePath, import.meta.url));
  const child = fork(file, [], {
    execArgv: [...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listeners = new Set<(message: Out) => void>();
  child.on('message', (message: Out) => {
    for (const listener of listeners) listener(message);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error(`could not start ${relativePath}`);
  return {
    process: child,
    pid: child.pid,
    send(message) {
      if (child.connected) child.send(message as object);
    },
    on(listener) {
      listeners.add(listener);
    },
    next<T extends Out & { type: string }>(type: T['type'], timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(listener);
          child.off('exit', onExit);
        };
        const listener = (message: Out): void => {
          if (message.type !== type) return;
          done();
          resolve(message as unknown as T);
        };
        const onExit = (code: number | null): void => {
          done();
          reject(new Error(`${relativePath} exited (code ${code}) before sending "${type}"`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${relativePath} sent no "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(listener);
        child.once('exit', onExit);
      });
    },
    async stop(stopMessage) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      this.send(stopMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
