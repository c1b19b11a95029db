/**
 * The nginx configuration in docs/operations.md, run for real: nginx terminates TLS with a self-signed
 * certificate and forwards to a real tickertape; a wss:// client subscribes through it, and the Origin
 * check and the per-address limit work across it. Needs Debian's nginx and openssl
 * (.ci/run installs them); without them the test is skipped and says so.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { decodeBinary, encodeBinary } from '../../client/protocol/codec.js';
import type { ServerMessage } from '../../client/protocol/messages.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const NGINX = '/usr/sbin/nginx';
const available = existsSync(NGINX) && existsSync('/usr/bin/openssl');
if (!available) console.warn('test/ops/nginx.test.ts skipped: install nginx and openssl (apt-get install -y nginx openssl)');

/** The documented configuration, verbatim from docs/operations.md. */
function documentedConfig(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');
  const match = /<!-- nginx-config:start -->\s*```nginx\n([\s\S]*?)```\s*<!-- nginx-config:end -->/.exec(doc);
  if (match === null) throw new Error('docs/operations.md has no nginx-config block');
  return match[1]!;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!available)('behind nginx with TLS (the configuration in docs/operations.md)', () => {
  let dir: string;
  let nginx: ChildProcess;
  let server: RunningServer;
  let feed: ManualFeed;
  let tlsPort: number;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickertape-nginx-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem')], { stdio: 'ignore' });
    ca = readFileSync(join(dir, 'fullchain.pem'));
    feed = new ManualFeed([instrument('AAPL')]);
    server = await startServer({ feed, config: { flushIntervalMs: 10, access: { trustProxy: '127.0.0.1' }, limits: { maxConnectionsPerIp: 2 } } });
    tlsPort = await freePort();
    const site = documentedConfig()
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${server.port};`)
      .replace('listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`)
      .replaceAll('/etc/ssl/tickertape/', `${dir}/`);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;\nmaster_process off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 256; }\n` +
        `http {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n` +
        `  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n${site}\n}\n`,
    );
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await handshakeOk())) {
      if (Date.now() > deadline) throw new Error(`nginx did not come up:\n${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function open(headers: Record<string, string> = {}, origin?: string): WebSocket {
    return new WebSocket(`wss://localhost:${tlsPort}/ws`, ['msgpack'], { ca, headers, origin });
  }

  async function handshakeOk(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = open();
      socket.once('open', () => {
        socket.terminate();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
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
