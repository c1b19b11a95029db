/**
 * The dashboard in a real browser against the real server: Vite builds web/, buildApp serves it with a
 * simulated feed, Debian's Chromium (through playwright-core) opens it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SYMBOLS, LAYOUT_STORAGE_KEY } from '../../web/src/lib/saved-layout.js';
import { REPO_ROOT, buildDashboard, launchChromium, startServer, type Chromium, type RunningServer } from './harness.js';
import { warmSimulator } from './warm-feed.js';

/** Event time the server's feed is fast-forwarded through, so the chart starts with history. */
const WARM_MS = 4 * 60_000;
const VIEWPORT = { width: 1280, height: 800 };

let webRoot: string | undefined;
let server: RunningServer | undefined;
let browser: Chromium | undefined;
let page: Page;

beforeAll(async () => {
  webRoot = await buildDashboard();
  const feed = warmSimulator(WARM_MS);
  server = await startServer(webRoot, { feed });
  await feed.caughtUp;
  browser = await launchChromium(VIEWPORT);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  (globalThis as { pageErrors?: string[] }).pageErrors = errors;
  await page.goto(server.origin);
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

function attribute(selector: string, name: string): Promise<string | null> {
  return page.locator(selector).first().getAttribute(name);
}

/** Counts data-flash mutations by direction on every price cell, for `ms`. */
async function watchFlashes(ms: number): Promise<{ up: number; down: number; properties: string[] }> {
  return page.evaluate(async (duration) => {
    const counts = { up: 0, down: 0 };
    const properties = new Set<string>();
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        const direction = (record.target as Element).getAttribute('data-flash');
        if (direction === 'up' || direction === 'down') counts[direction]++;
      }
      // What the running flash animations animate: must be compositor-only properties.
      for (const animation of document.getAnimations()) {
        const effect = animation.effect;
        if (!(effect instanceof KeyframeEffect) || !(effect.target instanceof Element) || !effect.target.matches('.last .glow')) continue;
        for (const keyframe of effect.getKeyframes()) {
          for (const key of Object.keys(keyframe)) if (!['offset', 'computedOffset', 'easing', 'composite'].includes(key)) properties.add(key);
        }
      }
    });
    observer.observe(document.querySelector('.quotes-body')!, { subtree: true, attributes: true, attributeFilter: ['data-flash'] });
    await new Promise((resolve) => setTimeout(resolve, duration));
    observer.disconnect();
    return { ...counts, properties: [...properties] };
  }, ms);
}

/** Pixels in the chart's canvases drawn in the candle colours. */
function candlePixels(): Promise<number> {
  return page.evaluate(() => {
    let count = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('.chart-canvas canvas')) {
      if (canvas.width === 0 || canvas.height === 0) continue;
      const context = canvas.getContext('2d');
      if (context === null) continue;
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        const up = Math.abs(r - 31) < 24 && Math.abs(g - 191) < 24 && Math.abs(b - 131) < 24;
        const down = Math.abs(r - 240) < 24 && Math.abs(g - 81) < 24 && Math.abs(b - 79) < 24;
        if (up || down) count++;
      }
    }
    return count;
  });
}

