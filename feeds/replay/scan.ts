/**
 * Where a replay ends: read every file through once, unpaced, with the replay's own options, and take the
 * newest event time handed over. Built code runs it on a worker thread (scan-worker.ts), so a long scan,
 * e.g. of a gigabyte of gzip, never takes the server's thread from the replay it serves. Run from source
 * (tsx, vitest) it scans in-thread: a worker would first have to start a TypeScript loader of its own,
 * which costs seconds, more than scanning any file a test writes.
 */
import { Worker } from 'node:worker_threads';
import { FileTicks } from './file-ticks.js';
import type { ResolvedReplayOptions } from './options.js';

/** What the scan needs: the options that decide which ticks a file yields. */
export type ScanOptions = Pick<ResolvedReplayOptions, 'files' | 'format' | 'symbol' | 'skipBad' | 'from' | 'to' | 'maxOutOfOrderMs'>;

/** The newest event time among the ticks the files yield; NaN when they yield none or cannot be read. */
export async function scanEnd(options: ScanOptions, stopped: () => boolean = () => false): Promise<number> {
  const ends = await Promise.all(
    options.files.map(async (file) => {
      const source = new FileTicks(file, { ...options });
      try {
        await source.open();
        while (!stopped() && (await source.next()) !== undefined);
      } catch {
        // A bad line ends the scan of its file; the replay stops there too and reports it when it gets there.
      } finally {
        await source.close();
      }
      return source.stats.lastTime;
    }),
  );
  const known = ends.filter((end) => !Number.isNaN(end));
  return known.length === 0 ? Number.NaN : Math.max(...known);
}

export interface Scan {
  readonly end: Promise<number>;
  stop(): void;
}

/** scanEnd on a worker thread when running built code, else in this thread (see above). */
export function startScan(options: ScanOptions): Scan {
  return import.meta.url.endsWith('.ts') ? inThread(options) : scanEndInWorker(options);
}

/**
 * scanEnd on a worker thread (from source too, through scan-worker-tsx.mjs). `workerUrl`: the worker's
 * module, for tests of a worker that cannot start.
 */
export function scanEndInWorker(options: ScanOptions, workerUrl = defaultWorkerUrl()): Scan {
  let worker: Worker;
  try {
    worker = new Worker(workerUrl, { workerData: pickScanOptions(options) });
  } catch {
    return inThread(options);
  }
  let stopped = false;
  const end = new Promise<number>((resolve) => {
    let fellBack = false;
    worker.once('message', (value: number) => resolve(value));
    worker.once('error', () => {
      // The worker could not run (e.g. no loader, or its module missing from a build): scan here instead.
      fellBack = true;
      if (!stopped) void scanEnd(options, () => stopped).then(resolve);
      else resolve(Number.NaN);
    });
    // Ended without an answer or an error: stopped. (After an error, 'exit' follows at once: the scan here
    // answers then, and a NaN from here would have made the replay end where it starts.)
    worker.once('exit', () => {
      if (!fellBack) resolve(Number.NaN);
    });
  });
  return {
    end,
    stop() {
      stopped = true;
      void worker.terminate();
    },
  };
}

function defaultWorkerUrl(): URL {
  const source = import.meta.url;
  return new URL(source.endsWith('.ts') ? './scan-worker-tsx.mjs' : './scan-worker.js', source);
}

function inThread(options: ScanOptions): Scan {
  let stopped = false;
  return { end: scanEnd(options, () => stopped), stop: () => (stopped = true) };
}

function pickScanOptions(options: ScanOptions): ScanOptions {
  const { files, format, symbol, skipBad, from, to, maxOutOfOrderMs } = options;
  return { files, format, symbol, skipBad, from, to, maxOutOfOrderMs };
}
