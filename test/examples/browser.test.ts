/**
 * The browser example (examples/browser) built with its own Vite config, served by the real server, run
 * in Debian's Chromium: the client SDK as a web page uses it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import { REPO_ROOT, launchChromium, startServer, type Chromium, type RunningServer } from '../browser/harness.js';

let webRoot: string | undefined;
let server: RunningServer | undefined;
let browser: Chromium | undefined;

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'tickertape-example-'));
  await build({ configFile: join(REPO_ROOT, 'examples/browser/vite.config.ts'), logLevel: 'warn', build: { outDir: webRoot, emptyOutDir: true } });
  server = await startServer(webRoot, { feed: createSimulator({ seed: 6, ticksPerSecond: 1_000, warmupMs: 5_000 }) });
  browser = await launchChromium({ width: 800, height: 600 });
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

test('the browser example shows live quotes over the client SDK', async () => {
  const page = browser!.context.pages()[0] ?? (await browser!.context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server!.origin);
  await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'connected');
  await page.waitForFunction(() => [...document.querySelectorAll('#quotes tr')].every((row) => /^\d+\.\d\d$/.test(row.children[1]?.textContent ?? '')));
  const rows = await page.locator('#quotes tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  expect(rows.map((row) => row[0])).toEqual(['AAPL', 'MSFT', 'BTC-USD', 'ETH-USD']);
  for (const row of rows) expect(row.slice(1)).toEqual([expect.stringMatching(/^\d+\.\d\d$/), expect.stringMatching(/^[+-]\d+\.\d\d%$/), expect.stringMatching(/^\d+\.\d\d$/), expect.stringMatching(/^\d+\.\d\d$/)]);
  expect(errors).toEqual([]);
});
