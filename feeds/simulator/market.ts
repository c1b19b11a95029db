/**
 * The simulated market: when the next trade happens and in which symbol. Deterministic given its seed: one PRNG
 * stream drives everything, and the paced feed and the unpaced generator both just call `next()`.
 *
 * Arrivals are a Poisson process whose rate is piecewise constant between control events (regime switches,
 * jumps, news, the rate governor), so the next arrival is one exponential draw: if it would land past the next
 * control event, time moves to that event, the event runs, and the draw is redone (exact, by memorylessness).
 */
import type { Tick } from '../tick.js';
import type { ResolvedSimulatorOptions } from './options.js';
import { Sfc32 } from './random.js';
import { INITIAL_REGIME, REGIMES, SURGE_REGIME, type Regime } from './regimes.js';
import { MARKET_JUMP, MARKET_JUMP_MIN_SHARE, SYMBOL_JUMP, type JumpLaw } from './jumps.js';
import { SymbolBook } from './symbol-book.js';

/**
 * The regimes' mean is 1 only in expectation; over a few minutes it could still miss by a few per cent.
 * Once a second a governor nudges the rate so the count catches up with the target over this horizon,
 * far slower than any burst, so burstiness is untouched and the long-run rate is on target.
 */
const GOVERNOR_INTERVAL_MS = 1000;
const GOVERNOR_HORIZON_MS = 10_000;
const MIN_GOVERNOR = 0.5;
const MAX_GOVERNOR = 2;

/** News on one symbol: it gets busier for a while. Mean interval per symbol. */
const NEWS_MEAN_INTERVAL_PER_SYMBOL_MS = 15 * 60_000;
const NEWS_ACTIVITY_FACTOR = 4;
const NEWS_MEAN_DURATION_MS = 4_000;

const SYMBOL_JUMP_SPREAD_FACTOR = 3;
const SYMBOL_JUMP_ACTIVITY_FACTOR = 6;
const SYMBOL_JUMP_MEAN_DURATION_MS = 3_000;
const MARKET_JUMP_SPREAD_FACTOR = 2;

export class SimulatedMarket {
  /** Event time of offset zero, ms since the epoch. */
  readonly startTime: number;
  private readonly rng: Sfc32;
  /** Busiest first, so the linear scan in `pickSymbol` usually stops early. */
  private readonly books: readonly SymbolBook[];
  private readonly activity: Float64Array;
  /** activity x hot factor: the odds that the next trade is in each symbol. */
  private readonly weights: Float64Array;
  /** Running sums of `weights` (the i-th: weights 0..i), so a pick is a binary search rather than a walk. */
  private readonly cumulativeWeights: Float64Array;
  private totalWeight = 0;
  private readonly hotFactor: Float64Array;
  /** When each symbol's busy spell ends (offset ms); Infinity when it has none. */
  private readonly hotUntilMs: Float64Array;

  private readonly meanRatePerMs: number;
  private ratePerMs: number;
  private regime: Regime;
  private governor = 1;
  private emitted = 0;

  /** Offset (ms) of the last trade or control event processed. */
  private nowMs = 0;
  private nextTradeAtMs = 0;
  private regimeEndsAtMs: number;
  private nextGovernorAtMs = GOVERNOR_INTERVAL_MS;
  private readonly newsMeanIntervalMs: number;
  private readonly symbolJumpMeanIntervalMs: number;
  private nextNewsAtMs: number;
  private nextSymbolJumpAtMs: number;
  private nextMarketJumpAtMs: number;
  private nextHotEndAtMs = Infinity;
  private nextControlAtMs = 0;

