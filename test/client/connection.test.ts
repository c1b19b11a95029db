import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { TickerClient, type ConnectionState } from '../../client/client.js';
import { ClientError, RequestFailed } from '../../client/errors.js';
import { CLOSE_CODES, PROTOCOL_VERSION } from '../../client/protocol/messages.js';
import { FakeServer, greeting } from '../helpers/fake-server.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { sleep, startServer, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST_RECONNECT = { minDelayMs: 10, maxDelayMs: 50 };

describe('the connection', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  function track(client: TickerClient): { states: ConnectionState[]; errors: Error[] } {
    const states: ConnectionState[] = [];
    const errors: Error[] = [];
    client.on('state', ({ newState }) => states.push(newState));
    client.on('error', (error) => {
      if (error instanceof Error) errors.push(error);
    });
    cleanup.push(() => client.close());
    return { states, errors };
  }

  test('negotiates the protocol version in hello before it counts as connected', async () => {
    const server = await startServer({ feed: new ManualFeed([instrument('AAPL')]) });
    cleanup.push(() => server.close());
    const client = new TickerClient({ url: server.url, WebSocket, name: 'connection-test/1' });
    track(client);
    client.connect();
    await client.ready();
    expect(client.hello).toMatchObject({ protocol: PROTOCOL_VERSION, id: expect.anything() });
  });

  test('a server speaking no version this client speaks: the client stops, says why, and does not retry', async () => {
    const fake = await FakeServer.start({
      onConnection: (socket) => FakeServer.send(socket, greeting({ protocol: 2, protocols: [2] })),
      onMessage: (message, socket) => {
        if (message.type !== 'hello') return;
        FakeServer.send(socket, { type: 'error', id: message.id, code: 'UNSUPPORTED_PROTOCOL', message: 'this server speaks protocol 2' });
        socket.close(CLOSE_CODES.unsupportedProtocol, 'no common protocol version');
      },
    });
    cleanup.push(() => fake.close());
    const client = new TickerClient({ url: fake.url, WebSocket, reconnect: FAST_RECONNECT });
    const { states, errors } = track(client);
    client.connect();
    await expect(client.ready()).rejects.toMatchObject({ code: 'UNSUPPORTED_PROTOCOL' });
    await sleep(300);
    expect(states).toEqual(['connecting', 'disconnected']);
    expect(client.closeReason).toBeInstanceOf(ClientError);
    expect(client.closeReason!.message).toMatch(/speaks protocol 2/);
    expect(errors.map((error) => (error as ClientError).code)).toEqual(['UNSUPPORTED_PROTOCOL']);
    expect(fake.connections).toHaveLength(1);
    expect(fake.received[0]).toMatchObject({ type: 'hello', protocols: [PROTOCOL_VERSION] });
  });

  test('a name longer than the server takes is refused when the client is made, not by every connection', () => {
    expect(() => new TickerClient({ url: 'ws://127.0.0.1:1/ws', WebSocket, name: 'x'.repeat(64) })).not.toThrow();
    expect(() => new TickerClient({ url: 'ws://127.0.0.1:1/ws', WebSocket, name: 'my-bot/' + 'x'.repeat(60) })).toThrow(/name must be at most 64 characters \(it has 67\)/);
  });

  test('a hello the server refuses stops the client with the server’s code and message, not a connect timeout', async () => {
    const fake = await FakeServer.start({
      onConnection: (socket) => FakeServer.send(socket, greeting()),
      onMessage: (message, socket) => {
        if (message.type === 'hello') FakeServer.send(socket, { type: 'error', id: message.id, code: 'BAD_FIELD', message: '"client" must be a string of at most 64 characters' });
      },
    });
    cleanup.push(() => fake.close());
    const client = new TickerClient({ url: fake.url, WebSocket, reconnect: FAST_RECONNECT, connectTimeoutMs: 5_000 });
    const { states, errors } = track(client);
    client.connect();
    const started = Date.now();
    const failure = await client.ready().then(() => undefined, (error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failure).toBeInstanceOf(RequestFailed);
    expect((failure as RequestFailed).answer.code).toBe('BAD_FIELD');
    expect(client.closeReason).toBe(failure);
    await sleep(200);
    expect(states).toEqual(['connecting', 'disconnected']);
    expect(errors).toEqual([failure]);
    expect(fake.connections).toHaveLength(1);
  });

  test('a hello answered with INTERNAL is tried again on a new connection', async () => {
    const fake = await FakeServer.start({
      onMessage: (message, socket, server) => {
        if (message.type !== 'hello') return;
        if (server.connections.length === 1) FakeServer.send(socket, { type: 'error', id: message.id, code: 'INTERNAL', message: 'try again' });
        else FakeServer.send(socket, greeting({ id: message.id }));
      },
    });
    cleanup.push(() => fake.close());
    const client = new TickerClient({ url: fake.url, WebSocket, reconnect: FAST_RECONNECT });
    const { errors } = track(client);
    client.connect();
    await client.ready();
    expect(fake.connections).toHaveLength(2);
    expect(errors.map((error) => error.message)).toEqual(['INTERNAL: try again']);
  });

  test('a server that predates negotiation (hello unknown to it) is spoken to in its greeting’s version', async () => {
    const fake = await FakeServer.start({
      onConnection: (socket) => FakeServer.send(socket, greeting()),
      onMessage: (message, socket) => {
        if (message.type === 'hello') FakeServer.send(socket, { type: 'error', id: message.id, code: 'UNKNOWN_TYPE', message: 'unknown request type "hello"' });
        if (message.type === 'ping') FakeServer.send(socket, { type: 'pong', id: message.id, time: Date.now() });
      },
    });
    cleanup.push(() => fake.close());
    const client = new TickerClient({ url: fake.url, WebSocket });
    track(client);
    client.connect();
    await client.ready();
    expect(client.hello?.id).toBeUndefined();
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
  });

  test('fields and message types from a newer server are ignored', async () => {
    const fake = await FakeServer.start({
      onMessage: (message, socket) => {
        if (message.type === 'hello') FakeServer.send(socket, greeting({ id: message.id, region: 'eu', limits: { a: 1 } }));
        if (message.type === 'subscribe') {
          FakeServer.send(socket, { type: 'subscribed', id: message.id, symbols: message.symbols, rejected: [], extra: true });
          FakeServer.send(socket, { type: 'news', headline: 'something a v1 client has never heard of' });
          FakeServer.send(socket, { type: 'snapshot', symbol: 'AAPL', data: { s: 'AAPL', p: 190, z: 'new key' }, more: 1 });
          FakeServer.send(socket, { type: 'update', seq: 1, time: Date.now(), updates: [{ s: 'AAPL', p: 191, q: [1, 2] }], flags: 3 });
        }
      },
    });
    cleanup.push(() => fake.close());
    const client = new TickerClient({ url: fake.url, WebSocket });
    const { states, errors } = track(client);
    client.connect();
    await client.subscribe(['AAPL']);
    await waitFor(() => client.view('AAPL')?.last === 191, 'the update');
    expect(states).toEqual(['connecting', 'connected']);
    expect(errors).toEqual([]);
  });

  test('a server that greets and then goes silent is dropped within two heartbeats, and the client reconnects', async () => {
    const fake = await FakeServer.start({
      // Answers the first connection's hello, then nothing: not even pongs.
      onMessage: (message, socket, server) => {
        if (message.type === 'hello') FakeServer.send(socket, greeting({ id: message.id }));
        if (message.type === 'ping' && server.connections.indexOf(socket) > 0) FakeServer.send(socket, { type: 'pong', id: message.id, time: Date.now() });
      },
    });
    cleanup.push(() => fake.close());
    const heartbeatMs = 150;
    const client = new TickerClient({ url: fake.url, WebSocket, heartbeatMs, reconnect: FAST_RECONNECT });
    const { states, errors } = track(client);
    client.connect();
    await client.ready();
    const connectedAt = Date.now();
    await waitFor(() => errors.some((error) => (error as ClientError).code === 'HEARTBEAT_TIMEOUT'), 'the heartbeat timeout', 3_000, 2);
    // Not before the promised silence: a ping after one period, the verdict one period later (timers may
    // fire a millisecond or two early).
    expect(Date.now() - connectedAt).toBeGreaterThanOrEqual(2 * heartbeatMs - 10);
    expect(fake.received.some((message) => message.type === 'ping')).toBe(true);
    await waitFor(() => client.state === 'connected' && fake.connections.length === 2, 'the reconnection');
    // The second connection answers pings: it stays up through several heartbeat periods.
    await sleep(6 * heartbeatMs);
    expect(states).toEqual(['connecting', 'connected', 'connecting', 'connected']);
  });

  test('with reconnect: false, a silent server is told once (HEARTBEAT_TIMEOUT), and the client stops', async () => {
    const fake = await FakeServer.start({
      onMessage: (message, socket) => {
        if (message.type === 'hello') FakeServer.send(socket, greeting({ id: message.id }));
      },
    });
    cleanup.push(() => fake.close());
    const client = new TickerClient({ url: fake.url, WebSocket, heartbeatMs: 80, reconnect: false });
    const { states, errors } = track(client);
    client.connect();
    await client.ready();
    await waitFor(() => client.state === 'disconnected', 'the client to stop', 3_000);
    await sleep(100);
    expect(errors.map((error) => (error as ClientError).code)).toEqual(['HEARTBEAT_TIMEOUT']);
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
  });

  test('a lost connection is told after the state change, so `state` says whether the client reconnects', async () => {
    const server = await startServer({ feed: new ManualFeed([instrument('AAPL')]) });
    const client = new TickerClient({ url: server.url, WebSocket, reconnect: FAST_RECONNECT });
    const statesAtError: ConnectionState[] = [];
    client.on('error', () => statesAtError.push(client.state));
    track(client);
    client.connect();
    await client.ready();
    await server.close();
    await waitFor(() => statesAtError.length > 0, 'the error');
    expect(statesAtError[0]).toBe('connecting');
  });

  test('a quiet but live server is pinged, not dropped', async () => {
    const server = await startServer({ feed: new ManualFeed([instrument('AAPL')]) });
    cleanup.push(() => server.close());
    const client = new TickerClient({ url: server.url, WebSocket, heartbeatMs: 100 });
    const { states } = track(client);
    client.connect();
    await client.ready();
    const requestsBefore = server.app.hub.counters.requests;
    await sleep(1_000);
    expect(states).toEqual(['connecting', 'connected']);
    // About one ping per heartbeat period of silence.
    expect(server.app.hub.counters.requests - requestsBefore).toBeGreaterThanOrEqual(3);
  });

  test('a peer that accepts TCP but never completes the handshake is given up after connectTimeoutMs, then retried', async () => {
    const sockets: Socket[] = [];
    const tcp: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      tcp.close(() => resolve());
    }));
    const port = (tcp.address() as { port: number }).port;
    const client = new TickerClient({ url: `ws://127.0.0.1:${port}/ws`, WebSocket, connectTimeoutMs: 150, reconnect: FAST_RECONNECT });
    const { errors } = track(client);
    client.connect();
    await waitFor(() => sockets.length >= 2, 'a second attempt', 3_000);
    expect((errors[0] as ClientError).code).toBe('CONNECT_TIMEOUT');
    expect(client.state).toBe('connecting');
  });

  test('reconnects rotate through the urls given', async () => {
    const servers: RunningServer[] = [];
    for (let i = 0; i < 2; i++) servers.push(await startServer({ feed: new ManualFeed([instrument('AAPL')]) }));
    cleanup.push(async () => {
      for (const server of servers) await server.close();
    });
    const client = new TickerClient({ url: servers.map((server) => server.url), WebSocket, reconnect: FAST_RECONNECT });
    track(client);
    client.connect();
    await client.ready();
    expect(servers[0]!.app.hub.connections).toBe(1);
    await servers[0]!.close();
    await waitFor(() => client.state === 'connected' && servers[1]!.app.hub.connections === 1, 'the second server', 3_000);
  });
});

