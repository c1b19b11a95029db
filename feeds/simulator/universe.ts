/**
 * The simulated universe: US equities and crypto pairs with mid-2024 prices. Each row says how its symbol
 * behaves: volatility, usual spread, how big its trades are and how busy it is relative to the others.
 */
import type { Instrument } from '../tick.js';

/** How a symbol's trade sizes are drawn. */
export type SizeModel =
  | {
      /** Whole shares: odd lots (1-99, mostly small) or round lots of 100. */
      readonly kind: 'shares';
      /** Share of trades that are odd lots, in [0, 1]. */
      readonly oddLotShare: number;
      /** Mean number of 100-share lots in a round-lot trade (>= 1). */
      readonly meanRoundLots: number;
    }
  | {
      /** Fractional coins: log-normal around a median, rounded to `decimals`. */
      readonly kind: 'coins';
      /** Size increment is 10^-decimals base units. */
      readonly decimals: number;
      /** Median trade size, in base units (coins). */
      readonly median: number;
    };

export interface SimulatedInstrument extends Instrument {
  /** Prices are multiples of 10^-priceDecimals: tickSize === 1 / 10 ** priceDecimals. */
  readonly priceDecimals: number;
  /** Price at simulated time zero, on the tick grid. */
  readonly initialPrice: number;
  /** Annualised volatility of log price (0.25 = 25 %), over trading time: 252 x 6.5 h for equities, all year for crypto. */
  readonly annualVolatility: number;
  /** Usual best bid/ask spread, in ticks (>= 1); the live spread wanders around it. */
  readonly typicalSpreadTicks: number;
  readonly size: SizeModel;
  /** Relative share of the market's trades (unitless, > 0): 10 is ten times as busy as 1. */
  readonly activity: number;
}

type StockRow = readonly [
  symbol: string,
  name: string,
  price: number,
  annualVolatility: number,
  typicalSpreadTicks: number,
  activity: number,
  oddLotShare: number,
  meanRoundLots: number,
];

