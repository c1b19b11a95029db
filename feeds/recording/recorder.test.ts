import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { scratchFolder } from '../../test/helpers/scratch.js';
import { FileTicks } from '../replay/file-ticks.js';
import { ReplayError } from '../replay/errors.js';
import { formatTickLine, parseTickLine } from '../replay/formats/tickertape.js';
import type { Side, Tick } from '../tick.js';
import { rotatedName, TickRecorder } from './recorder.js';

const files = scratchFolder('tickertape-recorder-');

function randomTick(i: number): Tick {
  const pick = <T>(...values: T[]): T => values[Math.floor(Math.random() * values.length)]!;
  const trade = Math.random() < 0.7;
  const price = trade ? pick(Math.random() * 1e5, 0.1 + 0.2, 1e-9 * Math.random(), 64_250.33, 1e21 * Math.random() + 1) : undefined;
  return {
    symbol: pick('BTC-USD', 'AAPL', 'BRK.B', 'X:Y/Z_1'),
    ts: 1.7e12 + i * 13.37 + Math.random(),
    price,
    size: trade ? pick(Math.random() * 10, 3e-7, 100, 0.30000000000000004) : undefined,
    side: trade ? pick<Side | undefined>('buy', 'sell', undefined) : undefined,
    bid: Math.random() < 0.5 ? Math.random() * 100 + 0.01 : undefined,
    ask: trade && Math.random() < 0.5 ? undefined : Math.random() * 100 + 0.02,
  };
}

async function readBack(path: string): Promise<{ ticks: Tick[]; error: ReplayError | undefined }> {
  const source = new FileTicks(path, { skipBad: false, from: -Infinity, to: Infinity, maxOutOfOrderMs: 300_000 });
  const ticks: Tick[] = [];
  try {
    await source.open();
    for (let batch = await source.next(); batch !== undefined; batch = await source.next()) ticks.push(...batch);
  } catch (error) {
    if (error instanceof ReplayError) return { ticks, error };
    throw error;
  }
  return { ticks, error: undefined };
}

describe('the recording format', () => {
  test('every field of every tick reads back exactly (String(number) round-trips doubles)', () => {
    for (let i = 0; i < 50_000; i++) {
      const tick = randomTick(i);
      const out: Tick[] = [];
      expect(parseTickLine(formatTickLine(tick), out)).toBeUndefined();
      expect(out[0]).toEqual(tick);
    }
  });
});

describe('TickRecorder', () => {
  test('writes a gzip file that replays to exactly the ticks written; refuses what a line cannot hold', async () => {
    const path = files.path('ticks.tape.gz');
    const recorder = await TickRecorder.open({ file: path });
    const ticks = Array.from({ length: 20_000 }, (_, i) => randomTick(i));
    for (const tick of ticks) if (!recorder.write(tick)) await recorder.drain();
    recorder.write({ symbol: 'BAD,SYMBOL', ts: 1, price: 1, size: 1 });
    recorder.write({ symbol: 'X', ts: 1, price: -1, size: 1 });
    await recorder.close();
    expect(recorder.stats).toEqual({ ticks: 20_000, refused: 2, files: [path] });
    expect(readFileSync(path).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const { ticks: read, error } = await readBack(path);
    expect(error).toBeUndefined();
    expect(read).toEqual(ticks);
  });

  test('a gzip level trades bytes for CPU; every level replays to the same ticks; a level means gzip', async () => {
    // Ticks like a feed's: few symbols, prices that repeat, so the levels differ as they do on real files.
    const ticks = Array.from({ length: 30_000 }, (_, i) => ({ symbol: ['AAPL', 'MSFT', 'BTC-USD'][i % 3]!, ts: 1.7e12 + i * 7, price: 100 + (i % 50) / 100, size: 1 + (i % 7) }));
    const sizes: Record<number, number> = {};
    for (const level of [1, 6, 9]) {
      // No .gz ending: the level alone asks for gzip.
      const path = files.path(`level-${level}.tape`);
      const recorder = await TickRecorder.open({ file: path, gzipLevel: level });
      for (const tick of ticks) if (!recorder.write(tick)) await recorder.drain();
      await recorder.close();
      const bytes = readFileSync(path);
      expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      sizes[level] = bytes.length;
      expect((await readBack(path)).ticks).toEqual(ticks);
    }
    expect(sizes[1]).toBeGreaterThan(sizes[6]!);
    expect(sizes[6]).toBeGreaterThanOrEqual(sizes[9]!);
    for (const level of [0, 10, 2.5, Number.NaN]) {
      await expect(TickRecorder.open({ file: files.path(`bad-${level}.tape.gz`), gzipLevel: level })).rejects.toThrow(`the gzip level must be a whole number from 1 to 9, got ${level}`);
    }
  });

  test('a recording cut off mid-way (a crash) replays up to its last flush', async () => {
    const path = files.path('crash.tape.gz');
    const recorder = await TickRecorder.open({ file: path });
    const ticks = Array.from({ length: 5_000 }, (_, i) => ({ ...randomTick(i), symbol: 'A' }));
    for (const tick of ticks) recorder.write(tick);
    recorder.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The process dies here: the gzip stream is never ended.
    const { ticks: read, error } = await readBack(path);
    expect(read).toEqual(ticks);
    expect(error?.message).toMatch(/crash\.tape\.gz:5002: truncated gzip/);
    await recorder.close();
  });

  test.each(['paced.tape', 'paced.tape.gz'])('%s: written a little at a time, as a paced feed is, it rotates soon after each file reaches the size', async (name) => {
    // A paced feed's lines reach the file through the once-a-second flush, a part of a block at a time, not
    // through write() filling a block: each flush here hands over about 20 KB of lines.
    const rotateBytes = 64 * 1024;
    const path = files.path(name);
    const recorder = await TickRecorder.open({ file: path, rotateBytes });
    const ticks = Array.from({ length: 12_000 }, (_, i) => randomTick(i));
    for (let i = 0; i < ticks.length; i++) {
      if (!recorder.write(ticks[i]!)) await recorder.drain();
      if (i % 300 === 299) await recorder.flush();
    }
    await recorder.close();
    const series = recorder.stats.files;
    expect(series.length).toBeGreaterThanOrEqual(4);
    // Each but the last reached the size, and went past it by less than one flush's worth of lines.
    for (const file of series.slice(0, -1)) {
      const size = readFileSync(file).length;
      expect(size, file).toBeGreaterThanOrEqual(rotateBytes);
      expect(size, file).toBeLessThan(rotateBytes + 24 * 1024);
    }
    const read: Tick[] = [];
    for (const file of series) read.push(...(await readBack(file)).ticks);
    expect(read).toEqual(ticks);
  });

  test('names a rotated series after the file, before its extensions', () => {
    expect(rotatedName('out/ticks.tape.gz', 1)).toBe('out/ticks-0001.tape.gz');
    expect(rotatedName('ticks.tape', 12)).toBe('ticks-0012.tape');
    expect(rotatedName('ticks', 3)).toBe('ticks-0003');
  });
});
