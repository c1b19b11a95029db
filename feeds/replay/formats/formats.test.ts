/**
 * Every format on small files written here (the real samples in ../shared/data are read by
 * test/replay/shared-data.test.ts): detection from the first lines, the ticks each line makes, and the
 * errors a bad header or line gets.
 */
import { describe, expect, test } from 'vitest';
import { scratchFolder } from '../../../test/helpers/scratch.js';
import type { Tick } from '../../tick.js';
import { ReplayError } from '../errors.js';
import { FileTicks, type FileTicksOptions } from '../file-ticks.js';
import type { FormatName } from './index.js';

const files = scratchFolder('tickertape-formats-');
const T = Date.UTC(2024, 7, 8, 23, 54, 15, 611);

const DEFAULTS: FileTicksOptions = { skipBad: false, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY, maxOutOfOrderMs: 300_000 };

async function read(path: string, options: Partial<FileTicksOptions> = {}): Promise<{ format: FormatName | undefined; ticks: Tick[]; source: FileTicks }> {
  const source = new FileTicks(path, { ...DEFAULTS, ...options });
  await source.open();
  const ticks: Tick[] = [];
  for (let batch = await source.next(); batch !== undefined; batch = await source.next()) ticks.push(...batch);
  return { format: source.formatName, ticks, source };
}

/** Ticks without their undefined fields, for comparison with literals. */
function plain(ticks: readonly Tick[]): Record<string, unknown>[] {
  return ticks.map((tick) => Object.fromEntries(Object.entries(tick).filter(([, value]) => value !== undefined)));
}

async function openError(path: string, options: Partial<FileTicksOptions> = {}): Promise<ReplayError> {
  try {
    await read(path, options);
  } catch (error) {
    if (error instanceof ReplayError) return error;
    throw error;
  }
  throw new Error('expected a ReplayError');
}

describe('tickertape recording', () => {
  test('is detected by its header and read losslessly, absent fields staying absent', async () => {
    const path = files.write(
      'rec.tape',
      '# tickertape recording v1: ts,symbol,price,size,side,bid,ask\n' +
        `${T},ETH-USDT,2683.8,0.002,s,,\n${T + 0.25},ETH-USDT,,,,2683.8,2683.81\n${T + 1},BTC-USD,0.1,3e-7,b,0.09999999999999999,0.1\n`,
    );
    const { format, ticks } = await read(path);
    expect(format).toBe('tickertape');
    expect(plain(ticks)).toEqual([
      { symbol: 'ETH-USDT', ts: T, price: 2683.8, size: 0.002, side: 'sell' },
      { symbol: 'ETH-USDT', ts: T + 0.25, bid: 2683.8, ask: 2683.81 },
      { symbol: 'BTC-USD', ts: T + 1, price: 0.1, size: 3e-7, side: 'buy', bid: 0.09999999999999999, ask: 0.1 },
    ]);
  });

  test('a newer version is refused by name', async () => {
    const path = files.write('v2.tape', '# tickertape recording v2: ts,symbol\n1,A\n');
    expect((await openError(path)).message).toBe(`${path}:1: recording format version 2; this tickertape reads version 1`);
  });

  test.each([
    ['1,A,1,1,s,,,', 'wrong number of fields: 8, expected 7'],
    ['1,A,1,1', 'wrong number of fields: 4, expected 7'],
    ['0x10,A,1,1,s,,', 'bad time: "0x10"'],
    ['1,A,0b1,1,s,,', 'bad price: "0b1"'],
    ['1,A,1,Infinity,s,,', 'bad size: "Infinity"'],
    ['1,A,1,1,s,1e400,', 'bad bid: "1e400"'],
    ['1,A,1,1,s,, 2', 'bad ask: " 2"'],
    ['1,A,1,1,x,,', 'bad side: "x"'],
    ['when,A,1,1,s,,', 'bad time: "when"'],
    ['1,A,1,1,s,abc,', 'bad bid: "abc"'],
  ])('line %j is bad: %s', async (line, reason) => {
    const path = files.write('bad.tape', `# tickertape recording v1: ts,symbol,price,size,side,bid,ask\n${line}\n`);
    expect((await openError(path)).message).toBe(`${path}:2: ${reason}`);
  });
});

