import { mergeBar } from './bars.js';
import type { Bar, SymbolEntry } from './protocol/messages.js';

/** Default 1 s bars a view keeps (one hour). */
export const DEFAULT_VIEW_BARS = 3_600;

/**
 * One symbol as a client sees it: the merge of its snapshot and every update since. Entries carry absolute
 * values, so merging is assignment; bars are replaced by start time.
 */
export class SymbolView {
  last = Number.NaN;
  /** Event time of the last trade (ms). */
  time = Number.NaN;
  bid = Number.NaN;
  ask = Number.NaN;
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  volume = Number.NaN;
  sessionStart = Number.NaN;
  /** The last price before the most recent change of `last`: compare with `last` to flash up or down. */
  previous = Number.NaN;
  /** 1 s bars, oldest first. */
  readonly bars: Bar[] = [];

  constructor(
    readonly symbol: string,
    private readonly maxBars: number = DEFAULT_VIEW_BARS,
  ) {}

  /** Change against the session open. */
  get change(): number {
    return this.last - this.open;
  }

  /** Change against the session open, in percent. */
  get changePct(): number {
    return ((this.last - this.open) / this.open) * 100;
  }

  /** Replaces everything with a snapshot's data. */
  reset(entry: SymbolEntry): void {
    this.last = Number.NaN;
    this.time = Number.NaN;
    this.bid = Number.NaN;
    this.ask = Number.NaN;
    this.open = Number.NaN;
    this.high = Number.NaN;
    this.low = Number.NaN;
    this.volume = Number.NaN;
    this.sessionStart = Number.NaN;
    this.previous = Number.NaN;
    this.bars.length = 0;
    this.apply(entry);
  }

  /** Merges an update entry (or snapshot data). */
  apply(entry: SymbolEntry): void {
    if (entry.p !== undefined) {
      if (entry.p !== this.last) this.previous = this.last;
      this.last = entry.p;
    }
    if (entry.t !== undefined) this.time = entry.t;
    if (entry.b !== undefined) this.bid = entry.b;
    if (entry.a !== undefined) this.ask = entry.a;
    if (entry.o !== undefined) this.open = entry.o;
    if (entry.h !== undefined) this.high = entry.h;
    if (entry.l !== undefined) this.low = entry.l;
    if (entry.v !== undefined) this.volume = entry.v;
    if (entry.d !== undefined) this.sessionStart = entry.d;
    if (entry.k !== undefined) for (const bar of entry.k) mergeBar(this.bars, bar, this.maxBars);
  }
}
