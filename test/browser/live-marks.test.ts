/**
 * The dashboard on a live feed, in a real browser against the real server and a fake Binance playing the
 * real capture: when the exchange connection drops the row is marked stale, and once it is back with trades
 * missing, marked gap (with the count in its tooltip).
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openLiveFeed } from '../../feeds/live/feed.js';
import { FakeBinance } from '../live/fake-binance.js';
import { liveOptions } from '../live/live-harness.js';
import { BINANCE_CAPTURE, capturesPresent } from '../live/shared-captures.js';
import { buildDashboard, launchChromium, startServer, type Chromium, type RunningServer } from './harness.js';

let webRoot: string | undefined;
let server: RunningServer | undefined;
let fake: FakeBinance | undefined;
let browser: Chromium | undefined;
let page: Page;

beforeAll(async () => {
  if (!capturesPresent) return;
  webRoot = await buildDashboard();
  fake = await FakeBinance.start(BINANCE_CAPTURE);
  server = await startServer(webRoot, { feed: openLiveFeed(liveOptions(['binance:ETHUSDT'], { binance: fake.url })) });
  browser = await launchChromium({ width: 1280, height: 800 });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(server.origin);
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  await fake?.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

describe.skipIf(!capturesPresent)('dashboard on a live feed', () => {
  test('marks a symbol stale while its exchange is unreachable, then gap once trades were found missing', async () => {
    const row = page.locator('.qrow[data-symbol="ETH-USDT"]');
    await row.waitFor({ timeout: 15_000 });
    const playing = fake!.play({ batch: 8, everyMs: 2, limit: 12_000 });
    await page.waitForFunction(() => document.querySelector('.qrow[data-symbol="ETH-USDT"] .cell.last')?.textContent?.match(/\d/) !== null, undefined, { timeout: 10_000 });
    expect(await row.getAttribute('data-feed')).toBeNull();
    fake!.dropAll(1_500);
    await row.locator('.feed-mark.stale').waitFor({ timeout: 5_000 });
    await row.locator('.feed-mark.gap').waitFor({ timeout: 10_000 });
    expect(await row.locator('.feed-mark.gap').getAttribute('title')).toMatch(/^gap: \d+ trades? missed/);
    await playing;
  });
});
