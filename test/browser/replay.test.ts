/**
 * The dashboard on a replay, in a real browser against the real server: the replay bar's pause, speed and
 * seek drive the server's replay, the page follows a seek back (rows and chart rebuilt as they were), and a
 * replay that fails on a bad line says so on the page.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openReplay, type ReplayFeed } from '../../feeds/replay/index.js';
import { REPO_ROOT, buildDashboard, launchChromium, startServer, type Chromium, type RunningServer } from './harness.js';

const SAMPLE = join(REPO_ROOT, 'feeds', 'samples', 'simulator-seed42.tape.gz');
const VIEWPORT = { width: 1280, height: 800 };

let webRoot: string | undefined;
let server: RunningServer | undefined;
let feed: ReplayFeed;
let browser: Chromium | undefined;
let page: Page;
let scratch: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tickertape-replay-page-'));
  webRoot = await buildDashboard();
  feed = await openReplay({ files: [SAMPLE], speed: 10 });
  server = await startServer(webRoot, { feed });
  await feed.scanned;
  browser = await launchChromium(VIEWPORT);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(server.origin);
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

function replayAttribute(name: string): Promise<string | null> {
  return page.locator('section.replay').getAttribute(name);
}

async function position(): Promise<number> {
  return Number(await replayAttribute('data-position'));
}

/** Moves the scrubber to `time` as a user letting go of the thumb there does. */
async function scrubTo(time: number): Promise<void> {
  await page.locator('section.replay input[type="range"]').evaluate((input: HTMLInputElement, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, time);
}

describe('dashboard on a replay', () => {
  test('shows the replay bar: playing at the speed it started with, the clock running', async () => {
    await page.waitForSelector('section.replay[data-state="playing"]');
    expect(await replayAttribute('data-speed')).toBe('10');
    expect(await page.locator('.speeds button[data-speed="10"]').getAttribute('aria-pressed')).toBe('true');
    const first = await position();
    expect(first).toBeGreaterThanOrEqual(feed.player.start);
    await page.waitForFunction((before) => Number(document.querySelector('section.replay')?.getAttribute('data-position')) > before + 1_000, first);
    expect(await page.locator('section.replay .clock').textContent()).toMatch(/^2024-01-02 14:\d\d:\d\d UTC$/);
    // Fifteen minutes of one day: the timeline's ends are times of day (the clock has the date).
    expect(await page.locator('section.replay .edge').allTextContents()).toEqual(['14:30:00', '14:45:02']);
    // A screen reader reads the slider's position as the clock reads, not as milliseconds since 1970.
    expect(await page.getByRole('slider', { name: 'Replay position' }).getAttribute('aria-valuetext')).toMatch(/^2024-01-02 14:\d\d:\d\d UTC$/);
    // The recording's symbols are the simulator's: the saved watchlist rows get prices.
    await page.waitForFunction(() => /\d/.test(document.querySelector('.qrow[data-symbol="BTC-USD"] .last')?.textContent ?? ''));
  });

  test('pause stops the replay and its clock; play resumes it', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('section.replay[data-state="paused"]');
    expect(feed.player.phase).toBe('paused');
    const paused = await position();
    await page.waitForTimeout(600);
    expect(await position()).toBe(paused);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForSelector('section.replay[data-state="playing"]');
    await page.waitForFunction((before) => Number(document.querySelector('section.replay')?.getAttribute('data-position')) > before, paused);
  });

  test('a speed button changes the server replay speed', async () => {
    await page.locator('.speeds button[data-speed="100"]').click();
    await page.waitForSelector('section.replay[data-speed="100"]');
    expect(feed.player.speed).toBe(100);
    expect(await page.locator('.speeds button[data-speed="100"]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.speeds button[data-speed="10"]').getAttribute('aria-pressed')).toBe('false');
  });

  test('seeking back rebuilds rows and chart as they were at that time', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('section.replay[data-state="paused"]');
    // Forward first (a fast-forward), then back (a rewind the page must follow).
    const end = feed.player.end;
    await scrubTo(end - 60_000);
    // The page shows the position asked for at once; wait for the server to be there (seeks asked for within
    // SEEK_SETTLE_MS of each other would be one seek, to the last).
    await expect.poll(() => feed.player.currentPosition(), { timeout: 10_000 }).toBe(Math.round(end - 60_000));
    await page.waitForFunction((target) => Number(document.querySelector('section.replay')?.getAttribute('data-position')) === target, Math.floor(end - 60_000));
    const rewinds = Number(await replayAttribute('data-rewinds'));
    const loads = Number(await page.locator('.chart-canvas').getAttribute('data-loads'));
    const target = Math.floor(feed.player.start) + 120_000;
    await scrubTo(target);
    await page.waitForSelector(`section.replay[data-rewinds="${rewinds + 1}"][data-state="paused"]`);
    expect(await position()).toBe(Math.floor(target));
    expect(feed.player.currentPosition()).toBe(target);

    // Paused, the server state is still: the page must show exactly it.
    const btc = server!.app.market.get('BTC-USD')!;
    expect(btc.lastTime).toBeLessThanOrEqual(target);
    await page.waitForFunction(
      (last) => (document.querySelector('.qrow[data-symbol="BTC-USD"] .last .value')?.textContent ?? '').replaceAll(',', '') === last,
      btc.last.toFixed(2),
    );
    await page.waitForFunction(
      (before) => {
        const chart = document.querySelector('.chart-canvas');
        return Number(chart?.getAttribute('data-loads')) > before && chart?.getAttribute('data-status') === 'live';
      },
      loads,
    );
    const symbol = await page.locator('.chart-canvas').getAttribute('data-symbol');
    const serverBars = server!.app.market.history(symbol!, '1s', 600)!;
    expect(Number(await page.locator('.chart-canvas').getAttribute('data-bars'))).toBe(serverBars.length);
    expect(serverBars.at(-1)![0]).toBeLessThanOrEqual(target);
  });

  test('looks right (screenshot for the README)', async () => {
    await page.locator('.speeds button[data-speed="10"]').click();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForSelector('section.replay[data-state="playing"][data-speed="10"]');
    await page.waitForFunction(() => Number(document.querySelector('.badge [data-rate]')?.getAttribute('data-rate')) > 0);
    await page.mouse.move(0, VIEWPORT.height - 1);
    await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
    const shot = await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'replay.png') });
    expect(shot.byteLength).toBeGreaterThan(10_000);
    if (process.env['UPDATE_SCREENSHOTS'] === '1') await writeFile(join(REPO_ROOT, 'docs', 'replay.png'), shot);
    expect(pageErrors).toEqual([]);
  });

  test('a replay over more than one day shows the dates at the timeline\'s ends (two files three years apart, merged)', async () => {
    const coinbase = join(scratch, 'coinbase-2021.csv');
    const binance = join(scratch, 'binance-2024.csv');
    await writeFile(coinbase, 'timestamp,symbol,price,size\n2021-04-17T16:41:49.984Z,SKL-USD,0.4,10\n2021-04-17T16:43:37.089Z,SKL-USD,0.41,5\n');
    await writeFile(binance, 'timestamp,symbol,price,size\n2024-08-08T23:55:00Z,ETH-USDT,2683.8,0.002\n2024-08-09T00:00:01.174Z,ETH-USDT,2684.1,0.01\n');
    const merged = await openReplay({ files: [coinbase, binance], speed: 100, paused: true });
    const serving = await startServer(webRoot, { feed: merged });
    await merged.scanned;
    const other = await browser!.context.newPage();
    try {
      await other.goto(serving.origin);
      await other.waitForSelector('section.replay[data-state="paused"]');
      await expect.poll(() => other.locator('section.replay .edge').allTextContents()).toEqual(['2021-04-17 16:41', '2024-08-09 00:00']);
      expect(await other.locator('section.replay .edge[data-edge="end"]').getAttribute('title')).toBe('2024-08-09 00:00:01 UTC');
      expect(await other.locator('section.replay .clock').textContent()).toBe('2021-04-17 16:41:49 UTC');
    } finally {
      await other.close();
      await serving.app.close();
    }
  });

  test('a replay that stops on a bad line shows FILE:LINE and the reason on the page', async () => {
    const file = join(scratch, 'broken.csv');
    await writeFile(file, 'timestamp,symbol,price,size\n2024-01-02T14:30:00Z,BAD,10,1\n2024-01-02T14:30:01Z,BAD,ten,1\n');
    const broken = await openReplay({ files: [file], speed: 'max' });
    const failing = await startServer(webRoot, { feed: broken });
    const other = await browser!.context.newPage();
    try {
      await other.goto(failing.origin);
      await other.waitForSelector('section.replay[data-state="failed"]');
      const alert = other.getByRole('alert');
      await expect.poll(() => alert.textContent()).toMatch(/Replay stopped: .*broken\.csv:3: bad price: "ten"/);
      // The server goes on serving: the row of the tick before the bad line is there.
      await other.waitForFunction(() => /10\.00/.test(document.querySelector('.qrow[data-symbol="BAD"] .last')?.textContent ?? ''));
      // A CSV names no instrument: the row says BAD once, not "BAD BAD".
      expect(await other.locator('.qrow[data-symbol="BAD"] .sym').textContent()).toBe('BAD');
    } finally {
      await other.close();
      await failing.app.close();
    }
  });
});
