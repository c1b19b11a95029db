/**
 * The bar rules, in the one module both the server and every client import, so live candles a client folds
 * equal what the server's `history` answers (docs/protocol.md#bars).
 */
import type { Bar } from './protocol/messages.js';

/**
 * Adds two volumes. Summed naively in binary floating point, 0.1 + 0.2 drifts to 0.30000000000000004 and
 * the drift depends on the order of addition, so "1 m volume = sum of its 1 s volumes" would hold only
 * approximately. Every sum is therefore rounded to 15 significant digits (what a double always holds) and at
 * most 8 decimal places (the finest lot size of the venues we read: Binance and Coinbase quote sizes to 8
 * decimals). The result is the same whatever the grouping: the double nearest the exact decimal sum.
 */
export function addVolume(a: number, b: number): number {
  const sum = a + b;
  const magnitude = Math.abs(sum);
  // Decimal places allowed: 8 below 1e7, then one fewer per extra integer digit.
  let scale = 1e8;
  let bound = 1e7;
  while (magnitude >= bound) {
    if (scale === 1) return sum;
    scale /= 10;
    bound *= 10;
  }
  return Math.round(sum * scale) / scale;
}

/** Start of the bucket of `intervalMs` holding `time` (buckets start at multiples since the epoch). */
export function bucketOf(time: number, intervalMs: number): number {
  return Math.floor(time / intervalMs) * intervalMs;
}

/**
 * Folds bars (sorted by time) into bars of a longer interval: open = first open, high = max high, low = min
 * low, close = last close, volume = sum of volumes (addVolume). Buckets with no bars are absent.
 */
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

/** Whether two bars are the same bar with the same values. */
export function sameBar(a: Readonly<Bar>, b: Readonly<Bar>): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5];
}

/** Index of the first bar in `bars` (sorted by time) starting at or after `time` (binary search). */
export function barIndex(bars: readonly Readonly<Bar>[], time: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]![0] < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Puts a copy of `bar` into `bars` (sorted by time): replaces the bar with the same start, else inserts it;
 * then forgets the oldest beyond `maxBars`. Returns whether anything changed (false when an equal bar was
 * already there).
 */
export function mergeBar(bars: Bar[], bar: Readonly<Bar>, maxBars = Number.POSITIVE_INFINITY): boolean {
  const time = bar[0];
  const last = bars[bars.length - 1];
  const index = last === undefined || last[0] < time ? bars.length : last[0] === time ? bars.length - 1 : barIndex(bars, time);
  const old = bars[index];
  if (old !== undefined && old[0] === time) {
    if (sameBar(old, bar)) return false;
    bars[index] = [bar[0], bar[1], bar[2], bar[3], bar[4], bar[5]];
    return true;
  }
  bars.splice(index, 0, [bar[0], bar[1], bar[2], bar[3], bar[4], bar[5]]);
  if (bars.length > maxBars) bars.splice(0, bars.length - maxBars);
  return true;
}
