/**
 * The real recordings in ../shared/data, replayed through the real server: the 1 min bars its `history`
 * answers must equal bars this test computes its own way from the same file (its own parse, written
 * differently from the replay's readers, and the exact-decimal ReferenceBars), at `--speed max` and paced
 * (a two-minute window at 100×).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import type { Bar, HistoryMessage } from '../../client/protocol/messages.js';
import { openReplay, type ReplayOptions } from '../../feeds/replay/index.js';
import type { Tick } from '../../feeds/tick.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { ReferenceBars } from '../helpers/reference.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const DATA = join(REPO_ROOT, '..', 'shared', 'data');
const present = existsSync(DATA);
if (!present) {
  console.warn(`\n*** ${DATA} is absent: the tests that replay the real recorded data are SKIPPED (see the project README). ***\n`);
}

const MINUTE_MS = 60_000;

/** A ms time from ISO text, keeping the digits after the ms as a fraction (Date.parse drops them). */
function isoMs(text: string): number {
  const match = /^(.+\.\d{3})(\d*)Z$/.exec(text);
  if (match === null) return Date.parse(text);
  return Date.parse(`${match[1]}Z`) + (match[2] === '' ? 0 : Number(`0.${match[2]}`));
}

function lines(file: string): string[] {
  const bytes = readFileSync(join(DATA, file));
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((line) => line.trim() !== '');
}

interface Sample {
  readonly file: string;
  readonly options?: Partial<ReplayOptions>;
  /** The trades of the file, read the test's own way. */
  readonly trades: () => Tick[];
}

const SAMPLES: readonly Sample[] = [
  {
    file: 'us-equities-20131007-trades.csv',
    trades: () =>
      lines('us-equities-20131007-trades.csv')
        .slice(1)
        .map((line) => {
          const [time, symbol, price, size] = line.split(',');
          return { symbol: symbol!, ts: Date.parse(time!), price: Number(price), size: Number(size) };
        }),
  },
  {
    file: 'binance-spot-ethusdt-20240808-trades.csv',
    options: { symbol: 'ETHUSDT' },
    trades: () =>
      lines('binance-spot-ethusdt-20240808-trades.csv').map((line) => {
        const fields = line.split(',');
        return { symbol: 'ETH-USDT', ts: Number(fields[4]), price: Number(fields[1]), size: Number(fields[2]) };
      }),
  },
  {
    file: 'binance-spot-ethusdt-20240808.capture.gz',
    trades: () =>
      lines('binance-spot-ethusdt-20240808.capture.gz')
        .filter((line) => line.includes('@trade"'))
        .map((line) => {
          const { data } = JSON.parse(line.slice(line.indexOf(' ') + 1)) as { data: { T: number; p: string; q: string } };
          return { symbol: 'ETH-USDT', ts: data.T, price: Number(data.p), size: Number(data.q) };
        }),
  },
  {
    file: 'coinbase-10-products.capture.txt',
    trades: () =>
      lines('coinbase-10-products.capture.txt')
        .filter((line) => /^[\d.]+: \{"type":"(last_)?match"/.test(line))
        .map((line) => {
          const message = JSON.parse(line.slice(line.indexOf(': ') + 2)) as { product_id: string; time: string; price: string; size: string };
          return { symbol: message.product_id, ts: isoMs(message.time), price: Number(message.price), size: Number(message.size) };
        }),
  },
];

function referenceMinuteBars(trades: readonly Tick[]): Map<string, Bar[]> {
  const reference = new ReferenceBars(MINUTE_MS);
  for (const trade of trades) reference.add(trade);
  return new Map(reference.symbols().map((symbol) => [symbol, reference.get(symbol)]));
}

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

/** Replays `sample` through a real server until the replay ends; returns every symbol's 1 min bars from `history`. */
async function replayedMinuteBars(sample: Sample, options: Partial<ReplayOptions>, symbols: readonly string[]): Promise<Map<string, Bar[]>> {
  const feed = await openReplay({ files: [join(DATA, sample.file)], speed: 'max', ...sample.options, ...options });
  const server = await startServer({ feed, config: { flushIntervalMs: 20 } });
  servers.push(server);
  const client = await WsClient.open(server.url);
  await client.next('replay', (message) => message.state === 'ended', 60_000);
  let id = 0;
  const bars = new Map<string, Bar[]>();
  for (const symbol of symbols) {
    client.send({ type: 'history', id: ++id, symbol, interval: '1m', limit: 5_000 });
    const answer = (await client.next('history', (message) => message.id === id)) as HistoryMessage;
    bars.set(symbol, [...answer.bars]);
  }
  client.close();
  return bars;
}

describe.skipIf(!present)(`replaying the recordings in ${DATA}`, () => {
  describe.each(SAMPLES)('$file', (sample) => {
    test('at --speed max: 1 min bars equal bars computed independently from the file', async () => {
      const expected = referenceMinuteBars(sample.trades());
      expect(expected.size).toBeGreaterThan(0);
      const replayed = await replayedMinuteBars(sample, {}, [...expected.keys()]);
      for (const [symbol, bars] of expected) expect(replayed.get(symbol), symbol).toEqual(bars);
    }, 60_000);

    test('paced at 100×, over a two-minute window: the same bars for that window', async () => {
      const trades = sample.trades();
      // The two minutes from the one holding the middle trade of the file: busy, whatever the file.
      const from = Math.floor(trades[Math.floor(trades.length / 2)]!.ts / MINUTE_MS) * MINUTE_MS;
      const to = from + 2 * MINUTE_MS;
      const expected = referenceMinuteBars(trades.filter((trade) => trade.ts >= from && trade.ts < to));
      expect(expected.size).toBeGreaterThan(0);
      const replayed = await replayedMinuteBars(sample, { speed: 100, from, to }, [...expected.keys()]);
      for (const [symbol, bars] of expected) expect(replayed.get(symbol), symbol).toEqual(bars);
    }, 60_000);
  });
});
