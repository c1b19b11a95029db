import { buildApp } from '../server/app.js';
import { ConfigError, USAGE, parseServeArgs } from '../server/config.js';

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
  const { config } = parsed;
  const app = await buildApp({ config });
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
  app.log.info(`dashboard on http://localhost:${port}/  (feed: ${app.feed.info.description})`);

  // SIGTERM/SIGINT: stop accepting (new requests get 503), close every client with 1012 and give them
  // shutdownDrainMs to go, then exit 0. A second signal, or a shutdown that hangs, exits at once with 1.
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) {
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
          resolve(0);
        },
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}
