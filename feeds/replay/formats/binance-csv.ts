/**
 * Binance public-data trade files (https://github.com/binance/binance-public-data), with or without their
 * header. Neither names its pair, so it comes from `--symbol` or from Binance's file name
 * (`ETHUSDT-trades-2024-08-08.csv`); either is mapped like every Binance pair (`ETH-USDT`).
 *
 *     trades:     id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]
 *                 1520538925,2683.80000000,0.00200000,5.36760000,1723161255611,True,True
 *     aggTrades:  agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match]
 *                 893472194,2683.80000000,0.03850000,1520538925,1520538927,1723161255611,True,True
 *
 * Times are ms (µs in spot files from 2025), judged from the first row. `is_buyer_maker` true means the
 * taker sold.
 */
import { basename } from 'node:path';
import { binanceSymbol } from '../../exchanges/symbols.js';
import type { Side } from '../../tick.js';
import { firstSampleTimeParser } from '../../time.js';
import { ReplayError } from '../errors.js';
import { csvParser, headerNames, splitCsv, type CsvColumns } from './csv-table.js';
import type { FormatContext, LineParser, ReplayFormat } from './format.js';

const BOOLEAN = /^(true|false)$/i;
const NUMBER = /^\d+(\.\d+)?$/;
/** Binance's own file names: `ETHUSDT-trades-2024-08-08.csv`, `BTCUSDT-aggTrades-2024-08.zip`. */
const BINANCE_FILE_NAME = /^([A-Za-z0-9]+)-(trades|aggTrades)-/;

interface Layout {
  readonly columns: CsvColumns;
  /** Index of the first boolean column in a row with no header. */
  readonly firstBoolean: number;
  /** Header names that only this layout has. */
  readonly headerMark: readonly string[];
}

const TRADES: Layout = {
  columns: { price: 1, size: 2, time: 4, side: 5 },
  firstBoolean: 5,
  headerMark: ['quote_qty', 'quoteqty'],
};
const AGG_TRADES: Layout = {
  columns: { price: 1, size: 2, time: 5, side: 6 },
  firstBoolean: 6,
  headerMark: ['first_trade_id', 'firsttradeid', 'transact_time'],
};

/** Whether `line` is a header of this layout, or a data row shaped like it. */
function shapedLike(layout: Layout, line: string): 'header' | 'row' | undefined {
  const fields = splitCsv(line);
  if (fields.length < layout.firstBoolean + 1 || fields.length > layout.firstBoolean + 2) return undefined;
  const names = headerNames(line);
  if (layout.headerMark.some((mark) => names.includes(mark))) return 'header';
  const numbers = fields.slice(0, layout.firstBoolean).every((field) => NUMBER.test(field));
  const booleans = fields.slice(layout.firstBoolean).every((field) => BOOLEAN.test(field));
  return numbers && booleans ? 'row' : undefined;
}

function isBuyerMakerSide(text: string): Side | null {
  if (text === 'True' || text === 'true') return 'sell';
  if (text === 'False' || text === 'false') return 'buy';
  return null;
}

/** The pair of a file: `--symbol`, else Binance's file name. */
function pairOf(context: FormatContext): string {
  if (context.symbol !== undefined) return binanceSymbol(context.symbol);
  const named = BINANCE_FILE_NAME.exec(basename(context.file));
  if (named !== null) return binanceSymbol(named[1]!);
  throw new ReplayError(
    'BAD_HEADER',
    'a Binance trades CSV does not name its pair: give it with --symbol (e.g. --symbol ETHUSDT)',
    context.file,
  );
}

function binanceCsv(name: 'binance-trades' | 'binance-aggtrades', title: string, layout: Layout): ReplayFormat {
  return {
    name,
    title,
    detect: (head) => {
      const first = shapedLike(layout, head[0]!);
      return first === 'row' || (first === 'header' && (head[1] === undefined || shapedLike(layout, head[1]) === 'row'));
    },
    open(head, context): LineParser {
      const symbol = pairOf(context);
      return csvParser({
        columns: layout.columns,
        header: shapedLike(layout, head[0]!) === 'header',
        parseTime: firstSampleTimeParser(),
        symbolOf: () => symbol,
        sideOf: isBuyerMakerSide,
      });
    },
  };
}

export const binanceTradesFormat = binanceCsv('binance-trades', 'Binance public-data trades CSV', TRADES);
export const binanceAggTradesFormat = binanceCsv('binance-aggtrades', 'Binance public-data aggTrades CSV', AGG_TRADES);
