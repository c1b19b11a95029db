import type { Instrument, Tick } from '../../feeds/tick.js';
import type { Bar, SymbolEntry } from '../../client/protocol/messages.js';
import { BarSeries } from './bar-series.js';
import { foldBars } from './aggregate.js';
import { addVolume } from './volume.js';

const DAY_MS = 86_400_000;
const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;

export interface BarRetention {
  /** 1 s bars kept per symbol. */
  readonly secondBars: number;
  /** 1 min bars kept per symbol. */
  readonly minuteBars: number;
}

/** What applying a tick did, for the market's counters. */
export type TickOutcome = 'applied' | 'too-late';

/**
 * Everything the server knows about one symbol: the latest quote, the session's stats, and exact bars.
 *
 * Every group of fields remembers the flush generation in which it last changed (`*Gen`), so the hub can
 * ask "what changed after generation P?" for any P: the previous flush for an ordinary connection, an older
 * one for a client that was paused by back-pressure or is rate-limited. Values are always absolute.
 */
export class SymbolState {
  /** Last trade price and event time (ms). NaN before the first trade. */
  last = Number.NaN;
  lastTime = Number.NaN;
  bid = Number.NaN;
  ask = Number.NaN;
  /** Event time of the quote currently held; an older quote never replaces a newer one. */
  private quoteTime = Number.NaN;

  /** Start of the session (UTC day, by event time) the stats below describe. */
  sessionStart = Number.NaN;
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  volume = 0;
  trades = 0;

  /** Generation of the last change to t/p/v. */
  tradeGen = 0;
  /** ... to b/a. */
  quoteGen = 0;
  /** ... to o/d (a new session). */
  sessionGen = 0;
  /** ... to h/l. */
  extremesGen = 0;
  /** ... to anything. */
  changedGen = 0;

  readonly seconds: BarSeries;
  readonly minutes: BarSeries;
  /** Start of the earliest minute whose 1 s bars changed since it was last folded into `minutes`. */
  private dirtyMinute = Number.POSITIVE_INFINITY;

  constructor(
    readonly instrument: Instrument,
    retention: BarRetention,
  ) {
    this.seconds = new BarSeries(SECOND_MS, retention.secondBars);
    this.minutes = new BarSeries(MINUTE_MS, retention.minuteBars);
  }

  get symbol(): string {
    return this.instrument.symbol;
  }

  /** Applies one valid tick (checked by the caller) during generation `gen`. */
  apply(tick: Tick, gen: number): TickOutcome {
    let outcome: TickOutcome = 'applied';
    const { ts, price, size } = tick;
    if (price !== undefined && size !== undefined) {
      if (!this.applyTrade(ts, price, size, gen)) outcome = 'too-late';
    }
    if ((tick.bid !== undefined || tick.ask !== undefined) && !(ts < this.quoteTime)) {
      if (tick.bid !== undefined && tick.bid !== this.bid) {
        this.bid = tick.bid;
        this.quoteGen = gen;
      }
      if (tick.ask !== undefined && tick.ask !== this.ask) {
        this.ask = tick.ask;
        this.quoteGen = gen;
      }
      this.quoteTime = ts;
    }
    this.changedGen = Math.max(this.tradeGen, this.quoteGen, this.sessionGen, this.extremesGen);
    return outcome;
  }

