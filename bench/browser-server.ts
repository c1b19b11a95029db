/**
 * The browser scenario's server, in a process of its own: tickertape serving the built dashboard with the
 * busy load-test feed. The parent says which dashboard build to serve; this says where it listens and which
 * symbols trade, and exits when told to (or when the parent goes away).
 *
 * Its own process, as a server is never the browser's: the benchmark reads its CPU apart from Chromium's.
 */
import { busyFeed } from '../test/browser/busy-feed.js';
import { startServer } from '../test/browser/harness.js';

export type ToBrowserServer =
  | { readonly type: 'start'; readonly webRoot: string; readonly rows: number; readonly everyMs: number }
  | { readonly type: 'stop' };

export type FromBrowserServer = { readonly type: 'ready'; readonly origin: string; readonly symbols: readonly string[] };

function main(): void {
  if (process.send === undefined) {
    process.stderr.write('this program is started by the benchmark (npm run bench -- --scenario browser), not by hand\n');
    process.exit(2);
  }
  let close: (() => Promise<void>) | undefined;
  const stop = (): void => {
    void (close?.() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('message', (message: ToBrowserServer) => {
    if (message.type === 'stop') return stop();
    const feed = busyFeed(message.rows, message.everyMs);
    startServer(message.webRoot, { feed }).then(
      (server) => {
        close = () => server.app.close();
        const ready: FromBrowserServer = { type: 'ready', origin: server.origin, symbols: feed.instruments.map((instrument) => instrument.symbol) };
        process.send?.(ready);
      },
      (error: unknown) => {
        process.stderr.write(`the dashboard server failed to start: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}

main();
