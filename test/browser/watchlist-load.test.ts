/**
 * 200 watchlist rows, every one updated every 50 ms: rows are kept (never re-rendered wholesale), only
 * changed cells are written, and the page keeps its frame rate. Prints what it measured.
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
  frameIntervalsMs: number[];
  longTasksMs: number[];
  rowsAdded: number;
  rowsRemoved: number;
  textWrites: number;
  quietRowWrites: number;
  flashes: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

test(`${ROWS} rows updated every ${UPDATE_EVERY_MS} ms keep their elements and the frame rate`, async () => {
  await page.waitForFunction((rows) => document.querySelectorAll('.quotes-body .qrow').length === rows, ROWS);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.quotes-body .last .value')].every((cell) => /\d/.test(cell.textContent ?? '')),
  );
  await page.waitForFunction(() => Number(document.querySelector('.badge [data-rate]')?.getAttribute('data-rate')) > 1_000);

  const cdp = await browser!.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (): Promise<Map<string, number>> =>
    new Map((await cdp.send('Performance.getMetrics')).metrics.map((entry) => [entry.name, entry.value]));
  const before = await metric();

  const quiet = (await page.locator('.quotes-body .qrow').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-symbol')))).slice(-QUIET_ROWS);
  const measured = await page.evaluate(async ([duration, quietSymbols]): Promise<PageMeasure> => {
    const result: PageMeasure = { frameIntervalsMs: [], longTasksMs: [], rowsAdded: 0, rowsRemoved: 0, textWrites: 0, quietRowWrites: 0, flashes: 0 };
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
    const longTasks = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) result.longTasksMs.push(entry.duration);
    });
    longTasks.observe({ type: 'longtask', buffered: false });
    const end = performance.now() + duration;
    let last = performance.now();
    await new Promise<void>((resolve) => {
      const frame = (now: number): void => {
        result.frameIntervalsMs.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    mutations.disconnect();
    longTasks.disconnect();
    return result;
  }, [MEASURE_MS, quiet] as const);

  const after = await metric();
  const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const rate = Number(await page.locator('.badge [data-rate]').getAttribute('data-rate'));
  const latency = Number(await page.locator('.badge [data-latency]').getAttribute('data-latency'));
  const intervals = [...measured.frameIntervalsMs].sort((a, b) => a - b);
  const seconds = MEASURE_MS / 1000;
  const table = {
    'updates/s (badge)': rate,
    'latency ms (badge)': latency,
    'frames/s (rAF)': +(intervals.length / seconds).toFixed(1),
    'frame interval p50 ms': +percentile(intervals, 50).toFixed(1),
    'frame interval p95 ms': +percentile(intervals, 95).toFixed(1),
    'frame interval max ms': +percentile(intervals, 100).toFixed(1),
    'long tasks (>50 ms)': measured.longTasksMs.length,
    'script ms/s': +((delta('ScriptDuration') * 1000) / seconds).toFixed(1),
    'style recalc ms/s': +((delta('RecalcStyleDuration') * 1000) / seconds).toFixed(1),
    'layout ms/s': +((delta('LayoutDuration') * 1000) / seconds).toFixed(1),
    'layouts/s': +(delta('LayoutCount') / seconds).toFixed(1),
    'text writes/s': Math.round(measured.textWrites / seconds),
    'writes in quiet rows': measured.quietRowWrites,
    'flashes/s': Math.round(measured.flashes / seconds),
    'rows added/removed': measured.rowsAdded + measured.rowsRemoved,
  };
  console.table(table);

  expect(rate).toBeGreaterThan((ROWS - QUIET_ROWS) * 10);
  // Rows are updated in place: no row element is ever re-created by an update.
  expect(measured.rowsAdded + measured.rowsRemoved).toBe(0);
  expect(measured.flashes).toBeGreaterThan(0);
  // Only rows whose symbol changed are written.
  expect(measured.textWrites).toBeGreaterThan(0);
  expect(measured.quietRowWrites).toBe(0);
  // The page keeps painting: at most one frame in twenty takes over 50 ms (a generous bound for 2 cores).
  expect(percentile(intervals, 95)).toBeLessThan(50);
}, 40_000);