describe('generic trades CSV', () => {
  test('finds columns by name in any order and case, ignoring others; a row with no price is a quote', async () => {
    const path = files.write(
      'any.csv',
      'Exchange,QTY,Price,Symbol,Time,Side,bid,ask\nN,300,13.95,BAC,2013-10-07T13:30:00.105Z,B,13.94,13.96\nN,,,BAC,2013-10-07T13:30:01Z,,13.95,13.97\n',
    );
    const { format, ticks } = await read(path);
    expect(format).toBe('csv');
    expect(plain(ticks)).toEqual([
      { symbol: 'BAC', ts: Date.UTC(2013, 9, 7, 13, 30, 0, 105), price: 13.95, size: 300, side: 'buy', bid: 13.94, ask: 13.96 },
      { symbol: 'BAC', ts: Date.UTC(2013, 9, 7, 13, 30, 1), bid: 13.95, ask: 13.97 },
    ]);
  });

  test.each([
    ['s', '1723161255.611'],
    ['ms', '1723161255611'],
    ['us', '1723161255611000'],
    ['ns', '1723161255611000000'],
    ['ISO', '2024-08-08T23:54:15.611Z'],
  ])('reads timestamps in %s', async (_unit, text) => {
    const path = files.write('units.csv', `ts,symbol,price,amount\n${text},X,1,2\n`);
    const { ticks } = await read(path);
    expect(ticks[0]!.ts).toBeCloseTo(T, 3);
  });

  test.each([
    ['0x10', 'bad price: "0x10"'],
    ['0o20', 'bad price: "0o20"'],
    ['0b10000', 'bad price: "0b10000"'],
    ['Infinity', 'bad price: "Infinity"'],
    ['1e400', 'bad price: "1e400"'],
    [' 16', 'bad price: " 16"'],
    ['16 ', 'bad price: "16 "'],
    ['1_6', 'bad price: "1_6"'],
    ['"0x10"', 'bad price: "0x10"'],
  ])('price %j is no decimal number: %s, in the field\'s own words', async (price, reason) => {
    const path = files.write('hex.csv', `timestamp,symbol,price,size,exchange\n2013-10-07T13:30:00.105Z,BAC,${price},1,N\n`);
    expect((await openError(path)).message).toBe(`${path}:2: ${reason}`);
  });

  test('a row with too few fields says how many it has', async () => {
    const path = files.write('short.csv', 'timestamp,symbol,price,size,exchange\n2013-10-07T13:30:00.105Z,BAC,1\n');
    expect((await openError(path)).message).toBe(`${path}:2: too few fields: 3, expected at least 4`);
  });

  test('quoted fields are unquoted', async () => {
    const path = files.write('quoted.csv', '"time","symbol","price","size"\n"2024-08-08T23:54:15.611Z","BRK.B","1,234.5",1\n"2024-08-08T23:54:15.611Z","BRK.B","412.5","2"\n');
    const error = await openError(path);
    expect(error.message).toBe(`${path}:2: bad price: "1,234.5"`);
    const fixed = files.write('quoted-ok.csv', '"time","symbol","price","size"\n"2024-08-08T23:54:15.611Z","BRK.B","412.5","2"\n');
    expect(plain((await read(fixed)).ticks)).toEqual([{ symbol: 'BRK.B', ts: T, price: 412.5, size: 2 }]);
    // "" is a quote inside a quoted field.
    const escaped = files.write('quoted-quote.csv', '"time","symbol","price","size"\n"2024-08-08T23:54:15.611Z","BRK.B","41""2.5","2"\n');
    expect((await openError(escaped)).message).toBe(`${escaped}:2: bad price: "41\\"2.5"`);
  });

  test('with no symbol column it takes --symbol, and says so when there is none', async () => {
    const path = files.write('nosymbol.csv', 'timestamp,price,size\n1723161255611,2683.8,0.002\n');
    expect(plain((await read(path, { symbol: 'ETH-USDT' })).ticks)).toEqual([{ symbol: 'ETH-USDT', ts: T, price: 2683.8, size: 0.002 }]);
    expect((await openError(path)).message).toBe(`${path}:1: the CSV has no symbol column: name its symbol with --symbol`);
  });

  test('a file that fits no format is refused, naming them; --format forces one', async () => {
    const path = files.write('mystery.txt', 'hello world\nhow are you\n');
    const error = await openError(path);
    expect(error.code).toBe('UNKNOWN_FORMAT');
    expect(error.message).toMatch(new RegExp(`^${path}:1: unknown format: the first line "hello world" is none of tickertape, csv, binance-trades, binance-aggtrades, binance-capture, coinbase-capture, tardis; name one with --format$`));
    const forced = await openError(path, { format: 'tickertape' });
    expect(forced.message).toBe(`${path}:1: wrong number of fields: 1, expected 7`);
  });
});

