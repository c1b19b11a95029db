import { barIndex, mergeBar } from './bars.js';
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

  /** Start of the newest 1 s bar held; NaN with none. */
  get newestBarTime(): number {
    return this.bars[this.bars.length - 1]?.[0] ?? Number.NaN;
  }

  /** The bar starting at `time`, if held. */
  barAt(time: number): Readonly<Bar> | undefined {
    const bar = this.bars[barIndex(this.bars, time)];
    return bar?.[0] === time ? bar : undefined;
  }

  /** Drops every bar: a replay went back in time, and the bars held belong to a future that is gone. */
  forgetBars(): void {
    this.bars.length = 0;
  }

  /** Replaces everything with a snapshot's data. */
  reset(entry: SymbolEntry): void {
    this.bars.length = 0;
    this.restore(entry);
  }

  /**
   * Takes a snapshot's data after a reconnect or a lost frame: every quote field is replaced, while bars are
   * merged by time (the snapshot holds only the most recent ones; older bars held stay). Bars that changed
   * are pushed to `changed`, oldest first.
   */
  restore(entry: SymbolEntry, changed?: Readonly<Bar>[]): void {
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
    this.apply(entry, changed);
  }

  /** Merges an update entry (or snapshot data). Bars that changed are pushed to `changed`, oldest first. */
  apply(entry: SymbolEntry, changed?: Readonly<Bar>[]): void {
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
    if (entry.k !== undefined) for (const bar of entry.k) this.mergeBar(bar, changed);
  }

  /** Merges one 1 s bar (from an entry or from `history`); pushes it to `changed` if it changed. */
  mergeBar(bar: Readonly<Bar>, changed?: Readonly<Bar>[]): boolean {
    if (!mergeBar(this.bars, bar, this.maxBars)) return false;
    const merged = this.barAt(bar[0]);
    if (merged !== undefined) changed?.push(merged);
    return true;
  }
}
