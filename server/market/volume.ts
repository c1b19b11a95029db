/**
 * Volumes are sums of trade sizes. Summed naively in binary floating point, 0.1 + 0.2 drifts to
 * 0.30000000000000004 and the drift depends on the order of addition, so "1 m volume = sum of its 1 s
 * volumes" would hold only approximately. Every sum is therefore rounded to VOLUME_DECIMALS places, the
 * finest lot size of the venues we read (Binance and Coinbase quote sizes to 8 decimals): the result is
 * the double nearest the exact decimal sum, whatever the grouping.
 */
export const VOLUME_DECIMALS = 8;
const SCALE = 10 ** VOLUME_DECIMALS;
/** Beyond this, a double has no digits left at the 8th decimal place to clean. */
const LIMIT = Number.MAX_SAFE_INTEGER / SCALE;

export function addVolume(a: number, b: number): number {
  const sum = a + b;
  return Math.abs(sum) < LIMIT ? Math.round(sum * SCALE) / SCALE : sum;
}
