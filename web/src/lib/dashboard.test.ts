import WebSocket from 'ws';
import { expect, test } from 'vitest';
import type { WebSocketConstructor } from '../../../client/index.js';
import { Dashboard } from './dashboard.svelte.js';

const NodeWebSocket: WebSocketConstructor = WebSocket;

test('add() refuses a name that is no symbol name, with a message saying why; the next good one clears it', () => {
  // Never started: no connection is made.
  const dashboard = new Dashboard({ url: 'ws://127.0.0.1:9/ws', WebSocket: NodeWebSocket, storage: undefined });
  const before = dashboard.watchlist.symbols;
  expect(dashboard.add('X'.repeat(40))).toBe(false);
  expect(dashboard.watchlist.symbols).toEqual(before);
  expect(dashboard.addError).toMatch(/not a symbol name/);
  expect(dashboard.add('ADA-USD')).toBe(true);
  expect(dashboard.addError).toBeUndefined();
  dashboard.stop();
});
