/**
 * Recording lines written as bytes, straight into the block the recorder hands to its file: the bytes of
 * `formatTickLine(tick)` and a line end (feeds/replay/formats/tickertape.ts), which stays the reference and
 * which the test (tick-lines.test.ts) compares them with on generated ticks.
 *
 * Why: `perf` of `tickertape record` at 200,000 ticks a second put about a third of the process in a line
 * made as a string: five numbers turned into strings, the template's parts joined, flattened again into the
 * block's text, and collected. Here a symbol's bytes are made once, an integer (an event time in whole
 * milliseconds) is written digit by digit, and a decimal with up to 8 digits after the point (prices, sizes)
 * as an integer and a point, with no string between. A recorded tick costs 10 to 15 % less CPU for it
 * (docs/feeds.md#performance); what is left is mostly the file's own writes and, for event times with
 * fractions of a millisecond (the simulator's), String().
 */
import type { Tick } from '../tick.js';
import { recordableSymbol } from '../replay/formats/tickertape.js';

/** Decimal places tried before a number is written with String(): prices and sizes need fewer. */
const MAX_DECIMALS = 8;
const POW10 = Array.from({ length: MAX_DECIMALS + 1 }, (_, k) => 10 ** k);
/**
 * Numbers written without String() are below this once scaled to an integer. Below 2^51, value × 10^k is
 * within 0.375 of the digits String() chooses (half a unit in the last place of the value, times 10^k, plus
 * half of the product's), so rounding it finds them (see writeNumber). It takes in event times in
 * milliseconds with microseconds (3 decimals) up to the year 2041.
 */
const EXACT_LIMIT = 2 ** 51;
/** String() writes numbers below this (but 0) with an exponent: they take its path. */
const SMALLEST_PLAIN = 1e-6;

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const POINT = 0x2e;
const BUY = 0x62;
const SELL = 0x73;

/**
 * Symbols whose bytes are kept. A market holds at most 10,000; a feed passing more (a file of made-up names)
 * empties the cache when it is full rather than growing it without bound.
 */
export const SYMBOL_CACHE_LIMIT = 16_384;

/** Bytes a line takes at most besides its symbol: six commas, a side, a line end, five numbers. */
const MAX_LINE_BYTES_BESIDES_SYMBOL = 8 + 5 * 32;

/**
 * Lines gathered in one Buffer. append() adds a tick's line; take() hands over what was gathered and starts
 * a new buffer, so a stream may keep the old one for as long as its write needs it.
 */
export class TickLineWriter {
  private block: Buffer;
  private used = 0;
  /** Each symbol's bytes, or null when a line cannot hold it; at most SYMBOL_CACHE_LIMIT of them. */
  private readonly symbols = new Map<string, Buffer | null>();

  constructor(private readonly blockBytes: number) {
    this.block = Buffer.allocUnsafe(blockBytes);
  }

  /** Symbols whose bytes are cached (SYMBOL_CACHE_LIMIT at most). */
  get cachedSymbols(): number {
    return this.symbols.size;
  }

  /** Bytes gathered since the last take(). */
  get length(): number {
    return this.used;
  }

  /**
   * Adds `tick`'s line, for a tick tickProblem() accepts. False (nothing added) when its symbol cannot be
   * written to a line (recordableSymbol).
   */
  append(tick: Tick): boolean {
    let symbol = this.symbols.get(tick.symbol);
    if (symbol === undefined) {
      symbol = recordableSymbol(tick.symbol) ? Buffer.from(tick.symbol) : null;
      if (this.symbols.size >= SYMBOL_CACHE_LIMIT) this.symbols.clear();
      this.symbols.set(tick.symbol, symbol);
    }
    if (symbol === null) return false;
    this.reserve(symbol.length + MAX_LINE_BYTES_BESIDES_SYMBOL);
    const out = this.block;
    let at = writeNumber(out, this.used, tick.ts);
    out[at++] = COMMA;
    at += symbol.copy(out, at);
    out[at++] = COMMA;
    if (tick.price !== undefined) at = writeNumber(out, at, tick.price);
    out[at++] = COMMA;
    if (tick.size !== undefined) at = writeNumber(out, at, tick.size);
    out[at++] = COMMA;
    if (tick.side === 'buy') out[at++] = BUY;
    else if (tick.side === 'sell') out[at++] = SELL;
    out[at++] = COMMA;
    if (tick.bid !== undefined) at = writeNumber(out, at, tick.bid);
    out[at++] = COMMA;
    if (tick.ask !== undefined) at = writeNumber(out, at, tick.ask);
    out[at++] = NEWLINE;
    this.used = at;
    return true;
  }

  /** The lines gathered since the last take(), as a Buffer no later append() writes to. */
  take(): Buffer {
    const lines = this.block.subarray(0, this.used);
    this.block = Buffer.allocUnsafe(this.blockBytes);
    this.used = 0;
    return lines;
  }

  /** Makes room for `bytes` more: a larger buffer, the gathered bytes copied over, when there is not. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.block.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.blockBytes, 2 * (this.used + bytes)));
    this.block.copy(larger, 0, 0, this.used);
    this.block = larger;
  }
}

/**
 * Writes `value` as String(value) writes it, at `at` in `out`; returns where it ended. For `value` ≥ 0.
 *
 * A number with k ≤ 8 decimal places is found as the first k for which r = round(value × 10^k) gives back
 * `value` as r / 10^k. That division is exact to the last bit (r and 10^k are exact integers below 2^53),
 * as parsing the text r × 10^-k is, so the text reads back as `value`; and no text with fewer decimals does,
 * as none did for a smaller k. That is String()'s rule: the fewest digits that read back as the number.
 * Past 2^51 once scaled, and below 10^-6 (written with an exponent), String() writes it.
 */
export function writeNumber(out: Buffer, at: number, value: number): number {
  if (value >= SMALLEST_PLAIN && value < EXACT_LIMIT) {
    for (let k = 0; k <= MAX_DECIMALS; k++) {
      const scale = POW10[k]!;
      const scaled = Math.round(value * scale);
      if (scaled >= EXACT_LIMIT) break;
      if (scaled / scale === value) return writeScaled(out, at, scaled, k);
    }
  } else if (value === 0) {
    out[at] = ZERO;
    return at + 1;
  }
  return at + out.write(String(value), at, 'latin1');
}

/** Writes the integer `scaled` with a point `decimals` digits from its right (leading zeros as needed). */
function writeScaled(out: Buffer, at: number, scaled: number, decimals: number): number {
  // Below 2^51, scaled is two 32-bit integers of base 10^8, so the digits come from integer arithmetic.
  const high = Math.floor(scaled / 1e8) | 0;
  const low = (scaled - high * 1e8) | 0;
  const digits = high > 0 ? 8 + digitCount(high) : digitCount(low);
  // "0.05": as many digits as the decimals and one before the point.
  const shown = Math.max(digits, decimals + 1);
  const end = at + shown + (decimals > 0 ? 1 : 0);
  let position = end;
  let rest = low;
  for (let i = 0; i < shown; i++) {
    if (i === decimals && decimals > 0) out[--position] = POINT;
    // Past low's eight digits (zeros where it had fewer), high's.
    if (i === 8) rest = high;
    const next = (rest / 10) | 0;
    out[--position] = (ZERO + rest - next * 10) | 0;
    rest = next;
  }
  return end;
}

/** Decimal digits of a non-negative integer below 2^31. */
function digitCount(value: number): number {
  let digits = 1;
  for (let bound = 10; value >= bound && digits < 10; bound *= 10) digits++;
  return digits;
}
