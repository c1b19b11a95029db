/**
 * 200 watchlist rows, every one updated every 50 ms: the table renders only the rows in view (and a few
 * either side), keeps them (never re-rendered wholesale) and writes only changed cells; rows scrolled into
 * view show current values. How fast the page paints under this load is measured by the browser scenario of
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
let symbols: string[];

beforeAll(async () => {
  webRoot = await buildDashboard();
  const feed = busyFeed(ROWS, UPDATE_EVERY_MS, QUIET_ROWS);
  server = await startServer(webRoot, { feed });
  browser = await launchChromium({ width: 1280, height: 800 });
  // The quiet symbols (the feed's last) listed first, so they are on screen.
  const all = feed.instruments.map((instrument) => instrument.symbol);
  symbols = [...all.slice(-QUIET_ROWS), ...all.slice(0, -QUIET_ROWS)];
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

/** Rendered rows, in order. */
function renderedSymbols(): Promise<(string | null)[]> {
  return page.locator('.quotes-body .qrow').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-symbol')));
}

test(`${ROWS} rows updated every ${UPDATE_EVERY_MS} ms: the rows in view are kept, and only changed ones are written`, async () => {
  await page.waitForFunction((rows) => document.querySelector('.quotes')?.getAttribute('aria-rowcount') === String(rows + 1), ROWS);
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.quotes-body .last .value'), (cell) => cell.textContent ?? '').every((text) => /\d/.test(text)),
  );
  await page.waitForFunction(() => Number(document.querySelector('.badge [data-rate]')?.getAttribute('data-rate')) > 1_000);

  // Windowed: the rows in view and a few more, not all 200.
  const rendered = await renderedSymbols();
  expect(rendered.length).toBeGreaterThan(QUIET_ROWS);
  expect(rendered.length).toBeLessThan(60);
  expect(rendered).toEqual(symbols.slice(0, rendered.length));
  const quiet = symbols.slice(0, QUIET_ROWS);

  const measured = await page.evaluate(async ([duration, quietSymbols]): Promise<PageMeasure> => {
    const result: PageMeasure = { rowsAdded: 0, rowsRemoved: 0, textWrites: 0, quietRowWrites: 0, flashes: 0 };
    const body = document.querySelector('.quotes-body')!;
    const window = document.querySelector('.quotes-window')!;
    const quietRows = quietSymbols.map((symbol) => document.querySelector(`.qrow[data-symbol="${symbol}"]`)!);
    const mutations = new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'childList' && record.target === window) {
          result.rowsAdded += record.addedNodes.length;
          result.rowsRemoved += record.removedNodes.length;
        } else if (record.type === 'characterData' || record.type === 'childList') {
          result.textWrites++;
          if (quietRows.some((row) => row.contains(record.target))) result.quietRowWrites++;
        }
        else if (record.type === 'attributes' && record.attributeName === 'data-flash') result.flashes++;
      }
    });
    mutations.observe(body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-flash'] });
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

test('rows scrolled into view show the latest prices at once, and keys reach rows not rendered', async () => {
  // The server's latest for the last row, as the client library holds it, against the row once scrolled to.
  const lastSymbol = symbols[ROWS - 1]!;
  expect(await renderedSymbols()).not.toContain(lastSymbol);
  await page.locator('.quotes-body').evaluate((body) => body.scrollTo({ top: body.scrollHeight }));
  await page.waitForSelector(`.qrow[data-symbol="${lastSymbol}"]`);
  const shown = await page.locator(`.qrow[data-symbol="${lastSymbol}"] .last .value`).textContent();
  expect(shown).toMatch(/\d/);
  const rendered = await renderedSymbols();
  expect(rendered.at(-1)).toBe(lastSymbol);
  expect(rendered.length).toBeLessThan(60);
  // The rows it brought in were written as they came (no waiting for their next tick): all priced.
  expect(await page.locator('.quotes-body .last .value').evaluateAll((cells) => cells.every((cell) => /\d/.test(cell.textContent ?? '')))).toBe(true);

  // Home, from the bottom: the first row is selected, scrolled back into view and focused.
  await page.locator(`.qrow[data-symbol="${lastSymbol}"]`).click();
  await page.keyboard.press('Home');
  await page.waitForFunction((symbol) => document.activeElement?.getAttribute('data-symbol') === symbol, symbols[0]!);
  expect(await page.locator(`.qrow[data-symbol="${symbols[0]!}"]`).getAttribute('aria-selected')).toBe('true');
  expect(await page.locator(`.qrow[data-symbol="${symbols[0]!}"]`).getAttribute('aria-rowindex')).toBe('2');
  // And End goes all the way down again.
  await page.keyboard.press('End');
  await page.waitForFunction((symbol) => document.activeElement?.getAttribute('data-symbol') === symbol, lastSymbol);
  expect(await page.locator(`.qrow[data-symbol="${lastSymbol}"]`).getAttribute('aria-rowindex')).toBe(String(ROWS + 1));
}, 40_000);
