import type { FastifyInstance } from 'fastify';
import type { Feed } from '../feeds/tick.js';
import { createFeed } from '../feeds/index.js';
import { recordingFeed } from '../feeds/recording/record-feed.js';
import { RecorderError, TickRecorder } from '../feeds/recording/recorder.js';
import { buildApp, type AppOptions } from '../server/app.js';
import { ConfigError, USAGE, parseServeArgs, type Config } from '../server/config.js';

/** How long shutdown may take beyond draining connections before the process exits anyway. */
const SHUTDOWN_MARGIN_MS = 5_000;

/** `tickertape serve`: resolves when the server has shut down; the number is the exit code. */
export async function serve(args: string[], defaultWebRoot: string): Promise<number> {
  let parsed;
  try {
    parsed = parseServeArgs(args, process.env, defaultWebRoot);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tickertape: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { config, record } = parsed;
  let feed = await createFeed(config.feed);
  let recorder: TickRecorder | undefined;
  if (record !== undefined) {
    try {
      recorder = await TickRecorder.open({ file: record.file, rotateBytes: record.rotateBytes, gzipLevel: record.gzipLevel });
    } catch (error) {
      if (!(error instanceof RecorderError)) throw error;
      process.stderr.write(`tickertape: ${error.message}\n`);
      return 2;
    }
    feed = recordingFeed(feed, recorder);
  }
  const code = await runServer(config, feed);
  if (recorder === undefined) return code;
  // The feed closed the recorder as it stopped; a failure was logged when it happened (plugins/recording.ts).
  await recorder.close().catch(() => undefined);
  if (recorder.error !== undefined) process.stderr.write(`tickertape: ${recorder.error.message}\n`);
  process.stderr.write(`${recorder.summary()}\n`);
  // Served, but not recorded to the end: as `record` says a recording that started and then failed.
  return code === 0 && recorder.error !== undefined ? 1 : code;
}

export interface RunHooks {
  /**
   * Called once the server listens. A promise it returns shuts the server down when it settles, with that
   * exit code (as a signal does with 0).
   */
  readonly listening?: (app: FastifyInstance) => Promise<number> | undefined;
}

/** Builds the app on `feed`, listens, and serves until SIGINT or SIGTERM; resolves with the exit code. */
export async function runServer(config: Config, feed: Feed, hooks: RunHooks = {}, options: Pick<AppOptions, 'replayInputErrorsReported'> = {}): Promise<number> {
  const app = await buildApp({ ...options, config, feed });
  return serveApp(app, config, (port) => `dashboard on http://localhost:${port}/  (feed: ${app.feed.info.description})`, hooks);
}

/**
 * Listens, logs `banner(port)`, and serves until SIGINT or SIGTERM; resolves with the exit code. Every
 * command that runs a server shares it (serve, replay, and the cluster roles in cli/cluster.ts).
 */
export async function serveApp(app: FastifyInstance, config: Config, banner: (port: number) => string, hooks: RunHooks = {}): Promise<number> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `tickertape: port ${config.port} is already in use; choose another with --port or PORT\n`
        : `tickertape: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}\n`,
    );
    await app.close();
    return 1;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  app.log.info(banner(port));
  const finished = hooks.listening?.(app);

  // SIGTERM/SIGINT: stop accepting (new requests get 503), close every client with 1012 and give them
  // shutdownDrainMs to go, then exit 0. A second signal, or a shutdown that hangs, exits at once with 1.
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals | 'done', exitCode: number): void => {
      if (stopping) {
        if (signal === 'done') return;
        app.log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        app.log.error('shutdown did not finish in time: exiting');
        process.exit(1);
      }, config.limits.shutdownDrainMs + SHUTDOWN_MARGIN_MS);
      force.unref();
      app.close().then(
        () => {
          clearTimeout(force);
          resolve(exitCode);
        },
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', (signal) => shutdown(signal, 0));
    process.on('SIGTERM', (signal) => shutdown(signal, 0));
    finished?.then(
      (exitCode) => shutdown('done', exitCode),
      () => shutdown('done', 1),
    );
  });
}
