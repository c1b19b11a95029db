/**
 * The child side of a server under test: waits for its spec, starts the server, says on which port, answers
 * counter readings, and exits when told to (or when the parent goes away).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FromServer, ServerCounters, ServerSpec, ToServer } from './ipc.js';

export interface ServerUnderTest {
  readonly port: number;
  readonly symbols: readonly string[];
  /** Starts the feed. */
  go(): void;
  counters(): Omit<ServerCounters, 'loopDelayP99Ms'>;
  close(): Promise<void>;
}

export function runServerProcess(start: (spec: ServerSpec) => Promise<ServerUnderTest>): void {
  if (process.send === undefined) {
    process.stderr.write('this program is started by the benchmark (npm run bench), not by hand\n');
    process.exit(2);
  }
  const send = (message: FromServer): void => {
    process.send?.(message);
  };
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let server: ServerUnderTest | undefined;
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  const profiler = new Session();

  process.on('message', (message: ToServer) => {
    switch (message.type) {
      case 'start':
        void start(message.spec).then(
          (started) => {
            server = started;
            send({ type: 'ready', port: started.port, symbols: started.symbols });
          },
          (error: unknown) => {
            process.stderr.write(`server failed to start: ${String(error)}\n`);
            process.exit(1);
          },
        );
        return;
      case 'counters': {
        if (message.gc === true) collectGarbage?.();
        if (server === undefined) return;
        const loopDelayP99Ms = loopDelay.percentile(99) / 1e6;
        loopDelay.reset();
        send({ type: 'counters', counters: { ...server.counters(), loopDelayP99Ms } });
        return;
      }
      case 'profile-start':
        profiler.connect();
        void profiler.post('Profiler.enable').then(() => profiler.post('Profiler.start'));
        return;
      case 'profile-stop':
        void profiler
          .post('Profiler.stop')
          .then(({ profile }) => writeFile(message.file, JSON.stringify(profile)))
          .then(() => {
            profiler.disconnect();
            send({ type: 'profiled', file: message.file });
          });
        return;
      case 'go':
        server?.go();
        return;
      case 'stop':
        void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
        return;
    }
  });
  // Never outlive the benchmark.
  process.on('disconnect', () => process.exit(0));
}
