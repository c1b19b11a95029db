import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../server/app.js';
import { defineConfig } from '../../server/config.js';
import type { Feed } from '../../feeds/tick.js';
import type { ClusterConfig } from '../../server/cluster/config.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly port: number;
  readonly url: string;
  readonly http: string;
  close(): Promise<void>;
}

/** One line of a server's log as pino writes it: the fields tests read. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly key?: string;
  readonly symbol?: string;
  readonly venue?: string;
  readonly field?: string;
  readonly code?: string;
  readonly file?: string;
  readonly line?: number;
  readonly err?: { readonly code?: string; readonly message?: string; readonly stack?: string };
}

/** A `logger` for startServer that keeps the server's warnings and errors (and more, from a lower `level`), parsed, in `lines`. */
export function capturedLog(level: 'warn' | 'info' = 'warn'): { lines: LogLine[]; logger: AppOptions['logger'] } {
  const lines: LogLine[] = [];
  return { lines, logger: { level, stream: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } } };
}

/** A real server on a free loopback port, built exactly as the CLI builds it (`cluster`: an ingest or a gateway). */
export async function startServer(
  options: { feed?: Feed; config?: Parameters<typeof defineConfig>[0]; port?: number; cluster?: ClusterConfig; logger?: AppOptions['logger'] } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? (process.env['DEBUG_LOGS'] ? { level: 'debug' } : false);
  const app = await buildApp({ config: defineConfig({ ...options.config }), feed: options.feed, logger, cluster: options.cluster });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return {
    app,
    port: address.port,
    url: `ws://127.0.0.1:${address.port}/ws`,
    http: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { freePort } from './free-port.js';
