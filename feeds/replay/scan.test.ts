import { describe, expect, test } from 'vitest';
import { scratchFolder } from '../../test/helpers/scratch.js';
import { MAX_OUT_OF_ORDER_MS } from './options.js';
import { scanEnd, scanEndInWorker, type ScanOptions } from './scan.js';

const files = scratchFolder('tickertape-scan-');
const T = Date.UTC(2024, 0, 2, 14, 30);

function options(paths: string[], more: Partial<ScanOptions> = {}): ScanOptions {
  return { files: paths, format: undefined, symbol: undefined, skipBad: false, from: -Infinity, to: Infinity, maxOutOfOrderMs: MAX_OUT_OF_ORDER_MS, ...more };
}

describe('finding where a replay ends', () => {
  const a = files.write('a.csv', `time,symbol,price,size\n${T},A,1,1\n${T + 9_000},A,1,1\n${T + 8_000},A,1,1\n`);
  const b = files.gzip('b.csv.gz', `time,symbol,price,size\n${T + 5_000},B,1,1\n${T + 12_000},B,1,1\n`);

  test('is the newest tick of all files, within the window', async () => {
    expect(await scanEnd(options([a, b]))).toBe(T + 12_000);
    expect(await scanEnd(options([a, b], { to: T + 10_000 }))).toBe(T + 9_000);
  });

  test('stops at a bad line (the replay will stop there too)', async () => {
    const bad = files.write('bad.csv', `time,symbol,price,size\n${T},A,1,1\n${T + 1_000},A,x,1\n${T + 2_000},A,1,1\n`);
    expect(await scanEnd(options([bad]))).toBe(T);
  });

  test('runs on a worker thread with the same answer', async () => {
    const scan = scanEndInWorker(options([a, b]));
    expect(await scan.end).toBe(T + 12_000);
  });

  test('scans in this thread when the worker cannot start (its module missing), with the same answer', async () => {
    // Long enough that scanning it here takes far longer than the failed worker takes to exit.
    const lines = Array.from({ length: 100_000 }, (_, i) => `${T + i},A,1,1`);
    const long = files.write('long.csv', `time,symbol,price,size\n${lines.join('\n')}\n`);
    const scan = scanEndInWorker(options([long, b]), new URL('./no-such-scan-worker.js', import.meta.url));
    expect(await scan.end).toBe(T + 99_999);
  });
});
