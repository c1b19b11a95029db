/**
 * Tardis.dev normalized trades CSV (https://docs.tardis.dev/downloadable-csv-files#trades):
 *
 *     exchange,symbol,timestamp,local_timestamp,id,side,price,amount
 *     binance,BTCUSDT,1714521600123000,1714521600125112,3566745219,sell,60666.01,0.00041
 *
 * `timestamp` is the exchange's time in µs since the epoch (`local_timestamp`, when Tardis received it, is
 * not used); `side` is the taker side or `unknown`; symbols are mapped per exchange (feeds/exchanges/symbols.ts).
 */
import { tardisSymbol } from '../../exchanges/symbols.js';
import { epochParser } from '../../time.js';
import { csvParser, headerNames, tradeSide } from './csv-table.js';
import type { ReplayFormat } from './format.js';

const TARDIS_HEADER = ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'id', 'side', 'price', 'amount'];

export const tardisFormat: ReplayFormat = {
  name: 'tardis',
  title: 'Tardis.dev trades CSV',
  detect: (head) => headerNames(head[0]!).join(',') === TARDIS_HEADER.join(','),
  open() {
    return csvParser({
      columns: { symbol: 1, time: 2, side: 5, price: 6, size: 7 },
      header: true,
      parseTime: epochParser('us'),
      symbolOf: (row) => tardisSymbol(row.symbol(0), row.symbol(1)),
      sideOf: tradeSide,
    });
  },
};