describe('Binance public-data CSVs', () => {
  test('trades without a header, pair from --symbol; buyer-is-maker means the taker sold', async () => {
    const path = files.write('trades.csv', '1520538925,2683.80000000,0.00200000,5.36760000,1723161255611,True,True\n1520538926,2683.81000000,0.03450000,92.59,1723161255612,False,True\n');
    const { format, ticks } = await read(path, { symbol: 'ETHUSDT' });
    expect(format).toBe('binance-trades');
    expect(plain(ticks)).toEqual([
      { symbol: 'ETH-USDT', ts: T, price: 2683.8, size: 0.002, side: 'sell' },
      { symbol: 'ETH-USDT', ts: T + 1, price: 2683.81, size: 0.0345, side: 'buy' },
    ]);
  });

  test('trades with a header, pair from Binance\'s file name', async () => {
    const path = files.write('BTCUSDT-trades-2024-08-08.csv', 'id,price,qty,quote_qty,time,is_buyer_maker\n1,60000.5,0.1,6000.05,1723161255611,false\n');
    const { format, ticks } = await read(path);
    expect(format).toBe('binance-trades');
    expect(plain(ticks)).toEqual([{ symbol: 'BTC-USDT', ts: T, price: 60000.5, size: 0.1, side: 'buy' }]);
  });

  test('aggTrades, with or without header (futures files have no best-match column)', async () => {
    const bare = files.write('agg.csv', '893472194,2683.80000000,0.03850000,1520538925,1520538927,1723161255611,True,True\n');
    const headed = files.write('agg-h.csv', 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n893472194,2683.8,0.0385,1520538925,1520538927,1723161255611,true\n');
    for (const path of [bare, headed]) {
      const { format, ticks } = await read(path, { symbol: 'ETHUSDT' });
      expect(format).toBe('binance-aggtrades');
      expect(plain(ticks)).toEqual([{ symbol: 'ETH-USDT', ts: T, price: 2683.8, size: 0.0385, side: 'sell' }]);
    }
  });

  test('a Binance CSV with no pair anywhere asks for --symbol', async () => {
    const path = files.write('unnamed.csv', '1,2683.8,0.002,5.3676,1723161255611,True,True\n');
    expect((await openError(path)).message).toBe(`${path}: a Binance trades CSV does not name its pair: give it with --symbol (e.g. --symbol ETHUSDT)`);
  });
});

describe('captures', () => {
  test('Binance: trades at T, depth skipped unparsed, spot bookTicker at receive time corrected by the clock offset', async () => {
    const received = 1723161254000_000_000;
    const path = files.gzip(
      'binance.capture.gz',
      [
        `${received} {"stream":"ethusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255300,"s":"ETHUSDT","U":1,"u":2,"b":[],"a":[]}}`,
        `${received + 20_000_000} {"stream":"ethusdt@bookTicker","data":{"u":3,"s":"ETHUSDT","b":"2683.80000000","B":"1","a":"2683.81000000","A":"2"}}`,
        `${received + 30_000_000} {"stream":"ethusdt@trade","data":{"e":"trade","E":1723161255612,"s":"ETHUSDT","t":1,"p":"2683.8","q":"0.002","T":1723161255611,"m":true,"M":true}}`,
        `${received + 40_000_000} {"lastUpdateId":35346513512,"bids":[],"asks":[]}`,
        `${received + 50_000_000} not json`,
      ].join('\n'),
    );
    const { source, ticks, format } = await read(path, { skipBad: true });
    expect(format).toBe('binance-capture');
    // The depth message said Binance is 1300 ms ahead of the recorder's clock: the quote is shifted by it.
    expect(plain(ticks)).toEqual([
      { symbol: 'ETH-USDT', ts: 1723161254020 + 1300, bid: 2683.8, ask: 2683.81 },
      { symbol: 'ETH-USDT', ts: T, price: 2683.8, size: 0.002, side: 'sell' },
    ]);
    expect(source.stats.ignored).toEqual({ depth: 2 });
    expect(source.stats.skipped).toEqual({ 'not "<receive time> <json>"': 1 });
  });

  test('Coinbase: matches and tickers from received lines; opens and sent requests are control', async () => {
    const path = files.write(
      'coinbase.txt',
      [
        'wss://ws-feed.pro.coinbase.com <-> 1618677816.8434298',
        'wss://ws-feed.pro.coinbase.com <- 1618677817.020616: {"type":"subscribe","product_ids":["SKL-BTC"],"channels":["matches"]}',
        '1618677817.061845: {"type":"subscriptions","channels":[]}',
        '1618677817.079694: {"type":"ticker","product_id":"SKL-BTC","price":"0.00001305","best_bid":"0.00001300","best_ask":"0.00001310","time":"2021-04-17T16:43:30.244075Z"}',
        '1618677817.1295161: {"type":"match","trade_id":280232,"side":"sell","size":"985","price":"0.00001305","product_id":"SKL-BTC","time":"2021-04-17T16:43:37.089Z"}',
        '1618677847.818211: {"type":"l2update","product_id":"SKL-BTC","changes":[["sell","0.00001310","3866.8"]],"time":"2021-04-17T16:44:07.832537Z"}',
      ].join('\n'),
    );
    const { format, ticks, source } = await read(path);
    expect(format).toBe('coinbase-capture');
    expect(plain(ticks)).toEqual([
      { symbol: 'SKL-BTC', ts: expect.closeTo(Date.UTC(2021, 3, 17, 16, 43, 30, 244) + 0.075, 3), bid: 0.000013, ask: 0.0000131 },
      { symbol: 'SKL-BTC', ts: Date.UTC(2021, 3, 17, 16, 43, 37, 89), price: 0.00001305, size: 985, side: 'buy' },
    ]);
    expect(source.stats.ignored).toEqual({ control: 3, depth: 1 });
  });
});

describe('Tardis trades CSV', () => {
  test('reads µs exchange time, the taker side, and maps symbols by exchange', async () => {
    const path = files.write(
      'tardis.csv',
      'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n' +
        'binance,ETHUSDT,1723161255611000,1723161255613112,1520538925,sell,2683.8,0.002\n' +
        'coinbase,ETH-USD,1723161255612500,1723161255613112,99,unknown,2683.9,0.5\n',
    );
    const { format, ticks } = await read(path);
    expect(format).toBe('tardis');
    expect(plain(ticks)).toEqual([
      { symbol: 'ETH-USDT', ts: T, price: 2683.8, size: 0.002, side: 'sell' },
      { symbol: 'ETH-USD', ts: T + 1.5, price: 2683.9, size: 0.5 },
    ]);
  });
});

describe('a UTF-8 byte-order mark', () => {
  const BOM = '\uFEFF';
  const samples: [FormatName, string, string][] = [
    ['tickertape', 'bom.tape', `# tickertape recording v1: ts,symbol,price,size,side,bid,ask\n${T},ETH-USDT,2683.8,0.002,s,,\n`],
    ['csv', 'bom.csv', `timestamp,symbol,price,size,side\n${T},ETH-USDT,2683.8,0.002,sell\n`],
    ['binance-trades', 'trades.csv', `1520538925,2683.80000000,0.00200000,5.36760000,${T},True,True\n`],
    ['binance-aggtrades', 'aggtrades.csv', `893472194,2683.8,0.002,1520538925,1520538927,${T},True,True\n`],
    ['binance-capture', 'bom.capture', `1723161254000000000 {"stream":"ethusdt@trade","data":{"e":"trade","E":${T},"s":"ETHUSDT","t":1,"p":"2683.8","q":"0.002","T":${T},"m":true,"M":true}}\n`],
    ['coinbase-capture', 'bom.txt', '1618677817.1295161: {"type":"match","trade_id":1,"side":"buy","size":"0.002","price":"2683.8","product_id":"ETH-USDT","time":"2024-08-08T23:54:15.611Z"}\n'],
    ['tardis', 'bom-tardis.csv', `exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbinance,ETHUSDT,${T}000,${T}000,1,sell,2683.8,0.002\n`],
  ];

  test.each(samples)('before the first line of a %s file is ignored, gzip or not, detected or named', async (format, name, text) => {
    for (const path of [files.write(`plain-${name}`, BOM + text), files.gzip(`gz-${name}.gz`, BOM + text)]) {
      for (const named of [undefined, format]) {
        // --symbol names the Binance CSVs' pair; the other formats name their own.
        const { format: found, ticks, source } = await read(path, { format: named, symbol: 'ETHUSDT' });
        expect(found).toBe(format);
        expect(plain(ticks)).toEqual([{ symbol: 'ETH-USDT', ts: T, price: 2683.8, size: 0.002, side: 'sell' }]);
        expect(source.stats.skipped).toEqual({});
      }
    }
  });
});

describe("a symbol the protocol cannot name (1 to 32 letters, digits or . _ : / -)", () => {
  const LONG = 'ABCDEFGHIJ'.repeat(4) + 'XYZ';
  const RULE = '(a symbol is 1 to 32 letters, digits or . _ : / -)';
  const capture = (s: string): string => `1723161254000000000 {"stream":"x@trade","data":{"e":"trade","E":${T},"s":${JSON.stringify(s)},"t":1,"p":"2683.8","q":"0.002","T":${T},"m":true,"M":true}}`;
  const coinbase = (product: string): string => `1618677817.1: {"type":"match","trade_id":1,"side":"buy","size":"1","price":"2","product_id":${JSON.stringify(product)},"time":"2024-08-08T23:54:15.611Z"}`;
  const cases: [string, string, string, string][] = [
    ['csv', 'space.csv', `timestamp,symbol,price,size\n${T},OK,1,1\n${T},BRK B,1,1\n`, '"BRK B"'],
    ['csv', 'comma.csv', `timestamp,symbol,price,size\n${T},OK,1,1\n${T},"A,B",1,1\n`, '"A,B"'],
    ['csv', 'long.csv', `timestamp,symbol,price,size\n${T},OK,1,1\n${T},${LONG},1,1\n`, `"${LONG}"`],
    ['tickertape', 'space.tape', `# tickertape recording v1: ts,symbol,price,size,side,bid,ask\n${T},OK,1,1,,,\n${T},A B,1,1,,,\n`, '"A B"'],
    ['tardis', 'tardis.csv', `exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbinance,OKUSDT,${T}000,${T}000,1,sell,1,1\nbitmex,XBT USD,${T}000,${T}000,2,sell,1,1\n`, '"XBT USD"'],
    ['binance-capture', 'binance.capture', `${capture('OKUSDT')}\n${capture('ETH USDT')}\n`, '"ETH USDT"'],
    ['coinbase-capture', 'coinbase.txt', `${coinbase('OK-USD')}\n${coinbase('BTC/USD?')}\n`, '"BTC/USD?"'],
  ];

  test.each(cases)('in a %s file (%s) is a bad line naming it; --skip-bad counts it as a bad symbol', async (format, name, text, shown) => {
    const path = files.write(name, text);
    const error = await openError(path);
    expect(error.code).toBe('BAD_LINE');
    expect(error.message).toBe(`${path}:${format === 'binance-capture' || format === 'coinbase-capture' ? 2 : 3}: bad symbol: ${shown} ${RULE}`);
    const { ticks, source } = await read(path, { skipBad: true });
    expect(ticks).toHaveLength(1);
    expect(source.stats.skipped).toEqual({ 'bad symbol': 1 });
  });

  test('bytes that are not UTF-8 are a bad symbol too', async () => {
    const path = files.write('bytes.csv', Buffer.concat([Buffer.from(`timestamp,symbol,price,size\n${T},`), Buffer.from([0xff, 0xfe]), Buffer.from(',1,1\n')]));
    expect((await openError(path)).message).toBe(`${path}:2: bad symbol: "\uFFFD\uFFFD" ${RULE}`);
  });

  test("a Binance CSV's pair from a file name too long for a symbol is refused on its first line", async () => {
    const path = files.write(`${LONG}USDT-trades-2024-08-08.csv`, '1520538925,2683.8,0.002,5.3676,1723161255611,True,True\n');
    expect((await openError(path)).message).toBe(`${path}:1: bad symbol: "${LONG}-USDT" ${RULE}`);
  });
});
