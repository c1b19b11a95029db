/**
 * Replay benchmark: ticks/s parsed and replayed at --speed max for every format, peak memory, memory
 * against file size, and seek times on the real recordings. Prints tables; asserts nothing.
 *
 *   npm run bench -- --scenario replay                (compiled, as the server runs; 1,000,000 ticks per file)
 *   node --import tsx bench/replay.ts [ticks]        (from the sources; run either from the checkout's root)
 *
 * Files are generated from the seeded simulator into a temporary folder. Every measurement runs in its own
 * child process, so each peak RSS (getrusage maxrss) belongs to one run. Rates are ticks per second of the
 * process's CPU time (user + system, all its threads: gzip inflates on libuv's), the best of ROUNDS, so
 * they say what one core does even on a machine whose other cores are busy; wall time would not.
 * "parse" is the reader (line reader + format + checks) alone; "feed max" the replay feed at --speed max
 * (reader, merge and player, pulled as the server pulls it and counted); "into Market" the server's path, the
 * server's FeedRunner applying every tick to a Market. The end-of-file scan is let finish before the
 * replay is timed: built code runs it on a worker thread, off the thread measured here. "Recording" is the
 * recorder of `serve --record` writing a file's ticks, read into memory beforehand, plain and at two gzip
 * levels (RECORD_MODES).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { FileTicks } from '../feeds/replay/file-ticks.js';
import { RECORDING_HEADER, formatTickLine } from '../feeds/replay/formats/tickertape.js';
import { MAX_OUT_OF_ORDER_MS, openReplay, type FormatName } from '../feeds/replay/index.js';
import { DEFAULT_GZIP_LEVEL, TickRecorder } from '../feeds/recording/recorder.js';
import type { ReplayHost } from '../feeds/replay/player.js';
import { createSimulator } from '../feeds/simulator/index.js';
import type { Tick } from '../feeds/tick.js';
import { SILENT_LOGGER } from '../server/logging/silent.js';
import { FeedRunner } from '../server/market/feed-runner.js';
import { Market, ticksHanded } from '../server/market/market.js';
import { BAR_RETENTION_1M_BARS, BAR_RETENTION_1S_BARS, MAX_SYMBOLS } from '../server/config.js';
import { loaderFor } from './children.js';

const ROUNDS = 3;
/** Ticks the recording measurement writes at least. */
const RECORDED_AT_LEAST = 500_000;
const SELF = fileURLToPath(import.meta.url);
const MARKET_OPTIONS = { retention: { secondBars: BAR_RETENTION_1S_BARS, minuteBars: BAR_RETENTION_1M_BARS }, maxSymbols: MAX_SYMBOLS };

// ---------------------------------------------------------------------------------------------------------
// Child: one measurement, printed as JSON.

interface Measurement {
  readonly ticks: number;
  /** Wall time of the timed part. */
  readonly ms: number;
  /** CPU time (user + system, every thread of the process) of the timed part. */
  readonly cpuMs: number;
  readonly peakRssMb: number;
  /** Bytes of the file written, for the recording modes. */
  readonly fileBytes?: number;
}

/** The recording modes: the Recording table's column, the file's name ending, and gzip's level (undefined: plain). */
const RECORD_MODES: Readonly<Record<string, { readonly title: string; readonly ending: string; readonly gzipLevel?: number }>> = {
  record: { title: 'plain', ending: '.tape' },
  'record-gzip': { title: `gzip ${DEFAULT_GZIP_LEVEL}`, ending: '.tape.gz', gzipLevel: DEFAULT_GZIP_LEVEL },
  'record-gzip-1': { title: 'gzip 1', ending: '.tape.gz', gzipLevel: 1 },
};

/** The file's reader, every line kept (a bad one throws), opened: what "parse" times and "record" reads. */
async function openTicks(file: string, symbol: string | undefined): Promise<FileTicks> {
  const source = new FileTicks(file, { symbol, skipBad: false, from: -Infinity, to: Infinity, maxOutOfOrderMs: MAX_OUT_OF_ORDER_MS });
  await source.open();
  return source;
}

