/**
 * Holding an arrow key in a long watchlist: the selection follows every press at once, but the network work
 * (resubscribing with bars, loading the chart's history) waits for the selection to settle, so a held key
 * stays far under the server's inbound rate limit (50 messages/s, burst 200) and the chart still loads.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LAYOUT_STORAGE_KEY } from '../../web/src/lib/saved-layout.js';
import { buildDashboard, launchChromium, startServer, type Chromium, type RunningServer } from './harness.js';
import { warmSimulator } from './warm-feed.js';

/** QA's scenario: 177 presses at about 24 a second (a held key's auto-repeat). */
const PRESSES_PER_RUN = 59;
const RUNS = 3;
const PRESS_EVERY_MS = 42;

let webRoot: string | undefined;
let server: RunningServer | undefined;
let browser: Chromium | undefined;
let page: Page;
let symbols: string[];
const sent: number[] = [];
const refusedForRate: string[] = [];

beforeAll(async () => {
  webRoot = await buildDashboard();
  const feed = warmSimulator(3 * 60_000);
  server = await startServer(webRoot, { feed });
  await feed.caughtUp;
  symbols = feed.instruments.map((instrument) => instrument.symbol);
  browser = await launchChromium({ width: 1280, height: 800 });
  await browser.context.addInitScript(
    ([key, layout]) => localStorage.setItem(key, layout),
    [LAYOUT_STORAGE_KEY, JSON.stringify({ symbols, selected: symbols[0], interval: '1m' })] as const,
  );
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('websocket', (socket) => {
    socket.on('framesent', () => sent.push(Date.now()));
    socket.on('framereceived', (frame) => {
      const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('latin1');
      if (text.includes('RATE_LIMITED')) refusedForRate.push(text);
    });
  });
  await page.goto(server.origin);
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

function selectedSymbol(): Promise<string | null> {
  return page.locator('.qrow.selected').getAttribute('data-symbol');
}

test('holding ArrowDown/ArrowUp through 60 rows moves the selection at once and sends a handful of messages', async () => {
  expect(symbols.length).toBeGreaterThanOrEqual(50);
  await page.waitForSelector(`.chart-canvas[data-symbol="${symbols[0]!}"][data-status="live"]`, { timeout: 15_000 });
  await page.waitForTimeout(500);
  await page.focus('.qrow.selected');
  const from = sent.length;
  let index = 0;
  for (let run = 0; run < RUNS; run++) {
    const key = run % 2 === 0 ? 'ArrowDown' : 'ArrowUp';
    for (let press = 0; press < PRESSES_PER_RUN; press++) {
      await page.keyboard.press(key);
      index = Math.max(0, Math.min(symbols.length - 1, index + (key === 'ArrowDown' ? 1 : -1)));
      await page.waitForTimeout(PRESS_EVERY_MS);
    }
    // The selection kept up with the key.
    expect(await selectedSymbol()).toBe(symbols[index]!);
  }
  // Nothing goes out while the key is held (a heartbeat ping at most).
  expect(sent.length - from).toBeLessThanOrEqual(1);
  const last = symbols[index]!;
  await page.waitForSelector(`.chart-canvas[data-symbol="${last}"][data-interval="1m"][data-status="live"]`, { timeout: 10_000 });
  await page.waitForTimeout(1_000);
  const messages = sent.length - from;
  // Before: 4 per press (708). Now: the settled selection's subscribes and history, plus heartbeats.
  expect(messages).toBeLessThanOrEqual(12);
  expect(refusedForRate).toEqual([]);
  expect(await page.locator('.chart-note').count()).toBe(0);
}, 60_000);