  constructor(options: ResolvedSimulatorOptions, startTime: number) {
    this.startTime = startTime;
    this.rng = new Sfc32(options.seed);
    const instruments = [...options.instruments].sort((x, y) => y.activity - x.activity);
    this.books = instruments.map((instrument) => new SymbolBook(instrument, options.volatilityScale));
    this.activity = Float64Array.from(instruments, (instrument) => instrument.activity);
    this.weights = Float64Array.from(this.activity);
    this.cumulativeWeights = new Float64Array(instruments.length);
    this.hotFactor = new Float64Array(instruments.length).fill(1);
    this.hotUntilMs = new Float64Array(instruments.length).fill(Infinity);
    this.sumWeights();

    this.meanRatePerMs = options.ticksPerSecond / 1000;
    this.regime = regimeAt(INITIAL_REGIME);
    this.ratePerMs = this.meanRatePerMs * this.regime.rateMultiplier;
    this.regimeEndsAtMs = this.rng.exponential() * this.regime.meanDwellMs;
    // News and one-symbol jumps are per-symbol processes; over the whole market they come N times as often.
    this.newsMeanIntervalMs = NEWS_MEAN_INTERVAL_PER_SYMBOL_MS / instruments.length;
    this.symbolJumpMeanIntervalMs = SYMBOL_JUMP.meanIntervalMs / instruments.length;
    this.nextNewsAtMs = this.rng.exponential() * this.newsMeanIntervalMs;
    this.nextSymbolJumpAtMs = this.rng.exponential() * this.symbolJumpMeanIntervalMs;
    this.nextMarketJumpAtMs = this.rng.exponential() * MARKET_JUMP.meanIntervalMs;
    this.updateNextControl();
    this.scheduleNextTrade();
  }

  /** Event-time offset (ms from `startTime`) of the trade `next()` will return. */
  get nextOffsetMs(): number {
    return this.nextTradeAtMs;
  }

  next(): Tick {
    const nowMs = this.nextTradeAtMs;
    this.nowMs = nowMs;
    this.emitted++;
    const book = this.books[this.pickSymbol()];
    if (book === undefined) throw new Error('unreachable: symbol index out of range');
    const tick = book.trade(nowMs, this.startTime + nowMs, this.rng);
    this.scheduleNextTrade();
    return tick;
  }

