import { isDeepStrictEqual } from 'node:util';
import type { Instrument, Tick } from '../../feeds/tick.js';
import type { Bar, SymbolEntry } from '../../client/protocol/messages.js';
import { BarSeries } from './bar-series.js';
import { addVolume } from '../../client/bars.js';

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

  /**
   * Generation of the last change of each field group, for "what changed after P?". A trade always
   * changes t and v (and its bar); p, h, l, b and a only when their value actually changes.
   */
  tradeGen = 0;
  priceGen = 0;
  highGen = 0;
  lowGen = 0;
  bidGen = 0;
  askGen = 0;
  /** o and d: a new session. */
  sessionGen = 0;
  /** The newest of all the above. */
  changedGen = 0;

  readonly seconds: BarSeries;
  readonly minutes: BarSeries;
  readonly symbol: string;
  private described: Instrument;

  constructor(
    instrument: Instrument,
    retention: BarRetention,
    /** Position in the market, 0 for its first symbol: lets per-flush caches be arrays, not maps. */
    readonly index = 0,
  ) {
    this.symbol = instrument.symbol;
    this.described = instrument;
    this.seconds = new BarSeries(SECOND_MS, retention.secondBars);
    this.minutes = new BarSeries(MINUTE_MS, retention.minuteBars);
  }

  /** What the symbol is (name, asset class, currency, tick size): as added, or as describe() last replaced it. */
  get instrument(): Instrument {
    return this.described;
  }

  /**
   * Takes `instrument` as this symbol's description when it differs from the one held (a gateway told the
   * ingest's again: one it first described by default, its instrument unreadable then). One of another
   * symbol is ignored. Answers whether the description changed.
   */
  describe(instrument: Instrument): boolean {
    if (instrument.symbol !== this.symbol || isDeepStrictEqual(instrument, this.described)) return false;
    this.described = instrument;
    return true;
  }

  /**
   * Becomes `other` (its instrument too; same retention; `other` must not be used again), or empty when
   * there is none, with every field marked as changed in generation `gen`: how a replay seeking back (or a
   * gateway whose market started over) swaps in the state it rebuilt off to the side while the hub's groups
   * keep their references to this object.
   */
  adopt(other: SymbolState | undefined, gen: number): void {
    const source = other ?? new SymbolState(this.instrument, { secondBars: this.seconds.capacity, minuteBars: this.minutes.capacity });
    this.describe(source.instrument);
    this.last = source.last;
    this.lastTime = source.lastTime;
    this.bid = source.bid;
    this.ask = source.ask;
    this.quoteTime = source.quoteTime;
    this.sessionStart = source.sessionStart;
    this.open = source.open;
    this.high = source.high;
    this.low = source.low;
    this.volume = source.volume;
    this.trades = source.trades;
    this.seconds.adopt(source.seconds, gen);
    this.minutes.adopt(source.minutes, gen);
    this.tradeGen = this.priceGen = this.highGen = this.lowGen = this.bidGen = this.askGen = this.sessionGen = this.changedGen = gen;
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
        this.bidGen = gen;
        this.changedGen = gen;
      }
      if (tick.ask !== undefined && tick.ask !== this.ask) {
        this.ask = tick.ask;
        this.askGen = gen;
        this.changedGen = gen;
      }
      this.quoteTime = ts;
    }
    return outcome;
  }

  private applyTrade(ts: number, price: number, size: number, gen: number): boolean {
    // Both series take every trade: bars are independent of arrival order (bar-series.ts), so minute bars
    // built this way equal the fold of the 1 s bars, and either series may be the only one still holding
    // an old trade's bar.
    const inSeconds = this.seconds.addTrade(ts, price, size, gen);
    const inMinutes = this.minutes.addTrade(ts, price, size, gen);
    if (!inSeconds && !inMinutes) return false;

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
      this.highGen = gen;
      this.lowGen = gen;
    }
    if (day === this.sessionStart) {
      this.volume = addVolume(this.volume, size);
      this.trades++;
      if (price > this.high) {
        this.high = price;
        this.highGen = gen;
      }
      if (price < this.low) {
        this.low = price;
        this.lowGen = gen;
      }
    }
    // A late trade updates its bars and the session totals, but the last price stays the newest trade's.
    if (!(ts < this.lastTime)) {
      if (price !== this.last) {
        this.last = price;
        this.priceGen = gen;
      }
      this.lastTime = ts;
    }
    this.tradeGen = gen;
    this.changedGen = gen;
    return true;
  }

  /**
   * Applies an entry as entrySince() makes them, plus the 1 min bars that changed with it, during
   * generation `gen`: how a gateway's replica follows an ingest, and an ingest takes back what it had
   * published (server/cluster/). Each key present counts as changed, as it did where the entry was made,
   * so the replica's entries equal the source's; a bar counts only if its values differ, so a full state
   * applied over one that has it resends no bars.
   */
  applyEntry(entry: SymbolEntry, gen: number, minuteBars?: readonly Bar[]): void {
    let changed = false;
    for (const bar of entry.k ?? []) if (this.seconds.putBar(bar, gen)) changed = true;
    for (const bar of minuteBars ?? []) this.minutes.putBar(bar, gen);
    if (changed || entry.t !== undefined || entry.v !== undefined) {
      // A trade: entrySince() sends t and v with every one.
      if (entry.t !== undefined) this.lastTime = entry.t;
      if (entry.v !== undefined) this.volume = entry.v;
      this.tradeGen = gen;
      changed = true;
    }
    if (entry.p !== undefined) {
      this.last = entry.p;
      this.priceGen = gen;
      changed = true;
    }
    if (entry.b !== undefined) {
      this.bid = entry.b;
      this.bidGen = gen;
      changed = true;
    }
    if (entry.a !== undefined) {
      this.ask = entry.a;
      this.askGen = gen;
      changed = true;
    }
    if (entry.o !== undefined && entry.d !== undefined) {
      this.open = entry.o;
      this.sessionStart = entry.d;
      this.sessionGen = gen;
      changed = true;
    }
    if (entry.h !== undefined) {
      this.high = entry.h;
      this.highGen = gen;
      changed = true;
    }
    if (entry.l !== undefined) {
      this.low = entry.l;
      this.lowGen = gen;
      changed = true;
    }
    if (changed) this.changedGen = gen;
  }

  /**
   * What changed after generation `since`, as a protocol entry; undefined when nothing did. `bars` adds the
   * changed 1 s bars.
   */
  entrySince(since: number, bars: boolean): SymbolEntry | undefined {
    if (this.changedGen <= since) return undefined;
    const trade = this.tradeGen > since;
    const session = this.sessionGen > since && !Number.isNaN(this.open);
    const changedBars = bars && trade ? this.seconds.changedSince(since) : undefined;
    // Keys are assigned in one fixed order so every entry object has the same shape; undefined keys are
    // left out by the codec.
    return {
      s: this.symbol,
      t: trade && !Number.isNaN(this.lastTime) ? Math.floor(this.lastTime) : undefined,
      p: this.priceGen > since && !Number.isNaN(this.last) ? this.last : undefined,
      b: this.bidGen > since && !Number.isNaN(this.bid) ? this.bid : undefined,
      a: this.askGen > since && !Number.isNaN(this.ask) ? this.ask : undefined,
      o: session ? this.open : undefined,
      h: this.highGen > since && !Number.isNaN(this.high) ? this.high : undefined,
      l: this.lowGen > since && !Number.isNaN(this.low) ? this.low : undefined,
      v: trade || session ? this.volume : undefined,
      d: session ? this.sessionStart : undefined,
      k: changedBars !== undefined && changedBars.length > 0 ? changedBars : undefined,
    };
  }

  /** Every known field, with up to `barCount` of the most recent 1 s bars (none when 0). */
  snapshot(barCount: number): SymbolEntry {
    const entry = this.entrySince(-1, false) ?? { s: this.symbol };
    if (barCount === 0 || this.seconds.length === 0) return entry;
    return { ...entry, k: this.seconds.range(barCount) };
  }
}
