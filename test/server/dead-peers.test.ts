import type { IncomingMessage } from 'node:http';
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

describe('what an open connection keeps', () => {
  test('not its HTTP upgrade: the request and everything hanging off it are collected while the connection is served', async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    server = await startServer({ feed, config: { flushIntervalMs: 20 } });
    const upgrades: WeakRef<IncomingMessage>[] = [];
    server.app.websocketServer.on('connection', (_socket: WebSocket, request: IncomingMessage) => upgrades.push(new WeakRef(request)));
    const clients = await Promise.all(Array.from({ length: 10 }, () => WsClient.open(server!.url)));
    for (const client of clients) client.send({ type: 'subscribe', symbols: ['AAPL'] });
    await Promise.all(clients.map((client) => client.next('subscribed')));
    expect(upgrades).toHaveLength(10);

    await heapAfterGc();
    // Held, each would cost about 2 KB for the connection's life (docs/benchmarks.md, idle).
    expect(upgrades.filter((upgrade) => upgrade.deref() !== undefined)).toHaveLength(0);
    // And the connections are served as before: updates out, requests in, errors still counted.
    feed.push({ symbol: 'AAPL', ts: Date.now(), price: 190, size: 1 });
    await Promise.all(clients.map((client) => client.next('update')));
    clients[0]!.send({ type: 'list' });
    await clients[0]!.next('list');
    clients[1]!.sendRaw(Buffer.alloc(64 * 1024));
    expect((await clients[1]!.closedWith()).code).toBe(1009);
    expect(await (await fetch(`${server.http}/metrics`)).text()).toMatch(/^tickertape_rejected_inputs_total\{reason="frame_too_big"\} 1$/m);
    for (const client of clients) client.close();
  });
});