  /**
   * A symbol index drawn in proportion to its weight: the first whose running sum exceeds a uniform draw
   * over the total. A binary search: the walk it replaced visited 140 of 500 symbols a tick on average.
   */
  private pickSymbol(): number {
    const sums = this.cumulativeWeights;
    const x = this.rng.uniform() * this.totalWeight;
    let lo = 0;
    let hi = sums.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < sums[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private scheduleNextTrade(): void {
    let t = this.nowMs;
    for (;;) {
      const candidate = t + this.rng.exponential() / this.ratePerMs;
      if (candidate < this.nextControlAtMs) {
        this.nextTradeAtMs = candidate;
        return;
      }
      t = this.nextControlAtMs;
      this.runControlEvents(t);
    }
  }

  /** Runs every control event due at `t`, in a fixed order (determinism), then re-derives the rate. */
  private runControlEvents(t: number): void {
    const rng = this.rng;
    if (t >= this.regimeEndsAtMs) this.enterRegime(this.drawNextRegime(), t);
    if (t >= this.nextGovernorAtMs) {
      const target = this.meanRatePerMs * t;
      const catchUp = 1 + (target - this.emitted) / (this.meanRatePerMs * GOVERNOR_HORIZON_MS);
      this.governor = Math.min(MAX_GOVERNOR, Math.max(MIN_GOVERNOR, catchUp));
      this.nextGovernorAtMs = t + GOVERNOR_INTERVAL_MS;
    }
    if (t >= this.nextNewsAtMs) {
      this.makeBusy(this.drawAnySymbol(), NEWS_ACTIVITY_FACTOR, t + rng.exponential() * NEWS_MEAN_DURATION_MS);
      this.nextNewsAtMs = t + rng.exponential() * this.newsMeanIntervalMs;
    }
    if (t >= this.nextSymbolJumpAtMs) {
      const index = this.drawAnySymbol();
      const book = this.books[index];
      if (book !== undefined) {
        book.jump(drawJumpSigmas(SYMBOL_JUMP, rng) * book.oneMinuteSigma, SYMBOL_JUMP_SPREAD_FACTOR);
      }
      this.makeBusy(index, SYMBOL_JUMP_ACTIVITY_FACTOR, t + rng.exponential() * SYMBOL_JUMP_MEAN_DURATION_MS);
      this.nextSymbolJumpAtMs = t + rng.exponential() * this.symbolJumpMeanIntervalMs;
    }
    if (t >= this.nextMarketJumpAtMs) {
      const shock = drawJumpSigmas(MARKET_JUMP, rng);
      for (const book of this.books) {
        // Each symbol takes between half and one and a half of the shock: same direction, different sizes.
        book.jump(shock * (MARKET_JUMP_MIN_SHARE + rng.uniform()) * book.oneMinuteSigma, MARKET_JUMP_SPREAD_FACTOR);
      }
      this.enterRegime(SURGE_REGIME, t);
      this.nextMarketJumpAtMs = t + rng.exponential() * MARKET_JUMP.meanIntervalMs;
    }
    if (t >= this.nextHotEndAtMs) this.endBusySpells(t);

    this.ratePerMs = this.meanRatePerMs * this.regime.rateMultiplier * this.governor;
    this.updateNextControl();
  }

  private enterRegime(index: number, t: number): void {
    this.regime = regimeAt(index);
    this.regimeEndsAtMs = t + this.rng.exponential() * this.regime.meanDwellMs;
  }

  private drawNextRegime(): number {
    let u = this.rng.uniform();
    const next = this.regime.next;
    for (const [index, probability] of next) {
      if (u < probability) return index;
      u -= probability;
    }
    // Only reached through rounding of the odds: fall back on the last choice.
    return next[next.length - 1]?.[0] ?? INITIAL_REGIME;
  }

  private drawAnySymbol(): number {
    return Math.floor(this.rng.uniform() * this.books.length);
  }

  /** Multiplies a symbol's activity by `factor` until `untilMs`; overlapping spells keep the stronger, longer one. */
  private makeBusy(index: number, factor: number, untilMs: number): void {
    const current = this.hotUntilMs[index] ?? Infinity;
    this.hotFactor[index] = Math.max(this.hotFactor[index] ?? 1, factor);
    this.hotUntilMs[index] = current === Infinity ? untilMs : Math.max(current, untilMs);
    this.weights[index] = (this.activity[index] ?? 0) * (this.hotFactor[index] ?? 1);
    this.afterBusySpellsChange();
  }

  private endBusySpells(t: number): void {
    for (let index = 0; index < this.hotUntilMs.length; index++) {
      if ((this.hotUntilMs[index] ?? Infinity) <= t) {
        this.hotUntilMs[index] = Infinity;
        this.hotFactor[index] = 1;
        this.weights[index] = this.activity[index] ?? 0;
      }
    }
    this.afterBusySpellsChange();
  }

  private afterBusySpellsChange(): void {
    // Re-summed rather than adjusted, so rounding never accumulates.
    this.sumWeights();
    this.nextHotEndAtMs = this.hotUntilMs.reduce((soonest, until) => Math.min(soonest, until), Infinity);
  }

  private sumWeights(): void {
    let sum = 0;
    for (let i = 0; i < this.weights.length; i++) {
      sum += this.weights[i]!;
      this.cumulativeWeights[i] = sum;
    }
    this.totalWeight = sum;
  }

  private updateNextControl(): void {
    this.nextControlAtMs = Math.min(
      this.regimeEndsAtMs,
      this.nextGovernorAtMs,
      this.nextNewsAtMs,
      this.nextSymbolJumpAtMs,
      this.nextMarketJumpAtMs,
      this.nextHotEndAtMs,
    );
  }
}

function regimeAt(index: number): Regime {
  const regime = REGIMES[index];
  if (regime === undefined) throw new Error(`unreachable: no regime ${index}`);
  return regime;
}

/** A signed jump size in one-minute sigmas: up or down alike, magnitude `minSigmas + exponential x extraSigmas`. */
function drawJumpSigmas(law: JumpLaw, rng: Sfc32): number {
  const sign = rng.uniform() < 0.5 ? -1 : 1;
  return sign * (law.minSigmas + rng.exponential() * law.extraSigmas);
}
