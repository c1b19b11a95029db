/**
 * One symbol's order book top and its trades. The efficient price is a driftless random walk in log space,
 * advanced by the event time elapsed since the symbol last traded, so volatility is right at any tick rate.
 * Quotes and trades are integers of ticks, turned into prices only when a tick is built
 * (`ticks / 10 ** decimals` is correctly rounded, so 30 ticks of 0.01 is 0.3, never 0.30000000000000004).
 */
import type { Side, Tick } from '../tick.js';
import type { Sfc32 } from './random.js';
import type { SimulatedInstrument } from './universe.js';
import { JUMP_VARIANCE_SHARE } from './jumps.js';

const MS_PER_HOUR = 3_600_000;
/** An equity year of trading time: 252 sessions of 6.5 h. Simulated time is all trading time. */
const EQUITY_TRADING_MS_PER_YEAR = 252 * 6.5 * MS_PER_HOUR;
const CRYPTO_TRADING_MS_PER_YEAR = 365.25 * 24 * MS_PER_HOUR;
const MS_PER_MINUTE = 60_000;

/** The log spread reverts to its typical value with this time constant. */
const SPREAD_REVERSION_MS = 2_000;
/** Stationary standard deviation of the log spread around its typical value. */
const SPREAD_LOG_SD = 0.3;
/** Share of trades printed inside the spread (midpoint and hidden liquidity), when the spread allows it. */
const INSIDE_SPREAD_SHARE = 0.04;
/** How strongly the taker side follows the price move it comes with: P(buy) = 0.5 + this x z, clamped. */
const ORDER_FLOW_TILT = 0.15;
const MIN_BUY_PROBABILITY = 0.1;
const MAX_BUY_PROBABILITY = 0.9;
/** Share of round-lot trades that are blocks ten times their usual size. */
const BLOCK_SHARE = 0.01;
const BLOCK_MULTIPLIER = 10;
const SHARES_PER_ROUND_LOT = 100;
const LN_ROUND_LOT = Math.log(SHARES_PER_ROUND_LOT);
/** Standard deviation of log trade size for coins: a factor of ~4 either side of the median for one sd. */
const COIN_SIZE_LOG_SD = 1.4;

const SIZE_SHARES = 0;
const SIZE_COINS = 1;

export class SymbolBook {
  readonly symbol: string;
  /** 10 ** priceDecimals: ticks per unit of quote currency. */
  private readonly priceScale: number;
  /** Log of the efficient price measured in ticks, so `exp(logTicks)` is the mid in ticks. */
  private logTicks: number;
  /** Standard deviation of the diffusion's log price per sqrt(ms) of event time (jumps add the rest). */
  private readonly sigmaPerSqrtMs: number;
  /** Standard deviation of the log price over one minute, jumps included: the unit jumps are measured in. */
  readonly oneMinuteSigma: number;
  private readonly typicalLogSpread: number;
  private logSpread: number;
  /** Event-time offset (ms) at which this symbol last traded. */
  private lastMs = 0;

  private readonly sizeKind: number;
  private readonly oddLotShare: number;
  /** Extra round lots beyond the first are geometric: floor(exponential x this) has the wanted mean. */
  private readonly extraRoundLotScale: number;
  /** 10 ** size decimals, coins only. */
  private readonly sizeScale: number;
  /** Log of the median size in size increments, coins only. */
  private readonly logMedianSizeUnits: number;

