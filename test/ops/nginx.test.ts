/**
 * The nginx configuration in docs/operations.md, run for real: nginx terminates TLS with a self-signed
 * certificate and forwards to a real tickertape; a wss:// client subscribes through it, and the Origin
 * check and the per-address limit work across it. Needs Debian's nginx and openssl
 * (.ci/run installs them); without them the test is skipped and says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { decodeBinary, encodeBinary } from '../../client/protocol/codec.js';
import type { ServerMessage } from '../../client/protocol/messages.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { Nginx, documentedNginxConfig, nginxMissing, selfSignedCertificate } from '../helpers/nginx.js';
import { freePort, startServer, type RunningServer } from '../helpers/server.js';

const missing = nginxMissing();
const available = missing === undefined;
if (!available) console.warn(`test/ops/nginx.test.ts skipped: ${missing}`);

describe.skipIf(!available)('behind nginx with TLS (the configuration in docs/operations.md)', () => {
  let dir: string;
  let nginx: Nginx | undefined;
  let server: RunningServer;
  let feed: ManualFeed;
  let tlsPort: number;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickertape-nginx-'));
    ca = selfSignedCertificate(dir);
    feed = new ManualFeed([instrument('AAPL')]);
    server = await startServer({ feed, config: { flushIntervalMs: 10, access: { trustProxy: '127.0.0.1' }, limits: { maxConnectionsPerIp: 2 } } });
    tlsPort = await freePort();
    const site = documentedNginxConfig('docs/operations.md', 'nginx-config')
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${server.port};`)
      .replace('listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`)
      .replaceAll('/etc/ssl/tickertape/', `${dir}/`);
    nginx = await Nginx.start(dir, site, tlsPort);
  });

  afterAll(async () => {
    nginx?.stop();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function open(headers: Record<string, string> = {}, origin?: string): WebSocket {
    return new WebSocket(`wss://localhost:${tlsPort}/ws`, ['msgpack'], { ca, headers, origin });
  }

  function status(socket: WebSocket): Promise<number> {
    return new Promise((resolve) => {
      socket.once('open', () => resolve(101));
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('error', () => resolve(0));
    });
  }

  test('a wss:// client subscribes and gets updates through nginx', async () => {
    const socket = open();
    const messages: ServerMessage[] = [];
    socket.on('message', (data: Buffer) => messages.push(decodeBinary(data) as ServerMessage));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(encodeBinary({ type: 'subscribe', id: 1, symbols: ['AAPL'], snapshot: false }));
    const deadline = Date.now() + 5_000;
    while (!messages.some((m) => m.type === 'subscribed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    feed.push({ symbol: 'AAPL', ts: Date.UTC(2024, 5, 3, 14, 30), price: 190.5, size: 1 });
    while (!messages.some((m) => m.type === 'update') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const update = messages.find((m) => m.type === 'update');
    expect(update?.type === 'update' && update.updates[0]?.p).toBe(190.5);
    socket.terminate();
  });

  test('the Origin check holds across the proxy: the page\'s own origin in, another out', async () => {
    expect(await status(open({}, `https://localhost:${tlsPort}`))).toBe(101);
    expect(await status(open({}, 'https://evil.example'))).toBe(403);
  });

  test('the per-address limit counts the client nginx saw, and a forged X-Forwarded-For does not help', async () => {
    // Loopback has all of 127/8: clients from 127.0.0.2 and .3, nginx at 127.0.0.1 (the trusted proxy).
    const from = (localAddress: string, forged: string): WebSocket =>
      new WebSocket(`wss://localhost:${tlsPort}/ws`, ['msgpack'], { ca, localAddress, headers: { 'X-Forwarded-For': forged } });
    const first = from('127.0.0.2', '198.51.100.1');
    const second = from('127.0.0.2', '198.51.100.2');
    expect(await Promise.all([status(first), status(second)])).toEqual([101, 101]);
    expect(await status(from('127.0.0.2', '198.51.100.3'))).toBe(429);
    const other = from('127.0.0.3', '198.51.100.1');
    expect(await status(other)).toBe(101);
    for (const socket of [first, second, other]) socket.terminate();
  });
});
