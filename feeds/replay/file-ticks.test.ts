import { describe, expect, test } from 'vitest';
import { scratchFolder } from '../../test/helpers/scratch.js';
import type { Tick } from '../tick.js';
import { ReplayError } from './errors.js';
import { FileTicks, type FileTicksOptions } from './file-ticks.js';
import { TickCursor } from './merge.js';

const files = scratchFolder('tickertape-file-ticks-');
const HEADER = 'time,symbol,price,size\n';
const T = Date.UTC(2024, 0, 2, 14, 30);
const iso = (ms: number): string => new Date(ms).toISOString();

const DEFAULTS: FileTicksOptions = { skipBad: false, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY, maxOutOfOrderMs: 300_000 };

async function drain(source: FileTicks): Promise<{ ticks: Tick[]; error: ReplayError | undefined }> {
  const ticks: Tick[] = [];
  try {
    await source.open();
    for (let batch = await source.next(); batch !== undefined; batch = await source.next()) ticks.push(...batch);
  } catch (error) {
    if (!(error instanceof ReplayError)) throw error;
    return { ticks, error };
  }
  return { ticks, error: undefined };
}

function csv(name: string, rows: string[]): string {
  return files.write(name, HEADER + rows.map((row) => `${row}\n`).join(''));
}

describe('FileTicks', () => {
  test('strict: the first bad line stops the file with FILE:LINE: reason, after every good tick before it', async () => {
    const path = csv('bad.csv', [`${iso(T)},A,10,1`, `${iso(T + 1)},A,10.5,2`, `${iso(T + 2)},A,-3,1`, `${iso(T + 3)},A,11,1`]);
    const { ticks, error } = await drain(new FileTicks(path, DEFAULTS));
    expect(ticks.map((tick) => tick.price)).toEqual([10, 10.5]);
    expect(error?.code).toBe('BAD_LINE');
    expect(error?.message).toBe(`${path}:4: bad price: -3 (a price must be above 0)`);
  });

  test('--skip-bad: bad lines are counted by reason and the rest is read', async () => {
    const path = csv('mixed.csv', [`${iso(T)},A,10,1`, `${iso(T + 1)},A,ten,1`, `${iso(T + 2)},A,0,1`, 'garbage', `${iso(T + 3)},A,11,1`, `yesterday,A,1,1`]);
    const source = new FileTicks(path, { ...DEFAULTS, skipBad: true });
    const { ticks, error } = await drain(source);
    expect(error).toBeUndefined();
    expect(ticks.map((tick) => tick.price)).toEqual([10, 11]);
    expect(source.stats.skipped).toEqual({ 'bad price': 2, 'too few fields': 1, 'bad time': 1 });
    expect(source.stats).toMatchObject({ lines: 7, ticks: 2, ignored: { header: 1 }, firstTime: T, lastTime: T + 3 });
  });

  test('ticks a little out of order are kept; beyond the tolerance they are a bad line', async () => {
    const path = csv('order.csv', [`${iso(T + 60_000)},A,1,1`, `${iso(T + 59_000)},A,2,1`, `${iso(T + 60_000 - 300_000)},A,3,1`, `${iso(T - 241_000)},A,4,1`]);
    const { ticks, error } = await drain(new FileTicks(path, DEFAULTS));
    expect(ticks.map((tick) => tick.price)).toEqual([1, 2, 3]);
    expect(error?.code).toBe('OUT_OF_ORDER');
    expect(error?.message).toBe(
      `${path}:5: out of order: ${iso(T - 241_000)} is 301 s before ${iso(T + 60_000)}, read earlier (at most 300 s allowed)`,
    );
    const skipping = new FileTicks(path, { ...DEFAULTS, skipBad: true });
    await drain(skipping);
    expect(skipping.stats.skipped).toEqual({ 'out of order': 1 });
  });

  test('--from/--to keep the window and stop reading once nothing later can fall inside it', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${iso(T + i * 60_000)},A,${i + 1},1`);
    const source = new FileTicks(csv('window.csv', rows), { ...DEFAULTS, from: T + 10 * 60_000, to: T + 20 * 60_000 });
    const { ticks } = await drain(source);
    expect(ticks.map((tick) => tick.price)).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    // Read up to `to` + the out-of-order tolerance (5 min), not to the end of the file.
    expect(source.stats.outside).toBe(10 + 6);
  });
});

describe('TickCursor', () => {
  test('merges files by event time; equal times go in the order the files were named', async () => {
    const a = csv('a.csv', [`${iso(T)},A,1,1`, `${iso(T + 2)},A,3,1`, `${iso(T + 4)},A,5,1`]);
    const b = csv('b.csv', [`${iso(T + 1)},B,2,1`, `${iso(T + 2)},B,4,1`, `${iso(T + 9)},B,6,1`]);
    const sources = [new FileTicks(a, DEFAULTS), new FileTicks(b, DEFAULTS)];
    for (const source of sources) await source.open();
    const cursor = new TickCursor(sources);
    const merged: string[] = [];
    for (;;) {
      const head = cursor.headTime();
      if (Number.isNaN(head)) {
        await cursor.fill();
        continue;
      }
      if (head === Number.POSITIVE_INFINITY) break;
      const tick = cursor.take();
      merged.push(`${tick.symbol}${tick.price}`);
    }
    expect(merged).toEqual(['A1', 'B2', 'A3', 'B4', 'A5', 'B6']);
    expect(cursor.progress()).toBe(1);
  });
});