describe('a server with auth on', () => {
  const TOKEN = 'a-shared-secret-of-some-length';
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  test('the token goes with each connection attempt; a function is asked afresh each time', async () => {
    const server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config: { access: { authToken: TOKEN } } });
    cleanup.push(() => server.close());
    const asked: number[] = [];
    const client = new TickerClient({
      url: server.url,
      WebSocket,
      reconnect: FAST_RECONNECT,
      // Wrong the first time, right after.
      token: async () => (asked.push(Date.now()) === 1 ? 'not-the-token-at-all' : TOKEN),
    });
    cleanup.push(() => client.close());
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error as Error));
    client.connect();
    await client.ready();
    expect(asked).toHaveLength(2);
    expect(errors[0]!.message).toMatch(/401/);
    expect(await client.list()).toHaveLength(1);
  });

  test('without a token the handshake is refused (401) and the client keeps trying', async () => {
    const server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config: { access: { authToken: TOKEN } } });
    cleanup.push(() => server.close());
    const client = new TickerClient({ url: server.url, WebSocket, reconnect: FAST_RECONNECT });
    cleanup.push(() => client.close());
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error as Error));
    client.connect();
    await waitFor(() => errors.length >= 2, 'two refusals');
    expect(errors[0]!.message).toMatch(/Unexpected server response: 401/);
    expect(client.state).toBe('connecting');
  });
});
