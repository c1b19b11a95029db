/**
 * Folding 1 s bars into longer bars, by the server's exact rule (server/market/aggregate.ts): open = first
 * open, high = max high, low = min low, close = last close, volume = sum in time order with every partial
 * sum rounded to 8 decimals (server/market/volume.ts), buckets at multiples of the interval since the epoch.
 * Live candles built here must equal what `history` answers, so any change there must be made here too;
 * test/browser/chart-feed.test.ts checks the two against a running server.
 */
import type { Bar } from '../../../client/index.js';

const VOLUME_DECIMALS = 8;
const VOLUME_SCALE = 10 ** VOLUME_DECIMALS;
const VOLUME_EXACT_LIMIT = Number.MAX_SAFE_INTEGER / VOLUME_SCALE;

export function addVolume(a: number, b: number): number {
  const sum = a + b;
  return Math.abs(sum) < VOLUME_EXACT_LIMIT ? Math.round(sum * VOLUME_SCALE) / VOLUME_SCALE : sum;
}

/** Start of the bucket of `intervalMs` holding `time`. */
export function bucketOf(time: number, intervalMs: number): number {
  return Math.floor(time / intervalMs) * intervalMs;
}

/** Folds bars sorted by time into bars of `intervalMs`; empty buckets are absent. */
export function foldBars(bars: readonly Readonly<Bar>[], intervalMs: number): Bar[] {
  const out: Bar[] = [];
  let current: Bar | undefined;
  for (const bar of bars) {
    const time = bucketOf(bar[0], intervalMs);
    if (current === undefined || current[0] !== time) {
      current = [time, bar[1], bar[2], bar[3], bar[4], bar[5]];
      out.push(current);
      continue;
    }
    if (bar[2] > current[2]) current[2] = bar[2];
    if (bar[3] < current[3]) current[3] = bar[3];
    current[4] = bar[4];
    current[5] = addVolume(current[5], bar[5]);
  }
  return out;
}
