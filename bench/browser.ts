/**
 * The dashboard under load, in headless Chromium: 500 watchlist rows whose symbols all change every 50 ms
 * flush, watched for several minutes. Reads the page's own Performance APIs: requestAnimationFrame intervals
 * (frame times), Long Tasks, and the JS heap (performance.memory, sampled; and after a forced garbage
 * collection at the start and the end, which is what "flat" is judged on). And from Linux (/proc), what the
 * page competed with: how long the renderer's main thread waited, runnable, for a CPU, and the CPU of the
 * renderer, of the server (a process of its own, browser-server.ts) and of the whole machine.
 */
import { rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import type { CDPSession, Page } from 'playwright-core';
import { LAYOUT_STORAGE_KEY, MAX_SAVED_SYMBOLS } from '../web/src/lib/saved-layout.js';
import { buildDashboard, launchChromium, type Chromium } from '../test/browser/harness.js';
import type { FromBrowserServer, ToBrowserServer } from './browser-server.js';
import { tracePage } from './browser-trace.js';
import { startChild } from './children.js';
import { cpuSeconds, descendantsWith, machineBusySeconds, runQueueWaitSeconds } from './proc.js';
import type { ScenarioOutput } from './table.js';

const ROWS = MAX_SAVED_SYMBOLS;
const UPDATE_EVERY_MS = 50;
/** Traffic before measuring: the page has loaded, subscribed and settled. */
const SETTLE_MS = 10_000;
const HEAP_SAMPLE_INTERVAL_MS = 5_000;
/** A frame interval longer than this (1.5 frames at 60 Hz) dropped at least one frame. */
const DROPPED_FRAME_MS = 25;
const TRACE_MS = 10_000;
/** Long animation frames described one by one in the notes (all are in the JSON). */
const LONG_FRAMES_SHOWN = 10;
/** Trace events shown in the summary: the main thread's kinds of work worth a line. */
const TRACE_ROWS = 12;
const SERVER_START_TIMEOUT_MS = 30_000;

/**
 * A frame that took over 50 ms, as Chromium's Long Animation Frames API tells it: where its time went
 * (scripts, style and layout, rendering) and which script took longest, so a long task can be attributed.
 */
interface LongFrame {
  /** ms after the measuring began. */
  readonly atMs: number;
  readonly durationMs: number;
  /** Time in scripts the frame ran (callbacks, event handlers, promise jobs). */
  readonly scriptMs: number;
  /** From the start of style and layout to the frame's end (0 when the frame did not render). */
  readonly styleLayoutMs: number;
  /** From the start of rendering (rAF callbacks, style, layout, paint) to the frame's end. */
  readonly renderMs: number;
  /** Time before rendering that no script took: the browser's own tasks, or the thread waiting for a core. */
  readonly otherMs: number;
  /** The longest script: what invoked it, and its ms. */
  readonly topScript: string;
}

interface PageMeasure {
  readonly frameIntervalsMs: number[];
  readonly longTasksMs: number[];
  /** When each long task started, ms after the measuring began. */
  readonly longTaskStartsMs: number[];
  /** Undefined when the browser has no Long Animation Frames API. */
  longFrames: LongFrame[] | undefined;
  readonly heapSamples: { readonly atMs: number; readonly usedBytes: number }[];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

/** Runs in the page: frames, long tasks and heap samples for `durationMs`. */
function measureInPage(page: Page, durationMs: number): Promise<PageMeasure> {
  return page.evaluate(
    async ([duration, heapEveryMs]): Promise<PageMeasure> => {
      const result: PageMeasure = { frameIntervalsMs: [], longTasksMs: [], longTaskStartsMs: [], longFrames: undefined, heapSamples: [] };
      const start = performance.now();
      const longTasks = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          result.longTasksMs.push(entry.duration);
          result.longTaskStartsMs.push(entry.startTime - start);
        }
      });
      longTasks.observe({ type: 'longtask', buffered: false });
      // The Long Animation Frames API (Chromium 123+); not in TypeScript's DOM types yet, hence the shapes here.
      interface ScriptTiming {
        readonly invoker: string;
        readonly startTime: number;
        readonly duration: number;
      }
      interface AnimationFrameTiming extends PerformanceEntry {
        readonly renderStart: number;
        readonly styleAndLayoutStart: number;
        readonly scripts: readonly ScriptTiming[];
      }
      let longFrames: PerformanceObserver | undefined;
      if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
        const frames: LongFrame[] = [];
        result.longFrames = frames;
        longFrames = new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as AnimationFrameTiming[]) {
            const end = entry.startTime + entry.duration;
            const renderStart = entry.renderStart > 0 ? entry.renderStart : end;
            const scriptsBeforeRender = entry.scripts.filter((script) => script.startTime < renderStart).reduce((sum, script) => sum + script.duration, 0);
            const top = entry.scripts.reduce<ScriptTiming | undefined>((best, script) => (best === undefined || script.duration > best.duration ? script : best), undefined);
            frames.push({
              atMs: entry.startTime - start,
              durationMs: entry.duration,
              scriptMs: entry.scripts.reduce((sum, script) => sum + script.duration, 0),
              styleLayoutMs: entry.styleAndLayoutStart > 0 ? end - entry.styleAndLayoutStart : 0,
              renderMs: end - renderStart,
              otherMs: Math.max(0, renderStart - entry.startTime - scriptsBeforeRender),
              topScript: top === undefined ? '-' : `${top.invoker || '(unnamed)'} ${Math.round(top.duration)} ms`,
            });
          }
        });
        // Chromium reports frames over 50 ms, the long-task threshold.
        longFrames.observe({ type: 'long-animation-frame', buffered: false });
      }
      const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
      const sampleHeap = (): void => {
        if (memory !== undefined) result.heapSamples.push({ atMs: performance.now() - start, usedBytes: memory.usedJSHeapSize });
      };
      sampleHeap();
      const heapTimer = setInterval(sampleHeap, heapEveryMs);
      let last = performance.now();
      await new Promise<void>((resolve) => {
        const frame = (now: number): void => {
          result.frameIntervalsMs.push(now - last);
          last = now;
          if (now - start < duration) requestAnimationFrame(frame);
          else resolve();
        };
        requestAnimationFrame(frame);
      });
      clearInterval(heapTimer);
      sampleHeap();
      longTasks.disconnect();
      longFrames?.disconnect();
      return result;
    },
    [durationMs, HEAP_SAMPLE_INTERVAL_MS] as const,
  );
}

