/**
 * tickertape's recording format (docs/feeds.md#recording-format): what `tickertape record` and
 * `serve --record` write, one normalized tick per line, lossless:
 *
 *     # tickertape recording v1: ts,symbol,price,size,side,bid,ask
 *     1723161255611,ETH-USDT,2683.8,0.002,s,,
 *     1723161255700.25,ETH-USDT,,,,2683.8,2683.81
 *
 * Numbers are written with JavaScript's `String(number)`, the shortest text that reads back as the same
 * double, so every field round-trips exactly. An empty field is an absent one; `side` is `b` or `s`. Symbols
 * cannot hold commas (protocol symbols are letters, digits and `. _ : / -`). Parsing is a handful of
 * indexOf calls and decimal reads (decimal.ts) per line: no CSV quoting, no JSON.
 */
import { invalid, ignored, type Invalid } from '../../exchanges/normalized.js';
import type { Side, Tick } from '../../tick.js';
import { decimalAt } from '../decimal.js';
import { ReplayError } from '../errors.js';
import { SymbolCache } from '../symbol-cache.js';
import type { LineParser, LineProblem, ReplayFormat } from './format.js';

export const RECORDING_VERSION = 1;
export const RECORDING_HEADER_PREFIX = '# tickertape recording v';
export const RECORDING_HEADER = `${RECORDING_HEADER_PREFIX}${RECORDING_VERSION}: ts,symbol,price,size,side,bid,ask`;

const COMMA = 44;
const HASH = 35;
const FIELDS = 7;

/** One tick as a recording line (no line end). */
export function formatTickLine(tick: Tick): string {
  const side = tick.side === 'buy' ? 'b' : tick.side === 'sell' ? 's' : '';
  return `${tick.ts},${tick.symbol},${optional(tick.price)},${optional(tick.size)},${side},${optional(tick.bid)},${optional(tick.ask)}`;
}

function optional(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/** Whether `symbol` can be written to a recording line and read back. */
export function recordableSymbol(symbol: string): boolean {
  return symbol.length > 0 && !/[,\n\r]/.test(symbol);
}

function badFieldCount(line: string): Invalid {
  return { kind: 'invalid', reason: 'wrong number of fields', detail: `${line.split(',').length}, expected ${FIELDS}` };
}

const numberAt = decimalAt;

function badNumber(name: string, line: string, start: number, end: number): Invalid {
  return invalid(`bad ${name}`, line.slice(start, end));
}

const symbols = new SymbolCache();

export function parseTickLine(line: string, out: Tick[]): LineProblem | undefined {
  if (line.charCodeAt(0) === HASH) return ignored(line.startsWith(RECORDING_HEADER_PREFIX) ? 'header' : 'comment');
  const c1 = line.indexOf(',');
  const c2 = line.indexOf(',', c1 + 1);
  const c3 = line.indexOf(',', c2 + 1);
  const c4 = line.indexOf(',', c3 + 1);
  const c5 = line.indexOf(',', c4 + 1);
  const c6 = line.indexOf(',', c5 + 1);
  if (c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0 || c5 < 0 || c6 < 0 || line.indexOf(',', c6 + 1) >= 0) return badFieldCount(line);
  const ts = numberAt(line, 0, c1);
  if (ts === undefined || Number.isNaN(ts)) return badNumber('time', line, 0, c1);
  const price = numberAt(line, c2 + 1, c3);
  if (Number.isNaN(price)) return badNumber('price', line, c2 + 1, c3);
  const size = numberAt(line, c3 + 1, c4);
  if (Number.isNaN(size)) return badNumber('size', line, c3 + 1, c4);
  let side: Side | undefined;
  if (c5 - c4 === 2) {
    const code = line.charCodeAt(c4 + 1);
    side = code === 98 ? 'buy' : code === 115 ? 'sell' : undefined;
    if (side === undefined) return invalid('bad side', line.slice(c4 + 1, c5));
  } else if (c5 !== c4 + 1) return invalid('bad side', line.slice(c4 + 1, c5));
  const bid = numberAt(line, c5 + 1, c6);
  if (Number.isNaN(bid)) return badNumber('bid', line, c5 + 1, c6);
  const ask = numberAt(line, c6 + 1, line.length);
  if (Number.isNaN(ask)) return badNumber('ask', line, c6 + 1, line.length);
  // Every tick has the same shape (absent fields undefined), so the market's code sees one object layout.
  out.push({ symbol: symbols.slice(line, c1 + 1, c2), ts, price, size, side, bid, ask });
  return undefined;
}

const parser: LineParser = { parse: parseTickLine };

export const tickertapeFormat: ReplayFormat = {
  name: 'tickertape',
  title: 'tickertape recording',
  detect: (head) => head[0]!.startsWith(RECORDING_HEADER_PREFIX),
  open(head, context) {
    const first = head[0]!;
    if (first.startsWith(RECORDING_HEADER_PREFIX)) {
      const version = Number.parseInt(first.slice(RECORDING_HEADER_PREFIX.length), 10);
      if (version !== RECORDING_VERSION) {
        throw new ReplayError(
          'BAD_HEADER',
          `recording format version ${Number.isNaN(version) ? '?' : version}; this tickertape reads version ${RECORDING_VERSION}`,
          context.file,
          1,
        );
      }
    }
    return parser;
  },
};
