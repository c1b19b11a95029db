import type { Bar } from '../../client/protocol/messages.js';
import { addVolume } from './volume.js';

/**
 * Folds bars (sorted by time) into bars of a longer interval. This is the single definition of "aggregated
 * exactly" used everywhere (minute bars from 1 s bars, history at every interval):
 * open = first open, high = max high, low = min low, close = last close, volume = sum of volumes in time
 * order. Buckets start at multiples of `intervalMs` since the epoch; buckets with no bars are absent.
 */
export function foldBars(bars: readonly Readonly<Bar>[], intervalMs: number): Bar[] {
  const out: Bar[] = [];
  let current: Bar | undefined;
  for (const bar of bars) {
    const time = Math.floor(bar[0] / intervalMs) * intervalMs;
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
