/**
 * A Chrome performance trace of the page (CDP Tracing, the devtools timeline categories), written to a file
 * Chrome's Performance panel opens, and summarised: main-thread time per kind of work.
 */
import { writeFile } from 'node:fs/promises';
import type { CDPSession } from 'playwright-core';

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing'].join(',');

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { readonly name?: string };
}

/** Records `durationMs` of trace into `file`; returns main-thread ms per second by event name. */
export async function tracePage(cdp: CDPSession, durationMs: number, file: string): Promise<Map<string, number>> {
  const events: TraceEvent[] = [];
  const collect = (data: { value: Record<string, unknown>[] }): void => {
    for (const event of data.value) events.push(event as unknown as TraceEvent);
  };
  cdp.on('Tracing.dataCollected', collect);
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', collect);
  await writeFile(file, JSON.stringify({ traceEvents: events }));

  // The renderer's main thread is the one named CrRendererMain.
  const main = events.find((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
  const perSecond = new Map<string, number>();
  for (const event of events) {
    if (main === undefined || event.pid !== main.pid || event.tid !== main.tid || event.ph !== 'X' || event.dur === undefined) continue;
    perSecond.set(event.name, (perSecond.get(event.name) ?? 0) + event.dur / 1000 / (durationMs / 1000));
  }
  return perSecond;
}