// Expensive stocks trade mostly in odd lots; cheap, heavily traded ones in bigger round lots.
const STOCKS: readonly StockRow[] = [
  // symbol  name                               price    vol   spread  activity  oddLots  lots
  ['NVDA', 'NVIDIA Corporation', 121.44, 0.55, 1, 10, 0.45, 3],
  ['TSLA', 'Tesla, Inc.', 219.8, 0.6, 1, 9, 0.5, 2.5],
  ['AAPL', 'Apple Inc.', 192.25, 0.25, 1, 8, 0.5, 2.5],
  ['MSFT', 'Microsoft Corporation', 415.1, 0.22, 2, 6, 0.65, 1.8],
  ['AMZN', 'Amazon.com, Inc.', 185.57, 0.32, 1, 6, 0.5, 2.2],
  ['AMD', 'Advanced Micro Devices, Inc.', 158.2, 0.5, 1, 6, 0.45, 2.5],
  ['META', 'Meta Platforms, Inc.', 504.22, 0.4, 3, 5, 0.7, 1.5],
  ['GOOGL', 'Alphabet Inc. Class A', 171.93, 0.3, 1, 5, 0.5, 2.2],
  ['AVGO', 'Broadcom Inc.', 163.75, 0.5, 2, 4, 0.5, 2],
  ['PLTR', 'Palantir Technologies Inc.', 24.8, 0.65, 1, 4, 0.25, 5],
  ['INTC', 'Intel Corporation', 30.52, 0.5, 1, 3, 0.25, 5],
  ['BAC', 'Bank of America Corporation', 39.41, 0.26, 1, 3, 0.25, 5],
  ['NFLX', 'Netflix, Inc.', 651.4, 0.4, 10, 3, 0.75, 1.3],
  ['JPM', 'JPMorgan Chase & Co.', 201.6, 0.22, 2, 3, 0.55, 2],
  ['V', 'Visa Inc.', 274.3, 0.18, 2, 2, 0.6, 1.6],
  ['XOM', 'Exxon Mobil Corporation', 114.55, 0.24, 1, 2, 0.4, 2.5],
  ['UNH', 'UnitedHealth Group Incorporated', 512.75, 0.28, 6, 2, 0.7, 1.4],
  ['LLY', 'Eli Lilly and Company', 812.3, 0.35, 15, 2, 0.8, 1.2],
  ['WMT', 'Walmart Inc.', 68.12, 0.18, 1, 2, 0.3, 3],
  ['COST', 'Costco Wholesale Corporation', 852.6, 0.22, 12, 1.5, 0.8, 1.2],
  ['ORCL', 'Oracle Corporation', 139.88, 0.35, 1, 1.5, 0.45, 2],
  ['CRM', 'Salesforce, Inc.', 257.9, 0.35, 3, 1.5, 0.6, 1.6],
  ['ADBE', 'Adobe Inc.', 521.35, 0.38, 8, 1.5, 0.7, 1.4],
  ['MA', 'Mastercard Incorporated', 458.2, 0.2, 5, 1.5, 0.7, 1.4],
  ['HD', 'The Home Depot, Inc.', 357.15, 0.24, 4, 1, 0.65, 1.5],
  ['BA', 'The Boeing Company', 178.4, 0.38, 2, 1.5, 0.55, 1.8],
  ['DIS', 'The Walt Disney Company', 101.25, 0.28, 1, 1.5, 0.4, 2.5],
  ['PFE', 'Pfizer Inc.', 28.76, 0.24, 1, 1.5, 0.25, 5],
  ['CSCO', 'Cisco Systems, Inc.', 47.9, 0.22, 1, 1, 0.3, 4],
  ['NKE', 'NIKE, Inc.', 91.5, 0.35, 1, 1, 0.4, 2.5],
  ['KO', 'The Coca-Cola Company', 63.18, 0.14, 1, 1, 0.35, 3],
  ['PEP', 'PepsiCo, Inc.', 169.7, 0.16, 1, 1, 0.5, 2],
  ['JNJ', 'Johnson & Johnson', 154.9, 0.16, 1, 1, 0.5, 2],
  ['PG', 'The Procter & Gamble Company', 166.4, 0.15, 1, 1, 0.5, 2],
  ['CVX', 'Chevron Corporation', 156.3, 0.24, 1, 1, 0.5, 2],
  ['MRK', 'Merck & Co., Inc.', 126.45, 0.22, 1, 1, 0.45, 2],
  ['ABBV', 'AbbVie Inc.', 174.2, 0.22, 1, 1, 0.5, 2],
];

type CoinRow = readonly [
  symbol: string,
  name: string,
  price: number,
  priceDecimals: number,
  annualVolatility: number,
  typicalSpreadTicks: number,
  activity: number,
  sizeDecimals: number,
  medianSize: number,
];