async function measure(mode: string, file: string, symbol: string | undefined): Promise<Measurement> {
  let ticks = 0;
  let ms: number;
  let cpu = process.cpuUsage();
  let fileBytes: number | undefined;
  if (mode === 'parse') {
    const started = performance.now();
    const source = await openTicks(file, symbol);
    for (let batch = await source.next(); batch !== undefined; batch = await source.next()) ticks += batch.length;
    ms = performance.now() - started;
  } else if (mode === 'feed' || mode === 'replay') {
    const feed = await openReplay({ files: [file], symbol, speed: 'max' });
    await feed.scanned;
    const market = new Market(feed.instruments, MARKET_OPTIONS);
    const started = performance.now();
    cpu = process.cpuUsage();
    if (mode === 'feed') {
      // Pulled as the server's FeedRunner pulls a feed: what is due without a promise, then next().
      const player = feed[Symbol.asyncIterator]();
      for (;;) {
        for (let tick = player.takeDue(); tick !== undefined; tick = player.takeDue()) ticks++;
        if ((await player.next()).done === true) break;
        ticks++;
      }
    } else {
      const runner = new FeedRunner(feed, market, SILENT_LOGGER);
      runner.start();
      await runner.finished;
      if (runner.state !== 'ended') throw runner.error ?? new Error(`the replay stopped: ${runner.state}`);
      ticks = ticksHanded(market.counters);
    }
    ms = performance.now() - started;
  } else if (RECORD_MODES[mode] !== undefined) {
    // The file's ticks read into memory first (not timed), then written by the recorder as `serve --record`
    // writes a feed's, into a temporary file.
    const all: Tick[] = [];
    const source = await openTicks(file, symbol);
    for (let batch = await source.next(); batch !== undefined; batch = await source.next()) all.push(...batch);
    const { ending, gzipLevel } = RECORD_MODES[mode]!;
    const out = join(tmpdir(), `tickertape-bench-record-${process.pid}${ending}`);
    try {
      const recorder = await TickRecorder.open({ file: out, gzipLevel });
      const started = performance.now();
      cpu = process.cpuUsage();
      // A short file is written over until RECORDED_AT_LEAST ticks, so the rate is not the start-up's.
      for (let written = 0; written < RECORDED_AT_LEAST; written += all.length) {
        for (const tick of all) if (!recorder.write(tick)) await recorder.drain();
      }
      await recorder.close();
      ms = performance.now() - started;
      ticks = recorder.stats.ticks;
      fileBytes = statSync(out).size;
    } finally {
      rmSync(out, { force: true });
    }
  } else {
    // Baseline: what the runtime and these modules take before any file is read.
    ms = 0;
  }
  const used = process.cpuUsage(cpu);
  return { ticks, ms, cpuMs: (used.user + used.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, ...(fileBytes === undefined ? {} : { fileBytes }) };
}

// ---------------------------------------------------------------------------------------------------------
// Files, generated from the seeded simulator.

interface Generated {
  readonly format: FormatName | 'tickertape (gzip)';
  readonly file: string;
  readonly symbol?: string;
}

async function write(file: string, lines: Iterable<string>, gzip = false): Promise<void> {
  const out = createWriteStream(file);
  const sink: NodeJS.WritableStream = gzip ? createGzip() : out;
  if (gzip) (sink as ReturnType<typeof createGzip>).pipe(out);
  let block: string[] = [];
  for (const line of lines) {
    block.push(line);
    if (block.length === 10_000) {
      if (!sink.write(`${block.join('\n')}\n`)) await once(sink, 'drain');
      block = [];
    }
  }
  sink.end(block.length > 0 ? `${block.join('\n')}\n` : '');
  await once(out as WriteStream, 'close');
}

function* simulated(count: number, trades: boolean): Generator<Tick> {
  const simulator = createSimulator({ seed: 42, startTime: Date.UTC(2024, 0, 2, 14, 30), ticksPerSecond: 2000 });
  let made = 0;
  for (const tick of simulator.ticks()) {
    if (trades && tick.price === undefined) continue;
    yield tick;
    if (++made === count) return;
  }
}

function* mapped<T>(ticks: Iterable<Tick>, map: (tick: Tick, index: number) => T): Generator<T> {
  let index = 0;
  for (const tick of ticks) yield map(tick, index++);
}

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (tick: Tick): number => Math.floor(tick.ts);

async function generate(folder: string, count: number): Promise<Generated[]> {
  const out: Generated[] = [];
  const at = (name: string): string => join(folder, name);
  await write(at('big.tape'), [RECORDING_HEADER, ...mapped(simulated(count, false), formatTickLine)]);
  out.push({ format: 'tickertape', file: at('big.tape') });
  await write(at('big.tape.gz'), [RECORDING_HEADER, ...mapped(simulated(count, false), formatTickLine)], true);
  out.push({ format: 'tickertape (gzip)', file: at('big.tape.gz') });
  await write(at('big.csv'), ['timestamp,symbol,price,size,side', ...mapped(simulated(count, true), (t) => `${iso(t.ts)},${t.symbol},${t.price},${t.size},${t.side ?? ''}`)]);
  out.push({ format: 'csv', file: at('big.csv') });
  await write(at('trades.csv'), mapped(simulated(count, true), (t, i) => `${i},${t.price},${t.size},${t.price! * t.size!},${ms(t)},${t.side === 'sell' ? 'True' : 'False'},True`));
  out.push({ format: 'binance-trades', file: at('trades.csv'), symbol: 'BTCUSDT' });
  await write(at('aggtrades.csv'), mapped(simulated(count, true), (t, i) => `${i},${t.price},${t.size},${i * 3},${i * 3 + 2},${ms(t)},${t.side === 'sell' ? 'True' : 'False'},True`));
  out.push({ format: 'binance-aggtrades', file: at('aggtrades.csv'), symbol: 'BTCUSDT' });
  await write(
    at('binance.capture'),
    mapped(simulated(count, false), (t, i) =>
      t.price === undefined
        ? `${ms(t) * 1_000_000} {"stream":"btcusdt@bookTicker","data":{"u":${i},"s":"BTCUSDT","b":"${t.bid}","B":"1.5","a":"${t.ask}","A":"2.5"}}`
        : `${ms(t) * 1_000_000} {"stream":"btcusdt@trade","data":{"e":"trade","E":${ms(t)},"s":"BTCUSDT","t":${i},"p":"${t.price}","q":"${t.size}","T":${ms(t)},"m":${t.side === 'sell'},"M":true}}`,
    ),
  );
  out.push({ format: 'binance-capture', file: at('binance.capture') });
  await write(
    at('coinbase.capture'),
    mapped(simulated(count, true), (t, i) =>
      `${(t.ts / 1000).toFixed(6)}: {"type":"match","trade_id":${i},"maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","side":"${t.side === 'buy' ? 'sell' : 'buy'}","size":"${t.size}","price":"${t.price}","product_id":"${t.symbol}","sequence":${i},"time":"${iso(t.ts)}"}`,
    ),
  );
  out.push({ format: 'coinbase-capture', file: at('coinbase.capture') });
  await write(at('tardis.csv'), ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount', ...mapped(simulated(count, true), (t, i) => `coinbase,${t.symbol},${ms(t) * 1000},${ms(t) * 1000 + 1500},${i},${t.side ?? 'unknown'},${t.price},${t.size}`)]);
  out.push({ format: 'tardis', file: at('tardis.csv') });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Seeks on the real recordings: the controller's rewind (rebuild into an empty market, adopt), timed.

async function seekTimes(file: string, symbol: string | undefined): Promise<string[]> {
  const feed = await openReplay({ files: [file], symbol, speed: 1, paused: true });
  await feed.scanned;
  const market = new Market(feed.instruments, MARKET_OPTIONS);
  let rebuilt: Market | undefined;
  const host: ReplayHost = {
    beginRewind: () => {
      const target = market.emptyLike();
      rebuilt = target;
      return (tick) => target.apply(tick);
    },
    endRewind: () => market.adopt(rebuilt!),
  };
  feed.player.attach(host);
  const consumer = (async () => {
    for await (const tick of feed) market.apply(tick);
  })();
  const { start, end } = feed.player;
  const at = (share: number): number => start + (end - start) * share;
  const timed = async (share: number): Promise<string> => {
    const started = performance.now();
    await feed.player.seek(at(share));
    return (performance.now() - started).toFixed(1);
  };
  // From the start: forward to 95 %, back to 90 % (the dearest rewind: 90 % of the files re-read), back to
  // 10 %, forward to 50 %.
  const row = [await timed(0.95), await timed(0.9), await timed(0.1), await timed(0.5)];
  await feed.player.return();
  await consumer;
  return row;
}

// ---------------------------------------------------------------------------------------------------------

function child(mode: string, file: string, symbol: string | undefined): Measurement {
  // Compiled (npm run bench), the child is plain JavaScript; from the sources it needs tsx.
  const args = [...loaderFor(SELF), SELF, '--child', mode, file, symbol ?? ''];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 })) as Measurement;
}

