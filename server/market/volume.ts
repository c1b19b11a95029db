/**
 * Volumes are sums of trade sizes. Summed naively in binary floating point, 0.1 + 0.2 drifts to
 * 0.30000000000000004 and the drift depends on the order of addition, so "1 m volume = sum of its 1 s
 * volumes" would hold only approximately. Every sum is therefore rounded to 15 significant digits (what a
 * double always holds) and at most VOLUME_DECIMALS places (the finest lot size of the venues we read:
 * Binance and Coinbase quote sizes to 8 decimals). The result is the same whatever the grouping: the double
 * nearest the exact decimal sum, so rounded.
 */
export const VOLUME_DECIMALS = 8;
export const VOLUME_SIGNIFICANT_DIGITS = 15;

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
