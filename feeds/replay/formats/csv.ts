/**
 * Generic trades CSV: any CSV with a header naming its columns (any order, any case; unknown columns are
 * ignored). Timestamps are ISO-8601 (no zone = UTC) or epoch s, ms, µs or ns, judged from the first row.
 *
 *     timestamp,symbol,price,size,exchange
 *     2013-10-07T13:30:00.105Z,BAC,13.9500,300,N
 *
 * A row with an empty price and a bid or ask is a quote. Files with no symbol column take `--symbol`.
 */
import { firstSampleTimeParser } from '../../time.js';
import { ReplayError } from '../errors.js';
import { csvParser, headerNames, tradeSide, type CsvColumns } from './csv-table.js';
import type { ReplayFormat } from './format.js';

/** Header names read as each column, in order of preference. */
export const CSV_COLUMN_NAMES = {
  time: ['timestamp', 'time', 'ts'],
  symbol: ['symbol'],
  price: ['price'],
  size: ['size', 'qty', 'quantity', 'amount'],
  side: ['side'],
  bid: ['bid'],
  ask: ['ask'],
} as const satisfies Record<keyof CsvColumns, readonly string[]>;

function find(names: readonly string[], wanted: readonly string[]): number | undefined {
  for (const name of wanted) {
    const index = names.indexOf(name);
    if (index >= 0) return index;
  }
  return undefined;
}

/** Where each column is, or undefined when the header lacks a time, a price or a size column. */
export function csvColumns(header: string): CsvColumns | undefined {
  const names = headerNames(header);
  const time = find(names, CSV_COLUMN_NAMES.time);
  const price = find(names, CSV_COLUMN_NAMES.price);
  const size = find(names, CSV_COLUMN_NAMES.size);
  if (time === undefined || price === undefined || size === undefined) return undefined;
  return {
    time,
    price,
    size,
    symbol: find(names, CSV_COLUMN_NAMES.symbol),
    side: find(names, CSV_COLUMN_NAMES.side),
    bid: find(names, CSV_COLUMN_NAMES.bid),
    ask: find(names, CSV_COLUMN_NAMES.ask),
  };
}

export const csvFormat: ReplayFormat = {
  name: 'csv',
  title: 'generic trades CSV with a header',
  detect: (head) => csvColumns(head[0]!) !== undefined,
  open(head, context) {
    const columns = csvColumns(head[0]!);
    if (columns === undefined) {
      throw new ReplayError(
        'BAD_HEADER',
        `the CSV header needs a time column (${CSV_COLUMN_NAMES.time.join('|')}), price, and a size column (${CSV_COLUMN_NAMES.size.join('|')})`,
        context.file,
        1,
      );
    }
    const { symbol } = context;
    const symbolColumn = columns.symbol;
    if (symbolColumn === undefined && symbol === undefined) {
      throw new ReplayError('BAD_HEADER', 'the CSV has no symbol column: name its symbol with --symbol', context.file, 1);
    }
    return csvParser({
      columns,
      header: true,
      parseTime: firstSampleTimeParser(),
      symbolOf: symbolColumn === undefined ? () => symbol : (row) => row.symbol(symbolColumn),
      sideOf: tradeSide,
    });
  },
};
