/**
 * The one CSV row reader behind every CSV format (generic, Binance public data, Tardis): a format declares
 * which column holds what and how to read its time, side and symbol; this turns rows into ticks.
 *
 * Rows are split on commas; a row holding a double quote is split by RFC 4180's rules instead (quoted
 * fields, `""` for a quote inside one), so tools that quote every field are read too. A field never spans
 * lines.
 */
import { invalid, ignored } from '../../exchanges/normalized.js';
import type { Side, Tick } from '../../tick.js';
import { decimal, decimalAt } from '../decimal.js';
import { SymbolCache } from '../symbol-cache.js';
import type { LineParser, LineProblem } from './format.js';

export interface CsvColumns {
  readonly time: number;
  readonly price: number;
  readonly size: number;
  readonly symbol?: number;
  readonly side?: number;
  readonly bid?: number;
  readonly ask?: number;
}

/** One CSV row, read field by field: only the fields a format uses are ever cut out of the line. */
export interface CsvRow {
  /** The text of field `index` (unquoted); '' when the row is shorter. */
  field(index: number): string;
  /** field(), for a column of symbols: the same string object each time a symbol comes back. */
  symbol(index: number): string;
}

export interface CsvTable {
  readonly columns: CsvColumns;
  /** Whether the first line is a header (skipped). */
  readonly header: boolean;
  /** Text → ms since the epoch; NaN when it is not a time. */
  readonly parseTime: (text: string) => number;
  /** The row's symbol: from its symbol column, or fixed. Undefined when there is none. */
  readonly symbolOf: (row: CsvRow) => string | undefined;
  /** Text of the side column → taker side; undefined for "unknown"; null when the text is not a side. */
  readonly sideOf?: (text: string) => Side | undefined | null;
}

const QUOTE = '"';

/** Splits one CSV row. */
export function splitCsv(line: string): string[] {
  if (!line.includes(QUOTE)) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char !== QUOTE) field += char;
      else if (line[i + 1] === QUOTE) {
        field += QUOTE;
        i++;
      } else quoted = false;
    } else if (char === QUOTE) quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/** Trimmed, unquoted, lower-case header names. */
export function headerNames(line: string): string[] {
  return splitCsv(line).map((name) => name.trim().toLowerCase());
}

/**
 * The row reader: the comma positions of the first `width` fields of an unquoted line (no split, no array
 * of strings), or the fields split by RFC 4180 rules when the line holds a quote.
 */
class RowReader implements CsvRow {
  private line = '';
  private split: string[] | undefined;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly symbols = new SymbolCache();
  /** Fields found in the current line, up to `width`. */
  count = 0;

  constructor(private readonly width: number) {
    this.starts = new Int32Array(width);
    this.ends = new Int32Array(width);
  }

  read(line: string): void {
    this.line = line;
    if (line.includes(QUOTE)) {
      this.split = splitCsv(line);
      this.count = Math.min(this.split.length, this.width);
      return;
    }
    this.split = undefined;
    let start = 0;
    let count = 0;
    while (count < this.width) {
      const comma = line.indexOf(',', start);
      this.starts[count] = start;
      this.ends[count] = comma < 0 ? line.length : comma;
      count++;
      if (comma < 0) break;
      start = comma + 1;
    }
    this.count = count;
  }

  field(index: number): string {
    if (index >= this.count) return '';
    return this.split === undefined ? this.line.slice(this.starts[index], this.ends[index]) : this.split[index]!;
  }

  symbol(index: number): string {
    if (index >= this.count) return '';
    return this.split === undefined ? this.symbols.slice(this.line, this.starts[index]!, this.ends[index]!) : this.split[index]!;
  }

  /** A number field: undefined when absent or empty, NaN when not a number. */
  number(index: number | undefined): number | undefined {
    if (index === undefined || index >= this.count) return undefined;
    return this.split === undefined ? decimalAt(this.line, this.starts[index]!, this.ends[index]!) : decimal(this.split[index]!);
  }
}

/** `buy`/`b`, `sell`/`s` (any case) are the taker side; `unknown` or empty is no side; anything else null. */
export function tradeSide(text: string): Side | undefined | null {
  switch (text) {
    case 'buy':
    case 'b':
      return 'buy';
    case 'sell':
    case 's':
      return 'sell';
    case '':
    case 'unknown':
      return undefined;
    default: {
      const lower = text.toLowerCase();
      return lower === text || lower.length > 7 ? null : tradeSide(lower);
    }
  }
}

export function csvParser(table: CsvTable): LineParser {
  const { columns, parseTime, symbolOf, sideOf } = table;
  const width = Math.max(...Object.values(columns).filter((column): column is number => column !== undefined)) + 1;
  const row = new RowReader(width);
  let headerPending = table.header;
  return {
    parse(line: string, out: Tick[]): LineProblem | undefined {
      if (headerPending) {
        headerPending = false;
        return ignored('header');
      }
      row.read(line);
      if (row.count < width) return { kind: 'invalid', reason: 'too few fields', detail: `${row.count}, expected at least ${width}` };
      const symbol = symbolOf(row);
      if (symbol === undefined || symbol === '') return invalid('no symbol');
      const timeText = row.field(columns.time);
      const ts = parseTime(timeText);
      if (Number.isNaN(ts)) return invalid('bad time', timeText);
      const price = row.number(columns.price);
      if (price !== undefined && Number.isNaN(price)) return invalid('bad price', row.field(columns.price));
      const size = row.number(columns.size);
      if (size !== undefined && Number.isNaN(size)) return invalid('bad size', row.field(columns.size));
      const bid = row.number(columns.bid);
      if (bid !== undefined && Number.isNaN(bid)) return invalid('bad bid', row.field(columns.bid!));
      const ask = row.number(columns.ask);
      if (ask !== undefined && Number.isNaN(ask)) return invalid('bad ask', row.field(columns.ask!));
      let side: Side | undefined;
      if (columns.side !== undefined && sideOf !== undefined) {
        const text = row.field(columns.side);
        const found = sideOf(text);
        if (found === null) return invalid('bad side', text);
        side = found;
      }
      out.push({ symbol, ts, price, size, side, bid, ask });
      return undefined;
    },
  };
}