// Median sizes are a few hundred dollars' worth; tick sizes keep 3-5 significant digits in the price.
const COINS: readonly CoinRow[] = [
  // symbol      name                price        priceDec  vol   spread  activity  sizeDec  medianSize
  ['BTC-USD', 'Bitcoin', 64250.17, 2, 0.55, 3, 10, 8, 0.012],
  ['ETH-USD', 'Ethereum', 3152.48, 2, 0.65, 2, 7, 8, 0.2],
  ['SOL-USD', 'Solana', 148.53, 2, 0.85, 2, 5, 4, 4],
  ['DOGE-USD', 'Dogecoin', 0.12374, 5, 0.9, 1, 4, 1, 3500],
  ['XRP-USD', 'XRP', 0.5231, 4, 0.7, 1, 4, 2, 900],
  ['ADA-USD', 'Cardano', 0.4512, 4, 0.8, 1, 2, 2, 1000],
  ['AVAX-USD', 'Avalanche', 29.87, 2, 0.9, 1, 2, 4, 15],
  ['LINK-USD', 'Chainlink', 14.125, 3, 0.85, 1, 2, 3, 30],
  ['SHIB-USD', 'Shiba Inu', 0.00001782, 8, 1, 1, 2, 0, 25_000_000],
  ['LTC-USD', 'Litecoin', 74.62, 2, 0.7, 1, 1.5, 6, 6],
  ['BCH-USD', 'Bitcoin Cash', 398.35, 2, 0.8, 3, 1.5, 6, 1.2],
  ['DOT-USD', 'Polkadot', 6.482, 3, 0.8, 1, 1.5, 3, 70],
  ['MATIC-USD', 'Polygon', 0.6021, 4, 0.9, 1, 1.5, 1, 700],
  ['NEAR-USD', 'NEAR Protocol', 5.134, 3, 0.95, 1, 1, 2, 80],
  ['UNI-USD', 'Uniswap', 8.214, 3, 0.9, 1, 1, 3, 50],
  ['APT-USD', 'Aptos', 7.962, 3, 0.95, 1, 1, 2, 50],
  ['ATOM-USD', 'Cosmos', 6.918, 3, 0.8, 1, 1, 3, 55],
  ['ARB-USD', 'Arbitrum', 0.8123, 4, 1, 1, 1, 1, 500],
  ['FIL-USD', 'Filecoin', 4.487, 3, 0.9, 1, 0.8, 3, 90],
  ['ETC-USD', 'Ethereum Classic', 24.91, 2, 0.8, 1, 0.8, 4, 16],
  ['AAVE-USD', 'Aave', 139.64, 2, 0.9, 2, 0.8, 5, 3],
  ['XLM-USD', 'Stellar', 0.100712, 6, 0.75, 2, 0.8, 0, 4000],
  ['ALGO-USD', 'Algorand', 0.1487, 4, 0.85, 1, 0.6, 0, 2500],
];

function fromStockRow(row: StockRow): SimulatedInstrument {
  const [symbol, name, price, annualVolatility, typicalSpreadTicks, activity, oddLotShare, meanRoundLots] = row;
  return {
    symbol,
    name,
    assetClass: 'equity',
    currency: 'USD',
    tickSize: 0.01,
    priceDecimals: 2,
    initialPrice: price,
    annualVolatility,
    typicalSpreadTicks,
    size: { kind: 'shares', oddLotShare, meanRoundLots },
    activity,
  };
}

function fromCoinRow(row: CoinRow): SimulatedInstrument {
  const [symbol, name, price, priceDecimals, annualVolatility, typicalSpreadTicks, activity, decimals, median] = row;
  return {
    symbol,
    name,
    assetClass: 'crypto',
    currency: 'USD',
    // A division by a power of ten is correctly rounded: 1 / 100 === 0.01, unlike 10 ** -2 on some engines.
    tickSize: 1 / 10 ** priceDecimals,
    priceDecimals,
    initialPrice: price,
    annualVolatility,
    typicalSpreadTicks,
    size: { kind: 'coins', decimals, median },
    activity,
  };
}

/** Every symbol the simulator knows, equities first. */
export const UNIVERSE: readonly SimulatedInstrument[] = Object.freeze([
  ...STOCKS.map(fromStockRow),
  ...COINS.map(fromCoinRow),
]);

/** Most synthetic symbols a simulator adds: as many as the server tracks at most (server/config.ts MAX_SYMBOLS). */
export const MAX_SYNTHETIC_SYMBOLS = 10_000;

/**
 * `count` made-up instruments, `SYN0001`, `SYN0002`, ..., for benchmarks that need a wider market than the
 * real universe: the n-th behaves exactly like universe row n mod 60 (price, volatility, spread, sizes,
 * activity) under its own symbol, so a 500-symbol market keeps the real one's mix of busy and quiet names.
 */
export function syntheticInstruments(count: number): SimulatedInstrument[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, index) => {
    const model = UNIVERSE[index % UNIVERSE.length]!;
    const number = String(index + 1).padStart(width, '0');
    return { ...model, symbol: `SYN${number}`, name: `Synthetic ${number} (behaves like ${model.symbol})` };
  });
}

/** The part of a simulated instrument the rest of the system sees (what `GET /api/symbols` serves). */
export function toInstrument(instrument: SimulatedInstrument): Instrument {
  const { symbol, name, assetClass, currency, tickSize } = instrument;
  return { symbol, name, assetClass, currency, tickSize };
}
