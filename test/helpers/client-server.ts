import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { TickerClient, type ClientOptions } from '../../client/client.js';
import type { Feed } from '../../feeds/tick.js';
import { startServer, type RunningServer } from './server.js';

type ServerConfig = NonNullable<NonNullable<Parameters<typeof startServer>[0]>['config']>;

export interface ClientAndServer {
  readonly server: RunningServer;
  readonly client: TickerClient;
}

/**
 * For a describe block: start() builds a real server on port 0 and a TickerClient (on `ws`) pointed at it,
 * not yet connected; both are closed after each test.
 */
export function useClientAndServer(): (feed: Feed, config?: ServerConfig, options?: Partial<ClientOptions>) => Promise<ClientAndServer> {
  let running: ClientAndServer | undefined;
  afterEach(async () => {
    running?.client.close();
    await running?.server.close();
    running = undefined;
  });
  return async (feed, config: ServerConfig = { flushIntervalMs: 20 }, options = {}) => {
    const server = await startServer({ feed, config });
    const client = new TickerClient({ url: server.url, WebSocket, ...options });
    running = { server, client };
    return running;
  };
}