describe('dashboard', () => {
  test('shows a priced row for each default symbol', async () => {
    await page.waitForFunction((count) => document.querySelectorAll('.quotes-body .qrow').length === count, DEFAULT_SYMBOLS.length);
    const symbols = await page.locator('.quotes-body .qrow').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-symbol')));
    expect(symbols).toEqual(DEFAULT_SYMBOLS);
    // Every row priced from its snapshot, to its tick size (BTC-USD: 0.01 → two decimals).
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.quotes-body .last .value')].every((cell) => /\d/.test(cell.textContent ?? '')),
    );
    expect(await page.locator('.qrow[data-symbol="BTC-USD"] .last .value').textContent()).toMatch(/^\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(await page.locator('.qrow[data-symbol="DOGE-USD"] .last .value').textContent()).toMatch(/^\d+\.\d{5}$/);
  });

  test('flashes last prices green on upticks and red on downticks, animating opacity only', async () => {
    const seen = await watchFlashes(4_000);
    expect(seen.up).toBeGreaterThan(0);
    expect(seen.down).toBeGreaterThan(0);
    expect(seen.properties).toEqual(['opacity']);
  });

  test('with reduced motion, ticks colour the price instead of animating', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    try {
      // Let flashes started before the switch run out.
      await page.waitForTimeout(1_000);
      const seen = await watchFlashes(1_500);
      expect(seen.up + seen.down).toBeGreaterThan(0);
      const state = await page.evaluate(() => {
        const running = document.getAnimations().filter((animation) => {
          const effect = animation.effect;
          return animation.playState === 'running' && effect instanceof KeyframeEffect && effect.target instanceof Element && effect.target.matches('.last .glow');
        }).length;
        const cell = document.querySelector('.quotes-body .last[data-flash="up"] .value');
        return { running, upColour: cell === null ? null : getComputedStyle(cell).color };
      });
      expect(state.running).toBe(0);
      expect(state.upColour).toBe('rgb(31, 191, 131)');
    } finally {
      await page.emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  test('the badge says live with updates per second and a latency', async () => {
    await page.waitForSelector('.badge[data-state="connected"]');
    await page.waitForFunction(() => Number(document.querySelector('.badge [data-rate]')?.getAttribute('data-rate')) > 0);
    expect(await page.locator('.badge .state').textContent()).toBe('Live');
    expect(await attribute('.badge [data-latency]', 'data-latency')).toMatch(/^-?\d+$/);
  });

  test('charts the selected symbol with candles', async () => {
    await page.waitForSelector('.chart-canvas[data-status="live"]');
    expect(await attribute('.chart-canvas', 'data-symbol')).toBe('BTC-USD');
    const bars = Number(await attribute('.chart-canvas', 'data-bars'));
    // The feed was fast-forwarded 4 minutes: a full page of 1 s bars.
    expect(bars).toBeGreaterThan(200);
    await expect.poll(candlePixels, { timeout: 5_000 }).toBeGreaterThan(200);
  });

  test('clicking a row charts it; switching to 1m reloads the bars', async () => {
    await page.locator('.qrow[data-symbol="ETH-USD"]').click();
    await page.waitForSelector('.chart-canvas[data-symbol="ETH-USD"][data-status="live"]');
    expect(await page.locator('.qrow[data-symbol="ETH-USD"]').getAttribute('aria-selected')).toBe('true');
    const loads = Number(await attribute('.chart-canvas', 'data-loads'));
    await page.locator('.intervals button[data-interval="1m"]').click();
    await page.waitForFunction(
      (before) => {
        const chart = document.querySelector('.chart-canvas');
        return chart?.getAttribute('data-interval') === '1m' && chart.getAttribute('data-status') === 'live' && Number(chart.getAttribute('data-loads')) > before;
      },
      loads,
    );
    // Four or five minutes of trading: one bar per minute.
    const bars = Number(await attribute('.chart-canvas', 'data-bars'));
    expect(bars).toBeGreaterThanOrEqual(4);
    expect(bars).toBeLessThanOrEqual(6);
    expect(await page.locator('.intervals button[data-interval="1m"]').getAttribute('aria-pressed')).toBe('true');
  });

  test('a symbol added through the search box gets a row that survives a reload, and can be removed', async () => {
    const search = page.getByRole('combobox', { name: 'Add a symbol' });
    await search.fill('cardano');
    await expect.poll(() => page.locator('#symbol-suggestions [role="option"]').first().getAttribute('data-symbol')).toBe('ADA-USD');
    // Escape closes the suggestions: Enter then shows them again, and adds nothing unseen.
    await search.press('Escape');
    await search.press('Enter');
    await expect.poll(() => page.locator('#symbol-suggestions [role="option"]').count()).toBeGreaterThan(0);
    expect(await page.locator('.qrow[data-symbol="ADA-USD"]').count()).toBe(0);
    await search.press('Enter');
    await page.waitForSelector('.qrow[data-symbol="ADA-USD"]');
    await page.waitForFunction(() => /\d/.test(document.querySelector('.qrow[data-symbol="ADA-USD"] .last')?.textContent ?? ''));

    await page.reload();
    await page.waitForSelector('.qrow[data-symbol="ADA-USD"]');
    expect(await page.locator('.quotes-body .qrow').count()).toBe(DEFAULT_SYMBOLS.length + 1);
    // The chart comes back as it was left.
    await page.waitForSelector('.chart-canvas[data-symbol="ETH-USD"][data-interval="1m"][data-status="live"]');

    await page.locator('.qrow[data-symbol="ADA-USD"] .remove').click();
    await page.waitForSelector('.qrow[data-symbol="ADA-USD"]', { state: 'detached' });
    expect(await page.locator('.quotes-body .qrow').count()).toBe(DEFAULT_SYMBOLS.length);
    const saved = await page.evaluate((key) => localStorage.getItem(key), LAYOUT_STORAGE_KEY);
    expect(JSON.parse(saved ?? '{}')).toMatchObject({ symbols: DEFAULT_SYMBOLS, selected: 'ETH-USD', interval: '1m' });
  });

  test('looks right (screenshot for the README)', async () => {
    await page.locator('.intervals button[data-interval="5s"]').click();
    await page.waitForSelector('.chart-canvas[data-interval="5s"][data-status="live"]');
    await page.waitForFunction(() => Number(document.querySelector('.badge [data-rate]')?.getAttribute('data-rate')) > 0);
    await page.mouse.move(0, VIEWPORT.height - 1);
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    const shot = await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'dashboard.png') });
    expect(shot.byteLength).toBeGreaterThan(10_000);
    // The README's picture is tracked: rewrite it only when asked (UPDATE_SCREENSHOTS=1 npm test).
    if (process.env['UPDATE_SCREENSHOTS'] === '1') await writeFile(join(REPO_ROOT, 'docs', 'dashboard.png'), shot);
  });

  test('goes to reconnecting when the server stops and back to live when it returns', async () => {
    const running = server!;
    const loads = Number(await attribute('.chart-canvas', 'data-loads'));
    await running.app.close();
    server = undefined;
    await page.waitForSelector('.badge[data-state="reconnecting"]', { timeout: 5_000 });
    expect(await page.locator('.badge .state').textContent()).toBe('Reconnecting');

    server = await startServer(webRoot!, { port: running.port, feed: warmSimulator(WARM_MS) });
    await page.waitForSelector('.badge[data-state="connected"]', { timeout: 15_000 });
    // Rows update again, and the chart was reloaded from the new server's history.
    const flashes = await watchFlashes(2_000);
    expect(flashes.up + flashes.down).toBeGreaterThan(0);
    await page.waitForFunction(() => Number(document.querySelector('.badge [data-rate]')?.getAttribute('data-rate')) > 0);
    await page.waitForFunction(
      (before) => Number(document.querySelector('.chart-canvas')?.getAttribute('data-loads')) > before,
      loads,
    );
    expect(await attribute('.chart-canvas', 'data-status')).toBe('live');
    expect((globalThis as { pageErrors?: string[] }).pageErrors).toEqual([]);
  }, 30_000);
});
