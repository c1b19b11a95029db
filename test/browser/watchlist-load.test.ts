/**
 * 200 watchlist rows, every one updated every 50 ms: rows are kept (never re-rendered wholesale) and only
 * changed cells are written. How fast the page paints under this load is measured by the browser scenario of
 * the benchmark (bench/), not asserted here: a test asserts behaviour, a benchmark measures it.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LAYOUT_STORAGE_KEY } from '../../web/src/lib/saved-layout.js';
import { busyFeed } from './busy-feed.js';
import { buildDashboard, launchChromium, startServer, type Chromium, type RunningServer } from './harness.js';

const ROWS = 200;
/** Symbols that trade once and then never: their rows must never be written again. */
const QUIET_ROWS = 10;
const UPDATE_EVERY_MS = 50;
const MEASURE_MS = 5_000;

let webRoot: string | undefined;
let server: RunningServer | undefined;
let browser: Chromium | undefined;
let page: Page;

beforeAll(async () => {
  webRoot = await buildDashboard();
  const feed = busyFeed(ROWS, UPDATE_EVERY_MS, QUIET_ROWS);
  server = await startServer(webRoot, { feed });
  browser = await launchChromium({ width: 1280, height: 800 });
  const symbols = feed.instruments.map((instrument) => instrument.symbol);
  await browser.context.addInitScript(
    ([key, layout]) => {
      if (localStorage.getItem(key) === null) localStorage.setItem(key, layout);
    },
    [LAYOUT_STORAGE_KEY, JSON.stringify({ symbols, selected: symbols[0], interval: '1s' })] as const,
  );
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(server.origin);
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

interface PageMeasure {
  rowsAdded: number;
  rowsRemoved: number;
  textWrites: number;
  quietRowWrites: number;
  flashes: number;
}

test(`${ROWS} rows updated every ${UPDATE_EVERY_MS} ms keep their elements and only changed rows are written`, async () => {
  await page.waitForFunction((rows) => document.querySelectorAll('.quotes-body .qrow').length === rows, ROWS);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.quotes-body .last .value')].every((cell) => /\d/.test(cell.textContent ?? '')),
  );
  await page.waitForFunction(() => Number(document.querySelector('.badge [data-rate]')?.getAttribute('data-rate')) > 1_000);

  const quiet = (await page.locator('.quotes-body .qrow').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-symbol')))).slice(-QUIET_ROWS);
  const measured = await page.evaluate(async ([duration, quietSymbols]): Promise<PageMeasure> => {
    const result: PageMeasure = { rowsAdded: 0, rowsRemoved: 0, textWrites: 0, quietRowWrites: 0, flashes: 0 };
    const tbody = document.querySelector('.quotes-body')!;
    const quietRows = quietSymbols.map((symbol) => document.querySelector(`.qrow[data-symbol="${symbol}"]`)!);
    const mutations = new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'childList' && record.target === tbody) {
          result.rowsAdded += record.addedNodes.length;
          result.rowsRemoved += record.removedNodes.length;
        } else if (record.type === 'characterData' || record.type === 'childList') {
          result.textWrites++;
          if (quietRows.some((row) => row.contains(record.target))) result.quietRowWrites++;
        }
        else if (record.type === 'attributes' && record.attributeName === 'data-flash') result.flashes++;
      }
    });
    mutations.observe(tbody, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-flash'] });
    await new Promise<void>((resolve) => setTimeout(resolve, duration));
    mutations.disconnect();
    return result;
  }, [MEASURE_MS, quiet] as const);

  const rate = Number(await page.locator('.badge [data-rate]').getAttribute('data-rate'));
  expect(rate).toBeGreaterThan(0);
  // Rows are updated in place: no row element is ever re-created by an update.
  expect(measured.rowsAdded + measured.rowsRemoved).toBe(0);
  expect(measured.flashes).toBeGreaterThan(0);
  // Only rows whose symbol changed are written.
  expect(measured.textWrites).toBeGreaterThan(0);
  expect(measured.quietRowWrites).toBe(0);
}, 40_000);
