import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator } from '../../feeds/simulator/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';

describe('HTTP', () => {
  let server: RunningServer;
  let web: string;
  beforeAll(async () => {
    web = mkdtempSync(join(tmpdir(), 'tickertape-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>tickertape</title>');
    server = await startServer({ feed: createSimulator({ seed: 1 }), config: { webRoot: web } });
  });
  afterAll(async () => {
    await server.close();
    rmSync(web, { recursive: true, force: true });
  });

  test('GET /api/symbols lists the instruments, filtered by q and limit', async () => {
    const all = (await (await fetch(`${server.http}/api/symbols`)).json()) as { symbols: { symbol: string; assetClass: string }[] };
    expect(all.symbols.length).toBeGreaterThanOrEqual(50);
    expect(new Set(all.symbols.map((s) => s.assetClass))).toEqual(new Set(['equity', 'crypto']));
    const btc = (await (await fetch(`${server.http}/api/symbols?q=bitcoin&limit=5`)).json()) as { symbols: { symbol: string }[] };
    expect(btc.symbols.map((s) => s.symbol)).toContain('BTC-USD');
  });

  test('bad query strings get 400 with a clear body', async () => {
    for (const query of ['limit=0', 'limit=abc', `q=${'x'.repeat(65)}`, 'unknown=1']) {
      const response = await fetch(`${server.http}/api/symbols?${query}`);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { message: string; code: string };
      expect(body.message, query).toMatch(/querystring/);
    }
  });

  test('GET /healthz answers ok; GET / serves the dashboard', async () => {
    expect(await (await fetch(`${server.http}/healthz`)).json()).toEqual({ status: 'ok' });
    const page = await fetch(`${server.http}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>tickertape</title>');
  });

  test('without a built dashboard, GET / says how to build it', async () => {
    const bare = await startServer({ feed: createSimulator({ seed: 1 }), config: { webRoot: join(web, 'missing') } });
    const page = await fetch(`${bare.http}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toMatch(/npm run build/);
    await bare.close();
  });
});
