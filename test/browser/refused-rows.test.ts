/**
 * Rows the server refused recover when a server that has them comes: the dashboard (in Node, against the
 * real server) watches the default symbols on a replay that has two of them, then the replay stops and a
 * simulator (which has them all) starts on the same port.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, expect, test } from 'vitest';
import type { WebSocketConstructor } from '../../client/index.js';
import { openReplay } from '../../feeds/replay/index.js';
import { Dashboard } from '../../web/src/lib/dashboard.svelte.js';
import { DEFAULT_SYMBOLS } from '../../web/src/lib/saved-layout.js';
import { startServer, type RunningServer } from './harness.js';
import { warmSimulator } from './warm-feed.js';

const NodeWebSocket: WebSocketConstructor = WebSocket;
let server: RunningServer | undefined;
let dashboard: Dashboard | undefined;
let scratch: string | undefined;

afterAll(async () => {
  dashboard?.stop();
  await server?.app.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('refused rows are asked for again on reconnect, and lose their refusal once accepted', async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tickertape-refused-'));
  const csv = join(scratch, 'two.csv');
  const lines = ['timestamp,symbol,price,size'];
  for (let second = 0; second < 60; second++) {
    lines.push(`2024-01-02T14:30:${String(second).padStart(2, '0')}Z,BTC-USD,${64_000 + second},0.02`);
    lines.push(`2024-01-02T14:30:${String(second).padStart(2, '0')}.500Z,AAPL,${190 + second / 100},10`);
  }
  await writeFile(csv, `${lines.join('\n')}\n`);
  const replay = await openReplay({ files: [csv], speed: 1, loop: true });
  server = await startServer(undefined, { feed: replay });
  const { port } = server;
  dashboard = new Dashboard({
    url: `ws://127.0.0.1:${port}/ws`,
    directoryUrl: `http://127.0.0.1:${port}/api/symbols`,
    WebSocket: NodeWebSocket,
    storage: undefined,
  });
  dashboard.start();
  const rows = (): { symbol: string; refusal: string | undefined; last: number }[] =>
    dashboard!.watchlist.rows.map((row) => ({ symbol: row.symbol, refusal: row.refusal, last: row.last }));
  await until(() => rows().filter((row) => row.refusal !== undefined).length === DEFAULT_SYMBOLS.length - 2, 10_000, 'refusals');
  expect(rows().filter((row) => row.refusal === undefined).map((row) => row.symbol)).toEqual(['AAPL', 'BTC-USD']);

  await server.app.close();
  server = await startServer(undefined, { port, feed: warmSimulator(60_000) });
  // No user action: the reconnect alone brings every row back, priced and no longer marked refused.
  await until(() => rows().every((row) => row.refusal === undefined && Number.isFinite(row.last)), 20_000, 'every row priced');
  expect(dashboard.watchlist.refused()).toEqual([]);
}, 40_000);
