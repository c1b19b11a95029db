import { tickProblem, type Instrument, type Tick, type TickProblem } from '../../feeds/tick.js';
import { INTERVAL_MS, type Bar, type Interval, type SymbolEntry } from '../../client/protocol/messages.js';
import { SymbolState, type BarRetention } from './symbol-state.js';

export interface MarketOptions {
  readonly retention: BarRetention;
  /** Most symbols the market will track; ticks for further new symbols are refused and counted. */
  readonly maxSymbols: number;
}

export interface FlushResult {
  /** The generation that just closed. */
  readonly gen: number;
  /** Symbols that changed during it. */
  readonly changed: readonly SymbolState[];
}

export type RefusedReason = TickProblem | 'too-late' | 'symbol-limit';

export interface MarketCounters {
  ticks: number;
  refused: Record<RefusedReason, number>;
}

/** Every tick the market was handed: applied or refused. */
export function ticksHanded(counters: MarketCounters): number {
  let handed = counters.ticks;
  for (const count of Object.values(counters.refused)) handed += count;
  return handed;
}

/**
 * All symbols' state. Ticks are applied as they arrive; flush() closes the current generation and returns
 * the symbols it changed, which is all the hub needs to build a round of updates.
 */
export class Market {
  /** The generation ticks are currently applied in; flush() closes it. Starts at 1 (0 = "seen nothing"). */
  gen = 1;
  private readonly states = new Map<string, SymbolState>();
  /** The same states by index (SymbolState.index): the order they were added in. */
  private readonly byIndex: SymbolState[] = [];
  private changed: SymbolState[] = [];
  readonly counters: MarketCounters = {
    ticks: 0,
    refused: { symbol: 0, time: 0, price: 0, size: 0, quote: 0, empty: 0, 'too-late': 0, 'symbol-limit': 0 },
  };

  constructor(
    instruments: readonly Instrument[],
    private readonly options: MarketOptions,
  ) {
    for (const instrument of instruments) this.add(instrument);
  }

  get size(): number {
    return this.states.size;
  }

  get(symbol: string): SymbolState | undefined {
    return this.states.get(symbol);
  }

  /** The state whose `index` is `index` (0 to size - 1). */
  stateAt(index: number): SymbolState {
    return this.byIndex[index]!;
  }

  all(): IterableIterator<SymbolState> {
    return this.states.values();
  }

  instruments(): Instrument[] {
    return Array.from(this.states.values(), (state) => state.instrument);
  }

  private add(instrument: Instrument): SymbolState {
    const state = new SymbolState(instrument, this.options.retention, this.states.size);
    this.states.set(instrument.symbol, state);
    this.byIndex.push(state);
    return state;
  }

  /** The state of `symbol`, added if new (described by `instrument`, else by default); undefined past maxSymbols. */
  private stateFor(symbol: string, instrument?: Instrument): SymbolState | undefined {
    let state = this.states.get(symbol);
    if (state === undefined) {
      if (this.states.size >= this.options.maxSymbols) {
        this.counters.refused['symbol-limit']++;
        return undefined;
      }
      state = this.add(instrument ?? defaultInstrument(symbol));
    }
    return state;
  }

  /** Applies one tick from any feed. Invalid ticks are refused and counted; nothing throws. */
  apply(tick: Tick): void {
    const problem = tickProblem(tick);
    if (problem !== undefined) {
      this.counters.refused[problem]++;
      return;
    }
    const state = this.stateFor(tick.symbol);
    if (state === undefined) return;
    const before = state.changedGen;
    if (state.apply(tick, this.gen) === 'too-late') this.counters.refused['too-late']++;
    else this.counters.ticks++;
    if (before !== this.gen && state.changedGen === this.gen) this.changed.push(state);
  }

  /** A market with the same options and instruments and no ticks: where a replay rebuilds state off to the side. */
  emptyLike(): Market {
    return new Market(this.instruments(), this.options);
  }

  /**
   * Takes over every symbol's state from `rebuilt` (a market from emptyLike(); not to be used again), in
   * place: symbols it lacks become empty, symbols only it has are added. Everything counts as changed in
   * the current generation. The tick counters are the process's and stay as they are.
   */
  adopt(rebuilt: Market): void {
    for (const [symbol, state] of this.states) state.adopt(rebuilt.states.get(symbol), this.gen);
    for (const [symbol, source] of rebuilt.states) {
      if (this.states.has(symbol)) continue;
      if (this.states.size >= this.options.maxSymbols) break;
      const state = this.add(source.instrument);
      state.adopt(source, this.gen);
    }
    this.changed = [...this.states.values()];
  }

  /**
   * Applies a symbol entry published by an ingest, with its changed 1 min bars (SymbolState.applyEntry):
   * a gateway's replica follows the ingest's market this way (server/cluster/). A symbol not yet known is
   * added, described by `instrument` when given; a known one takes `instrument` when it differs from the
   * one held (SymbolState.describe: first described by default, its published instrument unreadable then).
   */
  applyEntry(entry: SymbolEntry, minuteBars?: readonly Bar[], instrument?: Instrument): void {
    const state = this.stateFor(entry.s, instrument);
    if (state === undefined) return;
    if (instrument !== undefined) state.describe(instrument);
    const before = state.changedGen;
    state.applyEntry(entry, this.gen, minuteBars);
    if (before !== this.gen && state.changedGen === this.gen) this.changed.push(state);
  }

  flush(): FlushResult {
    const result: FlushResult = { gen: this.gen, changed: this.changed };
    this.changed = [];
    this.gen++;
    return result;
  }

  /**
   * Up to `limit` bars of `interval` starting before `end` (ms; default: up to now, including the forming
   * bar), oldest first, each folded exactly from 1 s bars (client/bars.ts). Undefined for an unknown
   * symbol.
   */
  history(symbol: string, interval: Interval, limit: number, end?: number): Bar[] | undefined {
    const state = this.states.get(symbol);
    if (state === undefined) return undefined;
    const before = end ?? Number.POSITIVE_INFINITY;
    switch (interval) {
      case '1s':
        return state.seconds.range(limit, before);
      case '5s':
        return lastBefore(state.seconds.folded(INTERVAL_MS[interval]), limit, before);
      case '1m':
        return state.minutes.range(limit, before);
      default:
        return lastBefore(state.minutes.folded(INTERVAL_MS[interval]), limit, before);
    }
  }
}

function lastBefore(bars: Bar[], limit: number, end: number): Bar[] {
  let stop = bars.length;
  while (stop > 0 && bars[stop - 1]![0] >= end) stop--;
  return bars.slice(Math.max(0, stop - limit), stop);
}

/** What we assume about a symbol a feed did not describe: `BASE-QUOTE` and `BASEQUOTE` pairs are crypto. */
export function defaultInstrument(symbol: string): Instrument {
  const pair = /^([A-Z0-9]+)-([A-Z]{3,5})$/.exec(symbol);
  return {
    symbol,
    name: symbol,
    assetClass: pair !== null ? 'crypto' : 'other',
    currency: pair?.[2] ?? 'USD',
    tickSize: 0.01,
  };
}
