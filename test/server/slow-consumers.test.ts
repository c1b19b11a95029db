/**
 * What happens to a client that stops reading (docs/operations.md#slow-and-dead-clients): held back, then
 * closed with 4000 once held back longer than --slow-client-timeout-ms, the close frame delivered if the
 * client reads up to it within the grace and the socket destroyed if not; counted once, as a slow consumer,
 * whatever the heartbeat's interval.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { CLOSE_CODES } from '../../client/protocol/messages.js';
import { MAX_LIMIT_MS, type Limits } from '../../server/config.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);
const MAX_BUFFERED = 16 * 1024;
const HEARTBEAT_MS = 100;
/** A heartbeat that never fires within a test: off. */
const NO_HEARTBEAT = MAX_LIMIT_MS;

let server: RunningServer | undefined;
const clients: WsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close();
  server = undefined;
});

async function serve(limits: Partial<Limits>): Promise<RunningServer> {
  const feed = new ManualFeed([instrument('AAPL')]);
  // 900 one-second bars: each history answer is tens of KB, so a few fill every buffer between the two.
  for (let s = 0; s < 900; s++) feed.push({ symbol: 'AAPL', ts: T0 + s * 1_000, price: 100 + (s % 50) / 10, size: 1 });
  server = await startServer({
    feed,
    config: { flushIntervalMs: 10, limits: { maxBufferedBytes: MAX_BUFFERED, inboundBurstMessages: 1_000, ...limits } },
  });
  return server;
}

async function open(url: string): Promise<WsClient> {
  const client = await WsClient.open(url);
  clients.push(client);
  // A server that cuts the connection off resets it: the client reports that as an error before 'close'.
  client.socket.on('error', () => {});
  await client.next('hello');
  client.send({ type: 'subscribe', id: 'sub', symbols: ['AAPL'] });
  await client.next('snapshot');
  return client;
}

/**
 * The client stops reading: its TCP socket is paused (nothing more is read from the kernel, whose buffers
 * fill, and TCP pushes back on the server), and it asks for answers far larger than those buffers.
 */
function stopReading(client: WsClient): void {
  client.socket.pause();
  for (let id = 0; id < 300; id++) client.send({ type: 'history', id, symbol: 'AAPL', interval: '1s', limit: 900 });
}

async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** The metrics a slow consumer's end touches, as /metrics reports them (absent: 0). */
async function endings(running: RunningServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${running.http}/metrics`)).text();
  const value = (series: string): number => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
  return {
    slowConsumerCloses: value('tickertape_slow_consumer_closes_total'),
    heartbeatTerminations: value('tickertape_heartbeat_terminations_total'),
    closed4000: value('tickertape_connections_closed_total{code="4000"}'),
    closed1006: value('tickertape_connections_closed_total{code="1006"}'),
    bufferedBytes: value('tickertape_buffered_bytes'),
  };
}

describe('a client that stops reading', () => {
  test('and reads again once the server has given up on it sees 4000, though the heartbeat is shorter than the slow-client timeout', async () => {
    const running = await serve({ slowClientTimeoutMs: 500, heartbeatIntervalMs: HEARTBEAT_MS });
    const client = await open(running.url);
    stopReading(client);
    await until(() => running.app.hub.counters.paused === 1, 'the client to be held back');
    // Held back for 500 ms, five heartbeat intervals: pings queued behind the unread bytes get no pong, and
    // must not cut the client off before the server decides it is a slow consumer.
    await until(() => running.app.hub.counters.slowClosed === 1 || running.app.hub.connections === 0, 'the server to give up on it', 3_000);
    expect(running.app.hub.counters.slowClosed).toBe(1);
    client.socket.resume();
    expect(await client.closedWith()).toEqual({ code: CLOSE_CODES.slowConsumer, reason: 'slow consumer: reconnect and resubscribe' });
    await until(() => running.app.hub.connections === 0, 'the hub to forget it');
    expect(await endings(running)).toEqual({ slowConsumerCloses: 1, heartbeatTerminations: 0, closed4000: 1, closed1006: 0, bufferedBytes: 0 });
  });

  test.each([
    ['off', NO_HEARTBEAT],
    ['every 100 ms', HEARTBEAT_MS],
  ])('and never reads again is cut off within the grace after the 4000 it cannot take, counted once as a slow consumer (heartbeat %s)', async (_heartbeat, heartbeatIntervalMs) => {
    const running = await serve({ slowClientTimeoutMs: 300, slowConsumerCloseGraceMs: 300, heartbeatIntervalMs });
    const probe = await open(running.url);
    probe.send({ type: 'history', id: 'size', symbol: 'AAPL', interval: '1s', limit: 900 });
    const oneAnswer = JSON.stringify((await probe.next('history')).bars).length; // JSON is larger than MessagePack
    probe.close();
    await probe.closedWith();
    await until(() => running.app.hub.connections === 0, 'the probe to go');

    const client = await open(running.url);
    let most = 0;
    const sampler = setInterval(() => {
      for (const socket of running.app.websocketServer.clients) most = Math.max(most, socket.bufferedAmount);
    }, 2);
    try {
      stopReading(client);
      await until(() => running.app.hub.counters.slowClosed === 1 || running.app.hub.connections === 0, 'the server to give up on it', 3_000);
      const decided = Date.now();
      // Nothing of it is left: not the session, not the WebSocket, not the TCP socket with its unsent bytes.
      await until(() => running.app.hub.connections === 0 && running.app.websocketServer.clients.size === 0, 'the connection to be released', 3_000);
      expect(Date.now() - decided).toBeLessThan(300 + 1_000); // the grace, not ws's own 30 s close timeout
      const tcp = await new Promise<number>((resolve, reject) => running.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
      expect(tcp).toBe(0);
    } finally {
      clearInterval(sampler);
    }
    // All the while the server held at most its bound plus one answer for it.
    expect(most).toBeLessThanOrEqual(MAX_BUFFERED + oneAnswer);
    expect(await endings(running)).toEqual({ slowConsumerCloses: 1, heartbeatTerminations: 0, closed4000: 1, closed1006: 0, bufferedBytes: 0 });
    // The close frame never reached it: when it reads again it finds the connection cut off.
    client.socket.resume();
    expect((await client.closedWith()).code).toBe(1006);
  });

  test('and never reads again is closed in time however often the market is resynchronised (a replay rewinding, a gateway reloading)', async () => {
    const running = await serve({ slowClientTimeoutMs: 300, slowConsumerCloseGraceMs: 300, heartbeatIntervalMs: NO_HEARTBEAT });
    const client = await open(running.url);
    stopReading(client);
    await until(() => running.app.hub.counters.paused === 1, 'the client to be held back');
    const held = Date.now();
    // What a gateway does when it reloads the market; a replay's rewind does the same with its rebuilt one.
    const resyncs = setInterval(() => running.app.hub.resync(running.app.market.flush().gen), 50);
    try {
      await until(() => running.app.hub.connections === 0, 'the connection to be released', 3_000);
    } finally {
      clearInterval(resyncs);
    }
    expect(Date.now() - held).toBeLessThan(300 + 300 + 1_000);
    expect(await endings(running)).toEqual({ slowConsumerCloses: 1, heartbeatTerminations: 0, closed4000: 1, closed1006: 0, bufferedBytes: 0 });
  });
});
