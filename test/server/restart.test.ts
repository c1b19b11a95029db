import { afterEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import { TickerClient } from '../../client/client.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { rawExchange, upgradeRequest } from '../helpers/raw-socket.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const CLIENTS = 40;
let server: RunningServer | undefined;
const clients: TickerClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

test('a restart tells every client 1012 and they come back spread out in time, not in one herd', async () => {
  const feed = (): ManualFeed => new ManualFeed([instrument('AAPL')]);
  server = await startServer({ feed: feed() });
  const port = server.port;
  for (let i = 0; i < CLIENTS; i++) {
    const client = new TickerClient({ url: server.url, WebSocket, reconnect: { minDelayMs: 500, maxDelayMs: 5_000 } });
    clients.push(client);
    client.connect();
  }
  await Promise.all(clients.map((client) => client.ready()));
  const closeCodes: string[] = [];
  for (const client of clients) client.on('error', (error) => closeCodes.push(error.message));
  const back = clients.map(
    (client) =>
      new Promise<number>((resolve) => {
        client.on('state', ({ oldState, newState }) => {
          if (oldState === 'connecting' && newState === 'connected') resolve(performance.now());
        });
      }),
  );

  await server.close();
  const restarted = performance.now();
  server = await startServer({ feed: feed(), port });
  const times = (await Promise.all(back)).map((time) => time - restarted).sort((a, b) => a - b);

  expect(closeCodes.filter((message) => /\(1012 /.test(message))).toHaveLength(CLIENTS);
  expect(server.app.hub.connections).toBe(CLIENTS);
  // Full jitter: the first attempt waits a uniform random time in [0, 500 ms). All 40 within one 50 ms
  // window would happen by chance less than once in 10^30 runs.
  const WINDOW_MS = 50;
  const busiest = Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + WINDOW_MS).length));
  expect(busiest).toBeLessThanOrEqual(CLIENTS / 2);
  expect(times.at(-1)! - times[0]!).toBeGreaterThan(150);
});

test('a handshake that arrives once the closing server has stopped routing upgrades gets 503 and its socket closed, and close() does not wait on it', async () => {
  server = await startServer({ feed: new ManualFeed([instrument('AAPL')]) });
  // What @fastify/websocket's preClose does as the server closes: a handshake already on its way then meets
  // only routes/ws.ts's listener. It was left open, and close() waited for it for ever (a CI run's hung afterEach).
  const [routing, ...rest] = server.app.server.listeners('upgrade');
  expect(rest).toHaveLength(1);
  server.app.server.removeListener('upgrade', routing as (...args: unknown[]) => void);
  const late = await rawExchange(server.port, upgradeRequest(), 3_000);
  expect([late.status, late.closedByServer]).toEqual([503, true]);
  expect(late.text).toMatch(/^connection: close\r$/im);
  const closing = server.close();
  server = undefined;
  await closing;
});
