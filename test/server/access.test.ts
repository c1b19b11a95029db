import { afterEach, describe, expect, test } from 'vitest';
import type WebSocket from 'ws';
import { signToken } from '../../server/security/auth.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { handshake, type Handshake } from '../helpers/handshake.js';
import { rawExchange, upgradeRequest } from '../helpers/raw-socket.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';

let server: RunningServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await server?.close();
  server = undefined;
});

async function serve(config: NonNullable<Parameters<typeof startServer>[0]>['config'] = {}): Promise<RunningServer> {
  server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config });
  return server;
}

function opened(result: Handshake): WebSocket {
  if (result.status !== 101 || !('socket' in result)) throw new Error(`expected the handshake to succeed, got ${result.status}`);
  sockets.push(result.socket);
  return result.socket;
}

function refused(result: Handshake): Exclude<Handshake, { status: 101 }> {
  if ('socket' in result) {
    sockets.push(result.socket);
    throw new Error('expected the handshake to be refused, but it opened');
  }
  return result;
}

describe('Origin (cross-site WebSocket hijacking)', () => {
  test('by default only pages from the server itself may connect; programs without Origin may', async () => {
    const { url, port } = await serve();
    opened(await handshake(url, { origin: `http://127.0.0.1:${port}` }));
    opened(await handshake(url));
    const evil = refused(await handshake(url, { origin: 'https://evil.example' }));
    expect(evil.status).toBe(403);
    expect(evil.body.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(refused(await handshake(url, { origin: 'null' })).status).toBe(403);
    expect(refused(await handshake(url, { origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
  });

  test('listed origins are allowed besides the own one; * allows any', async () => {
    const { url } = await serve({ access: { allowedOrigins: ['https://app.example.com'] } });
    opened(await handshake(url, { origin: 'https://app.example.com' }));
    expect(refused(await handshake(url, { origin: 'https://app.example.com.evil.example' })).status).toBe(403);
    await server!.close();
    const open = await serve({ access: { allowedOrigins: ['*'] } });
    opened(await handshake(open.url, { origin: 'https://anyone.example' }));
  });
});

describe('token auth', () => {
  const TOKEN = 'a-shared-secret-of-some-length';

  test('is off by default', async () => {
    const { url, http } = await serve();
    opened(await handshake(url));
    expect((await fetch(`${http}/api/symbols`)).status).toBe(200);
  });

  test('with a shared token, /ws and the API need it (header or query); probes and the dashboard do not', async () => {
    const { url, http } = await serve({ access: { authToken: TOKEN } });
    const missing = refused(await handshake(url));
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(missing.body).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/token is required/) });
    expect(refused(await handshake(`${url}?access_token=wrong-token-of-some-length`)).status).toBe(401);
    opened(await handshake(url, { headers: { Authorization: `Bearer ${TOKEN}` } }));
    opened(await handshake(`${url}?access_token=${TOKEN}`));

    expect((await fetch(`${http}/api/symbols`)).status).toBe(401);
    expect((await fetch(`${http}/api/symbols?limit=1`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    // The token parameter is the access layer's: the route's strict query schema never sees it.
    expect((await fetch(`${http}/api/symbols?limit=1&access_token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`${http}/metrics`)).status).toBe(401);
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    expect((await fetch(`${http}/readyz`)).status).toBe(200);
  });

  test('a 401 names invalid_token only when a token was presented and refused (RFC 6750 §3.1)', async () => {
    const { url, http } = await serve({ access: { authToken: TOKEN } });
    const bare = 'Bearer realm="tickertape"';
    const refusedToken = 'Bearer realm="tickertape", error="invalid_token"';
    // No authentication at all, another scheme, an empty parameter: the client may not know auth is on.
    expect(refused(await handshake(url)).headers['www-authenticate']).toBe(bare);
    expect(refused(await handshake(url, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } })).headers['www-authenticate']).toBe(bare);
    expect(refused(await handshake(`${url}?access_token=`)).headers['www-authenticate']).toBe(bare);
    expect((await fetch(`${http}/api/symbols`)).headers.get('www-authenticate')).toBe(bare);
    // A token presented and refused, in the header or the query.
    expect(refused(await handshake(url, { headers: { Authorization: 'Bearer wrong-token-of-some-length' } })).headers['www-authenticate']).toBe(refusedToken);
    expect(refused(await handshake(`${url}?access_token=wrong-token-of-some-length`)).headers['www-authenticate']).toBe(refusedToken);
    expect((await fetch(`${http}/metrics`, { headers: { Authorization: 'Bearer wrong-token-of-some-length' } })).headers.get('www-authenticate')).toBe(refusedToken);
  });

  test('signed tokens: valid until they expire; a wrong key, no expiry or alg none are refused', async () => {
    const secret = 'k'.repeat(32);
    const { url } = await serve({ access: { jwtSecret: secret } });
    const good = await signToken(secret, { ttlS: 60, subject: 'alice' });
    opened(await handshake(url, { headers: { Authorization: `Bearer ${good}` } }));
    const expired = await signToken(secret, { ttlS: 60, now: Date.now() - 120_000 });
    const late = refused(await handshake(`${url}?access_token=${expired}`));
    expect([late.status, late.body.message]).toEqual([401, 'the token has expired']);
    const forged = await signToken('f'.repeat(32), { ttlS: 60 });
    expect(refused(await handshake(`${url}?access_token=${forged}`)).status).toBe(401);
    const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    expect(refused(await handshake(`${url}?access_token=${unsigned}`)).status).toBe(401);
    const noExpiry = `${good.split('.')[0]}.${b64({ sub: 'alice' })}.${good.split('.')[2]}`;
    expect(refused(await handshake(`${url}?access_token=${noExpiry}`)).status).toBe(401);
  });
});

describe('connection limits, before the upgrade', () => {
  test('per address 429 and in all 503, each with Retry-After; a closed connection frees its slot', async () => {
    // Behind a trusted proxy, X-Forwarded-For names the client: three "addresses" from one test.
    const { url, app } = await serve({ access: { trustProxy: '127.0.0.1' }, limits: { maxConnectionsPerIp: 2, maxConnections: 5 } });
    const from = (ip: string): Promise<Handshake> => handshake(url, { headers: { 'X-Forwarded-For': ip } });
    const a1 = opened(await from('203.0.113.1'));
    opened(await from('203.0.113.1'));
    const tooMany = refused(await from('203.0.113.1'));
    expect([tooMany.status, tooMany.headers['retry-after'], tooMany.body.code]).toEqual([429, '10', 'TOO_MANY_CONNECTIONS']);
    opened(await from('203.0.113.2'));
    opened(await from('203.0.113.2'));
    opened(await from('203.0.113.3'));
    const full = refused(await from('203.0.113.3'));
    expect([full.status, full.headers['retry-after'], full.body.code]).toEqual([503, '5', 'SERVER_FULL']);

    a1.close();
    await new Promise((resolve) => a1.once('close', resolve));
    await sleep(20);
    opened(await from('203.0.113.1'));
    expect(app.hub.connections).toBe(5);
    const metrics = await (await fetch(`${server!.http}/metrics`)).text();
    expect(metrics).toMatch(/^tickertape_rejected_inputs_total\{reason="ip_connection_limit"\} 1$/m);
    expect(metrics).toMatch(/^tickertape_rejected_inputs_total\{reason="connection_limit"\} 1$/m);
  });

  test('refused and failed handshakes do not hold slots', async () => {
    const { url, port } = await serve({ access: { authToken: 'a-shared-secret-of-some-length' }, limits: { maxConnectionsPerIp: 2, maxConnections: 2 } });
    const auth = { Authorization: 'Bearer a-shared-secret-of-some-length' };
    for (let i = 0; i < 10; i++) expect(refused(await handshake(url)).status).toBe(401);
    // These pass our checks and take a slot, then ws refuses the upgrade itself: the slot must come back.
    for (let i = 0; i < 10; i++) expect((await rawExchange(port, upgradeRequest({ ...auth, 'Sec-WebSocket-Version': '12' }))).status).toBe(400);
    await sleep(20);
    for (let i = 0; i < 2; i++) opened(await handshake(url, { headers: auth }));
    expect(refused(await handshake(url, { headers: auth })).status).toBe(503);
  });
});