function best(mode: string, file: string, symbol: string | undefined): Measurement {
  let winner: Measurement | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const run = child(mode, file, symbol);
    if (winner === undefined || run.cpuMs < winner.cpuMs) winner = { ...run, peakRssMb: Math.max(run.peakRssMb, winner?.peakRssMb ?? 0) };
  }
  return winner!;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const cells of rows) console.log(line(cells));
  console.log();
}

/** Ticks per second of CPU time: what one core does, however busy the machine's other cores are. */
const rate = (m: Measurement): string => Math.round((m.ticks / m.cpuMs) * 1000).toLocaleString('en-US');
const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1_000_000);
  const folder = mkdtempSync(join(tmpdir(), 'tickertape-bench-replay-'));
  try {
    console.log(`node ${process.version}, ${new Date().toISOString()}, ${count.toLocaleString('en-US')} ticks per file, best of ${ROUNDS}\n`);
    const baseline = child('baseline', '', undefined);
    const files = await generate(folder, count);
    const rows: string[][] = [];
    for (const { format, file, symbol } of files) {
      const parse = best('parse', file, symbol);
      const feed = best('feed', file, symbol);
      const replay = best('replay', file, symbol);
      rows.push([format, mb(statSync(file).size), parse.ticks.toLocaleString('en-US'), rate(parse), rate(feed), rate(replay), parse.peakRssMb.toFixed(0), replay.peakRssMb.toFixed(0)]);
    }
    console.log(`Throughput, ticks per CPU second (peak RSS of a process that reads nothing: ${baseline.peakRssMb.toFixed(0)} MB)`);
    table(['format', 'file MB', 'ticks', 'parse', 'feed at max', 'into a Market', 'parse peak MB', 'replay peak MB'], rows);

    // Memory against file size: the same formats at 4x the ticks.
    const sizes: string[][] = [];
    for (const { format, file, symbol } of files.filter((f) => f.format === 'tickertape' || f.format === 'csv')) {
      const large = join(folder, `large-${format}`);
      const lines = execFileSync('wc', ['-l', file], { encoding: 'utf8' });
      // 4 copies of the body, times shifted so the file stays in time order.
      await write(large, repeated(file, format as 'tickertape' | 'csv', 4));
      const small = best('replay', file, symbol);
      const big = best('replay', large, symbol);
      sizes.push([format, `${mb(statSync(file).size)} -> ${mb(statSync(large).size)}`, `${lines.trim().split(' ')[0]} -> ${(big.ticks + 1).toLocaleString('en-US')}`, small.peakRssMb.toFixed(0), big.peakRssMb.toFixed(0), rate(small), rate(big)]);
      rmSync(large);
    }
    console.log('Peak memory against file size (replay at max into a Market)');
    table(['format', 'file MB', 'lines', 'peak MB (1x)', 'peak MB (4x)', 'ticks/CPU s (1x)', 'ticks/CPU s (4x)'], sizes);

    // From the checkout's root (npm run bench runs this file compiled, elsewhere than the sources).
    const data = join(process.cwd(), '..', 'shared', 'data');

    // Recording: what `serve --record` and `tickertape record` spend writing a feed's ticks.
    const recordings: [string, string, string | undefined][] = [
      ['simulator (event times with fractions of a ms)', files.find((f) => f.format === 'tickertape')!.file, undefined],
      ['binance-spot-ethusdt-20240808.capture.gz (whole ms)', join(data, 'binance-spot-ethusdt-20240808.capture.gz'), undefined],
    ];
    const recorded: string[][] = [];
    for (const [name, file, symbol] of recordings) {
      if (!existsSync(file)) {
        recorded.push([name, `skipped: ${file} is absent (../shared/data)`]);
        continue;
      }
      const perTick = (m: Measurement): string => ((m.cpuMs * 1e6) / m.ticks).toFixed(0);
      const bytesPerTick = (m: Measurement): string => ((m.fileBytes ?? Number.NaN) / m.ticks).toFixed(1);
      const runs = Object.keys(RECORD_MODES).map((mode) => best(mode, file, symbol));
      recorded.push([name, runs[0]!.ticks.toLocaleString('en-US'), ...runs.flatMap((run) => [rate(run), perTick(run), bytesPerTick(run)])]);
    }
    const modes = Object.values(RECORD_MODES);
    console.log(
      `Recording: ticks per CPU second, ns of CPU and file bytes per tick, plain and gzip at levels ${DEFAULT_GZIP_LEVEL} (the default) and 1 ` +
        "(CPU of every thread: gzip compresses on libuv's)",
    );
    table(['ticks from', 'ticks', ...modes.flatMap((mode) => [mode.title, 'ns/tick', 'B/tick'])], recorded);

    const samples: [string, string | undefined][] = [
      [join(process.cwd(), 'feeds', 'samples', 'simulator-seed42.tape.gz'), undefined],
      [join(data, 'us-equities-20131007-trades.csv'), undefined],
      [join(data, 'binance-spot-ethusdt-20240808.capture.gz'), undefined],
      [join(data, 'binance-spot-ethusdt-20240808-trades.csv'), 'ETHUSDT'],
      [join(data, 'coinbase-10-products.capture.txt'), undefined],
    ];
    const seeks: string[][] = [];
    for (const [file, symbol] of samples) {
      try {
        seeks.push([file.split('/').at(-1)!, ...(await seekTimes(file, symbol))]);
      } catch (error) {
        seeks.push([file.split('/').at(-1)!, `skipped: ${(error as Error).message}`]);
      }
    }
    console.log('Seek times, ms, paused (forward: the ticks handed over unpaced; back: the files re-read from the start into an empty market, then swapped in)');
    table(['file', 'start -> 95%', 'back to 90%', 'back to 10%', 'fwd to 50%'], seeks);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The lines of a generated file `times` over, each copy's times shifted past the previous copy's. */
function* repeated(file: string, format: 'tickertape' | 'csv', times: number): Generator<string> {
  const text = execFileSync('cat', [file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const [header, ...body] = text.trimEnd().split('\n');
  yield header!;
  const first = format === 'tickertape' ? Number(body[0]!.split(',')[0]) : Date.parse(body[0]!.split(',')[0]!);
  const last = format === 'tickertape' ? Number(body.at(-1)!.split(',')[0]) : Date.parse(body.at(-1)!.split(',')[0]!);
  const span = last - first + 1000;
  for (let copy = 0; copy < times; copy++) {
    for (const line of body) {
      const comma = line.indexOf(',');
      const time = line.slice(0, comma);
      const shifted = format === 'tickertape' ? String(Number(time) + copy * span) : iso(Date.parse(time) + copy * span);
      yield `${shifted}${line.slice(comma)}`;
    }
  }
}

if (process.argv[2] === '--child') {
  const [, , , mode, file, symbol] = process.argv;
  process.stdout.write(JSON.stringify(await measure(mode!, file!, symbol === '' ? undefined : symbol)));
} else {
  await main();
}
