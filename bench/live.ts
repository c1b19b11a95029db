/**
 * Live feed throughput: the per-message path every live message takes (JSON parse, the duplicate and gap
 * check, the shared normalizer, the tick queue), on the real captures in ../shared/data, beside the replay
 * reader reading the same files. Prints a table; best of 3.
 *
 *     node --import tsx bench/live.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { BinanceClock, binancePosition } from '../feeds/exchanges/binance.js';
import { coinbasePosition, normalizeCoinbase } from '../feeds/exchanges/coinbase.js';
import type { Normalized, StreamPosition } from '../feeds/exchanges/normalized.js';
import { parseFeedSpec } from '../feeds/live/options.js';
import { LiveStatus } from '../feeds/live/status.js';
import { parseMessage, VenueStream } from '../feeds/live/venue-stream.js';
import { openReplay } from '../feeds/replay/index.js';

const DATA = join(fileURLToPath(new URL('..', import.meta.url)), '..', 'shared', 'data');
const BINANCE = join(DATA, 'binance-spot-ethusdt-20240808.capture.gz');
const COINBASE = join(DATA, 'coinbase-10-products.capture.txt');
if (!existsSync(BINANCE) || !existsSync(COINBASE)) {
  console.error(`${DATA} is absent: nothing to measure`);
  process.exit(1);
}

function messages(file: string): string[] {
  const bytes = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return text
    .split('\n')
    .map((line) => (file.endsWith('.gz') ? line.slice(line.indexOf(' ') + 1) : line.slice(line.indexOf(': {') + 2)))
    .filter((json) => json.startsWith('{"stream"') ? !json.includes('@depth') : json.startsWith('{"type":"match"') || json.startsWith('{"type":"ticker"') || json.startsWith('{"type":"last_match"'));
}

function best(run: () => number): number {
  return Math.max(run(), run(), run());
}

function liveRate(spec: string, texts: readonly string[], position: (m: unknown) => StreamPosition | undefined, normalize: (m: unknown, at: number) => Normalized): number {
  const repeat = Math.max(1, Math.ceil(200_000 / texts.length));
  return best(() => {
    const feed = parseFeedSpec(spec);
    const status = new LiveStatus([feed]);
    let ticks = 0;
    const started = performance.now();
    for (let r = 0; r < repeat; r++) {
      // Each pass is a fresh session, so later passes are not all duplicates.
      const fresh = new VenueStream(feed.venue, feed.symbols, position, status, { tick: () => void ticks++ });
      for (const text of texts) fresh.accept(text, parseMessage(text), Date.now(), normalize);
    }
    return (texts.length * repeat) / ((performance.now() - started) / 1000);
  });
}

async function replayRate(file: string): Promise<number> {
  let bestRate = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    let ticks = 0;
    for await (const _ of await openReplay({ files: [file], speed: 'max' })) ticks++;
    bestRate = Math.max(bestRate, ticks / ((performance.now() - started) / 1000));
  }
  return bestRate;
}

const binanceTexts = messages(BINANCE);
const coinbaseTexts = messages(COINBASE);
const clock = new BinanceClock();
const products = [...new Set(coinbaseTexts.map((text) => (JSON.parse(text) as { product_id: string }).product_id))];
const rows = [
  ['Binance ETHUSDT trade+bookTicker', binanceTexts.length, liveRate('binance:ETHUSDT', binanceTexts, binancePosition, (m, at) => clock.normalize(m, at)), await replayRate(BINANCE)],
  ['Coinbase 10 products match+ticker', coinbaseTexts.length, liveRate(`coinbase:${products.join(',')}`, coinbaseTexts, coinbasePosition, normalizeCoinbase), await replayRate(COINBASE)],
] as const;
console.log('| capture | messages | live path msgs/s | replay reader ticks/s (whole file, depth skipped) |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, count, live, replay] of rows) console.log(`| ${name} | ${count.toLocaleString('en')} | ${Math.round(live).toLocaleString('en')} | ${Math.round(replay).toLocaleString('en')} |`);