  private applyTrade(ts: number, price: number, size: number, gen: number): boolean {
    const seconds = this.seconds;
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    if (seconds.length === seconds.capacity && minute < seconds.oldestTime()) {
      // This minute's first seconds are no longer kept at 1 s. It was folded before they went (see
      // beforeSecondsEvict), so the trade goes into the minute bar directly, and into its 1 s bar if kept.
      if (!this.minutes.addTrade(ts, price, size, gen)) return false;
      if (seconds.bucket(ts) >= seconds.oldestTime()) seconds.addTrade(ts, price, size, gen);
    } else {
      this.beforeSecondsEvict(ts, gen);
      seconds.addTrade(ts, price, size, gen);
      if (minute < this.dirtyMinute) this.dirtyMinute = minute;
    }

    const day = Math.floor(ts / DAY_MS) * DAY_MS;
    if (!(day <= this.sessionStart)) {
      // First trade of a new session (or of all time).
      this.sessionStart = day;
      this.open = price;
      this.high = price;
      this.low = price;
      this.volume = 0;
      this.trades = 0;
      this.sessionGen = gen;
      this.extremesGen = gen;
    }
    if (day === this.sessionStart) {
      this.volume = addVolume(this.volume, size);
      this.trades++;
      if (price > this.high) {
        this.high = price;
        this.extremesGen = gen;
      }
      if (price < this.low) {
        this.low = price;
        this.extremesGen = gen;
      }
    }
    // A late trade updates its bars and the session totals, but the last price stays the newest trade's.
    if (!(ts < this.lastTime)) {
      this.last = price;
      this.lastTime = ts;
    }
    this.tradeGen = gen;
    return true;
  }

  /**
   * A new 1 s bar is about to push the oldest one out of a full ring: fold its minute first, so no 1 s bar
   * is forgotten before it has been counted in its minute.
   */
  private beforeSecondsEvict(ts: number, gen: number): void {
    const seconds = this.seconds;
    if (seconds.length < seconds.capacity) return;
    if (seconds.indexOf(seconds.bucket(ts)) >= 0) return;
    if (seconds.oldestTime() >= this.dirtyMinute) this.foldMinutes(gen);
  }

  /** Folds every minute whose 1 s bars changed into the minute series (exactly: see aggregate.ts). */
  foldMinutes(gen = this.changedGen): void {
    if (this.dirtyMinute === Number.POSITIVE_INFINITY) return;
    const seconds = this.seconds.between(this.dirtyMinute, Number.POSITIVE_INFINITY);
    for (const bar of foldBars(seconds, MINUTE_MS)) this.minutes.put(bar, gen);
    this.dirtyMinute = Number.POSITIVE_INFINITY;
  }

  /**
   * What changed after generation `since`, as a protocol entry; undefined when nothing did. `bars` adds the
   * changed 1 s bars.
   */
  entrySince(since: number, bars: boolean): SymbolEntry | undefined {
    if (this.changedGen <= since) return undefined;
    const tradeChanged = this.tradeGen > since;
    return this.entry(
      tradeChanged,
      this.quoteGen > since,
      this.sessionGen > since,
      this.extremesGen > since,
      bars && tradeChanged ? this.seconds.changedSince(since) : undefined,
    );
  }

  /** Every known field, with up to `barCount` of the most recent 1 s bars (none when 0). */
  snapshot(barCount: number): SymbolEntry {
    return this.entry(true, true, true, true, barCount > 0 ? this.seconds.range(barCount) : undefined);
  }

  private entry(
    trade: boolean,
    quote: boolean,
    session: boolean,
    extremes: boolean,
    bars: Bar[] | undefined,
  ): SymbolEntry {
    // Fields are assigned in one fixed order so every entry object has the same shape; absent = undefined,
    // which the codec skips.
    const hasTrade = trade && !Number.isNaN(this.last);
    const hasSession = session && !Number.isNaN(this.open);
    const hasExtremes = extremes && !Number.isNaN(this.high);
    return {
      s: this.instrument.symbol,
      t: hasTrade ? Math.floor(this.lastTime) : undefined,
      p: hasTrade ? this.last : undefined,
      b: quote && !Number.isNaN(this.bid) ? this.bid : undefined,
      a: quote && !Number.isNaN(this.ask) ? this.ask : undefined,
      o: hasSession ? this.open : undefined,
      h: hasExtremes ? this.high : undefined,
      l: hasExtremes ? this.low : undefined,
      v: hasTrade || hasSession ? this.volume : undefined,
      d: hasSession ? this.sessionStart : undefined,
      k: bars !== undefined && bars.length > 0 ? bars : undefined,
    };
  }
}
