/**
 * The client for Node: everything client/index.ts exports, with the `ws` package's WebSocket as the
 * default, since Node 20 has no global one. `tickertape/client` resolves here under Node (package.json
 * `exports`, condition `node`) and to client/index.ts elsewhere.
 */
import WebSocket from 'ws';
import { TickerClient as BaseClient, type ClientOptions } from './client.js';

export * from './index.js';

/** A TickerClient that uses the `ws` package unless `options.WebSocket` says otherwise. */
export class TickerClient extends BaseClient {
  constructor(options: ClientOptions) {
    super({ WebSocket, ...options });
  }
}

/** Creates a client (on the `ws` package unless told otherwise) and starts connecting. */
export function connect(options: ClientOptions): TickerClient {
  const client = new TickerClient(options);
  client.connect();
  return client;
}
