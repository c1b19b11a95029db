/**
 * The dashboard on a phone-sized screen (375 × 740), on a simulator and on a replay: nothing runs off the
 * side (no horizontal scroll), the connection badge is in sight, and the chart fits the width.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openReplay } from '../../feeds/replay/index.js';
import type { Feed } from '../../feeds/tick.js';
import { REPO_ROOT, buildDashboard, launchChromium, startServer, type Chromium } from './harness.js';
import { warmSimulator } from './warm-feed.js';

const VIEWPORT = { width: 375, height: 740 };

let webRoot: string | undefined;
let browser: Chromium | undefined;

beforeAll(async () => {
  webRoot = await buildDashboard();
  browser = await launchChromium(VIEWPORT);
});

afterAll(async () => {
  await browser?.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

async function checkFits(feed: Feed, replay: boolean): Promise<void> {
  const server = await startServer(webRoot, { feed });
  const page = await browser!.context.newPage();
  try {
    await page.goto(server.origin);
    await page.waitForSelector('.badge[data-state="connected"]');
    await page.waitForSelector('.chart-canvas[data-status="live"]');
    if (replay) await page.waitForSelector('section.replay');
    await page.waitForTimeout(300);
    const measured = await page.evaluate(() => {
      const badge = document.querySelector('.badge')!.getBoundingClientRect();
      const chart = document.querySelector('.chart-canvas')!.getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        badge: { left: badge.left, right: badge.right, width: badge.width },
        chartRight: chart.right,
      };
    });
    expect(measured.scrollWidth).toBeLessThanOrEqual(VIEWPORT.width);
    expect(measured.badge.width).toBeGreaterThan(0);
    expect(measured.badge.left).toBeGreaterThanOrEqual(0);
    expect(measured.badge.right).toBeLessThanOrEqual(VIEWPORT.width);
    expect(measured.chartRight).toBeLessThanOrEqual(VIEWPORT.width);
  } finally {
    await page.close();
    await server.app.close();
  }
}

test('375 px wide, simulator: no horizontal scroll, badge in sight, chart within the width', async () => {
  await checkFits(warmSimulator(60_000), false);
});

test('375 px wide, replay (with the replay bar): no horizontal scroll, badge in sight', async () => {
  const feed = await openReplay({ files: [join(REPO_ROOT, 'feeds', 'samples', 'simulator-seed42.tape.gz')], speed: 10 });
  await checkFits(feed, true);
}, 30_000);
