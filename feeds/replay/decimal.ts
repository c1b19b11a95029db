/**
 * Decimal text to a double, without cutting the text out of its line first. Exact: for up to 15
 * significant digits the digits form an integer below 2^53 and 10^k (k ≤ 22) is exact too, so one IEEE
 * division gives the correctly rounded value (Clinger's fast path, the one strtod takes first); anything
 * longer, signed or in exponent form goes to Number(), which is always right. On the hot path of a
 * replay this halves the cost of numbers.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_FAST_DIGITS = 15;
const ZERO = 48;
const DOT = 46;

/**
 * The number written in `text` between `start` and `end` (exclusive): undefined when that is empty, NaN
 * when it is not a number.
 */
export function decimalAt(text: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const digit = code - ZERO;
    if (digit >= 0 && digit <= 9) {
      // Leading zeros add no significant digit; past 15, the fast path cannot be exact.
      if ((mantissa !== 0 || digit !== 0) && ++digits > MAX_FAST_DIGITS) return Number(text.slice(start, end));
      mantissa = mantissa * 10 + digit;
      if (decimals >= 0) decimals++;
    } else if (code === DOT && decimals < 0) {
      decimals = 0;
    } else {
      return Number(text.slice(start, end));
    }
  }
  if (decimals > 22 || (decimals === 0 && end - start === 1)) return Number(text.slice(start, end));
  return decimals <= 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals]!;
}

/** decimalAt over a whole string. */
export function decimal(text: string): number | undefined {
  return decimalAt(text, 0, text.length);
}
