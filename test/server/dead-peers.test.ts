import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { activeResources, heapAfterGc } from '../helpers/gc.js';
import { RawWebSocket } from '../helpers/raw-socket.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('heartbeats', () => {
  const HEARTBEAT_MS = 100;

  test('a client that vanished without closing (it never answers pings) is terminated and forgotten', async () => {
    server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config: { limits: { heartbeatIntervalMs: HEARTBEAT_MS } } });
    const vanished = await RawWebSocket.open(server.port);
    await until(() => server!.app.hub.connections === 1, 'the connection to be accepted');
    await vanished.closedByServer(20 * HEARTBEAT_MS);
    await until(() => server!.app.hub.connections === 0, 'the hub to forget it');
    expect(server.app.websocketServer.clients.size).toBe(0);
    // It was pinged (opcode 0x9) before it was given up on.
    expect(vanished.received.includes(Buffer.from([0x89, 0x00]))).toBe(true);
    expect(await (await fetch(`${server.http}/metrics`)).text()).toMatch(/^tickertape_heartbeat_terminations_total 1$/m);
  });

  test('a client that answers pings stays connected however long it is quiet', async () => {
    server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config: { limits: { heartbeatIntervalMs: HEARTBEAT_MS } } });
    const client = await WsClient.open(server.url);
    let pings = 0;
    client.socket.on('ping', () => pings++);
    await sleep(8 * HEARTBEAT_MS);
    expect(pings).toBeGreaterThanOrEqual(4);
    expect(client.closed).toBeUndefined();
    expect(server.app.hub.connections).toBe(1);
    client.close();
  });
});

describe('connection churn', () => {
  test('10,000 connect/disconnect cycles, clean and abrupt, leave handles and heap where they started', async () => {
    server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config: { flushIntervalMs: 20 } });
    const url = server.url;
    /** One cycle: open, get the hello, then either close properly or vanish (TCP reset, no close frame). */
    const cycle = (abrupt: boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(url, ['msgpack']);
        socket.once('message', () => (abrupt ? socket.terminate() : socket.close()));
        socket.once('close', () => resolve());
        socket.once('error', reject);
      });
    const run = async (cycles: number): Promise<void> => {
      const CONCURRENT = 25;
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          while (next < cycles) await cycle(next++ % 2 === 0);
        }),
      );
      await until(() => server!.app.hub.connections === 0 && server!.app.websocketServer.clients.size === 0, 'every connection to be gone', 10_000);
    };

    await run(500); // warm up: JIT, pools, lazily created caches
    const resourcesBefore = activeResources();
    const heapBefore = await heapAfterGc();
    await run(10_000);
    await sleep(50);
    const heapAfter = await heapAfterGc();
    expect(activeResources()).toEqual(resourcesBefore);
    expect(server.app.hub.counters.connectionsOpened).toBe(10_500);
    expect(server.app.hub.counters.connectionsClosed).toBe(10_500);
    // A leak of even 1 KiB per connection would be 10 MB here.
    expect((heapAfter - heapBefore) / 1024 / 1024).toBeLessThan(4);
  }, 120_000);
});
