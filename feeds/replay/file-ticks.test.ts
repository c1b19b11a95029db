import { gzipSync } from 'node:zlib';
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

  test('one time far ahead of the ticks around it is the bad line: the ticks after it are kept', async () => {
    // A year 2113 among 2024's ticks, as a flipped digit makes it: it is the line blamed, not the good one after it.
    const rows = Array.from({ length: 40 }, (_, i) => `${iso(T + i * 1000)},A,${i + 1},1`);
    const far = Date.UTC(2113, 0, 2, 14, 30);
    rows.splice(20, 0, `${iso(far)},A,99,1`);
    const path = csv('far-ahead.csv', rows);
    const expected = Array.from({ length: 40 }, (_, i) => i + 1);
    for (const chunkBytes of [64, 1 << 16]) {
      const { ticks, error } = await drain(new FileTicks(path, { ...DEFAULTS, reader: { chunkBytes } }));
      expect(ticks.map((tick) => tick.price)).toEqual(expected.slice(0, 20));
      expect(error?.code).toBe('OUT_OF_ORDER');
      expect(error?.message).toBe(
        `${path}:22: far ahead: ${iso(far)} is 32507 days after the newest time before it (${iso(T + 19_000)}) ` +
          `and 32507 days after the next tick (${iso(T + 20_000)} on line 23); at most 300 s out of order allowed`,
      );
      const skipping = new FileTicks(path, { ...DEFAULTS, skipBad: true, reader: { chunkBytes } });
      const skipped = await drain(skipping);
      expect(skipped.error).toBeUndefined();
      expect(skipped.ticks.map((tick) => tick.price)).toEqual(expected);
      expect(skipping.stats).toMatchObject({ skipped: { 'far ahead': 1 }, ticks: 40, lastTime: T + 39_000 });
    }
  });

  test('a first tick far ahead of the two after it is the bad line; a second far behind the first is, when the third sides with the first', async () => {
    const far = T + 400 * 86_400_000;
    const ahead = csv('first-ahead.csv', [`${iso(far)},A,99,1`, `${iso(T)},A,1,1`, `${iso(T + 1000)},A,2,1`, `${iso(T + 2000)},A,3,1`]);
    const strict = await drain(new FileTicks(ahead, DEFAULTS));
    expect(strict.ticks).toEqual([]);
    expect(strict.error?.message).toBe(
      `${ahead}:2: far ahead: ${iso(far)} is 400 days or more after the next two ticks (${iso(T)} on line 3, ${iso(T + 1000)} on line 4); ` +
        'at most 300 s out of order allowed',
    );
    const skipping = new FileTicks(ahead, { ...DEFAULTS, skipBad: true });
    expect((await drain(skipping)).ticks.map((tick) => tick.price)).toEqual([1, 2, 3]);
    expect(skipping.stats.skipped).toEqual({ 'far ahead': 1 });

    // The other way round: a good first tick, then one far in the past. The third tick sides with the first.
    const behind = csv('second-behind.csv', [`${iso(T)},A,1,1`, `${iso(T - 400 * 86_400_000)},A,99,1`, `${iso(T + 1000)},A,2,1`]);
    const old = await drain(new FileTicks(behind, DEFAULTS));
    expect(old.ticks.map((tick) => tick.price)).toEqual([1]);
    expect(old.error?.message).toBe(`${behind}:3: out of order: ${iso(T - 400 * 86_400_000)} is 400 days before ${iso(T)}, read earlier (at most 300 s allowed)`);
    const skippingOld = new FileTicks(behind, { ...DEFAULTS, skipBad: true });
    expect((await drain(skippingOld)).ticks.map((tick) => tick.price)).toEqual([1, 2]);
    expect(skippingOld.stats.skipped).toEqual({ 'out of order': 1 });
  });

  test('a gap the next tick follows moves the file on; a tick far behind both the gap and the ticks before it is out of order', async () => {
    const day = 86_400_000;
    const rows = [`${iso(T)},A,1,1`, `${iso(T + day)},A,2,1`, `${iso(T - day)},A,98,1`, `${iso(T + day + 1000)},A,3,1`, `${iso(T + 60 * day)},A,4,1`];
    const path = csv('gaps.csv', rows);
    // Strict: the tick after the gap is still held when the bad line stops the file, not known to be good.
    const strict = await drain(new FileTicks(path, DEFAULTS));
    expect(strict.ticks.map((tick) => tick.price)).toEqual([1]);
    expect(strict.error?.message).toBe(`${path}:4: out of order: ${iso(T - day)} is 1 day before ${iso(T)}, read earlier (at most 300 s allowed)`);
    const skipping = new FileTicks(path, { ...DEFAULTS, skipBad: true });
    // The last line, 59 days on, has no tick after it to say otherwise: it is handed over.
    expect((await drain(skipping)).ticks.map((tick) => tick.price)).toEqual([1, 2, 3, 4]);
    expect(skipping.stats).toMatchObject({ skipped: { 'out of order': 1 }, ticks: 4, lastTime: T + 60 * day });
  });

  test('a tick in step with neither the held tick nor the ticks before it waits for the tick after it', async () => {
    const hour = 3_600_000;
    // A two-hour gap, then a tick 20 minutes after the ticks before the gap: the tick after it follows the gap.
    const gap = csv('gap-then-stray.csv', [`${iso(T)},A,1,1`, `${iso(T + 2 * hour)},A,2,1`, `${iso(T + hour / 3)},A,97,1`, `${iso(T + 2 * hour + 1000)},A,3,1`]);
    const strict = await drain(new FileTicks(gap, DEFAULTS));
    expect(strict.ticks.map((tick) => tick.price)).toEqual([1, 2]);
    expect(strict.error?.message).toBe(`${gap}:4: out of order: ${iso(T + hour / 3)} is 6000 s before ${iso(T + 2 * hour)}, read earlier (at most 300 s allowed)`);
    const skipping = new FileTicks(gap, { ...DEFAULTS, skipBad: true });
    expect((await drain(skipping)).ticks.map((tick) => tick.price)).toEqual([1, 2, 3]);
    expect(skipping.stats.skipped).toEqual({ 'out of order': 1 });

    // A bad time 100 days on, then a real 20-minute gap: the tick after it follows the gap, not the bad time.
    const far = T + 100 * 86_400_000;
    const stray = csv('stray-then-gap.csv', [`${iso(T)},A,1,1`, `${iso(far)},A,99,1`, `${iso(T + hour / 3)},A,2,1`, `${iso(T + hour / 3 + 1000)},A,3,1`]);
    const strictStray = await drain(new FileTicks(stray, DEFAULTS));
    expect(strictStray.ticks.map((tick) => tick.price)).toEqual([1]);
    expect(strictStray.error?.message).toBe(
      `${stray}:3: far ahead: ${iso(far)} is 100 days after the newest time before it (${iso(T)}) and 100 days or more after the next two ticks ` +
        `(${iso(T + hour / 3)} on line 4, ${iso(T + hour / 3 + 1000)} on line 5); at most 300 s out of order allowed`,
    );
    const skippingStray = new FileTicks(stray, { ...DEFAULTS, skipBad: true });
    expect((await drain(skippingStray)).ticks.map((tick) => tick.price)).toEqual([1, 2, 3]);
    expect(skippingStray.stats.skipped).toEqual({ 'far ahead': 1 });
  });

  test('a bad time far past --to does not end the file early', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${iso(T + i * 60_000)},A,${i + 1},1`);
    rows.splice(5, 0, `${iso(Date.UTC(2113, 0, 2))},A,99,1`);
    const source = new FileTicks(csv('window-far.csv', rows), { ...DEFAULTS, skipBad: true, to: T + 10 * 60_000 });
    const { ticks } = await drain(source);
    expect(ticks.map((tick) => tick.price)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(source.stats.skipped).toEqual({ 'far ahead': 1 });
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

describe('FileTicks on a damaged gzip file', () => {
  const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD', 'ETH-USD', 'BAC'];
  /** A recording of 20,000 ticks, one every 50 ms: line n + 2 holds tick n. */
  const rows = Array.from({ length: 20_000 }, (_, i) => `${T + i * 50},${SYMBOLS[i % 5]},${(100 + ((i * 7919) % 500) / 100).toFixed(2)},${1 + (i % 9)},${i % 2 === 0 ? 's' : 'b'},,`);
  const text = `# tickertape recording v1: ts,symbol,price,size,side,bid,ask\n${rows.join('\n')}\n`;
  const CHECKSUM = 'corrupt gzip data (incorrect data check): the data does not match the CRC-32 checksum at the end of the compressed stream';

  /** The recording gzipped in stored (level 0) blocks, with one bit flipped at `find` (+ `offset`): only the checksum can tell. */
  function flipped(name: string, find: string, offset: number, bit: number): string {
    const whole = gzipSync(text, { level: 0 });
    whole[whole.indexOf(find) + offset]! ^= bit;
    return files.write(name, whole);
  }

  async function both(path: string): Promise<{ strict: Awaited<ReturnType<typeof drain>>; skipping: Awaited<ReturnType<typeof drain>>; skipped: FileTicks }> {
    const strict = await drain(new FileTicks(path, DEFAULTS));
    const skipped = new FileTicks(path, { ...DEFAULTS, skipBad: true });
    return { strict, skipping: await drain(skipped), skipped };
  }

  test('a bit flipped into a bad line is BAD_GZIP at that line, under --skip-bad too, and nothing past it is read', async () => {
    // Tick 10,000's time, 1704206300000, becomes 9704206300000 (the year 2277): line 10,002 is far ahead.
    const path = flipped('far.tape.gz', `\n${T + 10_000 * 50},`, 1, 0x08);
    const { strict, skipping, skipped } = await both(path);
    const message =
      `${path}:10002: ${CHECKSUM}; this line, the first bad one, is likely damaged data (far ahead: 2277-07-07T04:51:40.000Z is 92592.6 days ` +
      'after the newest time before it (2024-01-02T14:38:19.950Z) and 92592.6 days after the next tick (2024-01-02T14:38:20.050Z on line 10003); at most 300 s out of order allowed)';
    for (const { error } of [strict, skipping]) {
      expect(error?.code).toBe('BAD_GZIP');
      expect(error?.message).toBe(message);
    }
    // The ticks before it; --skip-bad, the tick after it too, which showed it up and is in step with them.
    expect(strict.ticks.map((tick) => tick.ts)).toEqual(Array.from({ length: 10_000 }, (_, i) => T + i * 50));
    expect(skipping.ticks.map((tick) => tick.ts)).toEqual(Array.from({ length: 10_001 }, (_, i) => T + (i < 10_000 ? i : i + 1) * 50));
    expect(skipped.stats.skipped).toEqual({ 'far ahead': 1 });
  });

  test('a bit flipped into a line that still reads is found at the end of the stream: BAD_GZIP for the file, under --skip-bad too', async () => {
    // Tick 10,000's size, 2, becomes 3: a good line, wrong.
    const path = flipped('size.tape.gz', `\n${T + 10_000 * 50},`, `${T + 10_000 * 50},${rows[10_000]!.split(',')[1]},${rows[10_000]!.split(',')[2]},`.length + 1, 0x01);
    const { strict, skipping, skipped } = await both(path);
    for (const { ticks, error } of [strict, skipping]) {
      expect(error?.code).toBe('BAD_GZIP');
      expect(error?.message).toBe(`${path}: ${CHECKSUM}: the lines read from it may hold damaged data`);
      expect(ticks[10_000]?.size).toBe(3);
    }
    expect(skipped.stats.skipped).toEqual({});
  });

  test('one bit flipped in the middle of compressed data: BAD_GZIP naming the file, strict or --skip-bad', async () => {
    const whole = gzipSync(text);
    whole[Math.floor(whole.length / 2)]! ^= 0x01;
    const path = files.write('flipped.tape.gz', whole);
    const { strict, skipping } = await both(path);
    for (const { ticks, error } of [strict, skipping]) {
      expect(error?.code).toBe('BAD_GZIP');
      expect(error?.message).toMatch(new RegExp(`^${path.replace(/[.\\/]/g, '\\$&')}(:\\d+)?: corrupt gzip data`));
      for (const tick of ticks) expect(SYMBOLS).toContain(tick.symbol);
    }
  });

  test('a gzip file cut short is not corrupt: --skip-bad reads it up to the cut and counts it', async () => {
    const whole = gzipSync(text);
    const path = files.write('cut.tape.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const { strict, skipping, skipped } = await both(path);
    expect(strict.error?.message).toMatch(/cut\.tape\.gz:\d+: truncated gzip: the file ends in the middle of the compressed stream/);
    expect(skipping.error).toBeUndefined();
    expect(skipping.ticks.length).toBeGreaterThan(5_000);
    expect(skipped.stats.skipped).toEqual({ 'truncated gzip': 1 });
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