export interface BrowserOptions {
  readonly minutes: number;
  /** Also record a Chrome performance trace of 10 s into this file, and summarise it. */
  readonly traceFile?: string;
}

export async function runBrowser(options: BrowserOptions): Promise<ScenarioOutput> {
  const durationMs = options.minutes * 60_000;
  // npm run bench runs from the checkout's root; this program itself runs compiled, from .tmp.
  const webRoot = await buildDashboard(process.cwd());
  const server = startChild<ToBrowserServer, FromBrowserServer>('./browser-server.js');
  let browser: Chromium | undefined;
  try {
    const ready = server.next<FromBrowserServer>('ready', SERVER_START_TIMEOUT_MS);
    server.send({ type: 'start', webRoot, rows: ROWS, everyMs: UPDATE_EVERY_MS });
    const { origin, symbols } = await ready;
    browser = await launchChromium({ width: 1280, height: 800 });
    await browser.context.addInitScript(
      ([key, layout]) => {
        if (localStorage.getItem(key) === null) localStorage.setItem(key, layout);
      },
      [LAYOUT_STORAGE_KEY, JSON.stringify({ symbols, selected: symbols[0], interval: '1s' })] as const,
    );
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(origin);
    // Every row listed (the table renders the ones in view and a few more) and the rendered ones priced.
    await page.waitForFunction((rows) => document.querySelector('.quotes')?.getAttribute('aria-rowcount') === String(rows + 1), ROWS);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.quotes-body .last .value'), (cell) => cell.textContent ?? '').every((text) => /\d/.test(text)));
    await page.waitForTimeout(SETTLE_MS);

    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Map<string, number>> =>
      new Map((await cdp.send('Performance.getMetrics')).metrics.map((entry) => [entry.name, entry.value]));
    const heapStart = await heapAfterGc(cdp);
    const before = await metrics();
    // The page's renderer: of this program's Chromium renderers, the one that has worked most by now.
    const renderers = descendantsWith(process.pid, '--type=renderer');
    const renderer = renderers.reduce((best, pid) => (cpuSeconds(pid) > cpuSeconds(best) ? pid : best), renderers[0] ?? Number.NaN);
    const sample = (): { machine: number; server: number; renderer: number; rendererWaiting: number } => ({
      machine: machineBusySeconds(),
      server: cpuSeconds(server.pid),
      renderer: Number.isNaN(renderer) ? Number.NaN : cpuSeconds(renderer),
      rendererWaiting: Number.isNaN(renderer) ? Number.NaN : runQueueWaitSeconds(renderer),
    });
    process.stderr.write(`browser: watching ${ROWS} rows for ${options.minutes} min\n`);
    const cpuBefore = sample();
    const measured = await measureInPage(page, durationMs);
    const cpuAfter = sample();
    const after = await metrics();
    const heapEnd = await heapAfterGc(cdp);
    const rate = Number(await page.locator('.badge [data-rate]').getAttribute('data-rate'));
    const traced = options.traceFile === undefined ? undefined : await tracePage(cdp, TRACE_MS, options.traceFile);

    const seconds = durationMs / 1000;
    const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    const intervals = [...measured.frameIntervalsMs].sort((x, y) => x - y);
    const longest = measured.longTasksMs.reduce((max, ms) => Math.max(max, ms), 0);
    const samples = measured.heapSamples;
    const MB = 2 ** 20;
    // The heap's low points (just after a collection) per minute: flat when the last is no higher than the first.
    const lows = Array.from({ length: Math.ceil(options.minutes) }, (_, minute) =>
      Math.min(...samples.filter((sample) => Math.floor(sample.atMs / 60_000) === minute).map((sample) => sample.usedBytes)),
    ).filter(Number.isFinite);
    const rows: (readonly [string, string | number])[] = [
      ['rows, all changing every flush', ROWS],
      ['updates/s received (dashboard badge)', rate],
      ['frames/s', intervals.length / seconds],
      ['frame interval p50 ms', percentile(intervals, 50)],
      ['frame interval p95 ms', percentile(intervals, 95)],
      ['frame interval p99 ms', percentile(intervals, 99)],
      ['frame interval max ms', percentile(intervals, 100)],
      [`frames over ${DROPPED_FRAME_MS} ms`, intervals.filter((ms) => ms > DROPPED_FRAME_MS).length],
      ['frames on time (one 60 Hz interval)', `${((100 * intervals.filter((ms) => ms <= DROPPED_FRAME_MS).length) / Math.max(1, intervals.length)).toFixed(2)} %`],
      ['long tasks (> 50 ms)', measured.longTasksMs.length],
      ['longest task ms', longest],
      ['long animation frames (> 50 ms)', measured.longFrames?.length ?? '-'],
      ['renderer main thread waiting for a CPU, ms per s', ((cpuAfter.rendererWaiting - cpuBefore.rendererWaiting) * 1000) / seconds],
      ['renderer process CPU, % of a core', ((cpuAfter.renderer - cpuBefore.renderer) * 100) / seconds],
      ['server process CPU, % of a core', ((cpuAfter.server - cpuBefore.server) * 100) / seconds],
      ['machine busy, % of all cores', ((cpuAfter.machine - cpuBefore.machine) * 100) / seconds / cpus().length],
      ['script ms per s', (delta('ScriptDuration') * 1000) / seconds],
      ['style + layout ms per s', ((delta('RecalcStyleDuration') + delta('LayoutDuration')) * 1000) / seconds],
      ['all main-thread tasks ms per s', (delta('TaskDuration') * 1000) / seconds],
      ['JS heap after GC, start MB', heapStart / MB],
      ['JS heap after GC, end MB', heapEnd / MB],
      ['JS heap lowest per minute MB', lows.map((bytes) => (bytes / MB).toFixed(1)).join(', ') || '-'],
    ];
    const tables = [{ title: `dashboard, ${ROWS} rows updating every ${UPDATE_EVERY_MS} ms, ${options.minutes} min, 1280x800`, table: { header: ['measure', 'value'], rows } }];
    if (traced !== undefined) {
      const top = [...traced].sort((x, y) => y[1] - x[1]).slice(0, TRACE_ROWS);
      tables.push({ title: `main thread, by trace event (nested events overlap), ${options.traceFile}`, table: { header: ['trace event', 'ms per s'], rows: top } });
    }
    const longFrameNotes = (measured.longFrames ?? []).slice(0, LONG_FRAMES_SHOWN).map(
      (frame) =>
        `long animation frame at ${(frame.atMs / 1000).toFixed(1)} s: ${frame.durationMs.toFixed(0)} ms, of it scripts ${frame.scriptMs.toFixed(0)} (longest: ${frame.topScript}), ` +
        `rendering ${frame.renderMs.toFixed(0)} (style and layout ${frame.styleLayoutMs.toFixed(0)}); before rendering, ${frame.otherMs.toFixed(0)} ms in no script (the browser's own tasks, or the thread waiting for a core)`,
    );
    if (measured.longFrames === undefined) longFrameNotes.push('this Chromium has no Long Animation Frames API: long tasks are not attributed');
    return {
      tables,
      data: { frameIntervalsMs: intervals.length, longTasksMs: measured.longTasksMs, longTaskStartsMs: measured.longTaskStartsMs, longFrames: measured.longFrames, heapSamples: samples, heapStart, heapEnd, rows },
      notes: [
        ...longFrameNotes,
        'frame intervals are requestAnimationFrame to requestAnimationFrame: 16.7 ms at 60 Hz when no frame is dropped; Chromium rounds their timestamps to 0.1 ms, so on-time frames read 16.6 or 16.8',
        'the watchlist renders the rows in view and 8 either side; the others are kept current off the DOM and written when they scroll in (web/src/lib/watchlist.svelte.ts)',
      ],
    };
  } finally {
    await browser?.close();
    await server.stop({ type: 'stop' });
    await rm(webRoot, { recursive: true, force: true });
  }
}
