import { chmodSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { scratchFolder } from '../../test/helpers/scratch.js';
import { ReplayError } from './errors.js';
import { gzipDamage, LineReader, type LineReaderOptions } from './line-reader.js';

const files = scratchFolder('tickertape-lines-');

/** Every line with its number, read through a LineReader. */
async function readAll(path: string, options: LineReaderOptions = {}): Promise<[number, string][]> {
  const reader = new LineReader(path, options);
  await reader.open();
  const out: [number, string][] = [];
  for (let batch = await reader.next(); batch !== undefined; batch = await reader.next()) {
    batch.lines.forEach((line, i) => out.push([batch.firstLine + i, line]));
  }
  return out;
}

/** The ReplayError a promise rejects with, and the lines handed over before it. */
async function failureOf(path: string, options: LineReaderOptions = {}): Promise<{ error: ReplayError; lines: string[] }> {
  const reader = new LineReader(path, options);
  const lines: string[] = [];
  try {
    await reader.open();
    for (let batch = await reader.next(); batch !== undefined; batch = await reader.next()) lines.push(...batch.lines);
  } catch (error) {
    if (error instanceof ReplayError) return { error, lines };
    throw error;
  }
  throw new Error('expected a ReplayError');
}

describe('LineReader', () => {
  test('numbers lines, drops \\n and \\r\\n ends, and keeps a last line with no newline', async () => {
    const path = files.write('plain.txt', 'one\r\ntwo\n\nfour');
    expect(await readAll(path)).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, ''],
      [4, 'four'],
    ]);
  });

  test('lines split across chunks (and UTF-8 characters split across chunks) come out whole', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i},ÉTH-€,${'x'.repeat(i % 37)}`);
    const path = files.write('chunks.txt', `${lines.join('\n')}\n`);
    for (const chunkBytes of [7, 64, 1000]) {
      const read = await readAll(path, { chunkBytes });
      expect(read.map(([, line]) => line)).toEqual(lines);
      expect(read.map(([number]) => number)).toEqual(lines.map((_, i) => i + 1));
    }
  });

  test('a UTF-8 byte-order mark before the first line is dropped (plain or gzip, however the chunks fall); one later on is kept', async () => {
    const text = '\uFEFFtime,price\n\uFEFF1,2\n';
    const paths = [files.write('bom.csv', text), files.gzip('bom.csv.gz', text), files.write('bom-only-line.csv', '\uFEFFone line')];
    for (const chunkBytes of [1, 2, 4, 1000]) {
      expect(await readAll(paths[0]!, { chunkBytes })).toEqual([[1, 'time,price'], [2, '\uFEFF1,2']]);
      expect(await readAll(paths[2]!, { chunkBytes })).toEqual([[1, 'one line']]);
    }
    expect(await readAll(paths[1]!)).toEqual([[1, 'time,price'], [2, '\uFEFF1,2']]);
  });

  test('gzip is recognised by its magic bytes, whatever the name; concatenated members are read on', async () => {
    const text = 'a,1\nb,2\n';
    const disguised = files.write('looks-plain.csv', Buffer.concat([gzipSync('a,1\n'), gzipSync('b,2\n')]));
    const plainGz = files.write('not-really.gz', text);
    expect((await readAll(disguised)).map(([, line]) => line)).toEqual(['a,1', 'b,2']);
    expect((await readAll(plainGz)).map(([, line]) => line)).toEqual(['a,1', 'b,2']);
  });

  test('a truncated gzip file fails at the line it breaks in, after every complete line before it', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `${i},${(i * 7919) % 1000}`);
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const path = files.write('truncated.csv.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const { error, lines: before } = await failureOf(path, { chunkBytes: 4096 });
    expect(error.code).toBe('BAD_GZIP');
    expect(error.message).toBe(`${path}:${before.length + 1}: truncated gzip: the file ends in the middle of the compressed stream`);
    expect(before.length).toBeGreaterThan(1000);
    expect(before).toEqual(lines.slice(0, before.length));
  });

  test('a corrupt deflate block fails where the inflater reaches it, with the file and line', async () => {
    const first = Array.from({ length: 3_000 }, (_, i) => `${i},${(i * 7919) % 1000}`);
    // A second gzip member whose first block has type 3, which deflate does not have.
    const broken = gzipSync('3000,1\n3001,2\n');
    broken[10]! |= 0b110;
    const path = files.write('bad-block.csv.gz', Buffer.concat([gzipSync(`${first.join('\n')}\n`), broken]));
    const { error, lines } = await failureOf(path, { chunkBytes: 4096 });
    // The lines up to it, but for those in the last chunk inflated (zlib's error comes with that output).
    expect(lines.length).toBeGreaterThan(2000);
    expect(lines).toEqual(first.slice(0, lines.length));
    expect(error.code).toBe('BAD_GZIP');
    expect(error.message).toBe(`${path}:${lines.length + 1}: corrupt gzip data (invalid block type)`);
    expect(await gzipDamage(path)).toBe('invalid block type');
  });

  test('damage only the checksum catches is found at the end of the stream, after the lines it garbled: the error names the file', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `${i},${(i * 7919) % 1000}`);
    const text = rows.join('\n');
    // Stored (level 0) blocks hold the text as it is: one bit flipped turns a 1 into a 9 and nothing else.
    const whole = gzipSync(text, { level: 0 });
    const at = whole.indexOf('\n1500,') + 1;
    whole[at]! ^= 0x08;
    const path = files.write('flipped.csv.gz', whole);
    const { error, lines } = await failureOf(path, { chunkBytes: 4096 });
    // Every line but those of the last chunk inflated, the damaged one among them.
    expect(lines.length).toBeGreaterThan(4_000);
    expect(lines).toEqual([...rows.slice(0, 1500), `9${rows[1500]!.slice(1)}`, ...rows.slice(1501, lines.length)]);
    expect(error.code).toBe('BAD_GZIP');
    expect(error.message).toBe(
      `${path}: corrupt gzip data (incorrect data check): the data does not match the CRC-32 checksum at the end of the compressed stream: the lines read from it may hold damaged data`,
    );
    expect(await gzipDamage(path)).toBe('incorrect data check');
    // Whole, and cut short, are not damage gzipDamage reports (the reader says the one, and nothing of the other).
    expect(await gzipDamage(files.gzip('whole.csv.gz', text))).toBeUndefined();
    expect(await gzipDamage(files.write('cut.csv.gz', gzipSync(text).subarray(0, 1000)))).toBeUndefined();
  });

  test('a line over the cap fails with FILE:LINE, or is skipped and counted', async () => {
    const path = files.write('long.txt', `short\n${'y'.repeat(5000)}\nafter\n`);
    const { error, lines } = await failureOf(path, { maxLineBytes: 4096, chunkBytes: 1024 });
    expect(error.code).toBe('LINE_TOO_LONG');
    expect(error.message).toBe(`${path}:2: line longer than 4 KiB`);
    expect(lines).toEqual(['short']);

    const reader = new LineReader(path, { maxLineBytes: 4096, chunkBytes: 1024, skipLongLines: true });
    await reader.open();
    const read: [number, string][] = [];
    for (let batch = await reader.next(); batch !== undefined; batch = await reader.next()) batch.lines.forEach((line, i) => read.push([batch.firstLine + i, line]));
    expect(read).toEqual([
      [1, 'short'],
      [3, 'after'],
    ]);
    expect(reader.longLinesSkipped).toBe(1);
  });

  test('the cap is 1 MiB by default: a line of 1 MiB + 1 byte fails, one of 1 MiB is read', async () => {
    const path = files.write('mib.txt', `${'z'.repeat(1_048_576)}\n${'z'.repeat(1_048_577)}\n`);
    const { error, lines } = await failureOf(path);
    expect(error.message).toBe(`${path}:2: line longer than 1 MiB`);
    expect(lines.map((line) => line.length)).toEqual([1_048_576]);
  });

  test('missing, unreadable, directory and empty paths each get a plain message', async () => {
    const missing = files.path('nowhere.csv');
    await expect(new LineReader(missing).open()).rejects.toThrow(`${missing}: cannot read: no such file`);
    const folder = files.path('');
    await expect(new LineReader(folder).open()).rejects.toThrow(/cannot read: it is a directory/);
    const empty = files.write('empty.csv', '');
    await expect(new LineReader(empty).open()).rejects.toThrow(`${empty}: empty file`);
    if (process.getuid?.() !== 0) {
      const locked = files.write('locked.csv', 'x\n');
      chmodSync(locked, 0o000);
      await expect(new LineReader(locked).open()).rejects.toThrow(`${locked}: cannot read: permission denied`);
    }
  });
});
