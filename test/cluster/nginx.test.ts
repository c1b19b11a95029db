/**
 * The three-gateway nginx configuration in docs/deploy.md, run for real: nginx terminates TLS in front of
 * three gateways on one Redis. One gateway is stopped and one has not loaded a market (it answers
 * handshakes with 503); every client still gets in, on the one that can serve it. Needs Debian's nginx and
 * openssl; without them the test is skipped and says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeBinary, encodeBinary } from '../../client/protocol/codec.js';
import type { ServerMessage } from '../../client/protocol/messages.js';
import { manualMarketFeed, readyz, startGateway, startIngest, until, untilReady } from '../helpers/cluster.js';
import { Nginx, documentedNginxConfig, nginxMissing, selfSignedCertificate } from '../helpers/nginx.js';
import { killOwned } from '../helpers/owned-processes.js';
import { RedisServer, redisServerMissing } from '../helpers/redis-server.js';
import { freePort, type RunningServer } from '../helpers/server.js';

const missing = nginxMissing() ?? redisServerMissing();
if (missing !== undefined) console.warn(`test/cluster/nginx.test.ts skipped: ${missing}`);

const CONNECTIONS = 6;

describe.skipIf(missing !== undefined)('three gateways behind nginx (the configuration in docs/deploy.md)', () => {
  let dir: string;
  let redis: RedisServer;
  const servers: RunningServer[] = [];
  let serving: RunningServer;
  let loading: RunningServer;
  let tlsPort: number;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickertape-deploy-nginx-'));
    ca = selfSignedCertificate(dir);
    redis = await RedisServer.start();
    const feed = manualMarketFeed();
    const ingest = await startIngest(redis.url, 'lb:', feed);
    servers.push(ingest);
    const behindProxy = { access: { trustProxy: '127.0.0.1' } };
    serving = await startGateway(redis.url, 'lb:', behindProxy);
    const stopped = await startGateway(redis.url, 'lb:', behindProxy);
    // Following a prefix no ingest publishes to: it never loads a market, so it refuses handshakes (503).
    loading = await startGateway(redis.url, 'nothing-here:', behindProxy);
    servers.push(serving, loading);
    await untilReady(serving);
    feed.push({ symbol: 'AAPL', ts: Date.UTC(2024, 5, 3, 14, 30), price: 190.5, size: 1 });

    tlsPort = await freePort();
    const site = documentedNginxConfig('docs/deploy.md', 'deploy-nginx')
      .replace('server 127.0.0.1:8081 ', `server 127.0.0.1:${serving.port} `)
      .replace('server 127.0.0.1:8082 ', `server 127.0.0.1:${stopped.port} `)
      .replace('server 127.0.0.1:8083 ', `server 127.0.0.1:${loading.port} `)
      .replace('listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`)
      .replaceAll('/etc/ssl/tickertape/', `${dir}/`);
    await Nginx.start(dir, site, tlsPort);
    await stopped.close();
  });

  afterAll(async () => {
    for (const server of servers.reverse()) await server.close();
    await killOwned();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens /ws through nginx and resolves with the AAPL snapshot it is sent, or the handshake's failing status. */
  function snapshotThroughNginx(): Promise<{ socket: WebSocket; price: number | undefined } | { status: number }> {
    return new Promise((resolve) => {
      const socket = new WebSocket(`wss://localhost:${tlsPort}/ws`, ['msgpack'], { ca });
      socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
      socket.once('error', () => resolve({ status: 0 }));
      socket.once('open', () => socket.send(encodeBinary({ type: 'subscribe', symbols: ['AAPL'] })));
      socket.on('message', (data: Buffer) => {
        const message = decodeBinary(data) as ServerMessage;
        if (message.type === 'snapshot') resolve({ socket, price: message.data.p });
      });
    });
  }

  test('every client gets in and is served, though one gateway is down and one is not ready', async () => {
    expect((await readyz(loading)).status).toBe(503);
    await until(() => (serving.app.market.get('AAPL')?.last === 190.5 ? true : undefined), 'the gateway to have the trade');
    const results = [];
    for (let i = 0; i < CONNECTIONS; i++) results.push(await snapshotThroughNginx());
    expect(results.map((result) => ('price' in result ? result.price : result.status))).toEqual(Array(CONNECTIONS).fill(190.5));
    expect(serving.app.hub.connections).toBe(CONNECTIONS);
    for (const result of results) if ('socket' in result) result.socket.terminate();
  });
});