  constructor(instrument: SimulatedInstrument, volatilityScale: number) {
    this.symbol = instrument.symbol;
    this.priceScale = 10 ** instrument.priceDecimals;
    this.logTicks = Math.log(Math.round(instrument.initialPrice * this.priceScale));
    const msPerYear = instrument.assetClass === 'crypto' ? CRYPTO_TRADING_MS_PER_YEAR : EQUITY_TRADING_MS_PER_YEAR;
    const totalSigmaPerSqrtMs = (instrument.annualVolatility * volatilityScale) / Math.sqrt(msPerYear);
    this.oneMinuteSigma = totalSigmaPerSqrtMs * Math.sqrt(MS_PER_MINUTE);
    this.sigmaPerSqrtMs = totalSigmaPerSqrtMs * Math.sqrt(1 - JUMP_VARIANCE_SHARE);
    this.typicalLogSpread = Math.log(instrument.typicalSpreadTicks);
    this.logSpread = this.typicalLogSpread;

    const size = instrument.size;
    if (size.kind === 'shares') {
      this.sizeKind = SIZE_SHARES;
      this.oddLotShare = size.oddLotShare;
      const extra = size.meanRoundLots - 1;
      this.extraRoundLotScale = extra > 0 ? -1 / Math.log(extra / (1 + extra)) : 0;
      this.sizeScale = 1;
      this.logMedianSizeUnits = 0;
    } else {
      this.sizeKind = SIZE_COINS;
      this.oddLotShare = 0;
      this.extraRoundLotScale = 0;
      this.sizeScale = 10 ** size.decimals;
      this.logMedianSizeUnits = Math.log(size.median * this.sizeScale);
    }
  }

  /** A sudden move of the efficient price by `logMove` (a jump), with the spread widened by `spreadFactor`. */
  jump(logMove: number, spreadFactor: number): void {
    this.logTicks += logMove;
    this.logSpread += Math.log(spreadFactor);
  }

  /** The trade at event-time offset `nowMs`; `ts` is its event time in ms since the epoch. */
  trade(nowMs: number, ts: number, rng: Sfc32): Tick {
    const elapsedMs = nowMs - this.lastMs;
    this.lastMs = nowMs;

    const z = rng.normal();
    this.logTicks += this.sigmaPerSqrtMs * Math.sqrt(elapsedMs) * z;

    // Exact discretisation of an Ornstein-Uhlenbeck process over the elapsed time.
    const decay = Math.exp(-elapsedMs / SPREAD_REVERSION_MS);
    this.logSpread =
      this.typicalLogSpread +
      (this.logSpread - this.typicalLogSpread) * decay +
      SPREAD_LOG_SD * Math.sqrt(1 - decay * decay) * rng.normal();

    let spreadTicks = Math.round(Math.exp(this.logSpread));
    if (spreadTicks < 1) spreadTicks = 1;
    let bidTicks = Math.round(Math.exp(this.logTicks) - spreadTicks * 0.5);
    if (bidTicks < 1) bidTicks = 1;
    const askTicks = bidTicks + spreadTicks;

    // Takers lean the way the price moved: buyers lift the ask as it rises, sellers hit the bid as it falls.
    let buyProbability = 0.5 + ORDER_FLOW_TILT * z;
    if (buyProbability < MIN_BUY_PROBABILITY) buyProbability = MIN_BUY_PROBABILITY;
    else if (buyProbability > MAX_BUY_PROBABILITY) buyProbability = MAX_BUY_PROBABILITY;
    const side: Side = rng.uniform() < buyProbability ? 'buy' : 'sell';

    let priceTicks = side === 'buy' ? askTicks : bidTicks;
    if (spreadTicks >= 2 && rng.uniform() < INSIDE_SPREAD_SHARE) {
      priceTicks = bidTicks + 1 + Math.floor(rng.uniform() * (spreadTicks - 1));
    }

    const scale = this.priceScale;
    return {
      symbol: this.symbol,
      ts,
      price: priceTicks / scale,
      size: this.drawSize(rng),
      side,
      bid: bidTicks / scale,
      ask: askTicks / scale,
    };
  }

  private drawSize(rng: Sfc32): number {
    if (this.sizeKind === SIZE_COINS) {
      const units = Math.round(Math.exp(this.logMedianSizeUnits + COIN_SIZE_LOG_SD * rng.normal()));
      return (units < 1 ? 1 : units) / this.sizeScale;
    }
    if (rng.uniform() < this.oddLotShare) {
      // Log-uniform over 1..99: small odd lots are the most common.
      return Math.floor(Math.exp(rng.uniform() * LN_ROUND_LOT));
    }
    let lots = 1 + Math.floor(rng.exponential() * this.extraRoundLotScale);
    if (rng.uniform() < BLOCK_SHARE) lots *= BLOCK_MULTIPLIER;
    return lots * SHARES_PER_ROUND_LOT;
  }
}
