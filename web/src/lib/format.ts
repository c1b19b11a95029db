/**
 * Number formatting for the dashboard. Formatters are cached: Intl.NumberFormat construction is costly and
 * 200 rows format at up to 20 Hz.
 */

const NO_VALUE = '—';
const MAX_DECIMALS = 12;

/** Decimal places of a tick size: 0.01 → 2, 0.25 → 2, 1e-8 → 8, 5 → 0. */
export function decimalsOf(tickSize: number): number {
  if (!(tickSize > 0) || !Number.isFinite(tickSize)) return 2;
  // toExponential is exact about the digits a double prints as ("2.5e-1"), unlike repeated multiplication.
  const [mantissa = '', exponent = '0'] = tickSize.toExponential().split('e');
  const mantissaDecimals = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(MAX_DECIMALS, Math.max(0, mantissaDecimals - Number(exponent)));
}

const priceFormats = new Map<number, Intl.NumberFormat>();
const changeFormats = new Map<number, Intl.NumberFormat>();

function cached(cache: Map<number, Intl.NumberFormat>, decimals: number, signed: boolean): Intl.NumberFormat {
  let format = cache.get(decimals);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    cache.set(decimals, format);
  }
  return format;
}

/** A price to the instrument's tick decimals, with group separators: 64,250.17. */
export function formatPrice(value: number, decimals: number): string {
  return Number.isFinite(value) ? cached(priceFormats, decimals, false).format(value) : NO_VALUE;
}

/** A signed price difference: +1.25, −0.50, 0.00. */
export function formatChange(value: number, decimals: number): string {
  return Number.isFinite(value) ? cached(changeFormats, decimals, true).format(value) : NO_VALUE;
}

const percentFormat = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});

/** A signed percentage, already in percent units: 1.234 → +1.23%. */
export function formatPercent(value: number): string {
  return Number.isFinite(value) ? `${percentFormat.format(value)}%` : NO_VALUE;
}

const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

/** Volumes and counts, compact: 1.23M, 456K, 0.0123. */
export function formatCompact(value: number): string {
  return Number.isFinite(value) ? compactFormat.format(value) : NO_VALUE;
}

/** -1, 0 or 1 by sign; 0 for NaN. Drives the up/down colouring. */
export function signOf(value: number): -1 | 0 | 1 {
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}
