/**
 * Decimal text to a double, without cutting the text out of its line first. Only decimal numbers are
 * numbers: an optional sign, digits with an optional fraction (`12`, `12.5`, `.5`, `5.`), and an optional
 * exponent (`1e-7`, `2.5E+3`). JavaScript's other forms (`0x10`, `0b1`, `0o7`, `Infinity`, `1_000`, blanks
 * around the digits) are not, and neither is a value too large for a double (`1e400`): all are NaN, so the
 * reader reports the field's own text.
 *
 * Exact: for up to 15 significant digits the digits form an integer below 2^53 and 10^k (k ≤ 22) is exact
 * too, so one IEEE division gives the correctly rounded value (Clinger's fast path, the one strtod takes
 * first); anything longer, or in exponent form, is checked here and read by Number(), which is always
 * right. On the hot path of a replay this halves the cost of numbers.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_FAST_DIGITS = 15;
const ZERO = 48;
const DOT = 46;
const PLUS = 43;
const MINUS = 45;
/** `e` and `E` (`E` | 0x20 is `e`). */
const EXPONENT = 101;
const LOWER_CASE = 0x20;

/**
 * The number written in `text` between `start` and `end` (exclusive): undefined when that is empty, NaN
 * when it is not a decimal number or not a finite double.
 */
export function decimalAt(text: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let i = start;
  let code = text.charCodeAt(i);
  const negative = code === MINUS;
  if (negative || code === PLUS) i++;
  let mantissa = 0;
  /** Significant digits in `mantissa`. */
  let digits = 0;
  /** Digits seen, leading zeros included: a number needs one. */
  let seen = 0;
  /** Digits after the point (-1: no point yet). */
  let decimals = -1;
  /** Whether the fast path still applies. */
  let exact = true;
  for (; i < end; i++) {
    code = text.charCodeAt(i);
    const digit = code - ZERO;
    if (digit >= 0 && digit <= 9) {
      seen++;
      if (!exact) continue;
      // Leading zeros add no significant digit; past 15, the fast path cannot be exact.
      if ((mantissa !== 0 || digit !== 0) && ++digits > MAX_FAST_DIGITS) {
        exact = false;
        continue;
      }
      mantissa = mantissa * 10 + digit;
      if (decimals >= 0) decimals++;
    } else if (code === DOT && decimals < 0) {
      decimals = 0;
    } else {
      break;
    }
  }
  if (seen === 0) return Number.NaN;
  if (i < end) {
    // Only an exponent may follow: e or E, an optional sign, digits, and nothing after them.
    if ((code | LOWER_CASE) !== EXPONENT) return Number.NaN;
    i++;
    if (i < end && (text.charCodeAt(i) === PLUS || text.charCodeAt(i) === MINUS)) i++;
    const first = i;
    while (i < end && text.charCodeAt(i) - ZERO >= 0 && text.charCodeAt(i) - ZERO <= 9) i++;
    if (i === first || i < end) return Number.NaN;
    exact = false;
  }
  if (exact && decimals <= 22) {
    const value = decimals <= 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals]!;
    return negative ? -value : value;
  }
  const value = Number(text.slice(start, end));
  return Number.isFinite(value) ? value : Number.NaN;
}

/** decimalAt over a whole string. */
export function decimal(text: string): number | undefined {
  return decimalAt(text, 0, text.length);
}
