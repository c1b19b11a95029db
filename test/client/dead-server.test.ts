import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { TickerClient } from '../../client/client.js';
import type { ClientError } from '../../client/errors.js';
import { finished, lineMatching, tickertape } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

describe('a server process that stops answering', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  test('SIGSTOP: the open connection is found dead by the heartbeat; after SIGCONT the client is back', async () => {
    const server = tickertape(['serve', '--port', '0', '--host', '127.0.0.1', '--rate', '200', '--warmup-s', '5']);
    const exited = finished(server, 60_000);
    cleanup.push(async () => {
      server.kill('SIGCONT');
      server.kill('SIGTERM');
      await exited;
    });
    const [, port] = await lineMatching(server, /dashboard on http:\/\/localhost:(\d+)\//);
    const heartbeatMs = 300;
    const client = new TickerClient({
      url: `ws://127.0.0.1:${port}/ws`,
      WebSocket,
      heartbeatMs,
      connectTimeoutMs: 1_000,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    });
    cleanup.push(() => client.close());
    const errors: ClientError[] = [];
    client.on('error', (error) => errors.push(error as ClientError));
    const recovered: string[] = [];
    client.on('recovered', (recovery) => recovered.push(recovery.reason));
    client.connect();
    await client.subscribe(['AAPL', 'BTC-USD']);
    await waitFor(() => client.view('AAPL') !== undefined, 'a snapshot');

    server.kill('SIGSTOP');
    await waitFor(() => errors.some((error) => error.code === 'HEARTBEAT_TIMEOUT'), 'the heartbeat to give up', 5_000);
    expect(client.state).toBe('connecting');
    server.kill('SIGCONT');
    await waitFor(() => recovered.length === 1, 'the client to be back and recovered', 10_000);
    expect(client.subscriptionState('AAPL')).toBe('subscribed');
    expect(recovered).toEqual(['reconnect']);
  });
});
